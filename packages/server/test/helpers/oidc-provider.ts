/**
 * A real OpenID Connect provider for tests (`oidc-provider` on an ephemeral loopback port): one
 * confidential client that must use PKCE, in-memory accounts, and its development login pages,
 * which {@link OidcTestProvider.login} completes over HTTP with a cookie jar, as a browser would.
 */
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface OidcAccount {
  email: string;
  emailVerified: boolean;
  name?: string;
  username?: string;
  picture?: string;
}

export interface OidcTestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by login (the `sub` claim); add or change them while the provider runs. */
  accounts: Map<string, OidcAccount>;
  /**
   * Opens `authorizeURL`, signs in as `login` on the provider's pages (and consents), and
   * follows redirects until the one leaving the provider: returns that URL (the redirect URI
   * with `code` and `state`) without requesting it.
   */
  login(authorizeURL: string, login: string): Promise<URL>;
  close(): Promise<void>;
}

export async function startOidcProvider(options: { redirectURIs: string[]; clientId?: string; clientSecret?: string }): Promise<OidcTestProvider> {
  const clientId = options.clientId ?? 'basalt-test-client';
  const clientSecret = options.clientSecret ?? 'basalt-test-client-secret-0123456789';
  const accounts = new Map<string, OidcAccount>();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test-key' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectURIs,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['oidc-test-cookie-key'] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username', 'picture'] },
    features: { devInteractions: { enabled: true } },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: account.email, email_verified: account.emailVerified, name: account.name, preferred_username: account.username, picture: account.picture };
        },
      };
    },
  });
  server.on('request', provider.callback());

  async function login(authorizeURL: string, accountId: string): Promise<URL> {
    const jar = new Map<string, string>();
    const send = async (url: URL, init: RequestInit = {}) => {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
      for (const c of res.headers.getSetCookie()) {
        const pair = c.split(';')[0];
        const i = pair.indexOf('=');
        const [name, value] = [pair.slice(0, i).trim(), pair.slice(i + 1).trim()];
        if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name);
        else jar.set(name, value);
      }
      return res;
    };
    let url = new URL(authorizeURL);
    let res = await send(url);
    for (let step = 0; step < 20; step++) {
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location')!, url);
        if (url.origin !== issuer) return url;
        res = await send(url);
        continue;
      }
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
      if (res.status !== 200 || !action || !prompt) throw new Error(`unexpected provider page (${res.status}): ${html.slice(0, 500)}`);
      const form = new URLSearchParams({ prompt });
      if (prompt === 'login') form.set('login', accountId), form.set('password', 'any');
      url = new URL(action.replace(/&amp;/g, '&'), url);
      res = await send(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    }
    throw new Error('the provider login did not finish');
  }

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    login,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
