/**
 * The REST side of rate limiting (spec §10.6): the collection tags of each route, and an
 * `onRequest` hook answering 429 `Too Many Requests.` with `Retry-After` (seconds) past a rule's
 * limit. Superusers and `excludedIPs` are never limited. Rules live in core/settings/rate-limits.ts.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../core/app.ts';
import { TooManyRequestsError } from '../../core/errors.ts';
import { isSuperuser } from '../../core/operations/context.ts';
import { RateLimiter } from '../../core/settings/rate-limits.ts';
import { contextOf } from './rest-context.ts';

/** Tags of collection-scoped routes, by `METHOD route-pattern`. */
const ROUTE_TAGS: Readonly<Record<string, readonly string[]>> = {
  'GET /api/collections/:collection/records': ['list'],
  'GET /api/collections/:collection/records/:id': ['view'],
  'POST /api/collections/:collection/records': ['create'],
  'PATCH /api/collections/:collection/records/:id': ['update'],
  'DELETE /api/collections/:collection/records/:id': ['delete'],
  'GET /api/collections/:collection/auth-methods': ['listAuthMethods'],
  'POST /api/collections/:collection/auth-refresh': ['authRefresh'],
  'POST /api/collections/:collection/auth-with-password': ['authWithPassword', 'auth'],
  'POST /api/collections/:collection/auth-with-oauth2': ['authWithOAuth2', 'auth'],
  'POST /api/collections/:collection/request-otp': ['requestOTP'],
  'POST /api/collections/:collection/auth-with-otp': ['authWithOTP', 'auth'],
  'POST /api/collections/:collection/auth-with-totp': ['authWithTOTP', 'auth'],
  'POST /api/collections/:collection/request-password-reset': ['requestPasswordReset'],
  'POST /api/collections/:collection/confirm-password-reset': ['confirmPasswordReset'],
  'POST /api/collections/:collection/request-verification': ['requestVerification'],
  'POST /api/collections/:collection/confirm-verification': ['confirmVerification'],
  'POST /api/collections/:collection/request-email-change': ['requestEmailChange'],
  'POST /api/collections/:collection/confirm-email-change': ['confirmEmailChange'],
  'GET /api/files/:collection/:recordId/:filename': ['file'],
};

export function rateLimitHook(server: FastifyInstance, app: App): void {
  const limiter = new RateLimiter();
  const limit = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const settings = app.settings.current;
    const ctx = await contextOf(app, request);
    if (isSuperuser(ctx)) return;
    const route = request.routeOptions.url;
    const tags = route ? ROUTE_TAGS[`${request.method} ${route}`] : undefined;
    const param = (request.params as Record<string, string> | undefined)?.collection;
    const collection = tags && param ? (app.collections.find(param)?.name ?? param) : undefined;
    const path = request.url.split('?')[0];
    const retryAfter = limiter.check(settings, { method: request.method, path, collection, tags: tags ?? [], isAuth: ctx.auth !== null }, ctx.ip, Date.now());
    if (retryAfter !== undefined) {
      reply.header('retry-after', String(retryAfter));
      throw new TooManyRequestsError();
    }
  };
  // Callback style, so the common case (limits off) costs no promise per request.
  server.addHook('onRequest', (request, reply, done) => {
    if (!app.settings.current.rateLimits.enabled || request.method === 'OPTIONS') return done();
    limit(request, reply).then(() => done(), done);
  });
}
