/**
 * Auth routes of auth collections (spec §6): methods, password sign-in, refresh.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../core/app.ts';
import { authCollectionOrThrow, recordAuthRefresh, recordAuthWithPassword } from '../../core/operations/record-auth.ts';
import { bodyOf, contextOf, queryOf, sendJson } from './rest-context.ts';

type CollectionParams = { collection: string };

export function recordAuthRoutes(server: FastifyInstance, app: App): void {
  server.get<{ Params: CollectionParams }>('/api/collections/:collection/auth-methods', async (request, reply) => {
    const ctx = await contextOf(app, request);
    const c = authCollectionOrThrow(ctx, request.params.collection);
    const password = c.passwordAuth.enabled ? { enabled: true, identityFields: c.passwordAuth.identityFields } : { enabled: false, identityFields: [] };
    return sendJson(request, reply, {
      password,
      oauth2: { enabled: false, providers: [] },
      mfa: { enabled: c.mfa.enabled, duration: c.mfa.enabled ? c.mfa.duration : 0 },
      otp: { enabled: c.otp.enabled, duration: c.otp.enabled ? c.otp.duration : 0 },
    });
  });

  server.post<{ Params: CollectionParams }>('/api/collections/:collection/auth-with-password', async (request, reply) => {
    const ctx = await contextOf(app, request);
    return sendJson(request, reply, await recordAuthWithPassword(ctx, request.params.collection, bodyOf(request), { expand: queryOf(request).expand }));
  });

  server.post<{ Params: CollectionParams }>('/api/collections/:collection/auth-refresh', async (request, reply) => {
    const ctx = await contextOf(app, request);
    return sendJson(request, reply, await recordAuthRefresh(ctx, request.params.collection, { expand: queryOf(request).expand }));
  });
}
