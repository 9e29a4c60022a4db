/**
 * PostgreSQL statements with parameters run as named prepared statements (parsed and planned
 * once per connection). A prepared `SELECT *` must never return stale columns or fail after the
 * table changes: DDL in this process replaces the connections that prepared it, and DDL by
 * another process is recovered from by re-running the read unprepared.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { POSTGRES_TEST_URL, POSTGRES_UNAVAILABLE, TEST_DIALECTS } from '../helpers/test-server.ts';

const skip = !TEST_DIALECTS.includes('postgres') ? 'postgres not in BASALT_TEST_DIALECTS' : process.env.BASALT_TEST_REQUIRE_SERVICES === '1' ? false : (POSTGRES_UNAVAILABLE ?? false);

describe('[postgres] prepared statements and schema changes', { skip }, () => {
  it('SELECT * sees a column added in this process, on every pooled connection, in and out of transactions', async () => {
    const schema = `basalt_test_${randomBytes(6).toString('hex')}`;
    const db = await PostgresDatabase.open({ url: POSTGRES_TEST_URL, schema, maxConnections: 3 });
    try {
      await db.exec(`CREATE TABLE "t" ("id" TEXT PRIMARY KEY, "a" TEXT)`);
      await db.run(`INSERT INTO "t" ("id", "a") VALUES (?, ?)`, ['x', 'one']);
      const read = () => db.get(`SELECT * FROM "t" WHERE "id" = ?`, ['x']);
      // Prepare the statement on all three connections.
      await Promise.all([read(), read(), read(), db.transaction((tx) => tx.get(`SELECT * FROM "t" WHERE "id" = ?`, ['x']))]);
      await db.exec(`ALTER TABLE "t" ADD COLUMN "b" TEXT DEFAULT 'two'`);
      for (const row of await Promise.all([read(), read(), read()])) assert.deepEqual(row, { id: 'x', a: 'one', b: 'two' });
      assert.deepEqual(await db.transaction((tx) => tx.get(`SELECT * FROM "t" WHERE "id" = ?`, ['x'])), { id: 'x', a: 'one', b: 'two' });
    } finally {
      await db.dropSchema();
      await db.close();
    }
  });

  it('SELECT * outside a transaction recovers when another process changed the table', async () => {
    const schema = `basalt_test_${randomBytes(6).toString('hex')}`;
    const db = await PostgresDatabase.open({ url: POSTGRES_TEST_URL, schema, maxConnections: 1 });
    const other = await PostgresDatabase.open({ url: POSTGRES_TEST_URL, schema, maxConnections: 1 });
    try {
      await db.exec(`CREATE TABLE "t" ("id" TEXT PRIMARY KEY, "a" TEXT)`);
      await db.run(`INSERT INTO "t" ("id", "a") VALUES (?, ?)`, ['x', 'one']);
      assert.deepEqual(await db.get(`SELECT * FROM "t" WHERE "id" = ?`, ['x']), { id: 'x', a: 'one' });
      await other.exec(`ALTER TABLE "t" DROP COLUMN "a"`);
      assert.deepEqual(await db.get(`SELECT * FROM "t" WHERE "id" = ?`, ['x']), { id: 'x' });
      assert.deepEqual(await db.get(`SELECT * FROM "t" WHERE "id" = ?`, ['x']), { id: 'x' });
    } finally {
      await other.close();
      await db.dropSchema();
      await db.close();
    }
  });
});
