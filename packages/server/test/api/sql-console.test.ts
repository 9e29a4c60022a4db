/**
 * The SQL console (spec §10.7, `POST /api/sql`), driven with the SDK's `pb.sql.run`: access,
 * validation, the read and write shapes, the row cap, that a read cannot write, the
 * one-statement rule, engine errors as 400, the collection cache after raw writes, no record
 * events, the request log, and the timeout.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type PocketBase from 'pocketbase';
import { MAX_SQL_QUERY_LENGTH, MAX_SQL_ROWS } from '../../src/core/operations/sql-console.ts';
import { MAX_RAW_READS } from '../../src/storage/sqlite/sqlite-database.ts';
import { MULTIPLE_STATEMENTS_MESSAGE } from '../../src/tools/sql-leading-keyword.ts';
import { forEachDialect, POSTGRES_TEST_URL, sdkError, startTestServer, type TestServer } from '../helpers/test-server.ts';

const RAW_ERROR = 'Failed to execute query. Raw error:\n';

forEachDialect((dialect) =>
  describe('SQL console', () => {
    let t: TestServer;
    let user: PocketBase;

    /** Titles of the `notes` records, through the records API. */
    const titles = async () => (await t.admin.collection('notes').getFullList({ sort: 'title' })).map((r) => r.title as string);

    before(async () => {
      t = await startTestServer({ dialect });
      await t.admin.collections.create({
        name: 'notes',
        type: 'base',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'views', type: 'number' },
        ],
      });
      for (const [title, views] of [
        ['alpha', 3],
        ['beta', 250],
        ['gamma', 0.5],
      ] as const) {
        await t.admin.collection('notes').create({ title, views });
      }
      const guest = t.client();
      await guest.collection('users').create({ email: 'ann@example.com', password: 'password123', passwordConfirm: 'password123' });
      user = t.client();
      await user.collection('users').authWithPassword('ann@example.com', 'password123');
    });
    after(() => t.close());

    describe('access and validation', () => {
      it('refuses a guest with 401 and a regular user with 403', async () => {
        const guest = await sdkError(t.client().sql.run('SELECT 1'));
        assert.equal(guest.status, 401);
        assert.equal(guest.message, 'The request requires valid record authorization token.');
        const regular = await sdkError(user.sql.run('SELECT 1'));
        assert.equal(regular.status, 403);
        assert.equal(regular.message, 'The authorized record is not allowed to perform this action.');
      });

      it('requires a query', async () => {
        for (const body of [{}, { query: '' }, { query: null }]) {
          const err = await sdkError(t.admin.send('/api/sql', { method: 'POST', body }));
          assert.equal(err.status, 400, JSON.stringify(body));
          assert.equal(err.message, 'An error occurred while validating the submitted data.');
          assert.deepEqual(err.data, { query: { code: 'validation_required', message: 'Cannot be blank.' } });
        }
      });

      it('refuses a query that is not text', async () => {
        const err = await sdkError(t.admin.send('/api/sql', { method: 'POST', body: { query: 42 } }));
        assert.equal(err.status, 400);
        assert.equal(err.message, 'An error occurred while loading the submitted data.');
        assert.deepEqual(err.data, {});
      });

      it(`accepts ${MAX_SQL_QUERY_LENGTH} characters and refuses one more`, async () => {
        // Non-ASCII padding: the limit counts characters, not bytes or UTF-16 units.
        const pad = (n: number) => `SELECT 1 /*${'é𝄞'.repeat(n)}*/`;
        const fits = pad(0).length + 2 * Math.floor((MAX_SQL_QUERY_LENGTH - pad(0).length) / 2);
        const exact = `${pad((fits - pad(0).length) / 2)}${' '.repeat(MAX_SQL_QUERY_LENGTH - fits)}`;
        assert.equal([...exact].length, MAX_SQL_QUERY_LENGTH);
        const ok = await t.admin.sql.run(exact);
        assert.deepEqual(ok.rows, [['1']]);
        const err = await sdkError(t.admin.sql.run(`${exact} `));
        assert.equal(err.status, 400);
        assert.deepEqual(err.data, {
          query: { code: 'validation_length_too_long', message: `The length must be no more than ${MAX_SQL_QUERY_LENGTH}.`, params: { min: 0, max: MAX_SQL_QUERY_LENGTH } },
        });
      });

      it('refuses a query without a statement', async () => {
        const err = await sdkError(t.admin.sql.run('  -- nothing here\n ; '));
        assert.equal(err.status, 400);
        // PocketBase's messages end as sentences (spec §2.1).
        assert.equal(err.message, `${RAW_ERROR}empty query.`);
      });
    });

    describe('reads', () => {
      it('returns columns and rows as text, in PocketBase’s shape', async () => {
        const res = await t.admin.sql.run(`SELECT id, title, views, NULL AS missing, 1 + 1 AS two FROM notes ORDER BY title`);
        assert.deepEqual(Object.keys(res).sort(), ['affectedRows', 'columns', 'execTime', 'rows']);
        assert.ok(Number.isInteger(res.execTime) && res.execTime >= 0);
        assert.equal(res.affectedRows, 0);
        assert.deepEqual(
          res.columns.map((c) => c.name),
          ['id', 'title', 'views', 'missing', 'two'],
        );
        // Table columns are NOT NULL in Basalt's DDL; expressions are reported as nullable.
        assert.deepEqual(
          res.columns.map((c) => c.nullable),
          [false, false, false, true, true],
        );
        assert.deepEqual(
          res.columns.map((c) => c.type),
          dialect === 'sqlite' ? ['TEXT', 'TEXT', 'REAL', '', ''] : ['TEXT', 'TEXT', 'FLOAT8', 'TEXT', 'INT4'],
        );
        assert.deepEqual(
          res.rows.map((r) => r.slice(1)),
          [
            ['alpha', '3', null, '2'],
            ['beta', '250', null, '2'],
            ['gamma', '0.5', null, '2'],
          ],
        );
        assert.ok(res.rows.every((r) => typeof r[0] === 'string' && r[0].length === 15));
      });

      it('keeps columns that share a name apart', async () => {
        const res = await t.admin.sql.run(`SELECT 1 AS a, 2 AS a`);
        assert.deepEqual(
          res.columns.map((c) => c.name),
          ['a', 'a'],
        );
        assert.deepEqual(res.rows, [['1', '2']]);
      });

      it(`returns at most ${MAX_SQL_ROWS} rows`, async () => {
        const res = await t.admin.sql.run(`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500) SELECT x FROM c`);
        assert.equal(res.rows.length, MAX_SQL_ROWS);
        assert.deepEqual(res.rows.at(-1), [String(MAX_SQL_ROWS)]);
      });

      it('answers a statement that returns no rows with its columns and no rows', async () => {
        const res = await t.admin.sql.run(`SELECT title FROM notes WHERE title = 'nope'`);
        assert.deepEqual(
          res.columns.map((c) => c.name),
          ['title'],
        );
        assert.deepEqual(res.rows, []);
      });

      it('runs statements other than SELECT read-only too', async () => {
        const res = await t.admin.sql.run(dialect === 'sqlite' ? 'PRAGMA table_info(notes)' : 'SHOW statement_timeout');
        assert.ok(res.rows.length > 0);
        // The transaction's timeout, which ends with it.
        if (dialect === 'postgres') assert.deepEqual(res.rows, [['3min']]);
      });
    });

    describe('a read cannot write', () => {
      const attempts: Record<string, string[]> = {
        sqlite: [
          `WITH gone AS (SELECT 1) DELETE FROM notes`,
          `PRAGMA query_only = 0`,
          `ATTACH DATABASE 'other.db' AS other`,
          `BEGIN`,
        ],
        postgres: [
          `WITH gone AS (DELETE FROM notes RETURNING id) SELECT * FROM gone`,
          `WITH src AS (SELECT 1) DELETE FROM notes`,
          `DO $$ BEGIN DELETE FROM notes; END $$`,
          `SET TRANSACTION READ WRITE`,
          `COMMENT ON TABLE notes IS 'changed'`,
        ],
      };
      for (const sql of attempts[dialect]) {
        it(`refuses ${sql}`, async () => {
          const err = await sdkError(t.admin.sql.run(sql));
          assert.equal(err.status, 400);
          assert.ok(err.message.startsWith(RAW_ERROR), err.message);
          assert.match(err.message, dialect === 'sqlite' ? /not authorized/ : /read-only transaction|must be set before any query/);
          assert.deepEqual(await titles(), ['alpha', 'beta', 'gamma']);
        });
      }

      if (dialect === 'sqlite') {
        it('names every keyword that makes a write when it refuses one sent as a read', async () => {
          const err = await sdkError(t.admin.sql.run(`WITH gone AS (SELECT 1) DELETE FROM notes`));
          assert.equal(err.status, 400);
          assert.equal(
            err.message,
            `${RAW_ERROR}not authorized: a read query cannot DELETE notes; statements that write start with INSERT, CREATE, UPDATE, DELETE, DROP, DETACH, ALTER, REPLACE, TRUNCATE or MERGE.`,
          );
        });
      }

      it('a setting a read changes does not outlive it', async () => {
        if (dialect === 'postgres') {
          await t.admin.sql.run(`SELECT set_config('search_path', 'pg_catalog', false)`);
          await t.admin.sql.run(`SELECT pg_advisory_lock(4242)`);
          // A later write still finds the collection's table, and the lock was let go.
          assert.equal((await t.admin.sql.run(`UPDATE notes SET views = views WHERE title = 'alpha'`)).affectedRows, 1);
          const lock = await t.admin.sql.run(`SELECT pg_try_advisory_lock(4242)`);
          assert.deepEqual(lock.rows, [['t']]);
        } else {
          const err = await sdkError(t.admin.sql.run(`VACUUM INTO 'copy.db'`));
          assert.equal(err.status, 400);
          assert.equal(existsSync(join(t.dir, 'copy.db')), false);
          assert.equal(existsSync('copy.db'), false);
        }
        assert.deepEqual(await titles(), ['alpha', 'beta', 'gamma']);
      });
    });

    describe('one statement per query', () => {
      it('refuses a read followed by a write, and runs neither', async () => {
        const err = await sdkError(t.admin.sql.run(`SELECT 1; DROP TABLE notes`));
        assert.equal(err.status, 400);
        assert.equal(err.message, `${RAW_ERROR}${MULTIPLE_STATEMENTS_MESSAGE}`);
        assert.deepEqual(await titles(), ['alpha', 'beta', 'gamma']);
      });

      it('refuses a write followed by another, and runs neither', async () => {
        const err = await sdkError(t.admin.sql.run(`INSERT INTO notes (id, title) VALUES ('multistatement1', 'delta'); DROP TABLE notes;`));
        assert.equal(err.status, 400);
        assert.equal(err.message, `${RAW_ERROR}${MULTIPLE_STATEMENTS_MESSAGE}`);
        assert.deepEqual(await titles(), ['alpha', 'beta', 'gamma']);
      });

      it('allows a trailing semicolon and comments', async () => {
        const res = await t.admin.sql.run(`-- count them\nSELECT count(*) AS n FROM notes; /* done */ ;\n`);
        assert.deepEqual(res.rows, [['3']]);
      });
    });

    describe('writes', () => {
      it('reports the rows a write changed, and nothing else', async () => {
        const res = await t.admin.sql.run(`UPDATE notes SET views = views + 1 WHERE views < 100`);
        assert.equal(res.affectedRows, 2);
        assert.deepEqual(res.columns, []);
        assert.deepEqual(res.rows, []);
        assert.ok(Number.isInteger(res.execTime));
        const views = (await t.admin.collection('notes').getFullList({ sort: 'title' })).map((r) => r.views);
        assert.deepEqual(views, [4, 250, 1.5]);
      });

      it('reports 0 rows for DDL, even right after a write that changed some', async () => {
        assert.equal((await t.admin.sql.run(`UPDATE notes SET views = views - 1 WHERE views < 100`)).affectedRows, 2);
        const res = await t.admin.sql.run(`CREATE TABLE scratch (a TEXT)`);
        assert.equal(res.affectedRows, 0);
        assert.equal((await t.admin.sql.run(`INSERT INTO scratch (a) VALUES ('x'), ('y')`)).affectedRows, 2);
        assert.deepEqual((await t.admin.sql.run(`SELECT a FROM scratch ORDER BY a`)).rows, [['x'], ['y']]);
      });

      it('refuses a temporary table, which would shadow the real one for later writes', async () => {
        const sql = `CREATE TEMP TABLE notes (id TEXT PRIMARY KEY, title TEXT, views REAL)`;
        if (dialect === 'sqlite') {
          const err = await sdkError(t.admin.sql.run(sql));
          assert.equal(err.status, 400);
          assert.equal(err.message, `${RAW_ERROR}Temporary tables, views and triggers cannot be created from the SQL console.`);
        } else {
          // Created on a connection that is closed right after, so it is gone at once.
          assert.equal((await t.admin.sql.run(sql)).affectedRows, 0);
        }
        const created = await t.admin.collection('notes').create({ title: 'delta', views: 1 });
        assert.deepEqual(await titles(), ['alpha', 'beta', 'delta', 'gamma']);
        await t.admin.collection('notes').delete(created.id);
      });

      it('a table created through the console leaves the record API working', async () => {
        await t.admin.sql.run(`CREATE TABLE console_made (id TEXT PRIMARY KEY, note TEXT)`);
        const created = await t.admin.collection('notes').create({ title: 'delta', views: 1 });
        assert.equal((await t.admin.collection('notes').getOne(created.id)).title, 'delta');
        assert.deepEqual(await titles(), ['alpha', 'beta', 'delta', 'gamma']);
        await t.admin.collection('notes').delete(created.id);
        const names = (await t.admin.collections.getFullList()).map((c) => c.name);
        assert.ok(names.includes('notes') && !names.includes('console_made'));
      });

      it('a raw change of a collection definition reaches the cache once committed', async () => {
        const guest = t.client();
        assert.equal((await sdkError(guest.collection('notes').getList())).status, 403);
        const res = await t.admin.sql.run(`UPDATE _collections SET "listRule" = '' WHERE name = 'notes'`);
        assert.equal(res.affectedRows, 1);
        assert.equal((await guest.collection('notes').getList()).totalItems, 3);
        assert.equal((await t.admin.collections.getOne('notes')).listRule, '');
        await t.admin.collections.update('notes', { listRule: null });
      });

      it('rolls back a write that leaves the collection definitions unreadable', async () => {
        const err = await sdkError(t.admin.sql.run(`DROP TABLE _collections`));
        assert.equal(err.status, 400);
        assert.match(err.message, /^Failed to execute query\. Raw error:\nthe statement was rolled back: the collection definitions \(_collections\) would be unreadable: /);
        assert.deepEqual((await t.admin.sql.run(`SELECT name FROM _collections WHERE name = 'notes'`)).rows, [['notes']]);
        assert.deepEqual(await titles(), ['alpha', 'beta', 'gamma']);
      });

      it('runs no record hooks for the rows it changes', async () => {
        let fired = 0;
        const ids = [t.app.events.onRecordUpdate, t.app.events.onRecordAfterUpdateSuccess].map((hook) => ({ hook, id: hook.bind({ fn: async (e) => (fired++, e.next()) }) }));
        try {
          assert.equal((await t.admin.sql.run(`UPDATE notes SET views = views WHERE title = 'beta'`)).affectedRows, 1);
          assert.equal(fired, 0);
        } finally {
          for (const { hook, id } of ids) hook.unbind(id);
        }
      });
    });

    describe('which statements write', () => {
      // Each runs on the write path: the read path would refuse it (SQLite's authorizer, or a
      // PostgreSQL READ ONLY transaction).
      if (dialect === 'sqlite') {
        it('DETACH', async () => {
          const err = await sdkError(t.admin.sql.run(`DETACH DATABASE nope`));
          assert.equal(err.status, 400);
          assert.equal(err.message, `${RAW_ERROR}no such database: nope.`);
        });
      } else {
        it('TRUNCATE', async () => {
          await t.admin.sql.run(`CREATE TABLE truncated (a TEXT)`);
          await t.admin.sql.run(`INSERT INTO truncated (a) VALUES ('x')`);
          assert.equal((await t.admin.sql.run(`TRUNCATE truncated`)).affectedRows, 0);
          assert.deepEqual((await t.admin.sql.run(`SELECT count(*) FROM truncated`)).rows, [['0']]);
        });

        it('MERGE', async () => {
          const res = await t.admin.sql.run(`MERGE INTO notes USING (SELECT 'alpha' AS title) s ON notes.title = s.title WHEN MATCHED THEN UPDATE SET views = notes.views`);
          assert.equal(res.affectedRows, 1);
        });
      }
    });

    describe('errors', () => {
      it('answers an engine error with 400 and the raw message', async () => {
        const err = await sdkError(t.admin.sql.run(`SELECT * FROM no_such_table`));
        assert.equal(err.status, 400);
        assert.ok(err.message.startsWith(RAW_ERROR), err.message);
        assert.match(err.message, /no_such_table/);
        assert.deepEqual(err.data, {});
      });

      it('answers a syntax error and a failed write with 400', async () => {
        const syntax = await sdkError(t.admin.sql.run(`SELEKT 1`));
        assert.equal(syntax.status, 400);
        assert.ok(syntax.message.startsWith(RAW_ERROR));
        const write = await sdkError(t.admin.sql.run(`INSERT INTO notes (id, title) VALUES (NULL, 'x')`));
        assert.equal(write.status, 400);
        assert.ok(write.message.startsWith(RAW_ERROR));
        assert.deepEqual(await titles(), ['alpha', 'beta', 'gamma']);
      });

      it('keeps the query text out of the request log', async () => {
        await sdkError(t.admin.sql.run(`SELECT 'hunter2-secret' FROM no_such_table`));
        let entry: { data: Record<string, any> } | undefined;
        for (let attempt = 0; !entry && attempt < 100; attempt++) {
          entry = (await t.admin.logs.getList(1, 1, { filter: 'data.url = "/api/sql" && data.status = 400', sort: '-created' })).items[0] as never;
          if (!entry) await new Promise((r) => setTimeout(r, 10));
        }
        assert.ok(entry, 'the failed request was logged');
        assert.deepEqual(entry.data.body, { query: '[REDACTED]' });
        assert.ok(!JSON.stringify(entry.data.body).includes('hunter2'));
      });
    });

    describe('timeout', () => {
      // A statement that runs for seconds on each engine.
      const slow = dialect === 'sqlite' ? `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) SELECT count(*) FROM c` : `SELECT pg_sleep(3)`;

      it('answers a read that runs too long with an error, and the server keeps serving meanwhile', async () => {
        const started = Date.now();
        const pending = t.app.db.readRawSql(slow, { maxRows: 10, timeoutMs: 300 }).then(
          () => assert.fail('expected a timeout'),
          (err: Error) => err,
        );
        const health = await t.fetch('/api/health');
        assert.equal(health.status, 200);
        const err = await pending;
        assert.match(err.message, /cancel/i);
        assert.ok(Date.now() - started < 2500, `answered after ${Date.now() - started} ms`);
      });

      if (dialect === 'postgres') {
        it('answers 503 when the connection of a read is lost while it runs', async () => {
          // EXPLAIN ANALYZE runs as typed (a SELECT goes through a cursor, FETCH is what shows as running).
          const read = sdkError(t.admin.sql.run('EXPLAIN ANALYZE SELECT pg_sleep(5) AS lost_read'));
          const killer = new pg.Client({ connectionString: POSTGRES_TEST_URL });
          await killer.connect();
          try {
            let killed = 0;
            for (let i = 0; i < 100 && killed === 0; i++) {
              await new Promise((resolve) => setTimeout(resolve, 20));
              const r = await killer.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(5) AS lost_read%' AND pid <> pg_backend_pid()`);
              killed = r.rowCount ?? 0;
            }
            assert.equal(killed, 1, 'the read never showed up in pg_stat_activity');
          } finally {
            await killer.end();
          }
          const err = await read;
          assert.equal(err.status, 503);
          assert.equal(err.message, 'The database is unreachable. Try again shortly.');
          // The server still answers reads on its other connections.
          assert.equal((await t.admin.sql.run('SELECT 1 AS one')).rows.length, 1);
        });
      }

      if (dialect === 'sqlite') {
        it(`answers 503 while ${MAX_RAW_READS} reads still run`, async () => {
          // A server of its own: a read the test above left running would count here too.
          const own = await startTestServer({ dialect });
          try {
            // Long enough that the request below comes while both hold their places: a read whose
            // timeout fires before its thread has started frees its place at once.
            const running = Array.from({ length: MAX_RAW_READS }, () => own.app.db.readRawSql(slow, { maxRows: 10, timeoutMs: 1000 }).catch((err: Error) => err));
            const err = await sdkError(own.admin.sql.run('SELECT 1'));
            assert.equal(err.status, 503);
            assert.equal(err.message, `The database is busy: ${MAX_RAW_READS} SQL console reads are still running (one that timed out runs on until SQLite finishes it). Try again shortly.`);
            assert.deepEqual(err.data, {});
            for (const timedOut of await Promise.all(running)) assert.match((timedOut as Error).message, /cancel/i);
          } finally {
            await own.close();
          }
        });
      }
    });
  }),
);
