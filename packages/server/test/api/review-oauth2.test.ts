/**
 * Security review of OAuth2 sign-in (spec §6.7): regressions for the problems found, against a
 * small provider written here (the generic `oidc` provider configured with explicit endpoints:
 * a token endpoint that hands out one access token per registered code, and a user-info
 * endpoint answering the profile the test chose for that token).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { request } from '../helpers/scenario.ts';
import { forEachDialect, sdkError, startTestServer, type TestServer } from '../helpers/test-server.ts';

const CLIENT_ID = 'review-client';
const CLIENT_SECRET = 'review-secret-0123456789';

/** What the user-info endpoint answers for a code: a profile, or raw text sent as the body. */
type Answer = { profile: Record<string, unknown> } | { raw: string };

async function startProvider() {
  const grants = new Map<string, Answer>();
  const tokens = new Map<string, Answer>();
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
      return json(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
    }
    if (url.pathname === '/userinfo') {
      const answer = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!answer) return json(401, { error: 'invalid_token' });
      if ('raw' in answer) {
        // Chunked, without a content-length: the client only learns the size by reading.
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < answer.raw.length; i += 64 * 1024) res.write(answer.raw.slice(i, i + 64 * 1024));
        return res.end();
      }
      return json(200, answer.profile);
    }
    return json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    base,
    /** A fresh authorization code whose sign-in yields `answer`. */
    code(answer: Answer): string {
      const code = randomBytes(10).toString('hex');
      grants.set(code, answer);
      return code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

forEachDialect((dialect) =>
  describe('OAuth2 security review', () => {
    let t: TestServer;
    let idp: Awaited<ReturnType<typeof startProvider>>;
    let callback: string;

    const signIn = (answer: Answer, createData: Record<string, unknown> = {}, pb = t.client()) =>
      pb.collection('users').authWithOAuth2Code('oidc', idp.code(answer), 'v'.repeat(43), callback, createData);

    before(async () => {
      t = await startTestServer({ dialect });
      idp = await startProvider();
      callback = `${t.url}/app/callback`;
      const users = await t.admin.collections.getOne('users');
      await t.admin.collections.update('users', {
        oauth2: {
          ...users.oauth2,
          enabled: true,
          providers: [{ name: 'oidc', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authURL: `${idp.base}/authorize`, tokenURL: `${idp.base}/token`, userInfoURL: `${idp.base}/userinfo` }],
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
  }),
);
