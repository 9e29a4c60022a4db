/**
 * What a raw write through the SQL console (`POST /api/sql`) does to the App around it: settings
 * written in `_params` take effect at once (or the write rolls back when they would be unreadable
 * or invalid), a failed statement's text stays out of the request log, and a write whose
 * PostgreSQL connection is dropped answers 503. A backup restore reloads the same way, asking only
 * that its settings can be read; a change Basalt commits meanwhile is not undone by the reload.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type PocketBase from 'pocketbase';
import { App } from '../../src/core/app.ts';
import { superuserUpsert } from '../../src/core/operations/superuser-upsert.ts';
import { rawWriteReload } from '../../src/core/raw-write-reload.ts';
import { LocalFileStore } from '../../src/files/local/local-file-store.ts';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import { forEachDialect, openTestDatabase, sdkError, serveForTests, startTestServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD, type TestServer } from '../helpers/test-server.ts';

const RAW_ERROR = 'Failed to execute query. Raw error:\n';

/** Polls the request log for the newest failed `/api/sql` entry. */
async function lastFailedSqlLogEntry(t: TestServer): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const [entry] = (await t.admin.logs.getList(1, 1, { filter: 'data.url = "/api/sql" && data.status >= 400', sort: '-created' })).items;
    if (entry) return entry as unknown as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the failed request was not logged');
}

forEachDialect((dialect) =>
  describe('SQL console raw writes', () => {
    let t: TestServer;

    /** SQL setting `meta.appName` in the stored settings document to `name` (a JSON string literal). */
    const setAppName = (name: string) =>
      dialect === 'sqlite'
        ? `UPDATE _params SET value = json_set(value, '$.meta.appName', '${name}') WHERE id = 'settings'`
        : `UPDATE _params SET value = jsonb_set(value::jsonb, '{meta,appName}', to_jsonb('${name}'::text))::json WHERE id = 'settings'`;
    const storedAppName = async () =>
      (await t.admin.sql.run(dialect === 'sqlite' ? `SELECT json_extract(value, '$.meta.appName') FROM _params WHERE id = 'settings'` : `SELECT value::json->'meta'->>'appName' FROM _params WHERE id = 'settings'`)).rows[0]?.[0];

    before(async () => {
      t = await startTestServer({ dialect });
      await t.admin.collections.create({ name: 'notes', type: 'base', fields: [{ name: 'title', type: 'text' }] });
      await t.admin.collection('notes').create({ title: 'alpha' });
      // Stores the settings row (a new instance runs on defaults without one).
      await t.admin.settings.update({ meta: { appName: 'Before' } });
    });
    after(() => t.close());

    describe('settings', () => {
      it('a raw change of the settings shows in GET /api/settings at once, and the next PATCH keeps it', async () => {
        assert.equal((await t.admin.sql.run(setAppName('Renamed by SQL'))).affectedRows, 1);
        assert.equal((await t.admin.settings.getAll()).meta.appName, 'Renamed by SQL');
        // The settings API merges over the cached settings: a stale cache would write the old name back.
        await t.admin.settings.update({ meta: { senderName: 'Desk' } });
        const settings = await t.admin.settings.getAll();
        assert.equal(settings.meta.appName, 'Renamed by SQL');
        assert.equal(settings.meta.senderName, 'Desk');
        assert.equal(await storedAppName(), 'Renamed by SQL');
      });

      it('a setting changed raw takes effect: batch requests open once batch.enabled is set', async () => {
        const batch = () => t.admin.send('/api/batch', { method: 'POST', body: { requests: [{ method: 'POST', url: '/api/collections/notes/records', body: { title: 'batched' } }] } });
        assert.equal((await sdkError(batch())).status, 403);
        const enable =
          dialect === 'sqlite'
            ? `UPDATE _params SET value = json_set(value, '$.batch.enabled', json('true')) WHERE id = 'settings'`
            : `UPDATE _params SET value = jsonb_set(value::jsonb, '{batch,enabled}', 'true')::json WHERE id = 'settings'`;
        await t.admin.sql.run(enable);
        const [created] = (await batch()) as Array<{ status: number; body: { id: string } }>;
        assert.equal(created.status, 200);
        await t.admin.collection('notes').delete(created.body.id);
        await t.admin.settings.update({ batch: { enabled: false } });
      });

      it('rolls back a write that leaves the settings invalid, with a 400 naming the field', async () => {
        const err = await sdkError(t.admin.sql.run(setAppName('')));
        assert.equal(err.status, 400);
        assert.equal(err.message, `${RAW_ERROR}the statement was rolled back: the settings (_params) would be invalid: meta.appName: Cannot be blank.`);
        assert.deepEqual(err.data, {});
        assert.equal(await storedAppName(), 'Renamed by SQL');
        assert.equal((await t.admin.settings.getAll()).meta.appName, 'Renamed by SQL');
      });

      it('rolls back a write that leaves the settings unreadable', async () => {
        const err = await sdkError(t.admin.sql.run(`DROP TABLE _params`));
        assert.equal(err.status, 400);
        assert.ok(err.message.startsWith(`${RAW_ERROR}the statement was rolled back: the settings (_params) would be unreadable: `), err.message);
        assert.equal(await storedAppName(), 'Renamed by SQL');
        assert.equal((await t.admin.settings.getAll()).meta.appName, 'Renamed by SQL');
      });

      if (dialect === 'sqlite') {
        // PostgreSQL's json column refuses text that is not JSON before Basalt reads it back.
        it('rolls back a write that stores settings that are not JSON', async () => {
          const err = await sdkError(t.admin.sql.run(`UPDATE _params SET value = '{"meta":' WHERE id = 'settings'`));
          assert.equal(err.status, 400);
          assert.ok(err.message.startsWith(`${RAW_ERROR}the statement was rolled back: the settings (_params) would be unreadable: `), err.message);
          assert.equal(await storedAppName(), 'Renamed by SQL');
        });
      }
    });

    describe('the request log', () => {
      // Both engines quote the token after which parsing failed.
      for (const [kind, sql] of [
        ['read', `SELECT 1 SECRET123 SECRET123`],
        ['write', `INSERT INTO notes SECRET123 SECRET123`],
      ] as const) {
        it(`keeps no text of a failed ${kind}: the client gets the engine's error, the log no more than its code`, async () => {
          const err = await sdkError(t.admin.sql.run(sql));
          assert.equal(err.status, 400);
          assert.ok(err.message.startsWith(RAW_ERROR) && err.message.includes('SECRET123'), err.message);
          const entry = await lastFailedSqlLogEntry(t);
          assert.ok(!JSON.stringify(entry).includes('SECRET123'), JSON.stringify(entry));
          const data = entry.data as Record<string, unknown>;
          assert.deepEqual(data.body, { query: '[REDACTED]' });
          assert.equal((data.response as { message: string }).message, data.error);
          // SQLite reads run in a worker thread, which hands back the message only.
          const code = dialect === 'postgres' ? ' (SQLSTATE 42601)' : kind === 'write' ? ' (SQL logic error)' : '';
          assert.equal(data.error, `Failed to execute query. Raw error: [REDACTED]${code}`);
        });
      }

      it('keeps why a write was rolled back for what it left in the settings', async () => {
        const err = await sdkError(t.admin.sql.run(setAppName('')));
        assert.equal(err.status, 400);
        const entry = await lastFailedSqlLogEntry(t);
        assert.equal((entry.data as Record<string, unknown>).error, 'Failed to execute query. Raw error: the statement was rolled back: the settings (_params) would be invalid: meta.appName: Cannot be blank');
      });

      it('keeps why a write was rolled back for leaving the settings unreadable, but not the error that quotes them', async () => {
        const err = await sdkError(t.admin.sql.run(`DROP TABLE _params`));
        assert.equal(err.status, 400);
        assert.match(err.message, /_params/);
        const entry = await lastFailedSqlLogEntry(t);
        assert.equal((entry.data as Record<string, unknown>).error, 'Failed to execute query. Raw error: the statement was rolled back: the settings (_params) would be unreadable: [REDACTED]');
      });

      if (dialect === 'sqlite') {
        // PostgreSQL's json column refuses text that is not JSON before Basalt reads it back.
        it('keeps no text of settings a write left unreadable (JSON.parse quotes them)', async () => {
          const marker = 'S3CR3T-5d';
          const err = await sdkError(t.admin.sql.run(`UPDATE _params SET value = '{"smtp":{"password": ${marker}}}' WHERE id = 'settings'`));
          assert.equal(err.status, 400);
          // The superuser sees the parser's error, which quotes the stored text; the log does not.
          assert.ok(err.message.includes(marker), err.message);
          const entry = await lastFailedSqlLogEntry(t);
          assert.ok(!JSON.stringify(entry).includes(marker), JSON.stringify(entry));
          assert.equal((entry.data as Record<string, unknown>).error, 'Failed to execute query. Raw error: the statement was rolled back: the settings (_params) would be unreadable: [REDACTED]');
        });
      }
    });

    describe('backup restore', () => {
      /**
       * Runs `test` against a server on this engine with backups, beside a SQLite instance that
       * writes its backups to the same store (a backup can then hold what PostgreSQL would refuse).
       */
      async function withBackups(test: (server: { app: App; admin: PocketBase; url: string }, source: App) => Promise<void>): Promise<void> {
        const dir = mkdtempSync(join(tmpdir(), 'basalt-raw-writes-'));
        const backups = { store: new LocalFileStore(join(dir, 'backups')), tempDir: join(dir, '.tmp'), openSqliteFile: (p: string) => new SqliteDatabase(p) };
        const storage = await openTestDatabase(dialect);
        const sourceStorage = await openTestDatabase('sqlite');
        const app = await App.open(storage.db, { files: new LocalFileStore(join(dir, 'storage')), backups });
        const source = await App.open(sourceStorage.db, { files: new LocalFileStore(join(dir, 'source-storage')), backups });
        await superuserUpsert(app, SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
        await superuserUpsert(source, SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
        const { server, admin, url } = await serveForTests(app);
        try {
          await test({ app, admin, url }, source);
        } finally {
          await server.close();
          await app.close();
          await source.close();
          await storage.dispose();
          await sourceStorage.dispose();
          rmSync(dir, { recursive: true, force: true });
        }
      }

      /** Stores `value` as the source's settings document, around validation, and backs it up as `name`. */
      async function backupWithSettings(source: App, value: string, name: string): Promise<void> {
        await source.settings.update({ meta: { appName: 'Source' } });
        await source.db.run(`UPDATE _params SET value = ? WHERE id = 'settings'`, [value]);
        await source.backups.create(name);
      }

      it('restores a backup whose settings fail a rule of today (an older version stored them)', async () => {
        await withBackups(async ({ admin }, source) => {
          await admin.settings.update({ meta: { appName: 'Current' } });
          await backupWithSettings(source, JSON.stringify({ ...source.settings.current, meta: { ...source.settings.current.meta, appName: '' } }), 'older_rules.zip');
          await admin.backups.restore('older_rules.zip');
          // The restored superuser is the source's (same credentials, another id).
          await admin.collection('_superusers').authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
          assert.equal((await admin.settings.getAll()).meta.appName, '');
          // A change must mend what today's rules refuse.
          assert.equal((await sdkError(admin.settings.update({ meta: { senderName: 'Desk' } }))).data.meta.appName.code, 'validation_required');
          assert.equal((await admin.settings.update({ meta: { appName: 'Mended' } })).meta.appName, 'Mended');
        });
      });

      it('refuses a backup whose settings are not JSON with a 400; the request log keeps none of their text', async () => {
        await withBackups(async ({ app, admin }, source) => {
          await admin.settings.update({ meta: { appName: 'Current' } });
          // JSON.parse quotes the text around where it failed.
          const marker = 'LEAKED-SECRET-7f3a';
          await backupWithSettings(source, `{"smtp":{"password": ${marker}}}`, 'not_json.zip');
          const err = await sdkError(admin.backups.restore('not_json.zip'));
          assert.equal(err.status, 400);
          assert.ok(err.message.startsWith('The backup cannot be restored: '), err.message);
          assert.equal((await admin.settings.getAll()).meta.appName, 'Current');
          await app.logs.flush();
          let entry: Record<string, unknown> | undefined;
          for (let attempt = 0; !entry && attempt < 200; attempt++) {
            [entry] = (await admin.logs.getList(1, 1, { filter: 'data.url ~ "/restore" && data.status = 400', sort: '-created' })).items;
            if (!entry) await new Promise((r) => setTimeout(r, 10));
          }
          assert.ok(entry, 'the failed restore was logged');
          assert.ok(!JSON.stringify(entry).includes(marker), JSON.stringify(entry));
        });
      });
    });

    describe("a change of Basalt's own that commits while a raw write runs", () => {
      /** Waits until `done` holds (what a raw write's commit reloads comes a moment later). */
      async function until(done: () => boolean): Promise<boolean> {
        for (let attempt = 0; !done() && attempt < 200; attempt++) await new Promise((r) => setTimeout(r, 10));
        return done();
      }

      // The write read the settings back before the change committed, and commits after it.
      it('PATCH /api/settings: its settings stay in effect, not the older ones the write read back', async () => {
        const reload = rawWriteReload(t.app);
        await reload.beforeCommit(t.app.db);
        await t.admin.settings.update({ meta: { appName: 'Patched meanwhile' } });
        reload.onCommit();
        assert.ok(await until(() => t.app.settings.current.meta.appName === 'Patched meanwhile'), t.app.settings.current.meta.appName);
        assert.equal((await t.admin.settings.getAll()).meta.appName, 'Patched meanwhile');
      });

      it('a new collection: it stays in the cache, not the older list the write read back', async () => {
        const reload = rawWriteReload(t.app);
        await reload.beforeCommit(t.app.db);
        await t.admin.collections.create({ name: 'created_meanwhile', type: 'base', fields: [{ name: 'title', type: 'text' }] });
        reload.onCommit();
        assert.ok(await until(() => t.app.collections.find('created_meanwhile') !== undefined));
        assert.deepEqual((await t.admin.collection('created_meanwhile').getList()).items, []);
      });
    });

    describe('a dropped connection', { skip: dialect === 'sqlite' ? 'SQLite runs in the process: it has no connection to drop' : false }, () => {
      it('answers 503 when the connection of a running write is terminated, and rolls the write back', async () => {
        const marker = 'raw-write-to-terminate';
        const write = sdkError(t.admin.sql.run(`UPDATE notes SET title = 'changed' /* ${marker} */ WHERE (SELECT 1 FROM pg_sleep(5)) = 1`));
        let terminated = false;
        for (let attempt = 0; !terminated && attempt < 200; attempt++) {
          // A read of the console may end other sessions when the role may (the test role is a superuser).
          const res = await t.admin.sql.run(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%${marker}%' AND query NOT LIKE '%pg_stat_activity%'`,
          );
          terminated = res.rows.length > 0;
          if (!terminated) await new Promise((r) => setTimeout(r, 20));
        }
        assert.ok(terminated, 'the write was found running');
        const err = await write;
        assert.equal(err.status, 503);
        assert.equal(err.message, 'The database is unreachable. Try again shortly.');
        assert.deepEqual((await t.admin.collection('notes').getFullList()).map((r) => r.title), ['alpha']);
        assert.equal((await t.admin.sql.run(`UPDATE notes SET title = title`)).affectedRows, 1);
      });

      it('answers 503 when the connection is terminated while the write reads the settings back', async () => {
        // Another transaction locks _params, so the read-back waits there until its connection ends.
        let locked!: () => void;
        let release!: () => void;
        const isLocked = new Promise<void>((r) => (locked = r));
        const released = new Promise<void>((r) => (release = r));
        const holder = t.app.db.transaction(async (tx) => {
          await tx.run('LOCK TABLE _params IN ACCESS EXCLUSIVE MODE');
          locked();
          await released;
        });
        try {
          await isLocked;
          const write = sdkError(t.admin.sql.run(`UPDATE notes SET title = 'changed'`));
          let terminated = false;
          for (let attempt = 0; !terminated && attempt < 200; attempt++) {
            const res = await t.admin.sql.run(
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%_params%' AND pid <> pg_backend_pid() AND query NOT LIKE '%pg_stat_activity%'`,
            );
            terminated = res.rows.length > 0;
            if (!terminated) await new Promise((r) => setTimeout(r, 20));
          }
          assert.ok(terminated, 'the read-back was found waiting');
          const err = await write;
          assert.equal(err.status, 503, err.message);
          assert.equal(err.message, 'The database is unreachable. Try again shortly.');
        } finally {
          release();
          await holder;
        }
        assert.deepEqual((await t.admin.collection('notes').getFullList()).map((r) => r.title), ['alpha']);
      });
    });
  }),
);
