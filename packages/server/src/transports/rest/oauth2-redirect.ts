/**
 * `GET|POST /api/oauth2-redirect` (spec §6.7.2): where providers send the browser in the SDK's
 * all-in-one OAuth2 flow. The code is forwarded over realtime (core/auth/oauth2-redirect.ts);
 * the answer is a small HTML page, never JSON and never a redirect to a URL from the request.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../core/app.ts';
import { deliverOAuth2Redirect } from '../../core/auth/oauth2-redirect.ts';
import { bodyOf, queryOf } from './rest-context.ts';

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><p>${text}</p></body></html>`;

const SUCCESS = page('Signed in', 'Authentication complete. You can close this window and return to the app.');
const FAILURE = page('Sign-in failed', 'Authentication failed. Close this window and try again from the app.');

function handle(app: App, request: FastifyRequest, reply: FastifyReply, fields: Record<string, unknown>): FastifyReply {
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 4096) : '');
  const ok = deliverOAuth2Redirect(app, {
    state: text(fields.state),
    code: text(fields.code),
    error: text(fields.error),
    user: text(fields.user),
    // Compared with the realtime client's IP, which the realtime transport takes from the socket.
    ip: request.ip,
  });
  return reply
    .code(200)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'")
    .header('referrer-policy', 'no-referrer')
    .send(ok ? SUCCESS : FAILURE);
}

export function oauth2RedirectRoutes(server: FastifyInstance, app: App): void {
  server.get('/api/oauth2-redirect', async (request, reply) => handle(app, request, reply, queryOf(request)));
  // Apple posts the form (`response_mode=form_post`); the query is read too, for providers that mix.
  server.post('/api/oauth2-redirect', async (request, reply) => handle(app, request, reply, { ...queryOf(request), ...bodyOf(request) }));
}
