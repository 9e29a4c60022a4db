/**
 * Sign-in factors and sessions: OTP (spec §6.5, A27, A28), MFA (§6.6, A24), TOTP authenticator
 * apps with recovery codes (Basalt's own), impersonation (§6.8, A26, A30), rate limits (§10.6,
 * A44) and cookie sessions with CSRF protection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as OTPAuth from 'otpauth';
import { request } from '../helpers/scenario.ts';
import { startSmtpInbox, type SmtpInbox } from '../helpers/smtp-inbox.ts';
import { forEachDialect, sdkError, startTestServer, type TestServer } from '../helpers/test-server.ts';

const PASSWORD = 'password123';
const otpOf = (text: string) => /\b(\d{8})\b/.exec(text)?.[1] ?? assert.fail(`no code in ${text}`);

forEachDialect((dialect) =>
  describe('sign-in factors and sessions', () => {
    let t: TestServer;
    let inbox: SmtpInbox;

    before(async () => {
      inbox = await startSmtpInbox();
      t = await startTestServer({ dialect });
      await t.admin.settings.update({ smtp: { enabled: true, host: '127.0.0.1', port: inbox.port, tls: false } });
      await t.admin.collections.update('users', { otp: { enabled: true, duration: 180, length: 8 } });
    });
    after(async () => {
      await t.close();
      await inbox.close();
    });

    async function newUser(email: string) {
      return t.admin.collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
    }
    async function requestOtp(email: string) {
      const { otpId } = await t.client().collection('users').requestOTP(email);
      const mail = await inbox.waitFor(email, (m) => m.text.includes(otpId) || true);
      return { otpId, code: otpOf(mail.text) };
    }

    describe('OTP (spec §6.5)', () => {
      it('unknown e-mails get the same 200 {otpId} shape and no mail (A27)', async () => {
        await newUser('otp-known@example.com');
        const a = await request(t, 'POST', '/api/collections/users/request-otp', { body: { email: 'otp-known@example.com' } });
        const b = await request(t, 'POST', '/api/collections/users/request-otp', { body: { email: 'otp-nobody@example.com' } });
        assert.equal(a.status, 200);
        assert.equal(b.status, 200);
        assert.deepEqual(Object.keys(a.json), ['otpId']);
        assert.deepEqual(Object.keys(b.json), ['otpId']);
        assert.match(b.json.otpId, /^[a-z0-9]{15}$/);
        await inbox.waitFor('otp-known@example.com');
        await t.app.idle();
        assert.equal(inbox.to('otp-nobody@example.com').length, 0);
        const bogus = await request(t, 'POST', '/api/collections/users/auth-with-otp', { body: { otpId: b.json.otpId, password: '12345678' } });
        assert.equal(bogus.status, 400);
        assert.equal(bogus.json.message, 'Invalid or expired OTP.');
      });

      it('the code signs in once; it is stored hashed; a second use fails', async () => {
        await newUser('otp-once@example.com');
        const { otpId, code } = await requestOtp('otp-once@example.com');
        const q = t.app.db.dialect.quote.bind(t.app.db.dialect);
        const row = await t.app.db.get<{ password: string }>(`SELECT ${q('password')} AS password FROM ${q('_otps')} WHERE ${q('id')} = ?`, [otpId]);
        assert.ok(row && row.password !== code && row.password.startsWith('$'));
        const auth = await t.client().collection('users').authWithOTP(otpId, code);
        assert.equal(auth.record.email, 'otp-once@example.com');
        assert.equal(auth.record.verified, true, 'the code proved the mailbox');
        const again = await sdkError(t.client().collection('users').authWithOTP(otpId, code));
        assert.equal(again.status, 400);
      });

      it('wrong codes: 400 ×5 then 429 (A28); the OTP is then dead even with the right code', async () => {
        await newUser('otp-guess@example.com');
        const { otpId, code } = await requestOtp('otp-guess@example.com');
        for (let i = 0; i < 5; i++) assert.equal((await request(t, 'POST', '/api/collections/users/auth-with-otp', { body: { otpId, password: '00000000' } })).status, 400);
        const sixth = await request(t, 'POST', '/api/collections/users/auth-with-otp', { body: { otpId, password: code } });
        assert.equal(sixth.status, 429);
        assert.equal(sixth.json.message, 'Too many attempts, please try again later with a new OTP.');
        await t.app.idle();
        const q = t.app.db.dialect.quote.bind(t.app.db.dialect);
        assert.equal(await t.app.db.get(`SELECT 1 AS x FROM ${q('_otps')} WHERE ${q('id')} = ?`, [otpId]), undefined);
      });

      it('an expired OTP is refused', async () => {
        await newUser('otp-old@example.com');
        const { otpId, code } = await requestOtp('otp-old@example.com');
        const q = t.app.db.dialect.quote.bind(t.app.db.dialect);
        await t.app.db.run(`UPDATE ${q('_otps')} SET ${q('created')} = ? WHERE ${q('id')} = ?`, ['2020-01-01 00:00:00.000Z', otpId]);
        assert.equal((await sdkError(t.client().collection('users').authWithOTP(otpId, code))).status, 400);
      });

      it('OTP disabled: 403', async () => {
        const res = await request(t, 'POST', '/api/collections/_superusers/request-otp', { body: { email: 'a@b.co' } });
        assert.equal(res.status, 403);
      });
    });

    describe('MFA (spec §6.6, A24)', () => {
      before(async () => {
        await t.admin.collections.create({ name: 'mfa_users', type: 'auth', createRule: '', mfa: { enabled: true, duration: 600, rule: '' }, otp: { enabled: true, duration: 180, length: 8 } } as any);
        await t.admin.collection('mfa_users').create({ email: 'mfa@example.com', password: PASSWORD, passwordConfirm: PASSWORD, verified: true });
      });

      it('password first → 401 {mfaId}; password again → 400; OTP with the mfaId → 200; the mfaId is then spent', async () => {
        const first = await request(t, 'POST', '/api/collections/mfa_users/auth-with-password', { body: { identity: 'mfa@example.com', password: PASSWORD } });
        assert.equal(first.status, 401);
        assert.deepEqual(Object.keys(first.json), ['mfaId']);
        const mfaId = first.json.mfaId;
        const same = await request(t, 'POST', `/api/collections/mfa_users/auth-with-password?mfaId=${mfaId}`, { body: { identity: 'mfa@example.com', password: PASSWORD } });
        assert.equal(same.status, 400);
        assert.equal(same.json.message, 'A different authentication method is required.');
        const { otpId } = await t.client().collection('mfa_users').requestOTP('mfa@example.com');
        const code = otpOf((await inbox.waitFor('mfa@example.com')).text);
        const done = await t.client().collection('mfa_users').authWithOTP(otpId, code, { mfaId });
        assert.ok(done.token);
        const reuse = await request(t, 'POST', `/api/collections/mfa_users/auth-with-password?mfaId=${mfaId}`, { body: { identity: 'mfa@example.com', password: PASSWORD } });
        assert.equal(reuse.status, 400);
        assert.equal(reuse.json.message, 'Invalid or expired MFA session.');
      });

      it('the SDK surfaces the mfaId of the first factor', async () => {
        const err = await t.client().collection('mfa_users').authWithPassword('mfa@example.com', PASSWORD).then(
          () => assert.fail('expected 401'),
          (e: any) => e,
        );
        assert.equal(err.status, 401);
        assert.match(err.response.mfaId, /^[a-z0-9]{15}$/);
      });
    });

    describe('TOTP authenticator apps (Basalt)', () => {
      let pb: ReturnType<TestServer['client']>;
      let totp: OTPAuth.TOTP;
      let recovery: string[] = [];
      const email = 'totp@example.com';

      before(async () => {
        await newUser(email);
        pb = t.client();
        await pb.collection('users').authWithPassword(email, PASSWORD);
      });

      it('enrol: a secret and an otpauth URL; a wrong code does not confirm; the right one returns 10 recovery codes', async () => {
        assert.equal((await request(t, 'POST', '/api/collections/users/totp/enroll')).status, 401);
        const enrol = await request(t, 'POST', '/api/collections/users/totp/enroll', { token: pb.authStore.token });
        assert.equal(enrol.status, 200);
        assert.match(enrol.json.secret, /^[A-Z2-7]{32}$/);
        const parsed = OTPAuth.URI.parse(enrol.json.otpauthURL) as OTPAuth.TOTP;
        assert.equal(parsed.secret.base32, enrol.json.secret);
        assert.equal(parsed.issuer, 'Basalt');
        totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(enrol.json.secret), digits: 6, period: 30, algorithm: 'SHA1' });
        const wrong = await request(t, 'POST', '/api/collections/users/totp/confirm', { token: pb.authStore.token, body: { code: String((Number(totp.generate()) + 1) % 1e6).padStart(6, '0') } });
        assert.equal(wrong.status, 400);
        const ok = await request(t, 'POST', '/api/collections/users/totp/confirm', { token: pb.authStore.token, body: { code: totp.generate() } });
        assert.equal(ok.status, 200);
        recovery = ok.json.recoveryCodes;
        assert.equal(recovery.length, 10);
        const status = await request(t, 'GET', '/api/collections/users/totp', { token: pb.authStore.token });
        assert.deepEqual(status.json, { enabled: true, recoveryCodesLeft: 10 });
        const q = t.app.db.dialect.quote.bind(t.app.db.dialect);
        const stored = await t.app.db.get<{ recoveryCodes: string }>(`SELECT ${q('recoveryCodes')} AS ${q('recoveryCodes')} FROM ${q('_authTotps')}`);
        assert.ok(!recovery.some((c) => stored!.recoveryCodes.includes(c)), 'recovery codes are stored hashed');
      });

      it('password now answers 401 {mfaId}; OTP as second factor is not enough; the TOTP code completes; codes are not replayable', async () => {
        const first = await request(t, 'POST', '/api/collections/users/auth-with-password', { body: { identity: email, password: PASSWORD } });
        assert.equal(first.status, 401);
        const mfaId = first.json.mfaId;
        // The confirmation used the current step: the same code cannot be used again.
        const replay = await request(t, 'POST', '/api/collections/users/auth-with-totp', { body: { mfaId, code: totp.generate() } });
        assert.equal(replay.status, 400);
        const next = totp.generate({ timestamp: Date.now() + 30_000 });
        const ok = await request(t, 'POST', '/api/collections/users/auth-with-totp', { body: { mfaId, code: next } });
        assert.equal(ok.status, 200, ok.text);
        assert.ok(ok.json.token);
        const body = ok.text;
        assert.ok(!body.includes('secret') && !body.includes('recovery'));
      });

      it('a recovery code works once', async () => {
        const mfaId = (await request(t, 'POST', '/api/collections/users/auth-with-password', { body: { identity: email, password: PASSWORD } })).json.mfaId;
        const ok = await request(t, 'POST', '/api/collections/users/auth-with-totp', { body: { mfaId, recoveryCode: recovery[0].toUpperCase() } });
        assert.equal(ok.status, 200, ok.text);
        const mfaId2 = (await request(t, 'POST', '/api/collections/users/auth-with-password', { body: { identity: email, password: PASSWORD } })).json.mfaId;
        const again = await request(t, 'POST', '/api/collections/users/auth-with-totp', { body: { mfaId: mfaId2, recoveryCode: recovery[0] } });
        assert.equal(again.status, 400);
        assert.equal(again.json.data.recoveryCode.code, 'validation_invalid_code');
      });

      it('disable with a recovery code; password alone signs in again', async () => {
        const res = await request(t, 'POST', '/api/collections/users/totp/disable', { token: pb.authStore.token, body: { recoveryCode: recovery[1] } });
        assert.equal(res.status, 204);
        const auth = await request(t, 'POST', '/api/collections/users/auth-with-password', { body: { identity: email, password: PASSWORD } });
        assert.equal(auth.status, 200);
      });
    });

    describe('impersonation (spec §6.8)', () => {
      it('superuser only (A30); negative duration 400; a non-refreshable token that auth-refresh returns unchanged (A26)', async () => {
        const u = await newUser('imp@example.com');
        const pb = t.client();
        await pb.collection('users').authWithPassword('imp@example.com', PASSWORD);
        assert.equal((await request(t, 'POST', `/api/collections/users/impersonate/${u.id}`)).status, 401);
        assert.equal((await request(t, 'POST', `/api/collections/users/impersonate/${u.id}`, { token: pb.authStore.token })).status, 403);
        assert.equal((await request(t, 'POST', `/api/collections/users/impersonate/${u.id}`, { token: t.admin.authStore.token, body: { duration: -1 } })).status, 400);
        assert.equal((await request(t, 'POST', '/api/collections/users/impersonate/nope', { token: t.admin.authStore.token })).status, 404);
        const client = await t.admin.collection('users').impersonate(u.id, 100);
        const claims = JSON.parse(Buffer.from(client.authStore.token.split('.')[1], 'base64url').toString());
        assert.equal(claims.refreshable, false);
        assert.ok(claims.exp <= Date.now() / 1000 + 101);
        const refreshed = await request(t, 'POST', '/api/collections/users/auth-refresh', { token: client.authStore.token });
        assert.equal(refreshed.json.token, client.authStore.token);
      });
    });

    describe('cookie sessions', () => {
      it('?session=cookie sets an HttpOnly SameSite=Lax cookie, no token in the body; reads work; writes need the CSRF header', async () => {
        const u = await newUser('cookie@example.com');
        const res = await fetch(`${t.url}/api/collections/users/auth-with-password?session=cookie`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'cookie@example.com', password: PASSWORD }) });
        assert.equal(res.status, 200);
        const body = await res.json();
        assert.equal(body.token, '');
        const cookies = res.headers.getSetCookie();
        const session = cookies.find((c) => c.startsWith('basalt_auth='))!;
        assert.match(session, /HttpOnly/);
        assert.match(session, /SameSite=Lax/);
        assert.doesNotMatch(session, /Secure/, 'plain HTTP without a trusted proxy');
        const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
        const view = await fetch(`${t.url}/api/collections/users/records/${u.id}`, { headers: { cookie } });
        assert.equal(view.status, 200);
        const noCsrf = await fetch(`${t.url}/api/collections/users/records/${u.id}`, { method: 'PATCH', headers: { cookie, 'content-type': 'application/json' }, body: '{"name":"x"}' });
        assert.equal(noCsrf.status, 404, 'without the CSRF header the write runs as a guest');
        const badCsrf = await fetch(`${t.url}/api/collections/users/records/${u.id}`, { method: 'PATCH', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': 'forged' }, body: '{"name":"x"}' });
        assert.equal(badCsrf.status, 404);
        const ok = await fetch(`${t.url}/api/collections/users/records/${u.id}`, { method: 'PATCH', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': body.csrfToken }, body: '{"name":"with csrf"}' });
        assert.equal(ok.status, 200);
        const out = await fetch(`${t.url}/api/session/logout`, { method: 'POST', headers: { cookie } });
        assert.match(out.headers.getSetCookie()[0], /Max-Age=0/);
      });

      it('Secure is set when a configured trusted proxy says https', async () => {
        await newUser('secure@example.com');
        await t.admin.settings.update({ trustedProxy: { headers: ['X-Forwarded-For'], useLeftmostIP: false } });
        const res = await fetch(`${t.url}/api/collections/users/auth-with-password?session=cookie`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' }, body: JSON.stringify({ identity: 'secure@example.com', password: PASSWORD }) });
        assert.match(res.headers.getSetCookie()[0], /; Secure/);
        await t.admin.settings.update({ trustedProxy: { headers: [], useLeftmostIP: false } });
      });
    });

    describe('rate limits (spec §10.6, A44)', () => {
      after(async () => {
        await t.admin.settings.update({ rateLimits: { enabled: false, rules: [], excludedIPs: [] }, trustedProxy: { headers: [], useLeftmostIP: false } });
      });

      it('invalid rules are refused', async () => {
        const res = await request(t, 'PATCH', '/api/settings', { token: t.admin.authStore.token, body: { rateLimits: { enabled: true, rules: [{ label: 'bad label', audience: 'x', duration: 0, maxRequests: 0 }] } } });
        assert.equal(res.status, 400);
        assert.ok(res.json.data.rateLimits.rules['0'].label);
      });

      it('*:auth allows 2 sign-ins, the third is 429 Too Many Requests. with Retry-After; superusers are never limited', async () => {
        await newUser('rl@example.com');
        await t.admin.settings.update({ rateLimits: { enabled: true, excludedIPs: [], rules: [{ label: '*:auth', audience: '', duration: 60, maxRequests: 2 }] } });
        const attempt = () => request(t, 'POST', '/api/collections/users/auth-with-password', { body: { identity: 'rl@example.com', password: PASSWORD } });
        assert.equal((await attempt()).status, 200);
        assert.equal((await attempt()).status, 200);
        const third = await attempt();
        assert.equal(third.status, 429);
        assert.deepEqual(third.json, { status: 429, message: 'Too Many Requests.', data: {} });
        assert.ok(Number(third.headers.get('retry-after')) >= 1);
        const su = await request(t, 'POST', '/api/collections/users/auth-with-password', { token: t.admin.authStore.token, body: { identity: 'rl@example.com', password: PASSWORD } });
        assert.equal(su.status, 200);
        // Other tags are not counted by this rule.
        assert.equal((await request(t, 'GET', '/api/collections/users/auth-methods')).status, 200);
      });

      it('a path-prefix rule with @guest audience; proxy headers count only when trusted', async () => {
        await t.admin.settings.update({ rateLimits: { enabled: true, excludedIPs: [], rules: [{ label: '/api/health', audience: '@guest', duration: 60, maxRequests: 1 }] } });
        assert.equal((await request(t, 'GET', '/api/health', { headers: { 'x-forwarded-for': '10.0.0.1' } })).status, 200);
        // An untrusted X-Forwarded-For does not give a fresh window.
        assert.equal((await request(t, 'GET', '/api/health', { headers: { 'x-forwarded-for': '10.0.0.2' } })).status, 429);
        await t.admin.settings.update({ trustedProxy: { headers: ['X-Forwarded-For'], useLeftmostIP: false } });
        assert.equal((await request(t, 'GET', '/api/health', { headers: { 'x-forwarded-for': '10.0.0.3' } })).status, 200);
        assert.equal((await request(t, 'GET', '/api/health', { headers: { 'x-forwarded-for': '10.0.0.3' } })).status, 429);
        assert.equal((await request(t, 'GET', '/api/health', { headers: { 'x-forwarded-for': '10.0.0.4' } })).status, 200);
      });

      it('excludedIPs are never limited', async () => {
        await t.admin.settings.update({ trustedProxy: { headers: [], useLeftmostIP: false }, rateLimits: { enabled: true, excludedIPs: ['127.0.0.0/8', '::1'], rules: [{ label: '/api/', audience: '', duration: 60, maxRequests: 1 }] } });
        for (let i = 0; i < 3; i++) assert.equal((await request(t, 'GET', '/api/health')).status, 200);
      });
    });
  }),
);
