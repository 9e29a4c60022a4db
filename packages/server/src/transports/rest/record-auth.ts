/**
 * Auth routes of auth collections (spec §6): methods, password, OAuth2, OTP, TOTP (Basalt's own), MFA,
 * refresh, impersonation, and the e-mail flows (verification, password reset, e-mail change).
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../core/app.ts';
import { authCollectionOrThrow, isMfaChallenge, recordAuthRefresh, recordAuthWithPassword, type AuthResult } from '../../core/operations/record-auth.ts';
import { oauth2AuthMethods, oauth2ProviderList, recordAuthWithOAuth2 } from '../../core/operations/record-auth-with-oauth2.ts';
import { recordAuthWithOtp } from '../../core/operations/record-auth-with-otp.ts';
import { recordConfirmEmailChange } from '../../core/operations/record-confirm-email-change.ts';
import { recordConfirmPasswordReset } from '../../core/operations/record-confirm-password-reset.ts';
import { recordConfirmVerification } from '../../core/operations/record-confirm-verification.ts';
import { recordImpersonate } from '../../core/operations/record-impersonate.ts';
import { recordRequestEmailChange } from '../../core/operations/record-request-email-change.ts';
import { recordRequestOtp } from '../../core/operations/record-request-otp.ts';
import { recordRequestPasswordReset } from '../../core/operations/record-request-password-reset.ts';
import { recordRequestVerification } from '../../core/operations/record-request-verification.ts';
import { recordAuthWithTotp, recordTotpConfirm, recordTotpDisable, recordTotpEnroll, recordTotpStatus } from '../../core/operations/record-totp.ts';
import { bodyOf, contextOf, queryOf, sendJson, sendNoContent } from './rest-context.ts';
import { sendAuthResult } from './session.ts';

type CollectionParams = { collection: string };

/** 200 auth response, or the bare 401 `{mfaId}` of a first factor (spec §6.6, Appendix B.8). */
async function sendAuth(app: App, request: FastifyRequest, reply: FastifyReply, result: AuthResult): Promise<FastifyReply> {
  if (isMfaChallenge(result)) return reply.code(401).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ mfaId: result.mfaId }));
  return sendAuthResult(app, request, reply, result);
}

export function recordAuthRoutes(server: FastifyInstance, app: App): void {
  const post = (path: string, handler: (request: FastifyRequest<{ Params: CollectionParams }>, reply: FastifyReply) => Promise<FastifyReply>) =>
    server.post<{ Params: CollectionParams }>(`/api/collections/:collection/${path}`, handler);

  server.get<{ Params: CollectionParams }>('/api/collections/:collection/auth-methods', async (request, reply) => {
    const ctx = await contextOf(app, request);
    const c = authCollectionOrThrow(ctx, request.params.collection);
    const password = c.passwordAuth.enabled ? { enabled: true, identityFields: c.passwordAuth.identityFields } : { enabled: false, identityFields: [] };
    return sendJson(request, reply, {
      password,
      oauth2: await oauth2AuthMethods(ctx, c),
      mfa: { enabled: c.mfa.enabled, duration: c.mfa.enabled ? c.mfa.duration : 0 },
      otp: { enabled: c.otp.enabled, duration: c.otp.enabled ? c.otp.duration : 0 },
    });
  });

  post('auth-with-password', async (request, reply) => {
    const ctx = await contextOf(app, request);
    return sendAuth(app, request, reply, await recordAuthWithPassword(ctx, request.params.collection, bodyOf(request), { expand: queryOf(request).expand }));
  });

  post('auth-with-oauth2', async (request, reply) => {
    const ctx = await contextOf(app, request);
    return sendAuth(app, request, reply, await recordAuthWithOAuth2(ctx, request.params.collection, bodyOf(request), { expand: queryOf(request).expand }));
  });

  server.get('/api/collections/meta/oauth2-providers', async (request, reply) => sendJson(request, reply, oauth2ProviderList(await contextOf(app, request))));

  post('auth-refresh', async (request, reply) => {
    const ctx = await contextOf(app, request);
    return sendAuthResult(app, request, reply, await recordAuthRefresh(ctx, request.params.collection, { expand: queryOf(request).expand }));
  });

  post('request-otp', async (request, reply) => sendJson(request, reply, await recordRequestOtp(await contextOf(app, request), request.params.collection, bodyOf(request))));

  post('auth-with-otp', async (request, reply) => {
    const ctx = await contextOf(app, request);
    return sendAuth(app, request, reply, await recordAuthWithOtp(ctx, request.params.collection, bodyOf(request), { expand: queryOf(request).expand }));
  });

  post('auth-with-totp', async (request, reply) => {
    const ctx = await contextOf(app, request);
    return sendAuth(app, request, reply, await recordAuthWithTotp(ctx, request.params.collection, bodyOf(request), { expand: queryOf(request).expand }));
  });

  server.get<{ Params: CollectionParams }>('/api/collections/:collection/totp', async (request, reply) => sendJson(request, reply, await recordTotpStatus(await contextOf(app, request), request.params.collection)));
  post('totp/enroll', async (request, reply) => sendJson(request, reply, await recordTotpEnroll(await contextOf(app, request), request.params.collection)));
  post('totp/confirm', async (request, reply) => sendJson(request, reply, await recordTotpConfirm(await contextOf(app, request), request.params.collection, bodyOf(request))));
  post('totp/disable', async (request, reply) => {
    await recordTotpDisable(await contextOf(app, request), request.params.collection, bodyOf(request));
    return sendNoContent(reply);
  });

  server.post<{ Params: CollectionParams & { id: string } }>('/api/collections/:collection/impersonate/:id', async (request, reply) => {
    const ctx = await contextOf(app, request);
    return sendJson(request, reply, await recordImpersonate(ctx, request.params.collection, request.params.id, bodyOf(request), { expand: queryOf(request).expand }));
  });

  const noContent = (path: string, op: (ctx: Awaited<ReturnType<typeof contextOf>>, collection: string, body: Record<string, unknown>) => Promise<void>) =>
    post(path, async (request, reply) => {
      await op(await contextOf(app, request), request.params.collection, bodyOf(request));
      return sendNoContent(reply);
    });
  noContent('request-verification', recordRequestVerification);
  noContent('confirm-verification', recordConfirmVerification);
  noContent('request-password-reset', recordRequestPasswordReset);
  noContent('confirm-password-reset', recordConfirmPasswordReset);
  noContent('request-email-change', recordRequestEmailChange);
  noContent('confirm-email-change', recordConfirmEmailChange);
}
