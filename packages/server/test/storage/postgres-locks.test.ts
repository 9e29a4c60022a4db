/**
 * PostgreSQL name locks (collection definitions) and write conflicts. Advisory locks are
 * database-wide, so names are qualified by the schema: Basalt instances in two schemas of one
 * database (same system collection ids) never wait for each other. A write the database rolls
 * back to break a deadlock runs again instead of failing the request.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { inTransaction } from '../../src/core/operations/context.ts';
import { systemContext } from '../../src/core/operations/superuser-upsert.ts';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { POSTGRES_TEST_URL, POSTGRES_UNAVAILABLE, TEST_DIALECTS, startTestServer, type TestServer } from '../helpers/test-server.ts';

const skip = !TEST_DIALECTS.includes('postgres') ? 'postgres not in BASALT_TEST_DIALECTS' : process.env.BASALT_TEST_REQUIRE_SERVICES === '1' ? false : (POSTGRES_UNAVAILABLE ?? false);

describe('[postgres] name locks and write conflicts', { skip }, () => {
  it('a lock held in one schema does not block the same name in another schema', async () => {
    const open = () => PostgresDatabase.open({ url: POSTGRES_TEST_URL, schema: `basalt_test_${randomBytes(6).toString('hex')}`, maxConnections: 2 });
    const [a, b] = [await open(), await open()];
    try {
      let release!: () => void;
      let held!: () => void;
      const isHeld = new Promise<void>((r) => (held = r));
      const holder = a.transaction(async (tx) => {
        await tx.get(a.dialect.nameLock('exclusive')!, ['basalt_collection:_pb_users_auth_']);
        held();
        await new Promise<void>((r) => (release = r));
      });
      await isHeld;
      try {
        // The server gives up after lock_timeout: an error here means the other schema's lock blocked us.
        await b.transaction(async (tx) => {
          await tx.exec("SET LOCAL lock_timeout = '500ms'");
          await tx.get(b.dialect.nameLock('shared')!, ['basalt_collection:_pb_users_auth_']);
        });
      } finally {
        release();
        await holder;
      }
      // Within one schema the lock does exclude (the same check, expected to time out).
      let releaseAgain!: () => void;
      let heldAgain!: () => void;
      const isHeldAgain = new Promise<void>((r) => (heldAgain = r));
      const holderAgain = a.transaction(async (tx) => {
        await tx.get(a.dialect.nameLock('exclusive')!, ['basalt_collection:x']);
        heldAgain();
        await new Promise<void>((r) => (releaseAgain = r));
      });
      await isHeldAgain;
      try {
        await assert.rejects(
          a.transaction(async (tx) => {
            await tx.exec("SET LOCAL lock_timeout = '200ms'");
            await tx.get(a.dialect.nameLock('shared')!, ['basalt_collection:x']);
          }),
          (err: { code?: string }) => err.code === '55P03',
        );
      } finally {
        releaseAgain();
        await holderAgain;
      }
    } finally {
      for (const db of [a, b]) {
        await db.dropSchema();
        await db.close();
      }
    }
  });

  describe('a deadlock between two writes', () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ dialect: 'postgres' });
    });
    after(() => t?.close());

    it('is broken by the database and the losing write runs again: both succeed', async () => {
      const ctx = systemContext(t.app);
      const lock = t.app.db.dialect.nameLock('exclusive')!;
      let runs = 0;
      // Each takes one lock, waits until the other has taken its own, then asks for the other's.
      let arrived = 0;
      let bothHold!: () => void;
      const barrier = new Promise<void>((r) => (bothHold = r));
      const write = (first: string, second: string) =>
        inTransaction(ctx, async ({ tx }) => {
          const attempt = ++runs;
          await tx.get(lock, [first]);
          if (attempt <= 2) {
            if (++arrived === 2) bothHold();
            await barrier;
          }
          await tx.get(lock, [second]);
          return first;
        });
      const results = await Promise.all([write('deadlock:a', 'deadlock:b'), write('deadlock:b', 'deadlock:a')]);
      assert.deepEqual(results, ['deadlock:a', 'deadlock:b']);
      assert.equal(runs, 3, 'exactly one of the two ran again');
    });
  });
});
