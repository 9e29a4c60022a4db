/**
 * The PostgreSQL pool is bounded: when every connection stays busy, a caller waits a bounded
 * time and then gets ServiceUnavailableError (503 on the wire), never an endless hang. A
 * connection cut under a statement is a 503 as well, though the driver's error has no code.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ServiceUnavailableError } from '../../src/core/errors.ts';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { postgresProxy } from '../helpers/postgres-proxy.ts';
import { POSTGRES_TEST_URL, POSTGRES_UNAVAILABLE, TEST_DIALECTS } from '../helpers/test-server.ts';

const skip = !TEST_DIALECTS.includes('postgres') ? 'postgres not in BASALT_TEST_DIALECTS' : process.env.BASALT_TEST_REQUIRE_SERVICES === '1' ? false : (POSTGRES_UNAVAILABLE ?? false);

describe('[postgres] connection pool', { skip }, () => {
  it('an exhausted pool answers 503 after the acquire timeout, then recovers', async () => {
    const schema = `basalt_test_${randomBytes(6).toString('hex')}`;
    const db = await PostgresDatabase.open({ url: POSTGRES_TEST_URL, schema, maxConnections: 1, acquireTimeoutMs: 300 });
    try {
      let release!: () => void;
      const held = db.transaction(() => new Promise<void>((r) => (release = r)));
      const started = Date.now();
      await assert.rejects(db.get('SELECT 1 AS one'), (err: unknown) => {
        assert.ok(err instanceof ServiceUnavailableError, String(err));
        assert.equal(err.status, 503);
        assert.match(err.message, /busy/);
        return true;
      });
      assert.ok(Date.now() - started < 5000, 'waited far longer than the acquire timeout');
      release();
      await held;
      assert.deepEqual(await db.get('SELECT 1 AS one'), { one: 1 });
    } finally {
      await db.dropSchema();
      await db.close();
    }
  });

  it('a bad URL or an unreachable server fails open() with a one-line reason', async () => {
    await assert.rejects(PostgresDatabase.open({ url: 'mysql://x@localhost/db' }), /Invalid PostgreSQL URL/);
    await assert.rejects(PostgresDatabase.open({ url: 'postgres://postgres@127.0.0.1:1/test', acquireTimeoutMs: 2000 }), /cannot connect to PostgreSQL at 127\.0\.0\.1:1\/test: connection refused/);
  });
});

describe('[postgres] a connection cut under a statement', { skip }, () => {
  for (const where of ['outside a transaction', 'in a transaction'] as const) {
    it(`answers ServiceUnavailableError ${where}, and the next statement gets a new connection`, async () => {
      const proxy = await postgresProxy((client, upstream) => client.pipe(upstream).pipe(client));
      const schema = `basalt_test_${randomBytes(6).toString('hex')}`;
      const db = await PostgresDatabase.open({ url: proxy.url, schema, maxConnections: 1 });
      try {
        const slow = where === 'in a transaction' ? db.transaction((tx) => tx.get('SELECT pg_sleep(2)')) : db.get('SELECT pg_sleep(2)');
        setTimeout(() => proxy.cut(), 200);
        await assert.rejects(slow, (err: Error) => {
          assert.ok(err instanceof ServiceUnavailableError, `${err.name}: ${err.message}`);
          assert.equal(err.message, 'The database is unreachable. Try again shortly.');
          return true;
        });
        assert.deepEqual(await db.get('SELECT 1 AS one'), { one: 1 });
      } finally {
        await db.dropSchema().catch(() => {});
        await db.close();
        await proxy.close();
      }
    });
  }
});
