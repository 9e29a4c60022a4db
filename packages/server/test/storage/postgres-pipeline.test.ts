/**
 * PostgreSQL transactions pipeline: deferred statements (Executor.defer) travel with the
 * statements after them and with COMMIT, and the database decides the outcome. These tests pin
 * both halves: what a failure does (nothing applied, the right error) and how many round trips
 * a write costs, counted by a TCP proxy between Basalt and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ValidationError } from '../../src/core/errors.ts';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { postgresProxy } from '../helpers/postgres-proxy.ts';
import { POSTGRES_TEST_URL, POSTGRES_UNAVAILABLE, TEST_DIALECTS, startTestServer, type TestServer } from '../helpers/test-server.ts';

const skip = !TEST_DIALECTS.includes('postgres') ? 'postgres not in BASALT_TEST_DIALECTS' : process.env.BASALT_TEST_REQUIRE_SERVICES === '1' ? false : (POSTGRES_UNAVAILABLE ?? false);

/**
 * A TCP proxy in front of PostgreSQL that counts round trips: a flight starts each time a
 * client sends after the server last spoke on that connection. Pipelined statements sent in one
 * write (or several writes before any answer) are one flight. It also counts the client's
 * protocol messages by type: `Q` a simple query (how BEGIN and COMMIT go), `E` an Execute (one
 * statement with parameters), `S` a Sync (the end of an implicit transaction).
 */
async function flightCounter(): Promise<{ url: string; flights: () => number; messages: (type: string) => number; reset(): void; close(): Promise<void> }> {
  let flights = 0;
  const messages = new Map<string, number>();
  const proxy = await postgresProxy((client, upstream) => {
    let serverSpokeLast = true;
    // The startup message has no type byte; every later one is a type byte and an int32 length.
    let started = false;
    let pending = Buffer.alloc(0);
    client.on('data', (chunk) => {
      if (serverSpokeLast) flights++;
      serverSpokeLast = false;
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const header = started ? 1 : 0;
        if (pending.length < header + 4) break;
        const size = header + pending.readInt32BE(header);
        if (pending.length < size) break;
        if (started) messages.set(String.fromCharCode(pending[0]), (messages.get(String.fromCharCode(pending[0])) ?? 0) + 1);
        started = true;
        pending = pending.subarray(size);
      }
    });
    upstream.on('data', (chunk) => {
      serverSpokeLast = true;
      client.write(chunk);
    });
  });
  return {
    url: proxy.url,
    flights: () => flights,
    messages: (type: string) => messages.get(type) ?? 0,
    reset: () => {
      flights = 0;
      messages.clear();
    },
    close: proxy.close,
  };
}

describe('[postgres] pipelined transactions', { skip }, () => {
  let db: PostgresDatabase;
  before(async () => {
    db = await PostgresDatabase.open({ url: POSTGRES_TEST_URL, schema: `basalt_test_${randomBytes(6).toString('hex')}`, maxConnections: 2 });
    await db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0)');
    // What definitionCheck reads: the `updated` of a collection definition.
    await db.exec(`CREATE TABLE "_collections" ("id" TEXT PRIMARY KEY, "updated" TEXT NOT NULL); INSERT INTO "_collections" VALUES ('c1', 'v1')`);
  });
  after(async () => {
    await db.dropSchema();
    await db.close();
  });

  it('a deferred statement that fails rolls back the whole transaction and fails it with its explained error', async () => {
    await db.run('INSERT INTO t (id) VALUES (?)', ['taken']);
    const explained = new ValidationError('Failed to create record.', {});
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (id) VALUES (?)', ['first']);
        tx.defer!('INSERT INTO t (id) VALUES (?)', ['taken'], (err) => ((err as { code?: string }).code === '23505' ? explained : err));
        // A later statement fails only because the deferred one aborted the transaction.
        await tx.run('INSERT INTO t (id) VALUES (?)', ['third']);
      }),
      (err) => err === explained,
    );
    assert.deepEqual(await db.all('SELECT id FROM t ORDER BY id'), [{ id: 'taken' }]);
  });

  it('a deferred failure after the last statement turns COMMIT into a rollback', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run('UPDATE t SET n = 1');
        tx.defer!(db.dialect.definitionCheck()!, ['k', 'c1', 'stale'], (err) => (db.dialect.isChangedDefinition(err) ? new Error('check failed') : err));
      }),
      /check failed/,
    );
    assert.deepEqual(await db.all('SELECT n FROM t'), [{ n: 0 }]);
  });

  it('COMMIT never overtakes writes held until BEGIN is confirmed: a later one failing leaves nothing', async () => {
    // The second write is held until BEGIN's answer; COMMIT must go out behind it, or the first
    // would commit alone and the second would run outside the transaction.
    await db.run('INSERT INTO t (id) VALUES (?) ON CONFLICT DO NOTHING', ['taken']);
    await assert.rejects(
      db.transaction(async (tx) => {
        tx.defer!('INSERT INTO t (id) VALUES (?)', ['held-1']);
        tx.defer!('INSERT INTO t (id) VALUES (?)', ['taken']);
        tx.defer!('INSERT INTO t (id) VALUES (?)', ['held-3']);
      }),
      (err: { code?: string }) => err.code === '23505',
    );
    assert.deepEqual(await db.all("SELECT id FROM t WHERE id LIKE 'held-%'"), []);
  });

  it('a definition check that holds lets the transaction commit', async () => {
    await db.transaction(async (tx) => {
      tx.defer!(db.dialect.definitionCheck()!, ['k', 'c1', 'v1']);
      tx.defer!('UPDATE t SET n = 2');
    });
    assert.deepEqual(await db.all('SELECT n FROM t'), [{ n: 2 }]);
  });

  it('a definition check reads what committed while its lock was awaited', async () => {
    const changing = Promise.withResolvers<void>();
    const release = Promise.withResolvers<void>();
    // A schema change: the exclusive lock, then the new definition, committed after the write queued.
    const change = db.transaction(async (tx) => {
      await tx.get(db.dialect.nameLock('exclusive')!, ['k2']);
      await tx.run(`UPDATE "_collections" SET "updated" = 'v2' WHERE "id" = 'c1'`);
      changing.resolve();
      await release.promise;
    });
    await changing.promise;
    const write = db.transaction(async (tx) => {
      tx.defer!(db.dialect.definitionCheck()!, ['k2', 'c1', 'v1'], (err) => (db.dialect.isChangedDefinition(err) ? new Error('definition changed') : err));
      tx.defer!('UPDATE t SET n = 3');
    });
    // The write waits for the lock; the change commits meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 100));
    release.resolve();
    await change;
    await assert.rejects(write, /definition changed/);
    assert.deepEqual(await db.all('SELECT n FROM t'), [{ n: 2 }]);
    await db.run(`UPDATE "_collections" SET "updated" = 'v1' WHERE "id" = 'c1'`);
  });

  it('a failure reported by settle() is the caller’s: the transaction fails with the caller’s error', async () => {
    const mine = new Error('sub-request 2 failed');
    await assert.rejects(
      db.transaction(async (tx) => {
        tx.defer!('INSERT INTO t (id) VALUES (?)', ['taken']);
        await tx.settle!().catch(() => {
          throw mine;
        });
      }),
      (err) => err === mine,
    );
  });

  it('a statement that failed while the caller carried on is not committed silently', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run('UPDATE t SET n = 3');
        await tx.run('INSERT INTO t (id) VALUES (?)', ['taken']).catch(() => {});
      }),
      /rolled back by the database/,
    );
    assert.deepEqual(await db.all('SELECT n FROM t'), [{ n: 2 }]);
  });
});

describe('[postgres] round trips of record writes', { skip }, () => {
  let proxy: Awaited<ReturnType<typeof flightCounter>>;
  let server: TestServer;
  before(async () => {
    proxy = await flightCounter();
    server = await startTestServer({ dialect: 'postgres', postgresUrl: proxy.url });
    // The request log writes through the same pool; it has nothing to do with what is counted.
    await server.admin.settings.update({ logs: { maxDays: 0 } });
    await server.admin.collections.create({
      name: 'posts',
      type: 'base',
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'slug', type: 'text' },
      ],
      indexes: ['CREATE UNIQUE INDEX idx_posts_slug ON posts (slug)'],
      listRule: '',
      createRule: '',
      updateRule: '',
    });
    await server.app.logs.flush();
  });
  after(async () => {
    await server?.close();
    await proxy?.close();
  });

  async function flightsOf(run: () => Promise<unknown>): Promise<number> {
    await run(); // warm: statements prepared, definitions cached
    proxy.reset();
    await run();
    return proxy.flights();
  }

  it('a create is one round trip and one implicit transaction: the definition check and the INSERT before one Sync, no BEGIN or COMMIT', async () => {
    const pb = server.client();
    let i = 0;
    assert.equal(await flightsOf(() => pb.collection('posts').create({ title: 'hello', slug: `s${i++}` })), 1);
    assert.deepEqual({ simpleQueries: proxy.messages('Q'), statements: proxy.messages('E'), syncs: proxy.messages('S') }, { simpleQueries: 0, statements: 2, syncs: 1 });
  });

  it('an update is two: the row is read under lock, then UPDATE travels with COMMIT', async () => {
    const pb = server.client();
    const { id } = await pb.collection('posts').create({ title: 'to update', slug: 'u' });
    let n = 0;
    assert.equal(await flightsOf(() => pb.collection('posts').update(id, { title: `v${n++}` })), 2);
  });

  it('a unique violation found only at COMMIT still answers 400 on the field, and writes nothing', async () => {
    const pb = server.client();
    await pb.collection('posts').create({ title: 'first', slug: 'dup' });
    await assert.rejects(pb.collection('posts').create({ title: 'second', slug: 'dup' }), (err: { status: number; response: { data: Record<string, { code: string }> } }) => {
      assert.equal(err.status, 400);
      assert.equal(err.response.data.slug?.code, 'validation_not_unique');
      return true;
    });
    assert.equal((await pb.collection('posts').getList(1, 1, { filter: 'slug = "dup"' })).totalItems, 1);
  });
});

describe('[postgres] transactions of deferred statements alone (one implicit transaction)', { skip }, () => {
  let proxy: Awaited<ReturnType<typeof flightCounter>>;
  let db: PostgresDatabase;
  // One connection, so every transaction below reuses what the previous ones prepared on it.
  before(async () => {
    proxy = await flightCounter();
    db = await PostgresDatabase.open({ url: proxy.url, schema: `basalt_test_${randomBytes(6).toString('hex')}`, maxConnections: 1 });
    await db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0)');
    await db.run('INSERT INTO t (id) VALUES (?)', ['taken']);
  });
  after(async () => {
    await db?.dropSchema();
    await db?.close();
    await proxy?.close();
  });
  const ids = async () => (await db.all<{ id: string }>('SELECT id FROM t ORDER BY id')).map((r) => r.id);

  it('a transaction that sent nothing costs no round trip', async () => {
    proxy.reset();
    assert.equal(await db.transaction(async () => 42), 42);
    assert.equal(proxy.flights(), 0);
  });

  it('a failing statement leaves none applied, and its own error (explained) fails the transaction', async () => {
    const explained = new Error('second failed');
    await assert.rejects(
      db.transaction(async (tx) => {
        tx.defer!('INSERT INTO t (id) VALUES (?)', ['a-1']);
        tx.defer!('INSERT INTO t (id) VALUES (?)', ['taken'], (err) => ((err as { code?: string }).code === '23505' ? explained : err));
        tx.defer!('INSERT INTO t (id) VALUES (?)', ['a-3']);
      }),
      (err) => err === explained,
    );
    assert.deepEqual(await ids(), ['taken']);
  });

  it('a statement first prepared in a transaction that failed on it is still usable by name afterwards', async () => {
    // The statement is parsed (prepared by name) and then fails executing: pg must record it as
    // prepared, or the next use would prepare it again ("already exists") or not at all.
    const sql = 'INSERT INTO t (id, n) VALUES (?, 7)';
    await assert.rejects(db.transaction(async (tx) => tx.defer!(sql, ['taken'])), (err: { code?: string }) => err.code === '23505');
    await db.transaction(async (tx) => tx.defer!(sql, ['b-1']));
    assert.deepEqual(await db.all('SELECT n FROM t WHERE id = ?', ['b-1']), [{ n: 7 }]);
  });

  it('a statement skipped after an earlier failure is prepared on its next use', async () => {
    // Its Parse went out behind the failing statement and was skipped by the database.
    const sql = 'INSERT INTO t (id, n) VALUES (?, 8)';
    await assert.rejects(
      db.transaction(async (tx) => {
        tx.defer!('INSERT INTO t (id) VALUES (?)', ['taken']);
        tx.defer!(sql, ['c-skipped']);
      }),
      (err: { code?: string }) => err.code === '23505',
    );
    await db.transaction(async (tx) => tx.defer!(sql, ['c-1']));
    assert.deepEqual(await db.all("SELECT id, n FROM t WHERE id LIKE 'c-%'"), [{ id: 'c-1', n: 8 }]);
  });

  it('a statement the database could not prepare is prepared again on its next use', async () => {
    const sql = 'INSERT INTO t (id, later) VALUES (?, 1)';
    await assert.rejects(db.transaction(async (tx) => tx.defer!(sql, ['g-1'])), (err: { code?: string }) => err.code === '42703');
    // Through another handle: DDL through this one would replace its connection, hiding the bookkeeping.
    const other = await PostgresDatabase.open({ url: POSTGRES_TEST_URL, schema: db.schema, maxConnections: 1 });
    await other.exec('ALTER TABLE t ADD COLUMN later INTEGER');
    await other.close();
    await db.transaction(async (tx) => tx.defer!(sql, ['g-1']));
    assert.deepEqual(await db.all('SELECT later FROM t WHERE id = ?', ['g-1']), [{ later: 1 }]);
  });

  it('a read after deferred statements sees them: BEGIN and the held statements go out first', async () => {
    const seen = await db.transaction(async (tx) => {
      tx.defer!('INSERT INTO t (id) VALUES (?)', ['d-1']);
      return tx.get<{ id: string }>('SELECT id FROM t WHERE id = ?', ['d-1']);
    });
    assert.deepEqual(seen, { id: 'd-1' });
  });

  it('when the caller fails before commit, nothing deferred is applied', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        tx.defer!('INSERT INTO t (id) VALUES (?)', ['e-1']);
        throw new Error('caller failed');
      }),
      /caller failed/,
    );
    assert.deepEqual(await db.all("SELECT id FROM t WHERE id LIKE 'e-%'"), []);
  });

  it('DDL after deferred statements runs inside the transaction: a failure undoes both', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        tx.defer!('INSERT INTO t (id) VALUES (?)', ['f-1']);
        await tx.exec('CREATE TABLE t2 (id TEXT)');
        throw new Error('undo');
      }),
      /undo/,
    );
    assert.deepEqual(await db.all("SELECT id FROM t WHERE id LIKE 'f-%'"), []);
    assert.deepEqual(await db.all("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 't2'"), []);
  });
});
