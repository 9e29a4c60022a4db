/**
 * OAuth2 / OpenID Connect providers by name (PocketBase's spellings, spec §5.2): presets for
 * well-known services and the generic `oidc`, `oidc2`, `oidc3` providers configured by issuer
 * URL (discovery) or by explicit endpoint URLs. Each turns the provider's profile into an
 * {@link OAuth2User} whose `email` is set only when the provider says it is verified.
 * @module
 */
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload } from 'jose';
import { OAuth2Client, OAuth2ProviderError, PROVIDER_TIMEOUT_MS, claim, fetchJson, fetchLimited, type OAuth2Token, type OAuth2User } from './oauth2-client.ts';

/** A provider as configured on a collection (`oauth2.providers[]`). */
export interface OAuth2ProviderSettings {
  name: string;
  clientId: string;
  clientSecret: string;
  authURL?: string;
  tokenURL?: string;
  userInfoURL?: string;
  displayName?: string;
  /** null/undefined: the provider's default. */
  pkce?: boolean | null;
  /** Provider specific: `issuer` (OIDC discovery), `jwksURL`, `issuers` (id_token checks). */
  extra?: Record<string, unknown> | null;
}

/** A ready-to-use provider: endpoints resolved, credentials set. */
export interface OAuth2Provider {
  readonly name: string;
  readonly displayName: string;
  readonly pkce: boolean;
  /** Every endpoint URL the provider was set up with (configured or discovered), issuer included. */
  readonly endpoints: readonly string[];
  authorizationURL(state: string, codeChallenge: string | undefined): string;
  exchangeCode(code: string, codeVerifier: string, redirectURL: string): Promise<OAuth2Token>;
  fetchUser(token: OAuth2Token): Promise<OAuth2User>;
}

type Raw = Record<string, unknown>;

interface Preset {
  displayName: string;
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
  scopes: string[];
  pkce: boolean;
  authParams?: Record<string, string>;
  /** id_token verification: issuers accepted and the key set (Apple, OIDC). */
  idToken?: { issuers: string[]; jwksURL: string };
  /** Endpoints come from `extra.issuer` discovery when given (generic OIDC). */
  discovery?: boolean;
  profile(raw: Raw, ctx: { client: OAuth2Client; token: OAuth2Token }): Promise<Omit<OAuth2User, 'rawUser'>> | Omit<OAuth2User, 'rawUser'>;
}

const isTrue = (v: unknown) => v === true || v === 'true';

/** Whether a Microsoft authorization URL signs in to one tenant only (not `common`, `organizations` or `consumers`). */
export function isSingleTenant(authURL: string): boolean {
  let path: string;
  try {
    path = new URL(authURL).pathname;
  } catch {
    return false;
  }
  const tenant = path.split('/')[1] ?? '';
  return tenant !== '' && !['common', 'organizations', 'consumers'].includes(tenant.toLowerCase());
}

/** Standard OIDC claims (userinfo or id_token). */
function oidcProfile(raw: Raw): Omit<OAuth2User, 'rawUser'> {
  return {
    id: claim(raw.sub),
    name: claim(raw.name),
    username: claim(raw.preferred_username),
    email: isTrue(raw.email_verified) ? claim(raw.email) : '',
    avatarURL: claim(raw.picture),
  };
}

const OIDC_PRESET: Preset = {
  displayName: 'OIDC',
  authURL: '',
  tokenURL: '',
  userInfoURL: '',
  scopes: ['openid', 'profile', 'email'],
  pkce: true,
  discovery: true,
  idToken: { issuers: [], jwksURL: '' },
  profile: oidcProfile,
};

const PRESETS: Record<string, Preset> = {
  google: {
    displayName: 'Google',
    authURL: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenURL: 'https://oauth2.googleapis.com/token',
    userInfoURL: 'https://www.googleapis.com/oauth2/v3/userinfo',
    scopes: ['https://www.googleapis.com/auth/userinfo.profile', 'https://www.googleapis.com/auth/userinfo.email'],
    pkce: true,
    profile: oidcProfile,
  },
  github: {
    displayName: 'GitHub',
    authURL: 'https://github.com/login/oauth/authorize',
    tokenURL: 'https://github.com/login/oauth/access_token',
    userInfoURL: 'https://api.github.com/user',
    scopes: ['read:user', 'user:email'],
    pkce: true,
    async profile(raw, { client, token }) {
      // The public profile e-mail is whatever the user typed; the verified primary one comes
      // from the e-mails endpoint (next to the user endpoint, so a self-hosted URL works too).
      const emailsURL = `${client.config.userInfoURL.replace(/\/+$/, '')}/emails`;
      const list = (await client.fetchWithToken(emailsURL, token, 'e-mails request')).items;
      const primary = Array.isArray(list) ? (list as Raw[]).find((e) => e.primary === true && e.verified === true) : undefined;
      return { id: claim(raw.id), name: claim(raw.name), username: claim(raw.login), email: primary ? claim(primary.email) : '', avatarURL: claim(raw.avatar_url) };
    },
  },
  gitlab: {
    displayName: 'GitLab',
    authURL: 'https://gitlab.com/oauth/authorize',
    tokenURL: 'https://gitlab.com/oauth/token',
    userInfoURL: 'https://gitlab.com/api/v4/user',
    scopes: ['read_user'],
    pkce: true,
    // GitLab only exposes the primary e-mail once it is confirmed.
    profile: (raw) => ({ id: claim(raw.id), name: claim(raw.name), username: claim(raw.username), email: claim(raw.email), avatarURL: claim(raw.avatar_url) }),
  },
  discord: {
    displayName: 'Discord',
    authURL: 'https://discord.com/api/oauth2/authorize',
    tokenURL: 'https://discord.com/api/oauth2/token',
    userInfoURL: 'https://discord.com/api/users/@me',
    scopes: ['identify', 'email'],
    pkce: true,
    profile: (raw) => {
      const id = claim(raw.id);
      const avatar = claim(raw.avatar);
      return {
        id,
        name: claim(raw.global_name) || claim(raw.username),
        username: claim(raw.username),
        email: raw.verified === true ? claim(raw.email) : '',
        avatarURL: avatar ? `https://cdn.discordapp.com/avatars/${encodeURIComponent(id)}/${encodeURIComponent(avatar)}.png` : '',
      };
    },
  },
  microsoft: {
    displayName: 'Microsoft',
    authURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    userInfoURL: 'https://graph.microsoft.com/v1.0/me',
    scopes: ['User.Read'],
    pkce: true,
    // Graph's `mail` is whatever the account's tenant admin typed: Microsoft does not verify it.
    // With the multi-tenant endpoints any tenant's admin could name someone else's address and
    // be linked to that account ("nOAuth"), so it only counts as verified when sign-in is pinned
    // to one tenant (authURL with a tenant id). PocketBase trusts it in every case.
    profile: (raw, { client }) => ({ id: claim(raw.id), name: claim(raw.displayName), username: '', email: isSingleTenant(client.config.authURL) ? claim(raw.mail) : '', avatarURL: '' }),
  },
  facebook: {
    displayName: 'Facebook',
    authURL: 'https://www.facebook.com/v19.0/dialog/oauth',
    tokenURL: 'https://graph.facebook.com/v19.0/oauth/access_token',
    userInfoURL: 'https://graph.facebook.com/me?fields=name,email,picture.type(large)',
    scopes: ['email'],
    pkce: true,
    profile: (raw) => {
      const picture = (raw.picture as { data?: { url?: unknown } } | undefined)?.data?.url;
      return { id: claim(raw.id), name: claim(raw.name), username: '', email: claim(raw.email), avatarURL: claim(picture) };
    },
  },
  apple: {
    displayName: 'Apple',
    authURL: 'https://appleid.apple.com/auth/authorize',
    tokenURL: 'https://appleid.apple.com/auth/token',
    userInfoURL: '',
    scopes: ['name', 'email'],
    pkce: true,
    // Apple posts the code back (and the user's name, on the first sign-in only).
    authParams: { response_mode: 'form_post' },
    idToken: { issuers: ['https://appleid.apple.com'], jwksURL: 'https://appleid.apple.com/auth/keys' },
    profile: (raw) => ({ id: claim(raw.sub), name: '', username: '', email: isTrue(raw.email_verified) ? claim(raw.email) : '', avatarURL: '' }),
  },
  oidc: { ...OIDC_PRESET },
  oidc2: { ...OIDC_PRESET },
  oidc3: { ...OIDC_PRESET },
};

/** Names Basalt can sign in with, in display order. */
export const SUPPORTED_OAUTH2_PROVIDERS: readonly string[] = Object.keys(PRESETS);

/** Display name of a supported provider (the configured one wins). */
export function providerDisplayName(name: string): string {
  return PRESETS[name]?.displayName ?? name;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
  token_endpoint_auth_methods_supported: string[];
}

const DISCOVERY_TTL_MS = 10 * 60_000;
const FAILED_DISCOVERY_TTL_MS = 30_000;
const discoveryCache = new Map<string, { expires: number; doc: Promise<Discovery> }>();
const jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

const trimSlash = (s: string) => s.replace(/\/+$/, '');

/** The issuer's `/.well-known/openid-configuration`, cached for a few minutes. */
function discover(issuer: string): Promise<Discovery> {
  const key = trimSlash(issuer);
  const hit = discoveryCache.get(key);
  if (hit && hit.expires > Date.now()) return hit.doc;
  const doc = fetchJson(`${key}/.well-known/openid-configuration`, { method: 'GET', what: 'OpenID discovery' }).then((raw) => {
    if (trimSlash(claim(raw.issuer)) !== key) throw new OAuth2ProviderError('OpenID discovery: the document is for another issuer.');
    const methods = Array.isArray(raw.token_endpoint_auth_methods_supported) ? raw.token_endpoint_auth_methods_supported.map(String) : [];
    return {
      issuer: claim(raw.issuer),
      authorization_endpoint: claim(raw.authorization_endpoint),
      token_endpoint: claim(raw.token_endpoint),
      userinfo_endpoint: claim(raw.userinfo_endpoint),
      jwks_uri: claim(raw.jwks_uri),
      token_endpoint_auth_methods_supported: methods,
    };
  });
  // A failure is remembered briefly, so an issuer that is down does not hold every auth-methods
  // call for the full timeout, and is retried soon after.
  doc.catch(() => {
    const entry = discoveryCache.get(key);
    if (entry?.doc === doc) entry.expires = Date.now() + FAILED_DISCOVERY_TTL_MS;
  });
  discoveryCache.set(key, { expires: Date.now() + DISCOVERY_TTL_MS, doc });
  if (discoveryCache.size > 100) discoveryCache.delete(discoveryCache.keys().next().value!);
  return doc;
}

function keySet(url: string): ReturnType<typeof createRemoteJWKSet> {
  let set = jwksCache.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: PROVIDER_TIMEOUT_MS, [customFetch]: fetchLimited });
    jwksCache.set(url, set);
    if (jwksCache.size > 100) jwksCache.delete(jwksCache.keys().next().value!);
  }
  return set;
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/**
 * Builds the provider named in `settings`. Generic OIDC providers with `extra.issuer` fetch the
 * discovery document (cached), so this can fail: the caller skips or reports the provider.
 */
export async function createOAuth2Provider(settings: OAuth2ProviderSettings): Promise<OAuth2Provider> {
  const preset = PRESETS[settings.name];
  if (!preset) throw new OAuth2ProviderError(`Unsupported OAuth2 provider ${settings.name}.`);
  const extra = settings.extra ?? {};
  let { authURL, tokenURL, userInfoURL } = preset;
  let idToken = preset.idToken;
  let tokenAuth: 'post' | 'basic' = 'post';
  const issuer = str(extra.issuer);
  if (preset.discovery && issuer) {
    const doc = await discover(issuer);
    authURL = doc.authorization_endpoint;
    tokenURL = doc.token_endpoint;
    userInfoURL = doc.userinfo_endpoint;
    idToken = { issuers: [doc.issuer], jwksURL: doc.jwks_uri };
    const methods = doc.token_endpoint_auth_methods_supported;
    // OIDC's default method is client_secret_basic; the form body is used whenever allowed.
    if (methods.length ? !methods.includes('client_secret_post') && methods.includes('client_secret_basic') : true) tokenAuth = 'basic';
  }
  authURL = str(settings.authURL) || authURL;
  tokenURL = str(settings.tokenURL) || tokenURL;
  userInfoURL = str(settings.userInfoURL) || userInfoURL;
  // PocketBase's names for the id_token checks of its `oidc` provider.
  if (str(extra.jwksURL)) idToken = { issuers: Array.isArray(extra.issuers) ? extra.issuers.map(String) : (idToken?.issuers ?? []), jwksURL: str(extra.jwksURL) };
  if (!authURL || !tokenURL) throw new OAuth2ProviderError(`The ${settings.name} provider needs an issuer or authURL and tokenURL.`);
  // Discovered endpoints are as untrusted as typed ones: browsers are sent to authURL.
  for (const url of [authURL, tokenURL, userInfoURL, idToken?.jwksURL ?? '']) {
    if (url && !(URL.canParse(url) && ['http:', 'https:'].includes(new URL(url).protocol))) throw new OAuth2ProviderError(`The ${settings.name} provider has an endpoint that is not an http(s) URL.`);
  }
  if (!userInfoURL && !idToken?.jwksURL) throw new OAuth2ProviderError(`The ${settings.name} provider needs a userInfoURL or a key set for its id_token.`);
  const pkce = typeof settings.pkce === 'boolean' ? settings.pkce : preset.pkce;
  const client = new OAuth2Client({ clientId: settings.clientId, clientSecret: settings.clientSecret, authURL, tokenURL, userInfoURL, scopes: preset.scopes, pkce, authParams: preset.authParams, tokenAuth });
  const verify = idToken?.jwksURL ? idToken : undefined;

  return {
    name: settings.name,
    displayName: str(settings.displayName) || preset.displayName,
    pkce,
    endpoints: [issuer, authURL, tokenURL, userInfoURL, idToken?.jwksURL ?? ''].filter((u) => u !== ''),
    authorizationURL: (state, challenge) => client.authorizationURL(state, pkce ? challenge : undefined),
    exchangeCode: (code, verifier, redirectURL) => client.exchangeCode(code, pkce ? verifier : '', redirectURL),
    async fetchUser(token) {
      let claims: JWTPayload | undefined;
      if (verify) {
        if (!token.idToken) throw new OAuth2ProviderError('user request: the token answer has no id_token.');
        try {
          ({ payload: claims } = await jwtVerify(token.idToken, keySet(verify.jwksURL), {
            audience: settings.clientId,
            issuer: verify.issuers.length ? verify.issuers : undefined,
            // OIDC Core §2: an id_token always says whom it is for and until when.
            requiredClaims: ['sub', 'exp', 'iat'],
            algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
          }));
        } catch (err) {
          throw new OAuth2ProviderError(`user request: the id_token is not valid (${(err as { code?: string }).code ?? 'invalid'}).`, { cause: err });
        }
      }
      const info = userInfoURL ? await client.fetchRawUser(token) : {};
      if (claims && userInfoURL && claim(info.sub) && claim(info.sub) !== claims.sub) throw new OAuth2ProviderError('user request: the user info is for another subject than the id_token.');
      // The profile reads both (userinfo wins); rawUser is the provider's own profile document.
      const user = await preset.profile({ ...(claims ?? {}), ...info }, { client, token });
      if (!user.id) throw new OAuth2ProviderError('user request: the profile has no user id.');
      return { ...user, rawUser: userInfoURL ? info : { ...(claims ?? {}) } };
    },
  };
}
