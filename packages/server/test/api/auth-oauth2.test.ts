/**
 * OAuth2 / OpenID Connect sign-in (spec §6.2, §6.7) end to end against a real OpenID provider
 * (`oidc-provider`, started here on a loopback port): auth-methods, the provider's own login
 * pages driven over HTTP, the code exchange with PKCE through the official SDK, account creation,
 * linking and the e-mail rules, the all-in-one realtime flow through /api/oauth2-redirect, and
 * the validation of provider settings. No provider answer is mocked.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { startOidcProvider, type OidcTestProvider } from '../helpers/oidc-provider.ts';
import { request } from '../helpers/scenario.ts';
import { forEachDialect, sdkError, startTestServer, type TestServer } from '../helpers/test-server.ts';

(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const PASSWORD = 'password123';

forEachDialect((dialect) =>
  describe('OAuth2 / OIDC sign-in', () => {
    let t: TestServer;
    let oidc: OidcTestProvider;
    let callback: string;

    /** auth-methods → provider login → the callback URL with code and state. */
    async function authorize(login: string, pb = t.client()) {
      const methods = await pb.collection('users').listAuthMethods();
      const provider = methods.oauth2.providers.find((p) => p.name === 'oidc');
      assert.ok(provider, 'oidc is listed');
      const landed = await oidc.login(provider.authURL + encodeURIComponent(callback), login);
      assert.equal(landed.origin + landed.pathname, callback);
      assert.equal(landed.searchParams.get('state'), provider.state, 'the provider returns the state');
      return { provider, code: landed.searchParams.get('code')! };
    }

    async function signIn(login: string, createData: Record<string, unknown> = {}, pb = t.client()) {
      const { provider, code } = await authorize(login, pb);
      return pb.collection('users').authWithOAuth2Code('oidc', code, provider.codeVerifier, callback, createData);
    }

    async function linksOf(recordId: string) {
      return t.admin.collection('_externalAuths').getFullList({ filter: t.admin.filter('recordRef = {:id}', { id: recordId }) });
    }

    before(async () => {
      t = await startTestServer({ dialect });
      callback = `${t.url}/app/oauth-callback`;
      oidc = await startOidcProvider({ redirectURIs: [callback, `${t.url}/api/oauth2-redirect`] });
      oidc.accounts.set('alice', { email: 'alice@example.com', emailVerified: true, name: 'Alice Liddell', username: 'alice', picture: 'https://img.example.com/alice.png' });
      const users = await t.admin.collections.getOne('users');
      await t.admin.collections.update('users', {
        fields: [...users.fields, { name: 'username', type: 'text', max: 50 }, { name: 'picture', type: 'url' }],
        oauth2: {
          enabled: true,
          mappedFields: { name: 'name', username: 'username', avatarURL: 'picture' },
          providers: [{ name: 'oidc', clientId: oidc.clientId, clientSecret: oidc.clientSecret, displayName: 'Test IdP', extra: { issuer: oidc.issuer } }],
        },
      });
    });
    after(async () => {
      await t?.close();
      await oidc?.close();
    });

    it('auth-methods lists the provider with a fresh state, PKCE pair and authorization URL', async () => {
      const first = await t.client().collection('users').listAuthMethods();
      const second = await t.client().collection('users').listAuthMethods();
      assert.equal(first.oauth2.enabled, true);
      const p = first.oauth2.providers[0];
      assert.equal(p.name, 'oidc');
      assert.equal(p.displayName, 'Test IdP');
      assert.equal(p.state.length, 30);
      assert.equal(p.codeVerifier.length, 43);
      assert.equal(p.codeChallenge, createHash('sha256').update(p.codeVerifier).digest('base64url'));
      assert.equal(p.codeChallengeMethod, 'S256');
      assert.notEqual(second.oauth2.providers[0].state, p.state);
      assert.notEqual(second.oauth2.providers[0].codeVerifier, p.codeVerifier);
      assert.ok(p.authURL.endsWith('&redirect_uri='), p.authURL);
      const url = new URL(p.authURL);
      assert.equal(url.origin, oidc.issuer, 'the endpoint comes from discovery');
      assert.equal(url.searchParams.get('client_id'), oidc.clientId);
      assert.equal(url.searchParams.get('response_type'), 'code');
      assert.equal(url.searchParams.get('state'), p.state);
      assert.equal(url.searchParams.get('code_challenge'), p.codeChallenge);
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.match(url.searchParams.get('scope')!, /\bopenid\b/);
      const raw = await request(t, 'GET', '/api/collections/users/auth-methods');
      assert.ok(!raw.text.includes(oidc.clientSecret), 'no client secret in auth-methods');
      const collection = await request(t, 'GET', '/api/collections/users', { token: t.admin.authStore.token });
      assert.ok(!collection.text.includes(oidc.clientSecret), 'no client secret in the collection JSON');
      assert.equal(collection.json.oauth2.providers[0].clientSecret, undefined);
    });

    it('a first sign-in creates the user from the verified profile, links it, and returns meta', async () => {
      const pb = t.client();
      const auth = await signIn('alice', { emailVisibility: true }, pb);
      assert.ok(pb.authStore.isValid);
      assert.equal(auth.record.email, 'alice@example.com');
      assert.equal(auth.record.verified, true, 'the provider e-mail is verified');
      assert.equal(auth.record.emailVisibility, true, 'createData applies');
      assert.equal(auth.record.name, 'Alice Liddell');
      assert.equal(auth.record.username, 'alice');
      assert.equal(auth.record.picture, 'https://img.example.com/alice.png');
      const meta = auth.meta as Record<string, any>;
      assert.equal(meta.isNew, true);
      assert.equal(meta.id, 'alice');
      assert.equal(meta.email, 'alice@example.com');
      assert.equal(meta.name, 'Alice Liddell');
      assert.equal(meta.username, 'alice');
      assert.equal(meta.avatarURL, 'https://img.example.com/alice.png');
      assert.ok(typeof meta.accessToken === 'string' && meta.accessToken.length > 10);
      assert.equal(meta.rawUser.sub, 'alice');
      const links = await linksOf(auth.record.id);
      assert.equal(links.length, 1);
      assert.equal(links[0].provider, 'oidc');
      assert.equal(links[0].providerId, 'alice');
      // The token works like any other.
      const refreshed = await pb.collection('users').authRefresh();
      assert.equal(refreshed.record.id, auth.record.id);
    });

    it('a second sign-in finds the same user through its link (isNew false)', async () => {
      const first = await t.admin.collection('users').getFirstListItem('email = "alice@example.com"');
      oidc.accounts.get('alice')!.name = 'Alice Renamed';
      const auth = await signIn('alice');
      assert.equal(auth.record.id, first.id);
      assert.equal((auth.meta as any).isNew, false);
      assert.equal((auth.meta as any).name, 'Alice Renamed');
      assert.equal(auth.record.name, 'Alice Liddell', 'mapped fields fill sign-ups only');
      assert.equal((await linksOf(first.id)).length, 1);
    });

    it('an existing verified user with the same verified e-mail is linked and keeps its password', async () => {
      const bob = await t.client().collection('users').create({ email: 'bob@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
      await t.admin.collection('users').update(bob.id, { verified: true });
      oidc.accounts.set('bob-at-idp', { email: 'bob@example.com', emailVerified: true, name: 'Bob' });
      const auth = await signIn('bob-at-idp');
      assert.equal(auth.record.id, bob.id);
      assert.equal((auth.meta as any).isNew, false);
      assert.equal((await linksOf(bob.id))[0].providerId, 'bob-at-idp');
      await t.client().collection('users').authWithPassword('bob@example.com', PASSWORD);
    });

    it('an unverified account with that e-mail is taken over safely: verified, its password replaced', async () => {
      const squatter = await t.client().collection('users').create({ email: 'dora@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
      oidc.accounts.set('dora', { email: 'dora@example.com', emailVerified: true });
      const auth = await signIn('dora');
      assert.equal(auth.record.id, squatter.id);
      assert.equal(auth.record.verified, true);
      const e = await sdkError(t.client().collection('users').authWithPassword('dora@example.com', PASSWORD));
      assert.equal(e.status, 400, 'whoever pre-registered the address no longer knows the password');
    });

    it('an e-mail the provider has not verified is never used to link an account', async () => {
      const carol = await t.client().collection('users').create({ email: 'carol@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
      await t.admin.collection('users').update(carol.id, { verified: true });
      oidc.accounts.set('mallory', { email: 'carol@example.com', emailVerified: false, name: 'Mallory' });
      const refused = await sdkError(signIn('mallory'));
      assert.equal(refused.status, 400, 'no verified e-mail and none given: the sign-up fails');
      assert.equal((await linksOf(carol.id)).length, 0);
      const auth = await signIn('mallory', { email: 'mallory@example.com' });
      assert.notEqual(auth.record.id, carol.id);
      assert.equal(auth.record.email, 'mallory@example.com');
      assert.equal(auth.record.verified, false);
      assert.equal((auth.meta as any).email, '');
      assert.equal((auth.meta as any).isNew, true);
      assert.equal((await linksOf(carol.id)).length, 0);
    });

    it('a signed-in user links a new provider identity to its own account', async () => {
      const erin = t.client();
      await erin.collection('users').create({ email: 'erin@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
      await erin.collection('users').authWithPassword('erin@example.com', PASSWORD);
      const id = erin.authStore.record!.id;
      oidc.accounts.set('erin-work', { email: 'erin@work.example.com', emailVerified: true });
      const auth = await signIn('erin-work', {}, erin);
      assert.equal(auth.record.id, id);
      assert.equal(auth.record.email, 'erin@example.com');
      assert.equal((await linksOf(id))[0].providerId, 'erin-work');
      await t.client().collection('users').authWithPassword('erin@example.com', PASSWORD);
    });

    it('a wrong or missing code verifier, a reused code or a foreign redirect URL is refused: 400', async () => {
      oidc.accounts.set('frank', { email: 'frank@example.com', emailVerified: true });
      const { provider, code } = await authorize('frank');
      const wrongVerifier = await sdkError(t.client().collection('users').authWithOAuth2Code('oidc', code, 'x'.repeat(43), callback));
      assert.equal(wrongVerifier.status, 400);
      assert.equal(wrongVerifier.message, 'Failed to fetch OAuth2 token.');
      const auth = await t.client().collection('users').authWithOAuth2Code('oidc', code, provider.codeVerifier, callback);
      assert.equal(auth.record.email, 'frank@example.com', 'the right verifier still works');
      const reused = await sdkError(t.client().collection('users').authWithOAuth2Code('oidc', code, provider.codeVerifier, callback));
      assert.equal(reused.status, 400, 'a code is single-use');
      const other = await authorize('frank');
      const foreign = await sdkError(t.client().collection('users').authWithOAuth2Code('oidc', other.code, other.provider.codeVerifier, `${t.url}/elsewhere`));
      assert.equal(foreign.status, 400);
      const missingVerifier = await authorize('frank');
      const noPkce = await sdkError(t.client().collection('users').authWithOAuth2Code('oidc', missingVerifier.code, '', callback));
      assert.equal(noPkce.status, 400);
      const franks = await t.admin.collection('users').getList(1, 5, { filter: 'email = "frank@example.com"' });
      assert.equal(franks.totalItems, 1);
    });

    it('bad input is a 400 with field errors; a provider that is not configured is validation_invalid_provider', async () => {
      const missing = await request(t, 'POST', '/api/collections/users/auth-with-oauth2', { body: {} });
      assert.equal(missing.status, 400);
      assert.equal(missing.json.data.provider.code, 'validation_required');
      assert.equal(missing.json.data.code.code, 'validation_required');
      const unknown = await sdkError(t.client().collection('users').authWithOAuth2Code('github', 'abc', 'v', callback));
      assert.equal(unknown.status, 400);
      assert.equal(unknown.data.provider.code, 'validation_invalid_provider');
      for (const redirectURL of ['javascript:alert(1)', 'file:///etc/passwd', 'not a url']) {
        const bad = await sdkError(t.client().collection('users').authWithOAuth2Code('oidc', 'abc', 'v', redirectURL));
        assert.equal(bad.data.redirectURL?.code, 'validation_is_url', redirectURL);
      }
      const wrongTypes = await request(t, 'POST', '/api/collections/users/auth-with-oauth2', { body: { provider: ['oidc'], code: 5, redirectURL: callback, createData: 'x' } });
      assert.equal(wrongTypes.status, 400);
      assert.equal(wrongTypes.json.data.createData.code, 'validation_invalid_value');
      const bogusCode = await sdkError(t.client().collection('users').authWithOAuth2Code('oidc', 'not-a-real-code', 'v'.repeat(43), callback));
      assert.equal(bogusCode.status, 400);
      assert.equal(bogusCode.message, 'Failed to fetch OAuth2 token.');
    });

    it('an unreachable or failing provider is a 400 that never shows the client secret', async () => {
      const users = await t.admin.collections.getOne('users');
      const secret = 'super-secret-value-never-shown-12345';
      await t.admin.collections.update('users', {
        oauth2: { ...users.oauth2, providers: [...users.oauth2.providers, { name: 'oidc2', clientId: 'x', clientSecret: secret, authURL: `${oidc.issuer}/auth`, tokenURL: 'http://127.0.0.1:1/token', userInfoURL: `${oidc.issuer}/me` }] },
      });
      const res = await request(t, 'POST', '/api/collections/users/auth-with-oauth2', { body: { provider: 'oidc2', code: 'abc', codeVerifier: 'v', redirectURL: callback } });
      assert.equal(res.status, 400);
      assert.equal(res.json.message, 'Failed to fetch OAuth2 token.');
      assert.ok(!res.text.includes(secret));
      const collection = await request(t, 'GET', '/api/collections/users', { token: t.admin.authStore.token });
      assert.ok(!collection.text.includes(secret));
      // An omitted clientSecret keeps the stored one (write-only, spec §5.2).
      const kept = await t.admin.collections.update('users', { oauth2: { ...users.oauth2, providers: collection.json.oauth2.providers } });
      assert.equal(kept.oauth2.providers.length, 2);
      await t.admin.collections.update('users', { oauth2: { ...users.oauth2, providers: users.oauth2.providers } });
    });

    it('OAuth2 disabled on the collection: 403, and auth-methods lists nothing', async () => {
      const users = await t.admin.collections.getOne('users');
      await t.admin.collections.update('users', { oauth2: { ...users.oauth2, enabled: false } });
      try {
        const res = await sdkError(t.client().collection('users').authWithOAuth2Code('oidc', 'abc', 'v', callback));
        assert.equal(res.status, 403);
        const methods = await t.client().collection('users').listAuthMethods();
        assert.deepEqual(methods.oauth2, { enabled: false, providers: [] });
      } finally {
        await t.admin.collections.update('users', { oauth2: { ...users.oauth2, enabled: true } });
      }
    });

    it('a sign-up obeys the createRule (null: 403) while existing users still sign in', async () => {
      await t.admin.collections.update('users', { createRule: null });
      try {
        oidc.accounts.set('gina', { email: 'gina@example.com', emailVerified: true });
        const refused = await sdkError(signIn('gina'));
        assert.equal(refused.status, 403);
        const auth = await signIn('alice');
        assert.equal(auth.record.email, 'alice@example.com');
      } finally {
        await t.admin.collections.update('users', { createRule: '' });
      }
    });

    it('with MFA on, OAuth2 is one factor: 401 {mfaId}, then the password completes the sign-in', async () => {
      const email = 'mfa-user@example.com';
      const user = await t.client().collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
      await t.admin.collection('users').update(user.id, { verified: true });
      oidc.accounts.set('mfa-idp', { email, emailVerified: true });
      await t.admin.collections.update('users', { mfa: { enabled: true, duration: 600, rule: `email = "${email}"` } });
      try {
        let mfaId = '';
        try {
          await signIn('mfa-idp');
          assert.fail('a second factor is required');
        } catch (err) {
          const e = err as { status: number; response: { mfaId?: string } };
          assert.equal(e.status, 401);
          mfaId = e.response.mfaId ?? '';
        }
        assert.ok(mfaId);
        const pb = t.client();
        const auth = await pb.collection('users').authWithPassword(email, PASSWORD, { mfaId });
        assert.equal(auth.record.id, user.id);
      } finally {
        await t.admin.collections.update('users', { mfa: { enabled: false, duration: 600, rule: '' } });
      }
    });

    it('the SDK all-in-one flow: the redirect reaches the waiting client over realtime', async () => {
      const pb = t.client();
      let redirectPage = '';
      const auth = await pb.collection('users').authWithOAuth2({
        provider: 'oidc',
        urlCallback: async (url: string) => {
          assert.ok(url.includes(`redirect_uri=${encodeURIComponent(`${t.url}/api/oauth2-redirect`)}`) || url.includes(`redirect_uri=${t.url}/api/oauth2-redirect`), url);
          const landed = await oidc.login(url, 'alice');
          assert.equal(landed.origin + landed.pathname, `${t.url}/api/oauth2-redirect`);
          const res = await fetch(landed, { redirect: 'manual' });
          assert.equal(res.status, 200);
          assert.match(res.headers.get('content-type') ?? '', /text\/html/);
          assert.equal(res.headers.get('location'), null);
          redirectPage = await res.text();
        },
      });
      assert.match(redirectPage, /Authentication complete/);
      assert.equal(auth.record.email, 'alice@example.com');
      assert.equal((auth.meta as any).isNew, false);
      assert.ok(pb.authStore.isValid);
      assert.equal(pb.authStore.record?.id, auth.record.id);
    });

    it('/api/oauth2-redirect with an unknown state, an error or no code answers the failure page and never redirects', async () => {
      for (const query of ['', '?code=abc', '?code=abc&state=unknownclientid', '?state=x&error=access_denied', '?code=a&state=b&redirect=https://evil.example.com']) {
        const res = await fetch(`${t.url}/api/oauth2-redirect${query}`, { redirect: 'manual' });
        assert.equal(res.status, 200, query);
        assert.equal(res.headers.get('location'), null);
        assert.match(await res.text(), /Authentication failed/);
      }
      const posted = await fetch(`${t.url}/api/oauth2-redirect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'code=abc&state=nobody', redirect: 'manual' });
      assert.equal(posted.status, 200);
      assert.match(await posted.text(), /Authentication failed/);
    });

    it('provider settings are validated on save', async () => {
      const cases: Array<[Record<string, unknown>, string, string]> = [
        [{ name: 'myspace', clientId: 'a', clientSecret: 'b' }, 'name', 'validation_invalid_provider'],
        [{ name: 'google', clientSecret: 'b' }, 'clientId', 'validation_required'],
        [{ name: 'google', clientId: 'a' }, 'clientSecret', 'validation_required'],
        [{ name: 'google', clientId: 'a', clientSecret: 'b', authURL: 'javascript:alert(1)' }, 'authURL', 'validation_is_url'],
        [{ name: 'oidc3', clientId: 'a', clientSecret: 'b', extra: { issuer: 'ftp://idp.example.com' } }, 'extra', 'validation_is_url'],
        [{ name: 'google', clientId: 'a', clientSecret: 'b', pkce: 'yes' }, 'pkce', 'validation_invalid_value'],
      ];
      for (const [provider, key, code] of cases) {
        const e = await sdkError(t.admin.collections.create({ name: `oauth_${key}_${Math.random().toString(36).slice(2, 8)}`, type: 'auth', oauth2: { enabled: true, providers: [provider] } }));
        assert.equal(e.status, 400, JSON.stringify(provider));
        assert.equal(e.data.oauth2?.providers?.['0']?.[key]?.code, code, JSON.stringify(e.data));
      }
      const dup = await sdkError(
        t.admin.collections.create({ name: 'oauth_dup', type: 'auth', oauth2: { enabled: true, providers: [{ name: 'google', clientId: 'a', clientSecret: 'b' }, { name: 'google', clientId: 'c', clientSecret: 'd' }] } }),
      );
      assert.equal(dup.data.oauth2.providers['1'].name.code, 'validation_duplicated_provider');
      const created = await t.admin.collections.create({ name: 'oauth_mapped', type: 'auth', oauth2: { enabled: true, mappedFields: { name: 'nosuchfield', id: '', username: '', avatarURL: '' }, providers: [] } });
      assert.equal(created.oauth2.mappedFields.name, '', 'unknown mapped fields are cleared');
      await t.admin.collections.delete('oauth_mapped');
    });

    it('GET /api/collections/meta/oauth2-providers lists the supported providers to superusers', async () => {
      const list = await t.admin.send('/api/collections/meta/oauth2-providers', {});
      const names = list.map((p: { name: string }) => p.name);
      for (const n of ['google', 'github', 'microsoft', 'apple', 'gitlab', 'discord', 'oidc']) assert.ok(names.includes(n), n);
      assert.equal((await request(t, 'GET', '/api/collections/meta/oauth2-providers')).status, 401);
    });

    it('superusers cannot use OAuth2', async () => {
      const e = await sdkError(t.client().collection('_superusers').authWithOAuth2Code('oidc', 'abc', 'v', callback));
      assert.equal(e.status, 403);
    });
  }),
);
