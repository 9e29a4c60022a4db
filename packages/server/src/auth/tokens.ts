/**
 * Signed tokens (JWT, HS256) in PocketBase's format (spec §11.2, §11.3). The algorithm is pinned:
 * a token with any other `alg`, `none` included, is refused. The signing key is
 * `record.tokenKey + collection secret`, so rotating either invalidates the token.
 * @module
 */
import { SignJWT, decodeJwt, jwtVerify } from 'jose';

export type TokenType = 'auth' | 'file' | 'verification' | 'passwordReset' | 'emailChange';
/**
 * Every token type: the record tokens above plus `setup`, the first-run token that creates the
 * first superuser (signed with a server key, not a record's).
 */
export type AnyTokenType = TokenType | 'setup';

export interface TokenClaims {
  id: string;
  type: AnyTokenType;
  collectionId: string;
  refreshable?: boolean;
  email?: string;
  newEmail?: string;
  exp?: number;
  [claim: string]: unknown;
}

const encoder = new TextEncoder();

/** Signs `claims` with `key`, valid for `durationSeconds` from `now`. */
export async function signToken(claims: TokenClaims, key: string, durationSeconds: number, now: Date = new Date()): Promise<string> {
  const { exp: _ignored, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setExpirationTime(Math.floor(now.getTime() / 1000) + Math.max(0, Math.floor(durationSeconds)))
    .sign(encoder.encode(key));
}

/**
 * Reads the claims without checking the signature: only to find which record (and so which key)
 * to verify with. Returns undefined for anything that is not a well-formed, unexpired token of
 * `type` with string `id` and `collectionId`.
 */
export function peekToken(token: string, type: AnyTokenType, now: Date = new Date()): TokenClaims | undefined {
  if (typeof token !== 'string' || token.length > 8192) return undefined;
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    return undefined;
  }
  if (typeof claims.id !== 'string' || claims.id === '' || typeof claims.collectionId !== 'string' || claims.collectionId === '') return undefined;
  if (claims.type !== type) return undefined;
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) return undefined;
  return claims as TokenClaims;
}

/** Verifies signature (HS256 only), expiry and type; returns the claims or undefined. */
export async function verifyToken(token: string, key: string, type: AnyTokenType, now: Date = new Date()): Promise<TokenClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(key), {
      algorithms: ['HS256'],
      currentDate: now,
      requiredClaims: ['exp'],
    });
    if (payload.type !== type) return undefined;
    return payload as unknown as TokenClaims;
  } catch {
    return undefined;
  }
}

/** The `type` claim of a JWT, read without any check (to pick how to verify it); else undefined. */
export function unverifiedTokenType(token: string): string | undefined {
  if (typeof token !== 'string' || token.length > 8192) return undefined;
  try {
    const type = decodeJwt(token).type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}
