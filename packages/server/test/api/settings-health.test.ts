/**
 * Health (spec §10.5) and settings (spec §10.1): envelope, superuser-only details, access,
 * deep-merge updates, validation and write-only secrets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request, runScenario, type Scenario } from '../helpers/scenario.ts';
import { sdkError, startTestServer, type TestServer, forEachDialect } from '../helpers/test-server.ts';

forEachDialect((dialect) =>
describe('health and settings', () => {
  let t: TestServer;
  let userToken = '';

  before(async () => {
    t = await startTestServer({ dialect });
    const guest = t.client();
    await guest.collection('users').create({ email: 'ann@example.com', password: 'password123', passwordConfirm: 'password123' });
    userToken = (await guest.collection('users').authWithPassword('ann@example.com', 'password123')).token;
  });
  after(() => t.close());

  describe('GET /api/health', () => {
    it('a guest gets the healthy envelope with empty data', async () => {
      const res = await request(t, 'GET', '/api/health');
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { message: 'API is healthy.', code: 200, data: {} });
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    });

    it('a regular user gets empty data too', async () => {
      const res = await request(t, 'GET', '/api/health', { token: userToken });
      assert.deepEqual(res.json.data, {});
    });

    it('the superuser gets realIP, canBackup and possibleProxyHeader', async () => {
      const h = await t.admin.health.check();
      assert.equal(h.code, 200);
      assert.equal(h.message, 'API is healthy.');
      assert.equal(h.data.realIP, '127.0.0.1');
      assert.equal(typeof h.data.canBackup, 'boolean');
      assert.equal(h.data.possibleProxyHeader, '');
    });

    it('possibleProxyHeader names a proxy header present on the request', async () => {
      const res = await request(t, 'GET', '/api/health', { token: t.admin.authStore.token, headers: { 'X-Forwarded-For': '203.0.113.5' } });
      assert.equal(res.json.data.possibleProxyHeader, 'X-Forwarded-For');
      // Untrusted proxy headers do not change the real IP.
      assert.equal(res.json.data.realIP, '127.0.0.1');
      const cf = await request(t, 'GET', '/api/health', { token: t.admin.authStore.token, headers: { 'CF-Connecting-IP': '203.0.113.6', 'X-Forwarded-For': '203.0.113.5' } });
      assert.equal(cf.json.data.possibleProxyHeader, 'CF-Connecting-IP');
    });

    it('HEAD /api/health answers 200 without a body', async () => {
      const res = await t.fetch('/api/health', { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '');
    });

    it('?fields= applies to the health response', async () => {
      const res = await request(t, 'GET', '/api/health?fields=message');
      assert.deepEqual(res.json, { message: 'API is healthy.' });
    });
  });

  describe('settings access', () => {
    const scenarios: Scenario[] = [
      { name: 'a guest reading settings gets 401', url: '/api/settings', status: 401, exact: { status: 401, message: 'The request requires valid record authorization token.', data: {} } },
      { name: 'a user reading settings gets 403', url: '/api/settings', token: () => userToken, status: 403, exact: { status: 403, message: 'The authorized record is not allowed to perform this action.', data: {} } },
      { name: 'a guest updating settings gets 401', method: 'PATCH', url: '/api/settings', body: { meta: { appName: 'Hacked' } }, status: 401 },
      { name: 'a user updating settings gets 403', method: 'PATCH', url: '/api/settings', body: { meta: { appName: 'Hacked' } }, token: () => userToken, status: 403 },
    ];
    for (const s of scenarios) it(s.name, () => runScenario(t, s).then(() => undefined));

    it('the refused updates changed nothing', async () => {
      assert.notEqual((await t.admin.settings.getAll()).meta.appName, 'Hacked');
    });
  });

  describe('settings as superuser', () => {
    it('GET returns the PocketBase-shaped settings with defaults and no secrets', async () => {
      const s = await t.admin.settings.getAll();
      for (const k of ['meta', 'smtp', 's3', 'backups', 'batch', 'rateLimits', 'trustedProxy', 'logs', 'superuserIPs']) assert.ok(k in s, k);
      assert.deepEqual(s.batch, { enabled: false, maxRequests: 50, timeout: 3, maxBodySize: 0 });
      assert.equal(typeof s.meta.appName, 'string');
      assert.equal(s.rateLimits.enabled, false);
      assert.ok(Array.isArray(s.rateLimits.rules));
      assert.ok(!('password' in s.smtp));
      assert.ok(!('secret' in s.s3));
      assert.ok(!('secret' in s.backups.s3));
    });

    it('PATCH appName deep-merges: other meta keys are kept, and the change persists', async () => {
      const before = await t.admin.settings.getAll();
      const s = await t.admin.settings.update({ meta: { appName: 'Acme' } });
      assert.equal(s.meta.appName, 'Acme');
      assert.equal(s.meta.appURL, before.meta.appURL);
      assert.equal(s.meta.senderAddress, before.meta.senderAddress);
      assert.deepEqual(s.batch, before.batch);
      assert.equal((await t.admin.settings.getAll()).meta.appName, 'Acme');
    });

    it('PATCH batch enables it with new limits', async () => {
      const s = await t.admin.settings.update({ batch: { enabled: true, maxRequests: 10, timeout: 5 } });
      assert.deepEqual(s.batch, { enabled: true, maxRequests: 10, timeout: 5, maxBodySize: 0 });
      assert.deepEqual((await t.admin.settings.getAll()).batch, s.batch);
    });

    const invalid: Array<[string, Record<string, unknown>, (d: any) => void]> = [
      ['a malformed appURL', { meta: { appURL: 'not a url' } }, (d) => assert.ok(d.meta?.appURL?.code)],
      ['an empty appName', { meta: { appName: '' } }, (d) => assert.ok(d.meta?.appName?.code)],
      ['a malformed senderAddress', { meta: { senderAddress: 'nope' } }, (d) => assert.ok(d.meta?.senderAddress?.code)],
      ['a batch enabled with 0 maxRequests', { batch: { enabled: true, maxRequests: 0 } }, (d) => assert.ok(d.batch?.maxRequests?.code)],
      ['a negative logs.maxDays', { logs: { maxDays: -1 } }, (d) => assert.ok(d.logs?.maxDays?.code)],
    ];
    for (const [what, body, check] of invalid) {
      it(`PATCH with ${what}: 400 with nested data, nothing saved`, async () => {
        const before = await t.admin.settings.getAll();
        const e = await sdkError(t.admin.settings.update({ ...body, meta: { ...(body.meta as object), accentColor: before.meta.accentColor }, superuserIPs: [] }));
        assert.equal(e.status, 400);
        assert.equal(e.message, 'An error occurred while saving the new settings.');
        check(e.data);
        assert.deepEqual(await t.admin.settings.getAll(), before);
      });
    }

    it('a bad appURL is refused even when sent together with a valid change', async () => {
      const e = await sdkError(t.admin.settings.update({ meta: { appName: 'Should Not Stick', appURL: 'ht!tp:/bad' } }));
      assert.equal(e.status, 400);
      assert.ok(e.data.meta?.appURL);
      assert.equal((await t.admin.settings.getAll()).meta.appName, 'Acme');
    });

    it('write-only secrets are stored but never returned, and kept when omitted', async () => {
      const s = await t.admin.settings.update({ smtp: { password: 'smtp-secret' }, s3: { secret: 's3-secret' } });
      assert.ok(!('password' in s.smtp));
      assert.ok(!('secret' in s.s3));
      const raw = await request(t, 'GET', '/api/settings', { token: t.admin.authStore.token });
      assert.ok(!raw.text.includes('smtp-secret'));
      assert.ok(!raw.text.includes('s3-secret'));
      await t.admin.settings.update({ smtp: { host: 'mail.example.com' } });
      assert.equal(t.app.settings.current.smtp.password, 'smtp-secret');
      assert.equal(t.app.settings.current.s3.secret, 's3-secret');
      assert.equal((await t.admin.settings.getAll()).smtp.host, 'mail.example.com');
    });

    it('unknown keys are ignored', async () => {
      const s = await t.admin.settings.update({ notASetting: 1, meta: { bogus: true } } as any);
      assert.ok(!('notASetting' in s));
      assert.ok(!('bogus' in s.meta));
    });

    it('?fields= projects the settings response', async () => {
      const s = await t.admin.settings.getAll({ fields: 'meta.appName,batch.enabled' });
      assert.deepEqual(s, { meta: { appName: 'Acme' }, batch: { enabled: true } });
    });
  });
}),
);
