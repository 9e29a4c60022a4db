/**
 * The sign-in pipeline around the token (spec §6.1): new-location alerts (step 5, `_authOrigins`
 * and the collection's `authAlert` mail, received by a real SMTP server) and the superuser
 * network allow-list at sign-in (step 1).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from '../helpers/scenario.ts';
import { startSmtpInbox, type SmtpInbox } from '../helpers/smtp-inbox.ts';
import { SUPERUSER_EMAIL, SUPERUSER_PASSWORD, forEachDialect, startTestServer, type TestServer } from '../helpers/test-server.ts';

const PASSWORD = 'password123';

forEachDialect((dialect) =>
  describe('sign-in pipeline', () => {
    let t: TestServer;
    let inbox: SmtpInbox;

    before(async () => {
      inbox = await startSmtpInbox();
      t = await startTestServer({ dialect });
      await t.admin.settings.update({ smtp: { enabled: true, host: '127.0.0.1', port: inbox.port, username: '', authMethod: '', tls: false } });
    });
    after(async () => {
      await t.app.idle();
      await t.close();
      await inbox.close();
    });

    async function signIn(email: string, userAgent: string, password = PASSWORD) {
      const res = await request(t, 'POST', '/api/collections/users/auth-with-password', { body: { identity: email, password }, headers: { 'user-agent': userAgent } });
      // Origins are noted after the response: wait for that work before looking.
      await t.app.idle();
      return res;
    }

    async function originsOf(id: string) {
      return t.admin.collection('_authOrigins').getFullList({ filter: t.admin.filter('recordRef = {:id}', { id }) });
    }

    describe('new-location alerts (spec §6.1 step 5)', () => {
      it('the first origin is stored silently; a new device then gets the alert mail; a known one does not', async () => {
        const email = `alerts-${dialect}@example.com`;
        const user = await t.client().collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
        assert.equal((await signIn(email, 'Laptop/1.0')).status, 200);
        const first = await originsOf(user.id);
        assert.equal(first.length, 1);
        assert.equal(first[0].collectionRef, user.collectionId);
        assert.match(first[0].fingerprint, /^[0-9a-f]{32}$/);
        assert.equal(inbox.to(email).length, 0, 'nothing to compare the first origin with');

        assert.equal((await signIn(email, 'Laptop/1.0')).status, 200);
        assert.equal((await originsOf(user.id)).length, 1, 'a known device is not stored again');

        assert.equal((await signIn(email, 'Phone <b>2.0</b>')).status, 200);
        const mail = await inbox.waitFor(email);
        assert.equal(mail.subject, 'Login from a new location');
        assert.ok(mail.html.includes('Phone &lt;b&gt;2.0&lt;/b&gt;'), 'the device is named, escaped');
        assert.ok(mail.html.includes('127.0.0.1'));
        assert.equal((await originsOf(user.id)).length, 2);
        assert.equal(inbox.to(email).length, 1, 'the known laptop sign-in sent nothing');
      });

      it('a failed sign-in stores nothing; authAlert disabled stores the origin without mail; at most 5 origins are kept', async () => {
        const email = `alerts-off-${dialect}@example.com`;
        const user = await t.client().collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
        await signIn(email, 'Device-0');
        assert.equal((await signIn(email, 'Device-wrong', 'wrong-password')).status, 400);
        assert.equal((await originsOf(user.id)).length, 1);

        const users = await t.admin.collections.getOne('users');
        await t.admin.collections.update('users', { authAlert: { ...users.authAlert, enabled: false } });
        try {
          await signIn(email, 'Device-quiet');
          assert.equal((await originsOf(user.id)).length, 2);
        } finally {
          await t.admin.collections.update('users', { authAlert: { ...users.authAlert, enabled: true } });
        }
        // The next alert is a sentinel: once it arrived, a mail for the quiet device would have too.
        await signIn(email, 'Device-loud');
        await inbox.waitFor(email, (m) => m.html.includes('Device-loud'));
        assert.ok(!inbox.to(email).some((m) => m.html.includes('Device-quiet')));

        for (let i = 1; i <= 4; i++) await signIn(email, `Device-extra-${i}`);
        const kept = await originsOf(user.id);
        assert.equal(kept.length, 5);
      });

      it('the alert template is validated with the collection', async () => {
        const e = await request(t, 'PATCH', '/api/collections/users', { token: t.admin.authStore.token, body: { authAlert: { enabled: true, emailTemplate: { subject: '', body: '' } } } });
        assert.equal(e.status, 400);
        assert.equal(e.json.data.authAlert.emailTemplate.code, 'validation_required');
      });
    });

    describe('superuser networks at sign-in (spec §6.1 step 1)', () => {
      it('a superuser cannot sign in from outside superuserIPs, whatever the password; users can', async () => {
        await t.app.settings.update({ superuserIPs: ['10.9.9.9'] });
        try {
          for (const password of [SUPERUSER_PASSWORD, 'wrong-password']) {
            const res = await request(t, 'POST', '/api/collections/_superusers/auth-with-password', { body: { identity: SUPERUSER_EMAIL, password } });
            assert.equal(res.status, 403, password);
            assert.equal(res.json.message, 'The superuser is not allowed to access the API from this IP address.');
            assert.equal(res.json.token, undefined);
          }
          const email = `ip-user-${dialect}@example.com`;
          await t.client().collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
          assert.equal((await signIn(email, 'ip-test')).status, 200);
        } finally {
          await t.app.settings.update({ superuserIPs: [] });
        }
      });

      it('from a listed network (through a trusted proxy header) the sign-in works', async () => {
        await t.app.settings.update({ superuserIPs: ['10.1.2.0/24'], trustedProxy: { headers: ['X-Forwarded-For'], useLeftmostIP: false } });
        try {
          const allowed = await request(t, 'POST', '/api/collections/_superusers/auth-with-password', { body: { identity: SUPERUSER_EMAIL, password: SUPERUSER_PASSWORD }, headers: { 'x-forwarded-for': '10.1.2.3' } });
          assert.equal(allowed.status, 200);
          assert.ok(allowed.json.token);
          const refused = await request(t, 'POST', '/api/collections/_superusers/auth-with-password', { body: { identity: SUPERUSER_EMAIL, password: SUPERUSER_PASSWORD }, headers: { 'x-forwarded-for': '10.1.3.3' } });
          assert.equal(refused.status, 403);
        } finally {
          await t.app.settings.update({ superuserIPs: [], trustedProxy: { headers: [], useLeftmostIP: false } });
        }
      });
    });
  }),
);
