/**
 * The request log hook (spec §10.2): after each response, builds the log entry of the request
 * and hands it to `app.logs`, which buffers it. Everything here is synchronous and small on the
 * success path; failed requests also get their (redacted) body, headers and the error response.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../core/app.ts';
import { loggedErrorMessage, REDACTED, redactBody, redactUrl, redactValue } from '../../core/logs/log-redaction.ts';
import { LOG_LEVEL } from '../../core/logs/log-store.ts';
import type { Settings } from '../../core/settings/settings.ts';
import { clientIp } from './client-ip.ts';
import { toErrorEnvelope, defaultMessageFor } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the request failed with, for its log entry. */
    basaltError?: unknown;
  }
  interface FastifyContextConfig {
    /**
     * Body keys whose values a failed request's log entry leaves out, beyond the secret-looking
     * ones: the SQL console's `query`, whose text can quote a password or token literally.
     * @example server.post('/api/sql', { config: { unloggedBodyKeys: ['query'] } }, handler);
     */
    unloggedBodyKeys?: readonly string[];
  }
}

/**
 * Successful requests that are not logged (spec §10.2): the logs API itself, realtime connects,
 * the dashboard's static files and the OAuth2 redirect. Their failures are logged.
 */
function isQuiet(method: string, path: string): boolean {
  return (
    path === '/_' ||
    path.startsWith('/_/') ||
    path === '/api/logs' ||
    path.startsWith('/api/logs/') ||
    (method === 'GET' && path === '/api/realtime') ||
    path === '/api/oauth2-redirect'
  );
}

/** Longest URL, referer or user agent kept in an entry (a filter can make URLs very long). */
export const MAX_LOGGED_URL = 4096;

const bounded = (text: string): string => (text.length > MAX_LOGGED_URL ? `${text.slice(0, MAX_LOGGED_URL)}…` : text);
const headerText = (value: string | string[] | undefined): string => bounded(Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));

/** Headers that carry client addresses: left out of entries when `logs.logIP` is off. */
const IP_HEADERS = ['x-forwarded-for', 'x-real-ip', 'forwarded', 'cf-connecting-ip', 'fly-client-ip', 'true-client-ip', 'x-client-ip'];

function loggedHeaders(request: FastifyRequest, settings: Settings): unknown {
  const headers = redactValue(request.headers) as Record<string, unknown>;
  if (typeof headers.referer === 'string') headers.referer = redactUrl(headers.referer);
  if (!settings.logs.logIP) {
    for (const name of [...IP_HEADERS, ...settings.trustedProxy.headers.map((h) => h.toLowerCase())]) delete headers[name];
  }
  return headers;
}

function loggedBody(request: FastifyRequest): unknown {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return body;
  // Note: Fastify reads `config` as optional too (lib/request.js routeOptions).
  const hidden = (request.routeOptions.config?.unloggedBodyKeys ?? []).filter((key) => Object.hasOwn(body, key));
  if (hidden.length === 0) return body;
  return { ...body, ...Object.fromEntries(hidden.map((key) => [key, REDACTED])) };
}

function failureData(request: FastifyRequest, status: number, settings: Settings): Record<string, unknown> {
  const err = request.basaltError;
  const sent = err === undefined ? { status, message: defaultMessageFor(status), data: {} } : toErrorEnvelope(err).body;
  const envelope = { ...sent, message: loggedErrorMessage(err, sent.message) };
  const out: Record<string, unknown> = { error: envelope.message };
  if (Object.keys(envelope.data).length) out.details = redactValue(envelope.data);
  else if (status >= 500 && err instanceof Error) out.details = err.message;
  out.headers = loggedHeaders(request, settings);
  const body = loggedBody(request);
  if (body !== undefined && body !== null && !(typeof body === 'object' && Object.keys(body).length === 0)) out.body = redactBody(body);
  const uploads = request.uploads;
  if (uploads?.length) out.files = uploads.slice(0, 50).map((u) => ({ field: u.field, filename: u.filename, type: u.mimetype, size: u.size }));
  out.response = redactBody(envelope);
  return out;
}

function record(app: App, request: FastifyRequest, reply: FastifyReply): void {
  const status = reply.statusCode;
  const failed = status >= 400;
  const level = failed ? LOG_LEVEL.error : LOG_LEVEL.info;
  if (!app.logs.accepts(level)) return;
  const url = request.url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!failed && isQuiet(request.method, path)) return;

  const settings = app.settings.current;
  const auth = request.basaltAuth;
  const data: Record<string, unknown> = {
    type: 'request',
    url: bounded(q < 0 ? url : redactUrl(url)),
    method: request.method,
    status,
    execTime: Math.round(reply.elapsedTime * 1000) / 1000,
    auth: auth ? auth.collection.name : '',
  };
  if (auth && settings.logs.logAuthId) data.authId = String(auth.record.id);
  if (settings.logs.logIP) {
    data.userIP = clientIp(request, settings);
    data.remoteIP = request.socket?.remoteAddress ?? '';
  }
  // The page a provider or a mail link sent the browser to carries `?code=` or `?token=`.
  data.referer = redactUrl(headerText(request.headers.referer));
  data.userAgent = headerText(request.headers['user-agent']);
  if (failed) Object.assign(data, failureData(request, status, settings));
  app.logs.add(level, `${request.method} ${bounded(path)}`, data);
}

/** Registers the hooks that record every request of `server` in `app.logs`. */
export function requestLogHooks(server: FastifyInstance, app: App): void {
  server.addHook('onError', (request, _reply, error, done) => {
    request.basaltError = error;
    done();
  });
  server.addHook('onResponse', (request, reply, done) => {
    try {
      record(app, request, reply);
    } catch (err) {
      // The response is already sent; a logging bug must not become an unhandled rejection.
      app.logger.error({ err }, 'recording a request in the log failed');
    }
    done();
  });
}
