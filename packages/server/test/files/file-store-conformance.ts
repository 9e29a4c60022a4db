/**
 * The FileStore conformance suite: every driver's test calls `fileStoreConformance` with a
 * factory for an empty store, and the same assertions run against the real backend.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { FileNotFoundError, type FileStore } from '../../src/files/types.ts';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function keys(store: FileStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const info of store.list(prefix)) out.push(info.key);
  return out;
}

/** A stream that yields `size` bytes in small chunks without ever holding them all. */
function slowStream(data: Buffer, chunk = 64 * 1024): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= data.length) return this.push(null);
      this.push(data.subarray(offset, offset + chunk));
      offset += chunk;
    },
  });
}

export interface StoreHandle {
  store: FileStore;
  dispose(): Promise<void>;
}

/** Known deviations of a backend, each with its reason. */
export interface ConformanceOptions {
  /** Set when listings come in another order than plain key order: they are compared sorted. */
  unorderedListing?: string;
}

export function fileStoreConformance(name: string, open: () => Promise<StoreHandle>, options: ConformanceOptions = {}): void {
  describe(`FileStore conformance: ${name}`, () => {
    const listed = async (store: FileStore, prefix: string) => {
      const out = await keys(store, prefix);
      return options.unorderedListing ? out.sort() : out;
    };
    let handle: StoreHandle;
    let store: FileStore;
    before(async () => {
      handle = await open();
      store = handle.store;
    });
    after(async () => {
      await handle?.store.close();
      await handle?.dispose();
    });

    it('stores a buffer and reads it back with stat metadata', async () => {
      const data = Buffer.from('hello, basalt');
      await store.put('c1/r1/hello.txt', data, { contentType: 'text/plain', size: data.length });
      assert.deepEqual(await readAll(await store.read('c1/r1/hello.txt')), data);
      const info = await store.stat('c1/r1/hello.txt');
      assert.equal(info?.key, 'c1/r1/hello.txt');
      assert.equal(info?.size, data.length);
      assert.ok(info!.modified instanceof Date && !Number.isNaN(info!.modified.getTime()));
    });

    it('streams a multi-megabyte upload and download byte for byte', async () => {
      const data = randomBytes(3 * 1024 * 1024 + 17);
      await store.put('c1/r2/big.bin', slowStream(data), { size: data.length });
      const back = await readAll(await store.read('c1/r2/big.bin'));
      assert.equal(back.length, data.length);
      assert.ok(back.equals(data));
    });

    it('replaces an existing object', async () => {
      await store.put('c1/r3/a.txt', Buffer.from('first version'));
      await store.put('c1/r3/a.txt', Buffer.from('v2'));
      assert.equal((await readAll(await store.read('c1/r3/a.txt'))).toString(), 'v2');
      assert.equal((await store.stat('c1/r3/a.txt'))?.size, 2);
    });

    it('reads inclusive byte ranges', async () => {
      await store.put('c1/r4/digits.txt', Buffer.from('0123456789'));
      assert.equal((await readAll(await store.read('c1/r4/digits.txt', { start: 2, end: 5 }))).toString(), '2345');
      assert.equal((await readAll(await store.read('c1/r4/digits.txt', { start: 9, end: 9 }))).toString(), '9');
      assert.equal((await readAll(await store.read('c1/r4/digits.txt', { start: 0, end: 9 }))).toString(), '0123456789');
    });

    it('reports a missing object as undefined (stat) and FileNotFoundError (read)', async () => {
      assert.equal(await store.stat('c1/nope/missing.txt'), undefined);
      await assert.rejects(store.read('c1/nope/missing.txt'), FileNotFoundError);
    });

    it('deletes one object; deleting a missing one is not an error', async () => {
      await store.put('c2/r1/x.txt', Buffer.from('x'));
      await store.delete('c2/r1/x.txt');
      assert.equal(await store.stat('c2/r1/x.txt'), undefined);
      await store.delete('c2/r1/x.txt');
      assert.deepEqual(await keys(store, 'c2/'), []);
    });

    it('lists by prefix in key order', async (t) => {
      if (options.unorderedListing) t.diagnostic(`order not checked: ${options.unorderedListing}`);
      for (const k of ['l1/b/2.txt', 'l1/a/1.txt', 'l1/a-z.txt', 'l1/a/0.txt', 'l10/x.txt']) await store.put(k, Buffer.from(k));
      assert.deepEqual(await listed(store, 'l1/'), ['l1/a-z.txt', 'l1/a/0.txt', 'l1/a/1.txt', 'l1/b/2.txt']);
      assert.deepEqual(await listed(store, 'l1/a'), ['l1/a-z.txt', 'l1/a/0.txt', 'l1/a/1.txt']);
      assert.deepEqual(await listed(store, 'l1/a/'), ['l1/a/0.txt', 'l1/a/1.txt']);
      assert.deepEqual(await listed(store, 'l1'), ['l1/a-z.txt', 'l1/a/0.txt', 'l1/a/1.txt', 'l1/b/2.txt', 'l10/x.txt']);
      const all = await listed(store, '');
      assert.ok(all.includes('l10/x.txt') && all.includes('c1/r1/hello.txt'));
      assert.deepEqual(all, [...all].sort());
      const info = [];
      for await (const i of store.list('l1/a/')) info.push(i);
      assert.equal(info[0].size, 'l1/a/0.txt'.length);
    });

    it('lists more objects than one page of a backend holds', async () => {
      const n = 1005;
      const names = Array.from({ length: n }, (_, i) => `p1/r/${String(i).padStart(5, '0')}.txt`);
      for (let i = 0; i < n; i += 50) await Promise.all(names.slice(i, i + 50).map((k) => store.put(k, Buffer.from('.'))));
      assert.deepEqual(await listed(store, 'p1/'), names);
      await store.deletePrefix('p1/');
      assert.deepEqual(await keys(store, 'p1/'), []);
    });

    it('deletes a folder by prefix and nothing outside it', async () => {
      for (const k of ['d1/r1/a.txt', 'd1/r1/thumbs_a.txt/10x10_a.txt', 'd1/r10/b.txt', 'd1/r2/c.txt']) await store.put(k, Buffer.from(k));
      await store.deletePrefix('d1/r1/');
      assert.deepEqual(await listed(store, 'd1/'), ['d1/r10/b.txt', 'd1/r2/c.txt']);
      await store.deletePrefix('d1/r');
      assert.deepEqual(await keys(store, 'd1/'), []);
    });

    it('refuses keys that could escape the store', async () => {
      for (const bad of ['', '../x', 'a/../../x', '/abs', 'a//b', 'a/./b', 'a\\b', 'a/\u0000b', 'a/..']) {
        await assert.rejects(store.put(bad, Buffer.from('x')), RangeError, `put ${JSON.stringify(bad)}`);
        await assert.rejects(store.read(bad), RangeError, `read ${JSON.stringify(bad)}`);
        await assert.rejects(store.stat(bad), RangeError, `stat ${JSON.stringify(bad)}`);
        await assert.rejects(store.delete(bad), RangeError, `delete ${JSON.stringify(bad)}`);
      }
      await assert.rejects(store.deletePrefix('../'), RangeError);
      await assert.rejects(async () => {
        for await (const _ of store.list('a/../')) void _;
      }, RangeError);
    });

    it('stores a local file with putFile when the store has it', async (t) => {
      if (!store.putFile) return t.skip('this store has no putFile (callers stream through put)');
      const dir = mkdtempSync(join(tmpdir(), 'basalt-putfile-'));
      try {
        const path = join(dir, 'upload.part');
        writeFileSync(path, 'moved content');
        await store.putFile('m1/r1/moved.txt', path, { size: 13 });
        assert.equal((await readAll(await store.read('m1/r1/moved.txt'))).toString(), 'moved content');
        // The source stays, and storing it again (a retried transaction) works.
        await store.putFile('m1/r1/again.txt', path, { size: 13 });
        assert.equal((await readAll(await store.read('m1/r1/again.txt'))).toString(), 'moved content');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('keeps names with spaces and unicode', async () => {
      const key = 'u1/r1/über café (1).txt';
      await store.put(key, Buffer.from('ü'));
      assert.equal((await readAll(await store.read(key))).toString(), 'ü');
      assert.deepEqual(await keys(store, 'u1/'), [key]);
    });
  });
}
