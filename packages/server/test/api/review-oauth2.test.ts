/**
 * Security review of OAuth2 sign-in (spec §6.7), stored secrets and what lands in logs:
 * regressions for the problems found, against a small provider written here (the generic `oidc`
 * providers configured with explicit endpoints: a token endpoint that hands out one access token
 * per registered code, a user-info endpoint answering the profile the test chose for that code,
 * and a key set for id_tokens the test signs).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { removeDir, startServe, stopServe, tempDir } from '../helpers/cli.ts';
import { request } from '../helpers/scenario.ts';
import { forEachDialect, sdkError, startTestServer, type TestServer } from '../helpers/test-server.ts';

const CLIENT_ID = 'review-client';
const CLIENT_SECRET = 'review-secret-0123456789';
const ISSUER = 'https://idp.example.com';

/**
 * What a code yields: the user-info endpoint's profile or raw body, or an id_token in the token
 * answer (for the provider configured with a key set).
 */
type Answer = { profile: Record<string, unknown> } | { raw: string } | { idToken: string };

/** Sends `text` chunked, without a content-length: the client only learns the size by reading. */
function sendChunked(res: import('node:http').ServerResponse, text: string) {
  res.writeHead(200, { 'content-type': 'application/json' });
  for (let i = 0; i < text.length; i += 64 * 1024) res.write(text.slice(i, i + 64 * 1024));
  res.end();
}

async function startProvider() {
  const grants = new Map<string, Answer>();
  const tokens = new Map<string, Answer>();
  const keys = { jwks: '{"keys":[]}' };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'POST' && url.pathname === '/token') {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const form = new URLSearchParams(raw);
      const grant = grants.get(form.get('code') ?? '');
      grants.delete(form.get('code') ?? '');
      if (form.get('client_secret') !== CLIENT_SECRET || !grant) return json(400, { error: 'invalid_grant' });
      const token = randomBytes(10).toString('hex');
      tokens.set(token, grant);
      return json(200, { access_token: token, token_type: 'Bearer', expires_in: 3600, ...('idToken' in grant ? { id_token: grant.idToken } : {}) });
    }
    if (url.pathname === '/userinfo') {
      const answer = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!answer) return json(401, { error: 'invalid_token' });
      if ('raw' in answer) return sendChunked(res, answer.raw);
      return json(200, 'profile' in answer ? answer.profile : {});
    }
    if (url.pathname === '/jwks') return sendChunked(res, keys.jwks);
    return json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    base,
    /** The key set document the `/jwks` endpoint serves. */
    keys,
    /** A fresh authorization code whose sign-in yields `answer`. */
    code(answer: Answer): string {
      const code = randomBytes(10).toString('hex');
      grants.set(code, answer);
      return code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A raw SSE connection to /api/realtime: its client id and a reader of its next events. */
async function openRealtime(base: string) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/realtime`, { signal: controller.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  async function next(): Promise<{ event: string; data: string }> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? '';
        if (field('event') || field('data')) return { event: field('event'), data: field('data') };
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the realtime stream ended');
      buffer += value;
    }
  }
  const connect = await next();
  assert.equal(connect.event, 'PB_CONNECT');
  const clientId = JSON.parse(connect.data).clientId as string;
  return { clientId, next, close: () => controller.abort() };
}

forEachDialect((dialect) =>
  describe('OAuth2 security review', () => {
    let t: TestServer;
    let idp: Awaited<ReturnType<typeof startProvider>>;
    let callback: string;

    let signingKey: CryptoKey;
    let publicJwk: Record<string, unknown>;

    /** An id_token with the claims a valid one has, changed by `claims`. */
    const idToken = (claims: Record<string, unknown> = {}, key: CryptoKey = signingKey) =>
      new SignJWT({ email_verified: true, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(ISSUER)
        .setAudience(CLIENT_ID)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);

    const signInWithIdToken = (token: string) => t.client().collection('users').authWithOAuth2Code('oidc2', idp.code({ idToken: token }), 'v'.repeat(43), callback);

    const signIn = (answer: Answer, createData: Record<string, unknown> = {}, pb = t.client()) =>
      pb.collection('users').authWithOAuth2Code('oidc', idp.code(answer), 'v'.repeat(43), callback, createData);

    before(async () => {
      t = await startTestServer({ dialect });
      idp = await startProvider();
      const pair = await generateKeyPair('RS256');
      signingKey = pair.privateKey;
      publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
      idp.keys.jwks = JSON.stringify({ keys: [publicJwk] });
      callback = `${t.url}/app/callback`;
      const users = await t.admin.collections.getOne('users');
      await t.admin.collections.update('users', {
        oauth2: {
          ...users.oauth2,
          enabled: true,
          providers: [
            { name: 'oidc', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authURL: `${idp.base}/authorize`, tokenURL: `${idp.base}/token`, userInfoURL: `${idp.base}/userinfo` },
            // Profile from the id_token alone, checked against the key set at /jwks.
            { name: 'oidc2', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authURL: `${idp.base}/authorize`, tokenURL: `${idp.base}/token`, extra: { jwksURL: `${idp.base}/jwks`, issuers: [ISSUER] } },
          ],
        },
      });
    });
    after(async () => {
      await t?.close();
      await idp?.close();
    });

    it('the local provider signs a user up (baseline)', async () => {
      const auth = await signIn({ profile: { sub: 'base-1', email: 'base@example.com', email_verified: true } });
      assert.equal(auth.record.email, 'base@example.com');
      assert.equal(auth.record.verified, true);
    });

    it('an unverified account keeps signing in through its own provider link (the link is re-created, not lost)', async () => {
      const profile = { sub: 'noverify-1', email: 'noverify@example.com', email_verified: false };
      const first = await signIn({ profile }, { email: 'noverify@example.com' });
      assert.equal((first.meta as any).isNew, true);
      assert.equal(first.record.verified, false);
      for (let i = 0; i < 3; i++) {
        const again = await signIn({ profile });
        assert.equal(again.record.id, first.record.id, `sign-in ${i + 2}`);
        assert.equal((again.meta as any).isNew, false);
      }
      const links = await t.admin.collection('_externalAuths').getFullList({ filter: t.admin.filter('recordRef = {:id}', { id: first.record.id }) });
      assert.equal(links.length, 1);
    });

    it('a provider answer of many megabytes is refused, not buffered: 400', async () => {
      const huge = JSON.stringify({ sub: 'huge-1', email: 'huge@example.com', email_verified: true, pad: 'x'.repeat(8 * 1024 * 1024) });
      const e = await sdkError(signIn({ raw: huge }));
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Failed to fetch OAuth2 user.');
      const none = await t.admin.collection('users').getList(1, 1, { filter: 'email = "huge@example.com"' });
      assert.equal(none.totalItems, 0);
    });

    it('the PKCE code verifier of a failed sign-in is redacted in the request log', async () => {
      const verifier = `verifier-${randomBytes(12).toString('hex')}`;
      const e = await sdkError(t.client().collection('users').authWithOAuth2Code('oidc', 'not-a-code', verifier, callback));
      assert.equal(e.status, 400);
      await t.app.logs.flush();
      const logs = await request(t, 'GET', `/api/logs?perPage=50&filter=${encodeURIComponent('data.status = 400')}`, { token: t.admin.authStore.token });
      assert.equal(logs.status, 200);
      const entry = logs.json.items.find((l: any) => l.data?.url === '/api/collections/users/auth-with-oauth2' && l.data?.body?.provider === 'oidc' && l.data?.body?.codeVerifier !== undefined);
      assert.ok(entry, 'the failed request is logged with its body');
      assert.ok(!JSON.stringify(logs.json).includes(verifier), 'the verifier is not in the log');
      assert.equal(entry.data.body.codeVerifier, '[REDACTED]');
    });
    it('an id_token is checked: signature, algorithm, audience, issuer, expiry (required)', async () => {
      const ok = await signInWithIdToken(await idToken({ sub: 'jwt-1', email: 'jwt1@example.com' }));
      assert.equal(ok.record.email, 'jwt1@example.com');
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: 'jwt-bad', email: 'jwtbad@example.com', email_verified: true, iss: ISSUER, aud: CLIENT_ID, iat: now, exp: now + 300 };
      const other = (await generateKeyPair('RS256')).privateKey;
      const signed = (payload: Record<string, unknown>) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(signingKey);
      const bad = [
        `${b64({ alg: 'none' })}.${b64(claims)}.`,
        // HS256 keyed with the public key's text: the classic key-confusion forgery.
        await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new TextEncoder().encode(JSON.stringify(publicJwk))),
        await idToken({ sub: 'jwt-bad', email: 'jwtbad@example.com' }, other),
        await signed({ ...claims, aud: 'another-client' }),
        await signed({ ...claims, iss: 'https://evil.example.com' }),
        await signed({ ...claims, exp: now - 600 }),
        await signed({ ...claims, exp: undefined }),
        'not.a.jwt',
      ];
      const decodeProtectedAndPayload = (token: string) => token.split('.').slice(0, 2).map((p) => Buffer.from(p, 'base64url').toString());
      for (const token of bad) {
        const e = await signInWithIdToken(token).then(
          () => ({ status: 200, message: '' }),
          (err) => ({ status: err.status, message: err.response?.message }),
        );
        assert.equal(e.status, 400, JSON.stringify(decodeProtectedAndPayload(token)));
        assert.equal(e.message, 'Failed to fetch OAuth2 user.');
      }
      const none = await t.admin.collection('users').getList(1, 1, { filter: 'email = "jwtbad@example.com"' });
      assert.equal(none.totalItems, 0);
    });

    it('a key set of many megabytes is refused, not buffered: 400', async () => {
      const users = await t.admin.collections.getOne('users');
      // A key set URL of its own, so no set fetched by an earlier test is reused.
      const jwksURL = `${idp.base}/jwks?set=${randomBytes(6).toString('hex')}`;
      const oidc3 = { name: 'oidc3', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authURL: `${idp.base}/authorize`, tokenURL: `${idp.base}/token`, extra: { jwksURL, issuers: [ISSUER] } };
      await t.admin.collections.update('users', { oauth2: { ...users.oauth2, providers: [...users.oauth2.providers.filter((p: { name: string }) => p.name !== 'oidc3'), oidc3] } });
      const normal = idp.keys.jwks;
      idp.keys.jwks = JSON.stringify({ keys: [publicJwk], pad: 'x'.repeat(8 * 1024 * 1024) });
      try {
        const code = idp.code({ idToken: await idToken({ sub: 'jwks-big', email: 'jwksbig@example.com' }) });
        const e = await sdkError(t.client().collection('users').authWithOAuth2Code('oidc3', code, 'v'.repeat(43), callback));
        assert.equal(e.status, 400);
        assert.equal(e.message, 'Failed to fetch OAuth2 user.');
        const none = await t.admin.collection('users').getList(1, 1, { filter: 'email = "jwksbig@example.com"' });
        assert.equal(none.totalItems, 0);
      } finally {
        idp.keys.jwks = normal;
      }
    });

    it('without an encryption key, a secret that looks encrypted is refused (400), not stored to break the next start', async () => {
      const token = t.admin.authStore.token;
      const users = await t.admin.collections.getOne('users');
      const provider = { name: 'google', clientId: 'g-client', clientSecret: 'enc:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
      const collection = await request(t, 'PATCH', '/api/collections/users', { token, body: { oauth2: { ...users.oauth2, providers: [...users.oauth2.providers, provider] } } });
      assert.equal(collection.status, 400, collection.text);
      const settings = await request(t, 'PATCH', '/api/settings', { token, body: { smtp: { password: 'enc:v1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' } } });
      assert.equal(settings.status, 400, settings.text);
      // What a restart reads: the stored documents still open.
      await t.app.settings.load();
      await t.app.collections.reload();
      const after = await t.admin.collections.getOne('users');
      assert.ok(!after.oauth2.providers.some((p: { name: string }) => p.name === 'google'));
    });

    it('/api/oauth2-redirect delivers a code to the one client named by state, never to other @oauth2 subscribers', async () => {
      const a = await openRealtime(t.url);
      const b = await openRealtime(t.url);
      const unsubscribed = await openRealtime(t.url);
      try {
        for (const c of [a, b]) {
          const r = await request(t, 'POST', '/api/realtime', { body: { clientId: c.clientId, subscriptions: ['@oauth2'] } });
          assert.equal(r.status, 204);
        }
        const toUnsubscribed = await (await t.fetch(`/api/oauth2-redirect?code=c0&state=${unsubscribed.clientId}`)).text();
        assert.match(toUnsubscribed, /Authentication failed/, 'a client that did not subscribe to @oauth2 gets nothing');
        const toA = await (await t.fetch(`/api/oauth2-redirect?code=code-for-a&state=${a.clientId}`)).text();
        assert.match(toA, /Authentication complete/);
        const again = await (await t.fetch(`/api/oauth2-redirect?code=second&state=${a.clientId}`)).text();
        assert.match(again, /Authentication failed/, 'one code per subscription');
        const toB = await (await t.fetch(`/api/oauth2-redirect?code=code-for-b&state=${b.clientId}`)).text();
        assert.match(toB, /Authentication complete/);
        const gotA = await a.next();
        assert.equal(gotA.event, '@oauth2');
        assert.deepEqual(JSON.parse(gotA.data), { state: a.clientId, code: 'code-for-a' });
        // B's first message is its own: A's code never reached it.
        const gotB = await b.next();
        assert.deepEqual(JSON.parse(gotB.data), { state: b.clientId, code: 'code-for-b' });
      } finally {
        a.close();
        b.close();
        unsubscribed.close();
      }
    });

    it('codes and tokens in the Referer (the app page the provider sent the browser to) are redacted in the request log', async () => {
      const code = `refcode${randomBytes(8).toString('hex')}`;
      const resetToken = `reftoken${randomBytes(8).toString('hex')}`;
      const ok = await request(t, 'GET', '/api/collections/users/auth-methods', { headers: { referer: `${t.url}/app/callback?state=abc&code=${code}` } });
      assert.equal(ok.status, 200);
      const failed = await request(t, 'POST', '/api/collections/users/auth-with-oauth2', { body: { provider: 'oidc' }, headers: { referer: `${t.url}/app/reset?token=${resetToken}` } });
      assert.equal(failed.status, 400);
      await t.app.logs.flush();
      const logs = await request(t, 'GET', `/api/logs?perPage=200&sort=-created`, { token: t.admin.authStore.token });
      assert.equal(logs.status, 200);
      const text = JSON.stringify(logs.json);
      assert.ok(text.includes('/app/callback?state=abc'), 'the referer is logged');
      assert.ok(!text.includes(code), 'no authorization code in the log');
      assert.ok(!text.includes(resetToken), 'no token in the log');
    });
  }),
);

// The console log of `serve --dev` is the same whatever the storage engine: run once.
describe('OAuth2 security review: the --dev console log', () => {
  it('logs request URLs with their codes and tokens redacted', async () => {
    const dir = tempDir();
    const served = await startServe(dir, ['--dev']);
    try {
      const code = `devcode${randomBytes(8).toString('hex')}`;
      const token = `devtoken${randomBytes(8).toString('hex')}`;
      assert.equal((await fetch(`${served.url}/api/oauth2-redirect?code=${code}&state=nobody`)).status, 200);
      assert.equal((await fetch(`${served.url}/api/health?token=${token}`)).status, 200);
      // Each incoming request is printed as it arrives: wait for both lines.
      for (const deadline = Date.now() + 15_000; !/api\/health\?token=/.test(served.output().stdout); await new Promise((r) => setTimeout(r, 25))) {
        if (Date.now() > deadline) assert.fail(`no request lines in the output:\n${served.output().stdout}`);
      }
      const out = served.output().stdout + served.output().stderr;
      assert.match(out, /\/api\/oauth2-redirect\?code=\[REDACTED\]&state=nobody/);
      assert.ok(!out.includes(code), 'no authorization code on the console');
      assert.ok(!out.includes(token), 'no token on the console');
    } finally {
      await stopServe(served);
      removeDir(dir);
    }
  });
});
