/**
 * Durability of acknowledged writes: a real `basalt serve` child process is killed with SIGKILL
 * right after its last acknowledgement, restarted on the same --dir, and every acknowledged
 * create, update and delete must be there; writes in flight at the kill are all-or-nothing; the
 * database file passes `PRAGMA integrity_check`. A failed batch leaves nothing behind (spec §9.2).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { removeDir, runCli, startServe, stopServe, tempDir, type ServeProcess } from '../helpers/cli.ts';

const EMAIL = 'durable@example.com';
const PASSWORD = 'durable-password-1';

async function signIn(url: string): Promise<PocketBase> {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  await pb.collection('_superusers').authWithPassword(EMAIL, PASSWORD);
  return pb;
}

/** Opens the data directory's database read-only (the server must be stopped) and checks it. */
function checkDatabase(dir: string, check: (db: DatabaseSync) => void): void {
  const db = new DatabaseSync(join(dir, 'data.db'));
  try {
    assert.deepEqual(db.prepare('PRAGMA integrity_check').all().map((r) => r.integrity_check), ['ok']);
    check(db);
  } finally {
    db.close();
  }
}

async function killHard(served: ServeProcess): Promise<void> {
  served.child.kill('SIGKILL');
  const exit = await served.exited;
  assert.equal(exit.signal, 'SIGKILL');
}

for (const durability of ['full', 'normal'] as const) {
  describe(`kill -9 with --durability ${durability === 'full' ? 'full (the default)' : 'normal'}`, () => {
    let dir: string;
    before(async () => {
      dir = tempDir('basalt-durability-');
      const r = await runCli(['superuser', 'upsert', EMAIL, PASSWORD, '--dir', dir]);
      assert.equal(r.code, 0, r.stderr);
    });
    after(() => removeDir(dir));

    it('every acknowledged create, update and delete survives; in-flight batches are all-or-nothing', async () => {
      // The default is full: pass no flag then, so the test covers the default.
      const flags = durability === 'full' ? [] : ['--durability', 'normal'];
      let served = await startServe(dir, flags);
      const pb = await signIn(served.url);
      await pb.collections.create({
        name: 'events',
        type: 'base',
        fields: [
          { name: 'seq', type: 'number' },
          { name: 'payload', type: 'text' },
          { name: 'meta', type: 'json' },
        ],
      });
      await pb.settings.update({ batch: { enabled: true, maxRequests: 50, timeout: 10, maxBodySize: 0 } });
      const token = pb.authStore.token;
      const headers = { authorization: token, 'content-type': 'application/json' };
      const url = `${served.url}/api/collections/events/records`;

      const acknowledged = new Map<string, { seq: number; payload: string }>();
      const create = async (seq: number) => {
        const payload = `event ${seq} ${'🙂'.repeat(seq % 7)}`;
        const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ seq, payload, meta: { seq, list: [seq, seq + 1] } }) });
        assert.equal(res.status, 200, await res.clone().text());
        const body = await res.json();
        acknowledged.set(body.id, { seq, payload });
      };
      // Sequential acknowledgements, then concurrent ones (the writer queue under contention).
      for (let seq = 0; seq < 60; seq++) await create(seq);
      await Promise.all(Array.from({ length: 60 }, (_, i) => create(60 + i)));

      // Acknowledged updates and deletes must survive too.
      const ids = [...acknowledged.keys()];
      const updated = ids.slice(0, 10);
      for (const id of updated) {
        const res = await fetch(`${url}/${id}`, { method: 'PATCH', headers, body: JSON.stringify({ payload: 'updated', 'seq+': 1000 }) });
        assert.equal(res.status, 200);
        const entry = acknowledged.get(id)!;
        acknowledged.set(id, { seq: entry.seq + 1000, payload: 'updated' });
      }
      const deleted = ids.slice(10, 20);
      for (const id of deleted) {
        const res = await fetch(`${url}/${id}`, { method: 'DELETE', headers: { authorization: token } });
        assert.equal(res.status, 204);
        acknowledged.delete(id);
      }

      // One last create, with batches sent right behind it; kill -9 as soon as the create is
      // acknowledged, so the batches are still running (unacknowledged) when the process dies.
      const last = create(999);
      await new Promise((r) => setImmediate(r));
      const inFlight = Array.from({ length: 8 }, (_, b) =>
        fetch(`${served.url}/api/batch`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ requests: Array.from({ length: 40 }, (_, i) => ({ method: 'POST', url: '/api/collections/events/records', body: { seq: 10_000 + b * 100 + i, payload: `batch ${b}`, meta: { pad: 'x'.repeat(2_000) } } })) }),
        }).then(
          (r) => r.status,
          () => 'no answer',
        ),
      );
      await last;
      await killHard(served);
      const answered = await Promise.all(inFlight);

      served = await startServe(dir, flags);
      try {
        const pb2 = await signIn(served.url);
        const all = await pb2.collection('events').getFullList({ batch: 500 });
        const byId = new Map(all.map((r) => [r.id, r]));
        for (const [id, expected] of acknowledged) {
          const got = byId.get(id);
          assert.ok(got, `acknowledged record ${id} (seq ${expected.seq}) is missing after kill -9`);
          assert.equal(got.seq, expected.seq);
          assert.equal(got.payload, expected.payload);
        }
        for (const id of deleted) assert.ok(!byId.has(id), `acknowledged delete of ${id} was lost`);
        // Each batch is one transaction: all 40 rows or none, whatever the client saw.
        for (let b = 0; b < 8; b++) {
          const rows = all.filter((r) => r.payload === `batch ${b}`).length;
          assert.ok(rows === 0 || rows === 40, `batch ${b} left ${rows} of 40 rows (answer: ${answered[b]})`);
          if (answered[b] === 200) assert.equal(rows, 40, `acknowledged batch ${b} is missing`);
        }
        const unexpected = all.filter((r) => !acknowledged.has(r.id) && !String(r.payload).startsWith('batch '));
        assert.deepEqual(unexpected, [], 'rows that were never written appeared');
      } finally {
        assert.equal((await stopServe(served)).code, 0);
      }

      checkDatabase(dir, (db) => {
        const rows = db.prepare("SELECT COUNT(*) AS n FROM events WHERE payload NOT LIKE 'batch %'").get() as { n: number };
        assert.equal(rows.n, acknowledged.size);
      });
    });
  });
}

describe('a batch whose last sub-request fails', () => {
  let dir: string;
  let served: ServeProcess;
  let pb: PocketBase;
  before(async () => {
    dir = tempDir('basalt-batch-');
    const r = await runCli(['superuser', 'upsert', EMAIL, PASSWORD, '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    served = await startServe(dir);
    pb = await signIn(served.url);
    await pb.collections.create({ name: 'items', type: 'base', fields: [{ name: 'name', type: 'text', required: true }, { name: 'n', type: 'number' }] });
    await pb.settings.update({ batch: { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 } });
  });
  after(async () => {
    await stopServe(served);
    removeDir(dir);
  });

  it('answers 400 with the failing index, and leaves nothing behind, even across kill -9', async () => {
    const keep = await pb.collection('items').create({ name: 'keep', n: 1 });
    const requests = [
      { method: 'POST', url: '/api/collections/items/records', body: { name: 'a' } },
      { method: 'POST', url: '/api/collections/items/records', body: { name: 'b' } },
      { method: 'PATCH', url: `/api/collections/items/records/${keep.id}`, body: { name: 'changed', 'n+': 5 } },
      { method: 'PUT', url: '/api/collections/items/records', body: { id: 'upsertid0000001', name: 'upserted' } },
      { method: 'POST', url: '/api/collections/items/records', body: { name: '' } },
    ];
    const res = await fetch(`${served.url}/api/batch`, { method: 'POST', headers: { authorization: pb.authStore.token, 'content-type': 'application/json' }, body: JSON.stringify({ requests }) });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.status, 400);
    assert.equal(body.message, 'Batch transaction failed.');
    assert.deepEqual(Object.keys(body.data.requests), ['4']);
    assert.equal(body.data.requests['4'].code, 'batch_request_failed');
    assert.equal(body.data.requests['4'].response.status, 400);
    assert.equal(body.data.requests['4'].response.data.name.code, 'validation_required');

    const check = async (p: PocketBase) => {
      const all = await p.collection('items').getFullList();
      assert.deepEqual(all.map((r) => [r.id, r.name, r.n]), [[keep.id, 'keep', 1]]);
    };
    await check(pb);
    // The rollback is durable too: nothing reappears after a crash and a restart.
    await killHard(served);
    served = await startServe(dir);
    pb = await signIn(served.url);
    await check(pb);
    // And the same batch without the bad request commits entirely.
    const ok = await fetch(`${served.url}/api/batch`, { method: 'POST', headers: { authorization: pb.authStore.token, 'content-type': 'application/json' }, body: JSON.stringify({ requests: requests.slice(0, 4) }) });
    assert.equal(ok.status, 200);
    assert.deepEqual((await ok.json()).map((r: { status: number }) => r.status), [200, 200, 200, 200]);
    assert.equal((await pb.collection('items').getFullList()).length, 4);
    assert.equal((await pb.collection('items').getOne(keep.id)).n, 6);
    assert.equal((await stopServe(served)).code, 0);
    checkDatabase(dir, (db) => assert.equal((db.prepare('SELECT COUNT(*) AS n FROM items').get() as { n: number }).n, 4));
    served = await startServe(dir);
  });
});
