/**
 * Crons API (spec §10.3) with the official SDK, on every engine: the list's shape and order
 * (embedder jobs by id, then system jobs; `__pbAutoBackup__` only while settings.backups.cron is
 * set), system jobs doing their work when run by id (expired OTPs, MFA sessions and log entries
 * deleted, fresh ones kept; database upkeep), the 404 envelope for an unknown id, and access
 * (guest 401, regular user 403).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOG_LEVEL } from '../../src/core/logs/log-store.ts';
import { formatDateTime } from '../../src/tools/datetime.ts';
import { newRecordId } from '../../src/tools/ids.ts';
import { forEachDialect, sdkError, startTestServer, type TestServer } from '../helpers/test-server.ts';

const SYSTEM_JOBS = [
  { id: '__pbDBOptimize__', expression: '0 0 * * *' },
  { id: '__pbLogsCleanup__', expression: '0 */6 * * *' },
  { id: '__pbMFACleanup__', expression: '0 * * * *' },
  { id: '__pbOTPCleanup__', expression: '0 * * * *' },
];

/** Waits until `check` holds (a job runs after its 204), failing after about 5 s. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 250; attempt++) {
    if (await check()) return;
    await sleep(20);
  }
  assert.fail(`timed out waiting until ${what}`);
}

forEachDialect((dialect) =>
  describe('crons API', () => {
    let t: TestServer;
    let userToken = '';
    let userId = '';
    let usersId = '';
    const q = (name: string) => t.app.db.dialect.quote(name);

    before(async () => {
      t = await startTestServer({ dialect });
      const guest = t.client();
      userId = (await guest.collection('users').create({ email: 'ann@example.com', password: 'password123', passwordConfirm: 'password123' })).id;
      userToken = (await guest.collection('users').authWithPassword('ann@example.com', 'password123')).token;
      usersId = (await t.admin.collections.getOne('users')).id;
    });
    after(() => t.close());

    /** Inserts an `_otps` or `_mfas` row of ann's created `ageSeconds` ago; returns its id. */
    async function insertAuthRow(table: '_otps' | '_mfas', ageSeconds: number): Promise<string> {
      const id = newRecordId();
      const created = formatDateTime(new Date(Date.now() - ageSeconds * 1000));
      const extra: Record<string, string> = table === '_otps' ? { password: 'not-a-real-hash', sentTo: '' } : { method: 'password' };
      const row: Record<string, string> = { id, collectionRef: usersId, recordRef: userId, ...extra, created, updated: created };
      await t.app.db.run(`INSERT INTO ${q(table)} (${Object.keys(row).map(q).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')})`, Object.values(row));
      return id;
    }

    async function ids(collection: '_otps' | '_mfas'): Promise<string[]> {
      return (await t.admin.collection(collection).getFullList({ fields: 'id' })).map((r) => r.id).sort();
    }

    it('lists the system jobs, sorted by id, with their expressions', async () => {
      assert.deepEqual(await t.admin.crons.getFullList(), SYSTEM_JOBS);
    });

    it('lists jobs an embedder added before the system jobs, each group sorted by id', async () => {
      t.app.crons.add({ id: 'zeta', expression: '*/5 * * * *', run: () => {} });
      t.app.crons.add({ id: 'alpha', expression: '@daily', run: () => {} });
      assert.deepEqual(await t.admin.crons.getFullList(), [{ id: 'alpha', expression: '@daily' }, { id: 'zeta', expression: '*/5 * * * *' }, ...SYSTEM_JOBS]);
    });

    it('lists __pbAutoBackup__ with the backups.cron setting as its expression, only while it is set', async () => {
      const autoBackup = async () => (await t.admin.crons.getFullList()).find((j) => j.id === '__pbAutoBackup__');
      assert.equal(await autoBackup(), undefined);
      assert.equal((await sdkError(t.admin.crons.run('__pbAutoBackup__'))).status, 404);
      await t.admin.settings.update({ backups: { cron: '30 3 * * *' } });
      assert.deepEqual(await autoBackup(), { id: '__pbAutoBackup__', expression: '30 3 * * *' });
      const list = await t.admin.crons.getFullList();
      assert.deepEqual(
        list.map((j) => j.id).filter((id) => id.startsWith('__pb')),
        ['__pbAutoBackup__', ...SYSTEM_JOBS.map((j) => j.id)],
      );
      await t.admin.settings.update({ backups: { cron: '@weekly' } });
      assert.deepEqual(await autoBackup(), { id: '__pbAutoBackup__', expression: '@weekly' });
      await t.admin.settings.update({ backups: { cron: '' } });
      assert.equal(await autoBackup(), undefined);
    });

    it('__pbOTPCleanup__ deletes the expired OTPs and keeps the others', async () => {
      // users' otp.duration is 180 s by default.
      const expired = await insertAuthRow('_otps', 3600);
      const fresh = await insertAuthRow('_otps', 10);
      assert.deepEqual(await ids('_otps'), [expired, fresh].sort());
      assert.equal(await t.admin.crons.run('__pbOTPCleanup__'), true);
      await eventually('the expired OTP is deleted', async () => !(await ids('_otps')).includes(expired));
      assert.deepEqual(await ids('_otps'), [fresh]);
    });

    it('__pbMFACleanup__ deletes the expired MFA sessions, with the collection mfa.duration when MFA is on', async () => {
      // With MFA off, sessions (a TOTP second factor) live 600 s.
      const expired = await insertAuthRow('_mfas', 700);
      const fresh = await insertAuthRow('_mfas', 300);
      await t.admin.crons.run('__pbMFACleanup__');
      await eventually('the expired MFA session is deleted', async () => !(await ids('_mfas')).includes(expired));
      assert.deepEqual(await ids('_mfas'), [fresh]);

      // MFA needs two sign-in methods: OTP joins the password.
      await t.admin.collections.update('users', { otp: { enabled: true }, mfa: { enabled: true, duration: 200 } });
      try {
        await t.admin.crons.run('__pbMFACleanup__');
        await eventually('the session older than mfa.duration is deleted', async () => (await ids('_mfas')).length === 0);
      } finally {
        await t.admin.collections.update('users', { otp: { enabled: false }, mfa: { enabled: false } });
      }
    });

    it('__pbLogsCleanup__ deletes log entries older than logs.maxDays', async () => {
      const maxDays = (await t.admin.settings.getAll()).logs.maxDays;
      const entry = (id: string, ageDays: number, message: string) => ({ id, created: formatDateTime(new Date(Date.now() - ageDays * 86_400_000)), level: LOG_LEVEL.info, message, data: '{}' });
      await t.app.logs.store.insert([entry('cronlogold00001', maxDays + 1, 'crons test: old entry'), entry('cronlognew00001', maxDays - 1, 'crons test: recent entry')]);
      const messages = async () => (await t.admin.logs.getList(1, 10, { filter: 'message ~ "crons test:"', sort: 'message' })).items.map((l) => l.message);
      assert.deepEqual(await messages(), ['crons test: old entry', 'crons test: recent entry']);
      await t.admin.crons.run('__pbLogsCleanup__');
      await eventually('the old log entry is deleted', async () => (await messages()).length === 1);
      assert.deepEqual(await messages(), ['crons test: recent entry']);
    });

    it('__pbDBOptimize__ runs the engine upkeep without failing', async () => {
      await t.admin.crons.run('__pbDBOptimize__');
      await t.app.crons.idle();
      await t.app.logs.flush();
      const failures = await t.admin.logs.getList(1, 10, { filter: `message ~ "cron job"` });
      assert.deepEqual(
        failures.items.map((l) => [l.message, l.data.error]),
        [],
      );
      if (dialect === 'postgres') {
        const row = await t.app.db.get<{ analyzed: string | null }>(`SELECT CAST(last_analyze AS TEXT) AS analyzed FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = ?`, ['users']);
        assert.ok(row?.analyzed, 'the users table was analysed');
      }
    });

    it('answers 404 with the error envelope for an unknown job', async () => {
      const res = await t.fetch('/api/crons/noSuchJob', { method: 'POST', headers: { Authorization: t.admin.authStore.token } });
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { status: 404, message: 'Missing or invalid cron job.', data: {} });
      const e = await sdkError(t.admin.crons.run('a/b?c'));
      assert.deepEqual([e.status, e.message], [404, 'Missing or invalid cron job.']);
    });

    it('refuses guests with 401 and regular users with 403', async () => {
      const guest = t.client();
      for (const call of [() => guest.crons.getFullList(), () => guest.crons.run('__pbOTPCleanup__')]) {
        const e = await sdkError(call());
        assert.deepEqual([e.status, e.message, e.data], [401, 'The request requires valid record authorization token.', {}]);
      }
      const user = t.client();
      user.authStore.save(userToken);
      for (const call of [() => user.crons.getFullList(), () => user.crons.run('__pbOTPCleanup__')]) {
        const e = await sdkError(call());
        assert.deepEqual([e.status, e.message, e.data], [403, 'The authorized record is not allowed to perform this action.', {}]);
      }
    });
  }),
);
