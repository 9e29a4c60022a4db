/**
 * The plain OAuth2 (non-OIDC) client through the `github` preset, against a small provider
 * written here that behaves as GitHub's endpoints do: authorization redirect, a token endpoint
 * that checks the client secret, the code and the PKCE verifier (and answers errors with 200 and
 * an `error` key, as GitHub does), the user endpoint and the e-mails endpoint that alone says
 * which address is verified. An addition to the OIDC end-to-end suite (auth-oauth2.test.ts).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { forEachDialect, sdkError, startTestServer, type TestServer } from '../helpers/test-server.ts';

const CLIENT_ID = 'gh-client';
const CLIENT_SECRET = 'gh-secret-0123456789';

interface GitHubUser {
  id: number;
  login: string;
  name: string;
  publicEmail: string;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

async function startGitHubLike(users: Map<string, GitHubUser>) {
  const codes = new Map<string, { login: string; challenge: string; redirect: string }>();
  const tokens = new Map<string, string>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      // The "user" is chosen by a login_hint the test adds; GitHub would show its login page.
      const code = randomBytes(10).toString('hex');
      codes.set(code, { login: url.searchParams.get('login')!, challenge: url.searchParams.get('code_challenge')!, redirect: url.searchParams.get('redirect_uri')! });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      return res.writeHead(302, { location: back.toString() }).end();
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const form = new URLSearchParams(raw);
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) return json(200, { error: 'incorrect_client_credentials' });
      if (!grant || grant.redirect !== form.get('redirect_uri')) return json(200, { error: 'bad_verification_code' });
      if (createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== grant.challenge) return json(200, { error: 'bad_verification_code' });
      const token = randomBytes(10).toString('hex');
      tokens.set(token, grant.login);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const login = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    const user = login ? users.get(login) : undefined;
    if (!user) return json(401, { message: 'Bad credentials' });
    if (url.pathname === '/api/user') return json(200, { id: user.id, login: user.login, name: user.name, email: user.publicEmail, avatar_url: `https://avatars.example.com/${user.id}` });
    if (url.pathname === '/api/user/emails') return json(200, user.emails);
    return json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

forEachDialect((dialect) =>
  describe('OAuth2 with the github preset (local GitHub-like provider)', () => {
    let t: TestServer;
    let gh: Awaited<ReturnType<typeof startGitHubLike>>;
    const users = new Map<string, GitHubUser>();
    let callback: string;

    async function configure(clientSecret: string) {
      const users = await t.admin.collections.getOne('users');
      await t.admin.collections.update('users', {
        oauth2: {
          ...users.oauth2,
          enabled: true,
          providers: [{ name: 'github', clientId: CLIENT_ID, clientSecret, authURL: `${gh.base}/login/oauth/authorize`, tokenURL: `${gh.base}/login/oauth/access_token`, userInfoURL: `${gh.base}/api/user` }],
        },
      });
    }

    async function signIn(login: string) {
      const pb = t.client();
      const provider = (await pb.collection('users').listAuthMethods()).oauth2.providers.find((p) => p.name === 'github')!;
      const res = await fetch(`${provider.authURL}${encodeURIComponent(callback)}&login=${login}`, { redirect: 'manual' });
      const landed = new URL(res.headers.get('location')!);
      assert.equal(landed.searchParams.get('state'), provider.state);
      return pb.collection('users').authWithOAuth2Code('github', landed.searchParams.get('code')!, provider.codeVerifier, callback);
    }

    before(async () => {
      t = await startTestServer({ dialect });
      gh = await startGitHubLike(users);
      callback = `${t.url}/app/callback`;
      users.set('octo', {
        id: 4242,
        login: 'octo',
        name: 'Octo Cat',
        publicEmail: 'typed-anything@example.com',
        emails: [
          { email: 'old@example.com', primary: false, verified: true },
          { email: 'octo@example.com', primary: true, verified: true },
        ],
      });
      users.set('newbie', { id: 7, login: 'newbie', name: 'New', publicEmail: 'newbie@example.com', emails: [{ email: 'newbie@example.com', primary: true, verified: false }] });
      await configure(CLIENT_SECRET);
    });
    after(async () => {
      await t.close();
      await gh.close();
    });

    it('signs up with the verified primary e-mail from the e-mails endpoint', async () => {
      const auth = await signIn('octo');
      assert.equal(auth.record.email, 'octo@example.com');
      assert.equal(auth.record.verified, true);
      assert.equal(auth.record.name, 'Octo Cat', 'users maps name by default');
      const meta = auth.meta as Record<string, any>;
      assert.equal(meta.id, '4242');
      assert.equal(meta.username, 'octo');
      assert.equal(meta.email, 'octo@example.com');
      assert.equal(meta.isNew, true);
      assert.equal((await signIn('octo')).record.id, auth.record.id);
    });

    it('an unverified primary e-mail is not taken', async () => {
      const e = await sdkError(signIn('newbie'));
      assert.equal(e.status, 400);
      const none = await t.admin.collection('users').getList(1, 1, { filter: 'email = "newbie@example.com"' });
      assert.equal(none.totalItems, 0);
    });

    it('a provider that refuses the client (wrong secret) is a 400', async () => {
      await configure('not-the-secret');
      try {
        const e = await sdkError(signIn('octo'));
        assert.equal(e.status, 400);
        assert.equal(e.message, 'Failed to fetch OAuth2 token.');
      } finally {
        await configure(CLIENT_SECRET);
      }
    });
  }),
);
