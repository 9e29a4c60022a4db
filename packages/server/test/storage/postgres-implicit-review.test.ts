/**
 * Review of the implicit transactions (implicit-transaction.ts).
 *
 * pg's read timeout (`query_timeout`, which a URL parameter sets: pg copies every parameter of
 * the connection string into its config) arms a timer per query and clears it only through the
 * query's callback. An implicit transaction must call it when it settles: otherwise the timer
 * fires after commit and, on a pipelined connection, destroys the socket under whoever borrowed
 * the connection next.
 *
 * A failed implicit transaction settles when its error arrives, before the ReadyForQuery that
 * ends it: its connection goes back to the pool while the server is still closing the
 * transaction. What the next borrower sends must run on its own, neither swallowed by the failed
 * transaction nor failing with it. A proxy holds that ReadyForQuery back, so the next statement
 * is certainly issued inside that window.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { postgresProxy } from '../helpers/postgres-proxy.ts';
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

/** A proxy that, while `hold.on`, delivers the ReadyForQuery following an ErrorResponse `HOLD_MS` late (and what follows it after it). */
const HOLD_MS = 300;
async function lateReadyAfterError() {
  const hold = { on: false, held: 0, delivered: 0 };
  const proxy = await postgresProxy((client, upstream) => {
    client.on('data', (chunk) => upstream.write(chunk));
    let pending = Buffer.alloc(0);
    let afterError = false;
    // Every message goes through one chain, so a held one also holds back those behind it.
    let chain = Promise.resolve();
    upstream.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      // Every server message is a type byte and an int32 length (no SSL is negotiated here).
      while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
        const size = 1 + pending.readInt32BE(1);
        const message = pending.subarray(0, size);
        pending = pending.subarray(size);
        const type = String.fromCharCode(message[0]!);
        if (hold.on && type === 'E') afterError = true;
        const late = afterError && type === 'Z';
        if (late) {
          afterError = false;
          hold.held++;
        }
        chain = chain.then(async () => {
          if (late) await sleep(HOLD_MS);
          client.write(message);
          if (late) hold.delivered++;
        });
      }
    });
  });
  return { hold, proxy };
}

describe('[postgres] the connection of a failed implicit transaction', { skip }, () => {
  it('runs the next statement on its own while the failed transaction is still ending', async () => {
    const { hold, proxy } = await lateReadyAfterError();
    // One connection: the next statement borrows the one the failed transaction used.
    const db = await PostgresDatabase.open({ url: proxy.url, schema: `basalt_test_${randomBytes(6).toString('hex')}`, maxConnections: 1 });
    try {
      await db.exec('CREATE TABLE u (id TEXT PRIMARY KEY)');
      await db.run('INSERT INTO u (id) VALUES (?)', ['taken']);
      hold.on = true;
      let deliveredWhenFailed = -1;
      const next = db
        .transaction(async (tx) => {
          tx.defer!('INSERT INTO u (id) VALUES (?)', ['rolled-back']);
          tx.defer!('INSERT INTO u (id) VALUES (?)', ['taken']);
        })
        .then(
          () => assert.fail('the duplicate id committed'),
          (err: { code?: string }) => {
            assert.equal(err.code, '23505');
            deliveredWhenFailed = hold.delivered;
            return db.run('INSERT INTO u (id) VALUES (?)', ['after']);
          },
        );
      assert.deepEqual(await next, { changes: 1 });
      assert.equal(hold.held, 1, 'no ReadyForQuery was held back');
      assert.equal(deliveredWhenFailed, 0, 'the failure was reported only after its ReadyForQuery: the window was not exercised');
      hold.on = false;
      const rows = await db.all<{ id: string }>('SELECT id FROM u ORDER BY id');
      assert.deepEqual(rows.map((r) => r.id), ['after', 'taken']);
      // The connection is still in step with the server: a transaction with reads and writes runs.
      await db.transaction(async (tx) => {
        await tx.run('INSERT INTO u (id) VALUES (?)', ['later']);
        assert.equal((await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM u'))?.n, 3);
      });
    } finally {
      await db.dropSchema();
      await db.close();
      await proxy.close();
    }
  });
});
