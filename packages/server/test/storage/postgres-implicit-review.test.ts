/**
 * Review of the implicit transactions (implicit-transaction.ts).
 *
 * pg's read timeout (`query_timeout`, which a URL parameter sets: pg copies every parameter of
 * the connection string into its config) arms a timer per query and clears it only through the
 * query's callback. An implicit transaction must call it when it settles: otherwise the timer
 * fires after commit and, on a pipelined connection, destroys the socket under whoever borrowed
 * the connection next.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { POSTGRES_TEST_URL, POSTGRES_UNAVAILABLE, TEST_DIALECTS } from '../helpers/test-server.ts';

const skip = !TEST_DIALECTS.includes('postgres') ? 'postgres not in BASALT_TEST_DIALECTS' : process.env.BASALT_TEST_REQUIRE_SERVICES === '1' ? false : (POSTGRES_UNAVAILABLE ?? false);

const READ_TIMEOUT_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('[postgres] implicit transactions with a read timeout (query_timeout in the URL)', { skip }, () => {
  let db: PostgresDatabase;
  before(async () => {
    const url = new URL(POSTGRES_TEST_URL);
    url.searchParams.set('query_timeout', String(READ_TIMEOUT_MS));
    // One connection: the next transaction runs on the one the implicit transaction used.
    db = await PostgresDatabase.open({ url: url.toString(), schema: `basalt_test_${randomBytes(6).toString('hex')}`, maxConnections: 1 });
    await db.exec('CREATE TABLE t (id TEXT PRIMARY KEY)');
  });
  after(async () => {
    await db?.dropSchema();
    await db?.close();
  });
  const ids = async () => (await db.all<{ id: string }>('SELECT id FROM t ORDER BY id')).map((r) => r.id);

  it('a committed implicit transaction leaves its connection usable by the next transaction for longer than the read timeout', async () => {
    await db.transaction(async (tx) => tx.defer!('INSERT INTO t (id) VALUES (?)', ['implicit']));
    // Each statement of this one answers within the timeout; only the transaction lasts longer.
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (id) VALUES (?)', ['next-1']);
      await sleep(READ_TIMEOUT_MS * 2);
      await tx.run('INSERT INTO t (id) VALUES (?)', ['next-2']);
    });
    assert.deepEqual(await ids(), ['implicit', 'next-1', 'next-2']);
  });
});
