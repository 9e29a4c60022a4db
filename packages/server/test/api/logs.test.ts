/**
 * The request log and the logs API (spec §10.2), driven with the official SDK: what a request
 * leaves in the log, redaction of failed requests' bodies, the logIP/logAuthId/maxDays settings,
 * retention, filters and access.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type PocketBase from 'pocketbase';
import { App } from '../../src/core/app.ts';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import { formatDateTime } from '../../src/tools/datetime.ts';
import { buildRestServer } from '../../src/transports/rest/server.ts';
import { forEachDialect, sdkError, startTestServer, TEST_DIALECTS, type TestServer } from '../helpers/test-server.ts';

type Log = { id: string; created: string; updated: string; level: number; message: string; data: Record<string, any> };

/**
 * Lists entries matching `filter`, waiting until at least `min` are there: a request's entry is
 * recorded right after its response is sent, so it can trail the client by a tick.
 */
async function logsMatching(pb: PocketBase, filter: string, min = 1): Promise<Log[]> {
  for (let attempt = 0; ; attempt++) {
    const { items } = await pb.logs.getList(1, 200, { filter, sort: '-created' });
    if (items.length >= min || attempt >= 100) return items as unknown as Log[];
    await sleep(10);
  }
}

forEachDialect((dialect) =>
  describe('request log and logs API', () => {
    let t: TestServer;
    let userToken = '';
    let adminId = '';

    before(async () => {
      t = await startTestServer({ dialect });
      adminId = t.admin.authStore.record!.id;
      const guest = t.client();
      await guest.collection('users').create({ email: 'ann@example.com', password: 'password123', passwordConfirm: 'password123' });
      userToken = (await guest.collection('users').authWithPassword('ann@example.com', 'password123')).token;
    });
    after(() => t.close());

    it('records a successful request with the spec shape', async () => {
      const res = await t.fetch('/api/health?marker=ok1', { headers: { 'User-Agent': 'log-test-agent', Referer: 'http://example.test/page' } });
      assert.equal(res.status, 200);
      const [entry] = await logsMatching(t.admin, 'data.url = "/api/health?marker=ok1"');
      assert.ok(entry, 'the request was logged');
      assert.match(entry.id, /^[a-z0-9]{15}$/);
      assert.match(entry.created, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.equal(entry.updated, entry.created);
      assert.equal(entry.level, 0);
      assert.equal(entry.message, 'GET /api/health');
      const { execTime, ...rest } = entry.data;
      assert.equal(typeof execTime, 'number');
      assert.ok(execTime >= 0);
      assert.deepEqual(rest, {
        type: 'request',
        url: '/api/health?marker=ok1',
        method: 'GET',
        status: 200,
        auth: '',
        userIP: '127.0.0.1',
        remoteIP: '127.0.0.1',
        referer: 'http://example.test/page',
        userAgent: 'log-test-agent',
      });
    });

    it('on PostgreSQL keeps the log in an unlogged table (no write-ahead log record per request)', { skip: dialect !== 'postgres' && 'an engine without unlogged tables' }, async () => {
      const row = await t.app.db.get<{ p: string }>(`SELECT relpersistence AS p FROM pg_class WHERE relname = '_logs' AND relnamespace = current_schema()::regnamespace`);
      assert.equal(row?.p, 'u');
    });

    it('records a failed request at error level with its error and response', async () => {
      const res = await t.fetch('/api/collections/nope/records?marker=fail1', { headers: { Authorization: userToken } });
      assert.equal(res.status, 404);
      const [entry] = await logsMatching(t.admin, 'data.url ~ "marker=fail1"');
      assert.equal(entry.level, 8);
      assert.equal(entry.message, 'GET /api/collections/nope/records');
      assert.equal(entry.data.status, 404);
      assert.equal(entry.data.auth, 'users');
      assert.equal(entry.data.authId, undefined, 'authId is off by default');
      assert.equal(entry.data.error, 'Missing collection context.');
      assert.deepEqual(entry.data.response, { status: 404, message: 'Missing collection context.', data: {} });
      assert.equal(entry.data.headers.authorization, '[REDACTED]');
      assert.ok(!JSON.stringify(entry).includes(userToken), 'the token is nowhere in the entry');
    });

    it('redacts secrets in the logged body of a failed login', async () => {
      const secret = 'Wr0ng-but-secret-passw0rd';
      const guest = t.client();
      const err = await sdkError(guest.collection('users').authWithPassword('ann@example.com', secret));
      assert.equal(err.status, 400);
      const [entry] = await logsMatching(t.admin, 'data.url ~ "/users/auth-with-password" && data.status = 400');
      assert.ok(entry, 'the failed login was logged');
      assert.equal(entry.level, 8);
      assert.equal(entry.data.body.identity, 'ann@example.com');
      assert.equal(entry.data.body.password, '[REDACTED]');
      assert.ok(!JSON.stringify(entry).includes(secret), 'the password is nowhere in the entry');
    });

    it('redacts tokens in logged query strings', async () => {
      await t.fetch('/api/files/users/x/y.png?token=abc.def.ghi&thumb=10x10');
      const [entry] = await logsMatching(t.admin, 'data.url ~ "/api/files/users/x/y.png"');
      assert.equal(entry.data.url, '/api/files/users/x/y.png?token=[REDACTED]&thumb=10x10');
    });

    it('filters by status, level and message, sorts, pages and skips the total', async () => {
      await t.fetch('/api/health?marker=page');
      await t.fetch('/api/collections/nope2/records?marker=page');
      const failed = await logsMatching(t.admin, 'data.status >= 400 && data.url ~ "marker=page"');
      assert.equal(failed.length, 1);
      assert.equal(failed[0].data.status, 404);
      const errors = await t.admin.logs.getList(1, 200, { filter: 'level = 8' });
      assert.ok(errors.items.length >= 1);
      assert.ok(errors.items.every((e) => Number(e.level) === 8));
      const byMessage = await t.admin.logs.getList(1, 200, { filter: 'message = "GET /api/health"', sort: 'created' });
      assert.ok(byMessage.items.length >= 2);
      const created = byMessage.items.map((e) => e.created);
      assert.deepEqual(created, [...created].sort());
      const page = await t.admin.logs.getList(1, 1, { skipTotal: true });
      assert.equal(page.items.length, 1);
      assert.equal(page.totalItems, -1);
      const counted = await t.admin.logs.getList(1, 1);
      assert.ok(counted.totalItems >= 2);
      assert.equal(counted.totalPages, counted.totalItems);
    });

    it('answers 400 for a bad filter or sort', async () => {
      for (const filter of ['data.status >', 'nosuchfield = 1', '@request.auth.id != ""', '@collection.users.id != ""']) {
        const err = await sdkError(t.admin.logs.getList(1, 10, { filter }));
        assert.equal(err.status, 400, filter);
        assert.equal(err.message, 'Invalid filter format.');
        const stats = await sdkError(t.admin.logs.getStats({ filter }));
        assert.equal(stats.status, 400, filter);
        assert.equal(stats.message, 'Invalid filter format.');
      }
      for (const sort of ['-nosuchfield', '@rowid']) {
        const err = await sdkError(t.admin.logs.getList(1, 10, { sort }));
        assert.equal(err.status, 400, sort);
      }
    });

    it('getOne returns an entry and 404 for a missing one', async () => {
      const [entry] = await logsMatching(t.admin, 'data.url = "/api/health?marker=ok1"');
      const one = await t.admin.logs.getOne(entry.id);
      assert.deepEqual(one, entry);
      const err = await sdkError(t.admin.logs.getOne('missingmissing1'));
      assert.equal(err.status, 404);
    });

    it('getStats counts entries per hour', async () => {
      const all = await t.admin.logs.getStats();
      assert.ok(all.length >= 1);
      for (const s of all) {
        assert.match(s.date, /^\d{4}-\d{2}-\d{2} \d{2}:00:00\.000Z$/);
        assert.equal(typeof s.total, 'number');
      }
      const total = (await t.admin.logs.getList(1, 1)).totalItems;
      assert.equal(all.reduce((n, s) => n + s.total, 0), total);
      const failed = await t.admin.logs.getStats({ filter: 'data.status >= 400' });
      const failedTotal = (await t.admin.logs.getList(1, 1, { filter: 'data.status >= 400' })).totalItems;
      assert.equal(failed.reduce((n, s) => n + s.total, 0), failedTotal);
    });

    it('does not log successful requests to the logs API itself', async () => {
      await t.admin.logs.getList(1, 1);
      const own = await t.admin.logs.getList(1, 10, { filter: 'message ~ "/api/logs" && data.status < 400' });
      assert.equal(own.items.length, 0);
    });

    it('is for superusers only: 401 for guests, 403 for users', async () => {
      const guest = t.client();
      assert.equal((await sdkError(guest.logs.getList())).status, 401);
      assert.equal((await sdkError(guest.logs.getStats())).status, 401);
      const user = t.client();
      user.authStore.save(userToken, null);
      assert.equal((await sdkError(user.logs.getList())).status, 403);
      assert.equal((await sdkError(user.logs.getOne('abc'))).status, 403);
      assert.equal((await t.fetch('/api/logs', { method: 'DELETE', headers: { Authorization: userToken } })).status, 403);
      // The failed attempts themselves are logged.
      const denied = await logsMatching(t.admin, 'message = "GET /api/logs" && data.status = 401');
      assert.ok(denied.length >= 1);
    });

    it('respects logIP and logAuthId', async () => {
      await t.admin.settings.update({ logs: { logIP: false, logAuthId: true } });
      try {
        await t.admin.health.check({ query: { marker: 'ids' } });
        const [entry] = await logsMatching(t.admin, 'data.url ~ "marker=ids"');
        assert.equal(entry.data.authId, adminId);
        assert.equal(entry.data.auth, '_superusers');
        assert.equal('userIP' in entry.data, false);
        assert.equal('remoteIP' in entry.data, false);
        await t.fetch('/api/collections/nope/records?marker=ipheaders', { headers: { 'X-Forwarded-For': '203.0.113.9', 'X-Other': 'kept' } });
        const [failed] = await logsMatching(t.admin, 'data.url ~ "marker=ipheaders"');
        assert.equal(failed.data.headers['x-other'], 'kept');
        assert.equal('x-forwarded-for' in failed.data.headers, false);
        assert.ok(!JSON.stringify(failed).includes('203.0.113.9'));
      } finally {
        await t.admin.settings.update({ logs: { logIP: true, logAuthId: false } });
      }
    });

    it('records nothing while maxDays is 0, and minLevel drops lower levels', async () => {
      await t.admin.settings.update({ logs: { maxDays: 0 } });
      await t.fetch('/api/health?marker=off');
      await t.fetch('/api/collections/nope/records?marker=off');
      await t.admin.settings.update({ logs: { maxDays: 5, minLevel: 8 } });
      await t.fetch('/api/health?marker=minlevel');
      await t.fetch('/api/collections/nope/records?marker=minlevel');
      await t.admin.settings.update({ logs: { minLevel: 0 } });
      await t.fetch('/api/health?marker=after');
      await logsMatching(t.admin, 'data.url ~ "marker=after"');
      assert.equal((await t.admin.logs.getList(1, 10, { filter: 'data.url ~ "marker=off"' })).items.length, 0);
      const minLevel = await t.admin.logs.getList(1, 10, { filter: 'data.url ~ "marker=minlevel"' });
      assert.deepEqual(minLevel.items.map((e) => e.data.status), [404]);
    });

    it('puts unexpected errors reported to the App logger in the log', async () => {
      t.app.logger.error({ err: new Error('disk on fire'), reqId: 'r-1', password: 'hunter2' }, 'request failed');
      const [entry] = await logsMatching(t.admin, 'data.type = "app" && data.error = "disk on fire"');
      assert.equal(entry.level, 8);
      assert.equal(entry.message, 'request failed');
      assert.equal(entry.data.reqId, 'r-1');
      assert.equal(entry.data.password, '[REDACTED]');
      assert.match(entry.data.details, /disk on fire/);
    });

    it('purges entries older than maxDays', async () => {
      const now = Date.now();
      const old = formatDateTime(new Date(now - 6 * 24 * 3600 * 1000));
      const recent = formatDateTime(new Date(now - 4 * 24 * 3600 * 1000));
      await t.app.logs.store.insert([
        { id: 'oldoldoldoldold', created: old, level: 0, message: 'GET /old', data: '{"type":"request"}' },
        { id: 'recentrecentrec', created: recent, level: 0, message: 'GET /recent', data: '{"type":"request"}' },
      ]);
      assert.equal((await t.admin.logs.getOne('oldoldoldoldold')).message, 'GET /old');
      const removed = await t.app.logs.purgeExpired();
      assert.equal(removed, 1);
      assert.equal((await sdkError(t.admin.logs.getOne('oldoldoldoldold'))).status, 404);
      assert.equal((await t.admin.logs.getOne('recentrecentrec')).message, 'GET /recent');
    });

    it('DELETE /api/logs empties the log', async () => {
      const res = await t.fetch('/api/logs', { method: 'DELETE', headers: { Authorization: t.admin.authStore.token } });
      assert.equal(res.status, 204);
      const left = await t.admin.logs.getList(1, 10);
      assert.equal(left.totalItems, 0);
    });
  }),
);

describe('request log storage', { skip: !TEST_DIALECTS.includes('sqlite') && 'needs the sqlite engine' }, () => {
  it('on SQLite the CLI layout keeps the log in its own database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basalt-logs-'));
    const db = new SqliteDatabase(join(dir, 'data.db'), { synchronous: 'NORMAL' });
    const aux = new SqliteDatabase(join(dir, 'auxiliary.db'), { synchronous: 'NORMAL' });
    const app = await App.open(db, { logsDatabase: aux });
    const server = await buildRestServer(app);
    try {
      await server.inject({ method: 'GET', url: '/api/health?marker=aux' });
      await app.logs.flush();
      assert.equal((await db.dialect.listTables(db)).includes('_logs'), false);
      const rows = await aux.all<{ message: string }>('SELECT message FROM _logs');
      assert.deepEqual(rows.map((r) => r.message), ['GET /api/health']);
    } finally {
      await server.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
