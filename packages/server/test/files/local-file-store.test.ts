import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { it } from 'node:test';
import { LocalFileStore } from '../../src/files/local/local-file-store.ts';
import { fileStoreConformance } from './file-store-conformance.ts';

fileStoreConformance('local', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-files-'));
  return { store: new LocalFileStore(join(dir, 'storage')), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
});

it('local: a failed write leaves neither the object nor a temporary file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-files-'));
  try {
    const store = new LocalFileStore(dir);
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(new Error('client went away'));
      },
    });
    await assert.rejects(store.put('c/r/f.bin', failing), /client went away/);
    assert.equal(await store.stat('c/r/f.bin'), undefined);
    assert.deepEqual(readdirSync(join(dir, '.tmp')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('local: deleting the last file of a record removes its empty folders', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-files-'));
  try {
    const store = new LocalFileStore(dir);
    await store.put('c/r/f.txt', Buffer.from('x'));
    await store.delete('c/r/f.txt');
    assert.deepEqual(readdirSync(dir).filter((n) => n !== '.tmp'), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
