/**
 * Authentication (spec §3.5.5, §6.1–§6.4, §11): sign-up, password sign-in, refresh, password
 * change, tokens (tampered, expired, alg none, wrong collection) and bcrypt hashes from PocketBase.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { SignJWT } from 'jose';
import { request } from '../helpers/scenario.ts';
import { SUPERUSER_EMAIL, SUPERUSER_PASSWORD, sdkError, startTestServer, type TestServer, forEachDialect } from '../helpers/test-server.ts';

const PASSWORD = 'password123';
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

forEachDialect((dialect) =>
describe('authentication', () => {
  let t: TestServer;

  /** Signing key of an auth token: record tokenKey + collection auth secret (spec §11.2). */
  async function signingKey(collection: string, id: string): Promise<string> {
    const c = t.app.collections.find(collection) as any;
    const q = t.app.db.dialect.quote.bind(t.app.db.dialect);
    const row = await t.app.db.get<{ tokenKey: string }>(`SELECT ${q('tokenKey')} AS ${q('tokenKey')} FROM ${q(c.name)} WHERE ${q('id')} = ?`, [id]);
    return String(row?.tokenKey) + c.authToken.secret;
  }

  async function forge(claims: Record<string, unknown>, key: string, exp: number): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setExpirationTime(exp).sign(new TextEncoder().encode(key));
  }

  /** What the server thinks of `token`: superuser, a user id, or guest. */
  async function whoAmI(token: string): Promise<'superuser' | 'guest' | string> {
    const su = await request(t, 'GET', '/api/collections', { token });
    if (su.status === 200) return 'superuser';
    const me = await request(t, 'GET', '/api/collections/users/records', { token });
    assert.equal(me.status, 200);
    return me.json.items.length === 1 ? me.json.items[0].id : me.json.items.length === 0 ? 'guest' : `many:${me.json.items.length}`;
  }

  before(async () => {
    t = await startTestServer({ dialect });
    await t.admin.collections.create({ name: 'members', type: 'auth', listRule: '', viewRule: '', createRule: '' } as any);
  });
  after(() => t.close());

  describe('sign-up and sign-in', () => {
    let userId = '';

    it('a guest signs up; the response has no password, tokenKey or passwordConfirm', async () => {
      const r = await t.client().collection('users').create({ email: 'ann@example.com', password: PASSWORD, passwordConfirm: PASSWORD, name: 'Ann' });
      userId = r.id;
      assert.equal(r.collectionId, '_pb_users_auth_');
      assert.equal(r.collectionName, 'users');
      assert.equal(r.verified, false);
      assert.equal(r.emailVisibility, false);
      assert.equal(r.name, 'Ann');
      for (const k of ['password', 'tokenKey', 'passwordConfirm']) assert.ok(!(k in r), k);
    });

    it('the stored password is a hash, not the plain text', async () => {
      const q = t.app.db.dialect.quote.bind(t.app.db.dialect);
      const row = await t.app.db.get<{ password: string }>(`SELECT ${q('password')} AS password FROM ${q('users')} WHERE ${q('id')} = ?`, [userId]);
      assert.notEqual(row?.password, PASSWORD);
      assert.match(String(row?.password), /^\$/);
    });

    it('authWithPassword returns a token and the record with its email; no secrets', async () => {
      const pb = t.client();
      const auth = await pb.collection('users').authWithPassword('ann@example.com', PASSWORD);
      assert.match(auth.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.equal(auth.record.id, userId);
      assert.equal(auth.record.email, 'ann@example.com');
      assert.ok(!('password' in auth.record));
      assert.ok(!('tokenKey' in auth.record));
      assert.ok(!('meta' in auth), 'meta only when non-empty');
      const claims = JSON.parse(Buffer.from(auth.token.split('.')[1], 'base64url').toString());
      assert.equal(claims.id, userId);
      assert.equal(claims.type, 'auth');
      assert.equal(claims.collectionId, '_pb_users_auth_');
      assert.equal(claims.refreshable, true);
      assert.ok(claims.exp > Date.now() / 1000 + 400000, 'users tokens last 5 days by default');
      assert.equal(pb.authStore.isValid, true);
      assert.equal(pb.authStore.isSuperuser, false);
    });

    it('the token works: the owner views their own record', async () => {
      const pb = t.client();
      await pb.collection('users').authWithPassword('ann@example.com', PASSWORD);
      const me = await pb.collection('users').getOne(userId);
      assert.equal(me.email, 'ann@example.com');
      assert.ok(!('password' in me) && !('tokenKey' in me));
      const list = await pb.collection('users').getFullList();
      assert.deepEqual(list.map((r) => r.id), [userId]);
    });

    it('a wrong password and an unknown identity get the same 400 Failed to authenticate.', async () => {
      const wrong = await sdkError(t.client().collection('users').authWithPassword('ann@example.com', 'not-the-password'));
      const unknown = await sdkError(t.client().collection('users').authWithPassword('nobody@example.com', PASSWORD));
      const notEmail = await sdkError(t.client().collection('users').authWithPassword('just-a-name', PASSWORD));
      for (const e of [wrong, unknown, notEmail]) {
        assert.equal(e.status, 400);
        assert.equal(e.message, 'Failed to authenticate.');
        assert.deepEqual(e.data, {});
      }
    });

    it('missing identity or password gives field errors', async () => {
      const res = await request(t, 'POST', '/api/collections/users/auth-with-password', { body: {} });
      assert.equal(res.status, 400);
      assert.equal(res.json.data.identity?.code, 'validation_required');
      assert.equal(res.json.data.password?.code, 'validation_required');
    });

    it('identityField must be one of the configured identity fields', async () => {
      const res = await request(t, 'POST', '/api/collections/users/auth-with-password', { body: { identity: 'ann@example.com', password: PASSWORD, identityField: 'name' } });
      assert.equal(res.status, 400);
      assert.ok(res.json.data.identityField?.code);
      const ok = await request(t, 'POST', '/api/collections/users/auth-with-password', { body: { identity: 'ann@example.com', password: PASSWORD, identityField: 'email' } });
      assert.equal(ok.status, 200);
    });

    it('a duplicate email is refused with validation_not_unique', async () => {
      const e = await sdkError(t.client().collection('users').create({ email: 'ann@example.com', password: PASSWORD, passwordConfirm: PASSWORD }));
      assert.equal(e.status, 400);
      assert.equal(e.data.email?.code, 'validation_not_unique');
    });

    it('passwordConfirm must match on sign-up', async () => {
      const e = await sdkError(t.client().collection('users').create({ email: 'x1@example.com', password: PASSWORD, passwordConfirm: 'different1' }));
      assert.equal(e.status, 400);
      assert.equal(e.data.passwordConfirm?.code, 'validation_values_mismatch');
      const missing = await sdkError(t.client().collection('users').create({ email: 'x1@example.com', password: PASSWORD }));
      assert.equal(missing.data.passwordConfirm?.code, 'validation_required');
      assert.equal((await t.admin.collection('users').getFullList({ filter: "email = 'x1@example.com'" })).length, 0);
    });

    it('a password shorter than 8 characters is refused', async () => {
      const e = await sdkError(t.client().collection('users').create({ email: 'x2@example.com', password: 'short', passwordConfirm: 'short' }));
      assert.equal(e.status, 400);
      assert.ok(e.data.password?.code);
    });

    it('a guest signing up with verified: true gets 400 on verified (A13); the superuser may', async () => {
      const e = await sdkError(t.client().collection('users').create({ email: 'v@example.com', password: PASSWORD, passwordConfirm: PASSWORD, verified: true }));
      assert.equal(e.status, 400);
      assert.ok(e.data.verified?.code);
      assert.equal((await t.admin.collection('users').getFullList({ filter: "email = 'v@example.com'" })).length, 0);
      const ok = await t.admin.collection('users').create({ email: 'v@example.com', password: PASSWORD, passwordConfirm: PASSWORD, verified: true });
      assert.equal(ok.verified, true);
    });

    it('a guest cannot set tokenKey, and the record still signs in normally', async () => {
      const r = await t.client().collection('members').create({ email: 'tk@example.com', password: PASSWORD, passwordConfirm: PASSWORD, tokenKey: 'attacker-chosen-token-key-000000000000' });
      const key = await signingKey('members', r.id);
      assert.ok(!key.startsWith('attacker-chosen'));
    });

    it('auth-methods lists password with the email identity field', async () => {
      const m = await t.client().collection('users').listAuthMethods();
      assert.equal(m.password.enabled, true);
      assert.deepEqual(m.password.identityFields, ['email']);
      assert.equal(m.oauth2.enabled, false);
    });
  });

  describe('auth-refresh (spec §6.4)', () => {
    let pb: ReturnType<TestServer['client']>;
    before(async () => {
      await t.client().collection('users').create({ email: 'ref@example.com', password: PASSWORD, passwordConfirm: PASSWORD, name: 'Before' });
      pb = t.client();
      await pb.collection('users').authWithPassword('ref@example.com', PASSWORD);
    });

    it('without a token: 401', async () => {
      const e = await sdkError(t.client().collection('users').authRefresh());
      assert.equal(e.status, 401);
      assert.equal(e.message, 'The request requires valid record authorization token.');
    });

    it("with another collection's token: 403 naming the collection", async () => {
      await t.client().collection('members').create({ email: 'm1@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
      const m = t.client();
      await m.collection('members').authWithPassword('m1@example.com', PASSWORD);
      const e = await sdkError(m.collection('users').authRefresh());
      assert.equal(e.status, 403);
      assert.equal(e.message, 'The request requires auth record from users collection.');
      const su = await sdkError(t.admin.collection('users').authRefresh());
      assert.equal(su.status, 403);
      const other = await sdkError(pb.collection('_superusers').authRefresh());
      assert.equal(other.status, 403);
      assert.equal(other.message, 'The request requires auth record from _superusers collection.');
    });

    it('with its own token: 200, a valid token and the current state of the record', async () => {
      const id = pb.authStore.record!.id;
      await t.admin.collection('users').update(id, { name: 'After' });
      const refreshed = await pb.collection('users').authRefresh();
      assert.equal(refreshed.record.name, 'After');
      assert.equal(refreshed.record.email, 'ref@example.com');
      assert.ok(!('tokenKey' in refreshed.record));
      assert.equal(await whoAmI(refreshed.token), id);
    });

    it('the superuser refreshes on _superusers', async () => {
      const pbs = t.client();
      await pbs.collection('_superusers').authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
      const r = await pbs.collection('_superusers').authRefresh();
      assert.equal(r.record.email, SUPERUSER_EMAIL);
      assert.equal(await whoAmI(r.token), 'superuser');
      assert.equal(pbs.authStore.isSuperuser, true);
    });
  });

  describe('password change (spec §3.5.5)', () => {
    let pb: ReturnType<TestServer['client']>;
    let id = '';
    before(async () => {
      id = (await t.client().collection('users').create({ email: 'pw@example.com', password: PASSWORD, passwordConfirm: PASSWORD })).id;
      pb = t.client();
      await pb.collection('users').authWithPassword('pw@example.com', PASSWORD);
    });

    it('without oldPassword: 400 on oldPassword, and the password is unchanged (A14)', async () => {
      const e = await sdkError(pb.collection('users').update(id, { password: 'newpassword1', passwordConfirm: 'newpassword1' }));
      assert.equal(e.status, 400);
      assert.equal(e.data.oldPassword?.code, 'validation_invalid_old_password');
      await t.client().collection('users').authWithPassword('pw@example.com', PASSWORD);
    });

    it('with a wrong oldPassword: 400 on oldPassword', async () => {
      const e = await sdkError(pb.collection('users').update(id, { oldPassword: 'wrong-old-one', password: 'newpassword1', passwordConfirm: 'newpassword1' }));
      assert.equal(e.data.oldPassword?.code, 'validation_invalid_old_password');
    });

    it('with a passwordConfirm mismatch: 400 on passwordConfirm', async () => {
      const e = await sdkError(pb.collection('users').update(id, { oldPassword: PASSWORD, password: 'newpassword1', passwordConfirm: 'newpassword2' }));
      assert.equal(e.status, 400);
      assert.equal(e.data.passwordConfirm?.code, 'validation_values_mismatch');
      await t.client().collection('users').authWithPassword('pw@example.com', PASSWORD);
    });

    it('the owner cannot change their own email or verified flag', async () => {
      const e = await sdkError(pb.collection('users').update(id, { email: 'other@example.com' }));
      assert.equal(e.status, 400);
      assert.equal(e.data.email?.code, 'validation_values_mismatch');
      const v = await sdkError(pb.collection('users').update(id, { verified: true }));
      assert.equal(v.data.verified?.code, 'validation_values_mismatch');
      const me = await pb.collection('users').getOne(id);
      assert.equal(me.email, 'pw@example.com');
      assert.equal(me.verified, false);
    });

    it('emailVisibility is freely editable by the owner', async () => {
      const r = await pb.collection('users').update(id, { emailVisibility: true });
      assert.equal(r.emailVisibility, true);
    });

    it('with the right oldPassword: 200; the old token stops working, the new password signs in, the old one not', async () => {
      const oldToken = pb.authStore.token;
      assert.equal(await whoAmI(oldToken), id);
      const r = await pb.collection('users').update(id, { oldPassword: PASSWORD, password: 'newpassword1', passwordConfirm: 'newpassword1' });
      assert.ok(!('password' in r) && !('oldPassword' in r));
      assert.equal(await whoAmI(oldToken), 'guest');
      const refresh = await request(t, 'POST', '/api/collections/users/auth-refresh', { token: oldToken });
      assert.equal(refresh.status, 401);
      assert.equal((await sdkError(t.client().collection('users').authWithPassword('pw@example.com', PASSWORD))).status, 400);
      const fresh = await t.client().collection('users').authWithPassword('pw@example.com', 'newpassword1');
      assert.equal(await whoAmI(fresh.token), id);
    });

    it('the superuser changes a password without oldPassword, which also invalidates the user tokens', async () => {
      const pb2 = t.client();
      await pb2.collection('users').authWithPassword('pw@example.com', 'newpassword1');
      await t.admin.collection('users').update(id, { password: 'adminset123', passwordConfirm: 'adminset123' });
      assert.equal(await whoAmI(pb2.authStore.token), 'guest');
      await t.client().collection('users').authWithPassword('pw@example.com', 'adminset123');
    });

    it('the superuser may change email and verified of any user', async () => {
      const r = await t.admin.collection('users').update(id, { email: 'pw2@example.com', verified: true });
      assert.equal(r.email, 'pw2@example.com');
      assert.equal(r.verified, true);
      await t.client().collection('users').authWithPassword('pw2@example.com', 'adminset123');
    });
  });

  describe('superuser token', () => {
    it('is accepted on every kind of endpoint and bypasses the owner rules', async () => {
      const a = await t.client().collection('users').create({ email: 'su1@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
      const list = await t.admin.collection('users').getFullList();
      assert.ok(list.length >= 2);
      assert.ok(list.every((r) => typeof r.email === 'string'), 'superusers see every email');
      assert.equal((await t.admin.collection('users').getOne(a.id)).email, 'su1@example.com');
      assert.equal((await t.admin.collection('users').update(a.id, { name: 'by admin' })).name, 'by admin');
      await t.admin.collections.getList(1, 1);
      await t.admin.settings.getAll();
      await t.admin.collection('users').delete(a.id);
      assert.equal((await sdkError(t.admin.collection('users').getOne(a.id))).status, 404);
    });

    it('the SDK sees it as a superuser token', () => {
      assert.equal(t.admin.authStore.isSuperuser, true);
      assert.equal(t.admin.authStore.record?.collectionId, 'pbc_3142635823');
    });

    it('a "Bearer " prefix is accepted', async () => {
      const res = await request(t, 'GET', '/api/collections', { token: `Bearer ${t.admin.authStore.token}` });
      assert.equal(res.status, 200);
    });

    it('superusers cannot be created by a guest', async () => {
      const e = await sdkError(t.client().collection('_superusers').create({ email: 'evil@example.com', password: PASSWORD, passwordConfirm: PASSWORD }));
      assert.equal(e.status, 403);
    });
  });

  describe('bad tokens are treated as a guest (spec §11.1)', () => {
    let userId = '';
    let token = '';
    before(async () => {
      userId = (await t.client().collection('users').create({ email: 'tok@example.com', password: PASSWORD, passwordConfirm: PASSWORD })).id;
      token = (await t.client().collection('users').authWithPassword('tok@example.com', PASSWORD)).token;
    });

    it('the genuine token identifies the user', async () => {
      assert.equal(await whoAmI(token), userId);
    });

    it('an altered signature', async () => {
      const [h, p, s] = token.split('.');
      const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
      assert.equal(await whoAmI(`${h}.${p}.${flipped}`), 'guest');
    });

    it('an altered payload with the original signature', async () => {
      const [h, p, s] = token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      assert.equal(await whoAmI(`${h}.${b64url({ ...claims, exp: claims.exp + 1000 })}.${s}`), 'guest');
    });

    it('alg none', async () => {
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      assert.equal(await whoAmI(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`), 'guest');
    });

    it('expired, even though correctly signed', async () => {
      const key = await signingKey('users', userId);
      const claims = { id: userId, type: 'auth', collectionId: '_pb_users_auth_', refreshable: true };
      const fresh = await forge(claims, key, Math.floor(Date.now() / 1000) + 600);
      assert.equal(await whoAmI(fresh), userId, 'the forging recipe itself produces a valid token');
      const expired = await forge(claims, key, Math.floor(Date.now() / 1000) - 10);
      assert.equal(await whoAmI(expired), 'guest');
      const refresh = await request(t, 'POST', '/api/collections/users/auth-refresh', { token: expired });
      assert.equal(refresh.status, 401);
    });

    it('a token of a type other than auth', async () => {
      const key = await signingKey('users', userId);
      const fileToken = await forge({ id: userId, type: 'file', collectionId: '_pb_users_auth_' }, key, Math.floor(Date.now() / 1000) + 600);
      assert.equal(await whoAmI(fileToken), 'guest');
    });

    it('garbage and empty headers', async () => {
      for (const bad of ['garbage', 'a.b.c', 'Bearer ', `${token}x`]) assert.equal(await whoAmI(bad), 'guest', bad);
    });

    it('a _superusers-shaped token carrying a users id is not a superuser token', async () => {
      const exp = Math.floor(Date.now() / 1000) + 600;
      const claims = { id: userId, type: 'auth', collectionId: 'pbc_3142635823', refreshable: true };
      const withUserKey = await forge(claims, await signingKey('users', userId), exp);
      const suSecret = (t.app.collections.find('_superusers') as any).authToken.secret;
      const q = t.app.db.dialect.quote.bind(t.app.db.dialect);
      const row = await t.app.db.get<{ tokenKey: string }>(`SELECT ${q('tokenKey')} AS ${q('tokenKey')} FROM ${q('users')} WHERE ${q('id')} = ?`, [userId]);
      const withSuSecret = await forge(claims, String(row?.tokenKey) + suSecret, exp);
      for (const forged of [withUserKey, withSuSecret]) {
        assert.equal(await whoAmI(forged), 'guest');
        assert.equal((await request(t, 'GET', '/api/settings', { token: forged })).status, 401);
      }
    });

    it('a users token with collectionName swapped to members is not accepted for members', async () => {
      const members = t.app.collections.find('members') as any;
      const exp = Math.floor(Date.now() / 1000) + 600;
      const forged = await forge({ id: userId, type: 'auth', collectionId: members.id, refreshable: true }, await signingKey('users', userId), exp);
      const res = await request(t, 'POST', '/api/collections/members/auth-refresh', { token: forged });
      assert.equal(res.status, 401);
    });

    it('a token of a deleted user', async () => {
      const id = (await t.client().collection('users').create({ email: 'gone@example.com', password: PASSWORD, passwordConfirm: PASSWORD })).id;
      const tk = (await t.client().collection('users').authWithPassword('gone@example.com', PASSWORD)).token;
      assert.equal(await whoAmI(tk), id);
      await t.admin.collection('users').delete(id);
      assert.equal(await whoAmI(tk), 'guest');
    });
  });

  describe('bcrypt hashes (imported from PocketBase)', () => {
    it('a record inserted with a $2a$10$ bcrypt hash signs in with its password and not with another', async () => {
      const hash = bcrypt.hashSync('pocketbase-pass', bcrypt.genSaltSync(10)).replace(/^\$2b\$/, '$2a$');
      assert.match(hash, /^\$2a\$10\$/);
      const q = t.app.db.dialect.quote.bind(t.app.db.dialect);
      const now = '2024-01-01 00:00:00.000Z';
      await t.app.db.run(
        `INSERT INTO ${q('users')} (${q('id')}, ${q('email')}, ${q('password')}, ${q('tokenKey')}, ${q('verified')}, ${q('created')}, ${q('updated')}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ['bcryptuser00001', 'legacy@example.com', hash, 'legacytokenkey0000000000000000000000000000000000000', 1, now, now],
      );
      const pb = t.client();
      const auth = await pb.collection('users').authWithPassword('legacy@example.com', 'pocketbase-pass');
      assert.equal(auth.record.id, 'bcryptuser00001');
      assert.equal(auth.record.verified, true);
      assert.equal(await whoAmI(auth.token), 'bcryptuser00001');
      const e = await sdkError(t.client().collection('users').authWithPassword('legacy@example.com', 'pocketbase-pasS'));
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Failed to authenticate.');
    });

    it('the owner of a bcrypt record can change the password using the bcrypt-checked oldPassword', async () => {
      const pb = t.client();
      await pb.collection('users').authWithPassword('legacy@example.com', 'pocketbase-pass');
      await pb.collection('users').update('bcryptuser00001', { oldPassword: 'pocketbase-pass', password: 'brandnew-pass', passwordConfirm: 'brandnew-pass' });
      await t.client().collection('users').authWithPassword('legacy@example.com', 'brandnew-pass');
    });
  });

  describe('authRule and disabled password auth', () => {
    before(async () => {
      await t.admin.collections.create({ name: 'verified_only', type: 'auth', createRule: '', authRule: 'verified = true' } as any);
      await t.client().collection('verified_only').create({ email: 'u@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
      await t.admin.collection('verified_only').create({ email: 'ok@example.com', password: PASSWORD, passwordConfirm: PASSWORD, verified: true });
    });

    it('an unverified record is refused with 403 by authRule; a verified one signs in', async () => {
      const e = await sdkError(t.client().collection('verified_only').authWithPassword('u@example.com', PASSWORD));
      assert.equal(e.status, 403);
      assert.equal(e.message, "The request doesn't satisfy the collection requirements to authenticate.");
      await t.client().collection('verified_only').authWithPassword('ok@example.com', PASSWORD);
    });

    it('a null authRule blocks every sign-in', async () => {
      await t.admin.collections.update('verified_only', { authRule: null });
      const e = await sdkError(t.client().collection('verified_only').authWithPassword('ok@example.com', PASSWORD));
      assert.equal(e.status, 403);
    });

    it('disabling password auth answers 403 on auth-with-password and empties identityFields in auth-methods', async () => {
      await t.admin.collections.update('members', { passwordAuth: { enabled: false, identityFields: ['email'] } });
      const e = await sdkError(t.client().collection('members').authWithPassword('m1@example.com', PASSWORD));
      assert.equal(e.status, 403);
      assert.equal(e.message, 'The collection is not configured to allow password authentication.');
      const m = await t.client().collection('members').listAuthMethods();
      assert.deepEqual(m.password, { enabled: false, identityFields: [] });
    });

    it('auth routes on a base collection answer 404', async () => {
      await t.admin.collections.create({ name: 'plain', fields: [{ name: 'x', type: 'text' }] });
      for (const path of ['auth-with-password', 'auth-refresh']) {
        const res = await request(t, 'POST', `/api/collections/plain/${path}`, { body: { identity: 'a@b.c', password: 'x' } });
        assert.equal(res.status, 404);
        assert.equal(res.json.message, 'Missing or invalid auth collection context.');
      }
    });
  });
}),
);
