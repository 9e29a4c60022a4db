/**
 * Review of the implicit transactions (implicit-transaction.ts).
 *
 * pg's read timeout (`query_timeout`, which a URL parameter sets: pg copies every parameter of
 * the connection string into its config) arms a timer per query and clears it only through the
 * query's callback. The implicit transaction never calls one, so the timer fires after it
 * committed and, on a pipelined connection, destroys the socket: the connection is lost under
 * whoever borrowed it next. That test fails until the implicit transaction clears it.
 *
 * A failed implicit transaction settles on the ErrorResponse, so its connection goes back to the
 * pool before its ReadyForQuery: a proxy holds that back to pin that the next users' statements
 * are still answered in order and run outside the failed transaction.
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

/**
 * A proxy that, while armed, holds back the server's ReadyForQuery that follows an
 * ErrorResponse: the failed implicit transaction has then settled (pg settles on the error) and
 * its connection is back in the pool before pg has seen the end of it.
 */
async function slowReadyAfterError(delayMs: number): Promise<{ url: string; arm(on: boolean): void; held: () => number; close(): Promise<void> }> {
  let armed = false;
  let held = 0;
  const proxy = await postgresProxy((client, upstream) => {
    let pending = Buffer.alloc(0);
    let lastType = '';
    // Server messages are written in order; a held one delays everything after it.
    let queue = Promise.resolve();
    const send = (buf: Buffer, wait: number) => {
      if (wait) held++;
      queue = queue
        .then(() => (wait ? sleep(wait) : undefined))
        .then(() => {
          client.write(buf);
          if (wait) held--;
        });
    };
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      let start = 0;
      let at = 0;
      while (pending.length - at >= 5) {
        const size = 1 + pending.readInt32BE(at + 1);
        if (pending.length - at < size) break;
        const type = String.fromCharCode(pending[at]);
        if (armed && type === 'Z' && lastType === 'E') {
          send(pending.subarray(start, at), 0);
          start = at;
          send(pending.subarray(start, at + size), delayMs);
          start = at + size;
        }
        lastType = type;
        at += size;
      }
      if (start < at) send(pending.subarray(start, at), 0);
      pending = pending.subarray(at);
    });
  });
  return { url: proxy.url, arm: (on) => (armed = on), held: () => held, close: proxy.close };
}

describe('[postgres] the connection of a failed implicit transaction, reused before its ReadyForQuery arrives', { skip }, () => {
  let proxy: Awaited<ReturnType<typeof slowReadyAfterError>>;
  let db: PostgresDatabase;
  before(async () => {
    // Long enough that a loaded machine still settles the failure while the message is held.
    proxy = await slowReadyAfterError(1000);
    // One connection: the next user is handed the very connection whose ReadyForQuery is late.
    db = await PostgresDatabase.open({ url: proxy.url, schema: `basalt_test_${randomBytes(6).toString('hex')}`, maxConnections: 1 });
    await db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0)');
    await db.run('INSERT INTO t (id) VALUES (?)', ['taken']);
  });
  after(async () => {
    await db?.dropSchema();
    await db?.close();
    await proxy?.close();
  });

  it('the next transactions and reads on it get their own answers and commit on their own', async () => {
    const insertN = 'INSERT INTO t (id, n) VALUES (?, 5)';
    proxy.arm(true);
    const failed = db.transaction(async (tx) => {
      tx.defer!('INSERT INTO t (id) VALUES (?)', ['x-1']);
      tx.defer!('INSERT INTO t (id) VALUES (?)', ['taken']);
      // Parsed here and skipped by the database: the next user must prepare it again.
      tx.defer!(insertN, ['x-3']);
    });
    // Queued for the only connection: they get it as soon as the failure settles.
    const implicit = db.transaction(async (tx) => tx.defer!(insertN, ['y-1']));
    const read = db.get<{ id: string; n: number }>('SELECT id, n FROM t WHERE id = ?', ['taken']);
    const explicit = db.transaction(async (tx) => {
      const row = await tx.get<{ n: number }>('SELECT n FROM t WHERE id = ? FOR UPDATE', ['taken']);
      await tx.run('UPDATE t SET n = ? WHERE id = ?', [row!.n + 1, 'taken']);
    });
    await assert.rejects(failed, (err: { code?: string }) => err.code === '23505');
    assert.equal(proxy.held(), 1, 'the failure settled while its ReadyForQuery was still held back');
    await implicit;
    assert.deepEqual(await read, { id: 'taken', n: 0 });
    await explicit;
    proxy.arm(false);
    assert.deepEqual(await db.all('SELECT id, n FROM t ORDER BY id'), [
      { id: 'taken', n: 1 },
      { id: 'y-1', n: 5 },
    ]);
  });
});
