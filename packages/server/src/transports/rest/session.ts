/**
 * Cookie sessions, an option beside bearer tokens. A sign-in with `?session=cookie` answers with
 * the auth token in an HttpOnly, SameSite=Lax cookie (Secure over TLS, or behind a configured
 * trusted proxy that says `X-Forwarded-Proto: https`) instead of the body, plus a CSRF token
 * (body `csrfToken` and the readable `basalt_csrf` cookie). Requests without an Authorization
 * header are then authenticated by the cookie; any write so authenticated must repeat the CSRF
 * token in the `X-CSRF-Token` header (signed double submit: the token is an HMAC of the session
 * token, see auth/secrets.ts); without it the cookie is ignored and the write runs as a guest, as
 * any other unusable credential is (spec §11.1). `POST /api/session/logout` clears both cookies.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual, csrfTokenFor } from '../../auth/secrets.ts';
import type { App } from '../../core/app.ts';
import type { AuthResponse } from '../../core/operations/record-auth.ts';
import { sendJson, sendNoContent } from './rest-context.ts';

/** Name of the HttpOnly cookie holding the auth token. */
export const SESSION_COOKIE = 'basalt_auth';
/** Name of the readable cookie holding the CSRF token. */
export const CSRF_COOKIE = 'basalt_csrf';
/** Header a cookie-authenticated write must carry. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookie values of a request, by name (first occurrence wins). */
export function cookiesOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(request.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // A malformed cookie is ignored like a missing one.
    }
  }
  return out;
}

function isSecure(app: App, request: FastifyRequest): boolean {
  if (request.protocol === 'https') return true;
  const proxy = app.settings.current.trustedProxy;
  return proxy.headers.length > 0 && String(request.headers['x-forwarded-proto'] ?? '').split(',')[0].trim().toLowerCase() === 'https';
}

function cookie(name: string, value: string, maxAge: number, httpOnly: boolean, secure: boolean): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAge))}; SameSite=Lax${httpOnly ? '; HttpOnly' : ''}${secure ? '; Secure' : ''}`;
}

/**
 * The auth token a request presents: the Authorization header, else the session cookie. For a
 * write, the cookie counts only with the matching CSRF header.
 */
export function presentedToken(request: FastifyRequest): string | undefined {
  if (request.headers.authorization) return request.headers.authorization;
  const token = cookiesOf(request)[SESSION_COOKIE];
  if (!token) return undefined;
  if (!SAFE_METHODS.has(request.method)) {
    const header = request.headers[CSRF_HEADER];
    const sent = Array.isArray(header) ? header[0] : header;
    if (typeof sent !== 'string' || !constantTimeEqual(sent, csrfTokenFor(token))) return undefined;
  }
  return token;
}

/** Sends an auth response as JSON, or as a cookie session when `?session=cookie`. */
export function sendAuthResult(app: App, request: FastifyRequest, reply: FastifyReply, result: AuthResponse): FastifyReply {
  const mode = (request.query as Record<string, unknown> | undefined)?.session;
  if (mode !== 'cookie') return sendJson(request, reply, result);
  const exp = JSON.parse(Buffer.from(result.token.split('.')[1] ?? '', 'base64url').toString() || '{}').exp;
  const maxAge = typeof exp === 'number' ? exp - app.now().getTime() / 1000 : 0;
  const secure = isSecure(app, request);
  const csrfToken = csrfTokenFor(result.token);
  reply.header('set-cookie', [cookie(SESSION_COOKIE, result.token, maxAge, true, secure), cookie(CSRF_COOKIE, csrfToken, maxAge, false, secure)]);
  reply.header('cache-control', 'no-store');
  return sendJson(request, reply, { ...result, token: '', csrfToken });
}

export function sessionRoutes(server: FastifyInstance, app: App): void {
  server.post('/api/session/logout', async (request, reply) => {
    const secure = isSecure(app, request);
    reply.header('set-cookie', [cookie(SESSION_COOKIE, '', 0, true, secure), cookie(CSRF_COOKIE, '', 0, false, secure)]);
    return sendNoContent(reply);
  });
}
