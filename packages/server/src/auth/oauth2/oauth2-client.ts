/**
 * OAuth2 authorization-code clients (RFC 6749 with PKCE, RFC 7636): the authorization URL, the
 * code exchange and the user profile. One generic client covers every provider; presets
 * (presets.ts) differ only in URLs, scopes and how a profile maps to {@link OAuth2User}.
 * Nothing here throws the client secret or a provider's raw response into an error message.
 * @module
 */
import { createHash, randomInt } from 'node:crypto';

/** How long one request to a provider may take (PocketBase: 30 s for the whole exchange). */
export const PROVIDER_TIMEOUT_MS = 15_000;
/**
 * Most bytes read from one provider answer: real ones are a few kilobytes, and a misbehaving
 * provider must not make the server buffer (and parse) an answer of any size.
 */
export const MAX_PROVIDER_RESPONSE_BYTES = 1024 * 1024;

/** A provider call failed; `message` is safe to log (no secrets, no tokens). */
export class OAuth2ProviderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OAuth2ProviderError';
  }
}

export interface OAuth2Token {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, if the provider said. */
  expiry: Date | undefined;
  idToken: string;
  tokenType: string;
}

/** A signed-in provider user, normalised. `email` is set only when the provider vouches for it. */
export interface OAuth2User {
  id: string;
  name: string;
  username: string;
  email: string;
  avatarURL: string;
  rawUser: Record<string, unknown>;
}

/** What the caller configures (collection option `oauth2.providers[]`). */
export interface OAuth2ClientConfig {
  clientId: string;
  clientSecret: string;
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
  scopes: string[];
  pkce: boolean;
  /** Extra query parameters of the authorization URL (Apple: `response_mode=form_post`). */
  authParams?: Record<string, string>;
  /** How the token endpoint wants the client credentials (default: in the form body). */
  tokenAuth?: 'post' | 'basic';
}

/** Fetch for provider calls: JSON answers only, a timeout, no redirects to follow silently. */
export async function fetchJson(url: string, init: RequestInit & { what: string }): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS), headers: { accept: 'application/json', ...(init.headers as Record<string, string>) } });
  } catch (err) {
    throw new OAuth2ProviderError(`${init.what}: the provider could not be reached (${(err as Error).name}).`, { cause: err });
  }
  const text = await readLimited(res, init.what);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const obj = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  if (!res.ok) {
    // The provider's own error code is safe and useful; its description may echo input, so it is cut.
    const code = obj && typeof obj.error === 'string' ? ` (${obj.error.slice(0, 100)})` : '';
    throw new OAuth2ProviderError(`${init.what}: the provider answered ${res.status}${code}.`);
  }
  if (Array.isArray(body)) return { items: body };
  if (!obj) throw new OAuth2ProviderError(`${init.what}: the provider's answer is not JSON.`);
  return obj;
}

/** The body as text; throws once it passes {@link MAX_PROVIDER_RESPONSE_BYTES}. */
async function readLimited(res: Response, what: string): Promise<string> {
  const tooLarge = () => new OAuth2ProviderError(`${what}: the provider's answer is larger than ${MAX_PROVIDER_RESPONSE_BYTES} bytes.`);
  if (Number(res.headers.get('content-length')) > MAX_PROVIDER_RESPONSE_BYTES) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += chunk.byteLength;
      if (size > MAX_PROVIDER_RESPONSE_BYTES) break;
      chunks.push(chunk);
    }
  } catch {
    // A body cut short (timeout, reset) reads as what arrived: the JSON check refuses it.
  }
  if (size > MAX_PROVIDER_RESPONSE_BYTES) {
    await res.body.cancel().catch(() => {});
    throw tooLarge();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `fetch` for a library that reads provider answers itself (jose's key sets): the same size
 * limit, the body handed over already read.
 */
export async function fetchLimited(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  const text = await readLimited(res, 'key set request');
  // A 204 or 304 may not be rebuilt with a body, even an empty one.
  return new Response(text === '' ? null : text, { status: res.status, statusText: res.statusText, headers: res.headers });
}

const VERIFIER_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';

/** A PKCE code verifier: 43 characters from a CSPRNG (RFC 7636 §4.1). */
export function newCodeVerifier(): string {
  let out = '';
  for (let i = 0; i < 43; i++) out += VERIFIER_ALPHABET[randomInt(VERIFIER_ALPHABET.length)];
  return out;
}

/** The S256 challenge of a verifier: base64url(sha256(verifier)) without padding. */
export function codeChallengeOf(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

export class OAuth2Client {
  readonly config: OAuth2ClientConfig;

  constructor(config: OAuth2ClientConfig) {
    this.config = config;
  }

  /**
   * The authorization URL with client_id, the PKCE challenge, response_type, scope and state, ending
   * in `&redirect_uri=` so the caller appends its redirect URL (spec §6.2).
   */
  authorizationURL(state: string, codeChallenge: string | undefined): string {
    const url = new URL(this.config.authURL);
    const params: Record<string, string> = { ...this.config.authParams, client_id: this.config.clientId, response_type: 'code', scope: this.config.scopes.join(' '), state };
    if (codeChallenge) Object.assign(params, { code_challenge: codeChallenge, code_challenge_method: 'S256' });
    url.searchParams.delete('redirect_uri');
    for (const key of Object.keys(params).sort()) url.searchParams.set(key, params[key]);
    return `${url.toString()}&redirect_uri=`;
  }

  /** Exchanges an authorization code for tokens. */
  async exchangeCode(code: string, codeVerifier: string, redirectURL: string): Promise<OAuth2Token> {
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectURL });
    if (codeVerifier) form.set('code_verifier', codeVerifier);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (this.config.tokenAuth === 'basic') {
      const enc = (s: string) => encodeURIComponent(s);
      headers.authorization = `Basic ${Buffer.from(`${enc(this.config.clientId)}:${enc(this.config.clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', this.config.clientId);
      form.set('client_secret', this.config.clientSecret);
    }
    const body = await fetchJson(this.config.tokenURL, { method: 'POST', headers, body: form.toString(), what: 'token request' });
    const accessToken = str(body.access_token);
    if (!accessToken) throw new OAuth2ProviderError('token request: the answer has no access_token.');
    const expiresIn = Number(body.expires_in);
    return {
      accessToken,
      refreshToken: str(body.refresh_token),
      expiry: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000) : undefined,
      idToken: str(body.id_token),
      tokenType: str(body.token_type) || 'Bearer',
    };
  }

  /** GETs a provider API URL with the access token. */
  fetchWithToken(url: string, token: OAuth2Token, what = 'user request'): Promise<Record<string, unknown>> {
    return fetchJson(url, { method: 'GET', headers: { authorization: `Bearer ${token.accessToken}` }, what });
  }

  /** The raw profile from the user-info endpoint. */
  async fetchRawUser(token: OAuth2Token): Promise<Record<string, unknown>> {
    if (!this.config.userInfoURL) return {};
    return this.fetchWithToken(this.config.userInfoURL, token);
  }
}

/** Reads a string claim of a raw profile (numbers become strings: GitHub ids are numbers). */
export const claim = str;
