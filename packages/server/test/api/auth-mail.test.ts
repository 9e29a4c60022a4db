/**
 * Mail and the e-mail flows (spec §6.9–§6.11, §10.1): SMTP settings and the test e-mail, the
 * outbox, templates, verification, password reset and e-mail change, followed through the mails
 * a real SMTP server (started here) receives.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from '../helpers/scenario.ts';
import { startSmtpInbox, tokenFromLink, type SmtpInbox } from '../helpers/smtp-inbox.ts';
import { forEachDialect, sdkError, startTestServer, type TestServer } from '../helpers/test-server.ts';

const PASSWORD = 'password123';
const SMTP_PASSWORD = 'smtp-secret-pass';

forEachDialect((dialect) =>
  describe('mail and e-mail flows', () => {
    let t: TestServer;
    let inbox: SmtpInbox;

    async function useSmtp(enabled = true, port = inbox.port) {
      await t.admin.settings.update({ smtp: { enabled, host: '127.0.0.1', port, username: 'mailer', password: SMTP_PASSWORD, authMethod: 'PLAIN', tls: false } });
    }

    async function newUser(email: string, extra: Record<string, unknown> = {}) {
      return t.client().collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD, ...extra });
    }

    before(async () => {
      inbox = await startSmtpInbox({ username: 'mailer', password: SMTP_PASSWORD });
      t = await startTestServer({ dialect });
    });
    after(async () => {
      await t.close();
      await inbox.close();
    });

    describe('outbox (SMTP disabled)', () => {
      it('a verification mail lands in the outbox, which only superusers can read', async () => {
        await newUser('outbox@example.com');
        await t.client().collection('users').requestVerification('outbox@example.com');
        await t.app.idle();
        const guest = await request(t, 'GET', '/api/outbox');
        assert.equal(guest.status, 401);
        const user = t.client();
        await user.collection('users').authWithPassword('outbox@example.com', PASSWORD);
        assert.equal((await request(t, 'GET', '/api/outbox', { token: user.authStore.token })).status, 403);
        const res = await request(t, 'GET', '/api/outbox', { token: t.admin.authStore.token });
        assert.equal(res.status, 200);
        assert.equal(res.json.smtpEnabled, false);
        const mail = res.json.items.find((m: any) => m.to[0].address === 'outbox@example.com');
        assert.ok(mail, 'stored');
        assert.match(mail.subject, /^Verify your Basalt email$/);
        const token = tokenFromLink(mail.html, 'confirm-verification');
        await t.client().collection('users').confirmVerification(token);
        const cleared = await request(t, 'DELETE', '/api/outbox', { token: t.admin.authStore.token });
        assert.equal(cleared.status, 204);
        assert.equal((await request(t, 'GET', '/api/outbox', { token: t.admin.authStore.token })).json.items.length, 0);
      });
    });

    describe('SMTP settings and the test e-mail (spec §10.1)', () => {
      it('the SMTP password is write-only: never in GET or PATCH responses', async () => {
        const patched = await request(t, 'PATCH', '/api/settings', { token: t.admin.authStore.token, body: { smtp: { enabled: true, host: '127.0.0.1', port: inbox.port, username: 'mailer', password: SMTP_PASSWORD, authMethod: 'PLAIN', tls: false } } });
        assert.equal(patched.status, 200);
        assert.ok(!patched.text.includes(SMTP_PASSWORD));
        const got = await request(t, 'GET', '/api/settings', { token: t.admin.authStore.token });
        assert.ok(!got.text.includes(SMTP_PASSWORD));
        assert.equal(got.json.smtp.password, undefined);
      });

      it('invalid SMTP settings are refused', async () => {
        const res = await request(t, 'PATCH', '/api/settings', { token: t.admin.authStore.token, body: { smtp: { enabled: true, host: '', authMethod: 'CRAM' } } });
        assert.equal(res.status, 400);
        assert.equal(res.json.data.smtp.host.code, 'validation_required');
        assert.equal(res.json.data.smtp.authMethod.code, 'validation_in_invalid');
      });

      it('a superuser sends a test e-mail through the SMTP server (authenticated with the stored password)', async () => {
        await useSmtp();
        await t.admin.settings.testEmail('_superusers', 'probe@example.com', 'password-reset');
        const mail = await inbox.waitFor('probe@example.com');
        assert.equal(mail.user, 'mailer');
        assert.match(mail.subject, /Reset your Basalt password/);
        assert.equal(mail.from, 'support@example.com');
      });

      it('test e-mail: guests 401, bad template 400, unreachable server 400 Failed to send the test email.', async () => {
        assert.equal((await request(t, 'POST', '/api/settings/test/email', { body: { email: 'a@b.co', template: 'otp' } })).status, 401);
        const bad = await request(t, 'POST', '/api/settings/test/email', { token: t.admin.authStore.token, body: { email: 'a@b.co', template: 'nope' } });
        assert.equal(bad.status, 400);
        assert.equal(bad.json.data.template.code, 'validation_in_invalid');
        await useSmtp(true, 1);
        const down = await request(t, 'POST', '/api/settings/test/email', { token: t.admin.authStore.token, body: { email: 'a@b.co', template: 'otp' } });
        assert.equal(down.status, 400);
        assert.equal(down.json.message, 'Failed to send the test email.');
        assert.ok(!down.text.includes(SMTP_PASSWORD));
        await useSmtp();
      });

      it('record placeholders are HTML-escaped in templates', async () => {
        await t.admin.collections.update('users', { verificationTemplate: { subject: 'Hi {RECORD:name} at {APP_NAME}', body: '<p>Hello {RECORD:name}</p><a href="{APP_URL}/v/{TOKEN}">v</a>' } });
        await newUser('xss@example.com', { name: '<script>alert(1)</script>' });
        await t.client().collection('users').requestVerification('xss@example.com');
        const mail = await inbox.waitFor('xss@example.com');
        assert.ok(!mail.html.includes('<script>'), mail.html);
        assert.ok(mail.html.includes('&lt;script&gt;'), mail.html);
        assert.equal(mail.subject, 'Hi <script>alert(1)</script> at Basalt');
        const token = tokenFromLink(mail.html, '/v');
        await t.client().collection('users').confirmVerification(token);
      });
    });

    describe('verification (spec §6.9)', () => {
      it('request → mail → confirm marks the record verified; confirming again is a no-op 204', async () => {
        await useSmtp();
        await t.admin.collections.update('users', { verificationTemplate: { subject: 'Verify', body: '<a href="{APP_URL}/_/#/auth/confirm-verification/{TOKEN}">Verify</a>' } });
        const u = await newUser('verify@example.com');
        await t.client().collection('users').requestVerification('verify@example.com');
        const token = tokenFromLink((await inbox.waitFor('verify@example.com')).html, 'confirm-verification');
        const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
        assert.equal(claims.type, 'verification');
        assert.equal(claims.email, 'verify@example.com');
        await t.client().collection('users').confirmVerification(token);
        assert.equal((await t.admin.collection('users').getOne(u.id)).verified, true);
        await t.client().collection('users').confirmVerification(token);
      });

      it('a token of another type, another collection, or a forged one is refused with data.token', async () => {
        await t.admin.collections.create({ name: 'staff', type: 'auth', createRule: '' } as any);
        await t.client().collection('staff').create({ email: 'staff@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
        await t.client().collection('staff').requestVerification('staff@example.com');
        const staffToken = tokenFromLink((await inbox.waitFor('staff@example.com')).html, 'confirm-verification');
        const other = await request(t, 'POST', '/api/collections/users/confirm-verification', { body: { token: staffToken } });
        assert.equal(other.status, 400);
        assert.equal(other.json.data.token.code, 'validation_token_collection_mismatch');
        await newUser('wrongtype@example.com');
        await t.client().collection('users').requestPasswordReset('wrongtype@example.com');
        const resetToken = tokenFromLink((await inbox.waitFor('wrongtype@example.com')).html, 'confirm-password-reset');
        const wrongType = await request(t, 'POST', '/api/collections/users/confirm-verification', { body: { token: resetToken } });
        assert.equal(wrongType.status, 400);
        assert.equal(wrongType.json.data.token.code, 'validation_invalid_token');
        const [h, p] = resetToken.split('.');
        const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
        const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, type: 'verification' })).toString('base64url')}.${resetToken.split('.')[2]}`;
        assert.equal((await request(t, 'POST', '/api/collections/users/confirm-verification', { body: { token: forged } })).json.data.token.code, 'validation_invalid_token');
        const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...payload, type: 'verification' })).toString('base64url')}.`;
        assert.equal((await request(t, 'POST', '/api/collections/users/confirm-verification', { body: { token: none } })).json.data.token.code, 'validation_invalid_token');
      });

      it('superusers: 400 All superusers are verified by default.', async () => {
        const res = await request(t, 'POST', '/api/collections/_superusers/request-verification', { body: { email: 'admin@example.com' } });
        assert.equal(res.status, 400);
        assert.equal(res.json.message, 'All superusers are verified by default.');
      });
    });

    describe('password reset (spec §6.10)', () => {
      it('no enumeration: known and unknown addresses get byte-identical 204s, and a broken SMTP server does not change that', async () => {
        await newUser('known@example.com');
        const known = await request(t, 'POST', '/api/collections/users/request-password-reset', { body: { email: 'known@example.com' } });
        const unknown = await request(t, 'POST', '/api/collections/users/request-password-reset', { body: { email: 'unknown@example.com' } });
        for (const r of [known, unknown]) {
          assert.equal(r.status, 204);
          assert.equal(r.text, '');
        }
        assert.deepEqual([...known.headers.keys()].sort(), [...unknown.headers.keys()].sort());
        await inbox.waitFor('known@example.com');
        await t.app.idle();
        assert.equal(inbox.to('unknown@example.com').length, 0);
        // The account-dependent work (lookup, token, SMTP) runs after the response: with the
        // server unreachable, a known address still answers exactly like an unknown one.
        await useSmtp(true, 1);
        await newUser('known2@example.com');
        const down = await request(t, 'POST', '/api/collections/users/request-password-reset', { body: { email: 'known2@example.com' } });
        assert.equal(down.status, 204);
        await t.app.idle();
        await useSmtp();
      });

      it('request → mail → confirm sets the new password, verifies, ends old sessions; the token is single-use', async () => {
        const u = await newUser('reset@example.com');
        const session = t.client();
        await session.collection('users').authWithPassword('reset@example.com', PASSWORD);
        await t.client().collection('users').requestPasswordReset('reset@example.com');
        const token = tokenFromLink((await inbox.waitFor('reset@example.com')).html, 'confirm-password-reset');
        const mismatch = await sdkError(t.client().collection('users').confirmPasswordReset(token, 'newpass123', 'other1234'));
        assert.equal(mismatch.data.passwordConfirm.code, 'validation_values_mismatch');
        await t.client().collection('users').confirmPasswordReset(token, 'newpass123', 'newpass123');
        await t.client().collection('users').authWithPassword('reset@example.com', 'newpass123');
        assert.equal((await sdkError(t.client().collection('users').authWithPassword('reset@example.com', PASSWORD))).status, 400);
        assert.equal((await t.admin.collection('users').getOne(u.id)).verified, true);
        assert.equal((await request(t, 'POST', '/api/collections/users/auth-refresh', { token: session.authStore.token })).status, 401);
        const again = await sdkError(t.client().collection('users').confirmPasswordReset(token, 'another123', 'another123'));
        assert.equal(again.status, 400);
        assert.equal(again.data.token.code, 'validation_invalid_token');
      });

      it('an expired reset token is refused', async () => {
        const u = await newUser('expired@example.com');
        const { newRecordToken } = await import('../../src/core/operations/record-auth.ts');
        const c = t.app.collections.find('users') as any;
        const record = await t.app.db.get<any>(`SELECT * FROM ${t.app.db.dialect.quote('users')} WHERE ${t.app.db.dialect.quote('id')} = ?`, [u.id]);
        const expired = await newRecordToken({ ...t.app, now: () => new Date(Date.now() - 3600_000) } as any, c, record, 'passwordReset', { email: record.email });
        const res = await sdkError(t.client().collection('users').confirmPasswordReset(expired, 'newpass123', 'newpass123'));
        assert.equal(res.data.token.code, 'validation_invalid_token');
      });

      it('an invalid body gets field errors; disabled password auth 400', async () => {
        const res = await request(t, 'POST', '/api/collections/users/request-password-reset', { body: { email: 'not-an-email' } });
        assert.equal(res.status, 400);
        assert.equal(res.json.data.email.code, 'validation_is_email');
      });
    });

    describe('e-mail change (spec §6.11)', () => {
      it('request needs a token of this collection; confirm needs the password; the change ends old sessions and is single-use', async () => {
        await newUser('old@example.com');
        assert.equal((await sdkError(t.client().collection('users').requestEmailChange('new@example.com'))).status, 401);
        const pb = t.client();
        await pb.collection('users').authWithPassword('old@example.com', PASSWORD);
        const taken = await sdkError(pb.collection('users').requestEmailChange('known@example.com'));
        assert.equal(taken.data.newEmail.code, 'validation_invalid_new_email');
        const same = await sdkError(pb.collection('users').requestEmailChange('old@example.com'));
        assert.equal(same.data.newEmail.code, 'validation_not_in_invalid');
        const oldToken = pb.authStore.token;
        await pb.collection('users').requestEmailChange('new@example.com');
        const token = tokenFromLink((await inbox.waitFor('new@example.com')).html, 'confirm-email-change');
        assert.equal(inbox.to('old@example.com').length, 0);
        const wrong = await sdkError(t.client().collection('users').confirmEmailChange(token, 'wrong-password'));
        assert.equal(wrong.data.password.code, 'validation_invalid_password');
        await t.client().collection('users').confirmEmailChange(token, PASSWORD);
        const fresh = await t.client().collection('users').authWithPassword('new@example.com', PASSWORD);
        assert.equal(fresh.record.verified, true);
        assert.equal((await request(t, 'POST', '/api/collections/users/auth-refresh', { token: oldToken })).status, 401);
        const again = await sdkError(t.client().collection('users').confirmEmailChange(token, PASSWORD));
        assert.equal(again.status, 400);
      });
    });
  }),
);
