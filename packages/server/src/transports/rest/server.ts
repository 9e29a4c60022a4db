/**
 * The REST transport: a Fastify instance serving the PocketBase Web API over an App.
 * Building and listening are separate, so tests can inject requests without a port.
 * @module
 */
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { App } from '../../core/app.ts';
import { redactUrl } from '../../core/logs/log-redaction.ts';
import { recordBodyLimit } from '../../core/records/record-body-limit.ts';
import { DEFAULT_BATCH_BODY_LIMIT, DEFAULT_BODY_LIMIT } from '../../core/settings/settings.ts';
import { adminUiRoutes } from './admin-ui.ts';
import { backupRoutes } from './backups.ts';
import { batchRoutes } from './batch.ts';
import { bodyParsers } from './body.ts';
import { collectionRoutes } from './collections.ts';
import { cronRoutes } from './crons.ts';
import { fileRoutes } from './files.ts';
import { restClientErrorHandler, restErrorHandler, restNotFoundHandler, toErrorEnvelope } from './errors.ts';
import { logRoutes } from './logs.ts';
import { mailRoutes } from './mail.ts';
import { oauth2RedirectRoutes } from './oauth2-redirect.ts';
import { rateLimitHook } from './rate-limit.ts';
import { recordAuthRoutes } from './record-auth.ts';
import { recordRoutes } from './record-crud.ts';
import { requestLogHooks } from './request-log.ts';
import { sessionRoutes } from './session.ts';
import { settingsRoutes } from './settings.ts';
import { sqlRoutes } from './sql.ts';
// Note: the one place REST reaches into another transport: `basalt serve` answers the realtime
// endpoints (spec §7) on the same port, so they are mounted on this Fastify instance.
import { realtimeSseRoutes } from '../realtime/sse.ts';
import { realtimeWsRoutes } from '../realtime/ws.ts';

export interface RestServerOptions {
  /** Fastify logger setting; false in tests and benchmarks. */
  logger?: FastifyServerOptions['logger'];
  /** Allowed CORS origins; `['*']` (default) allows any. */
  origins?: string[];
  /** Request body limit in bytes (default 32 MiB, spec §1.3). */
  bodyLimit?: number;
  /** Where multipart uploads stream while a request runs (default: the OS temporary folder). */
  uploadDir?: string;
  /** The dashboard's build folder served at `/_/` (default: packages/admin/dist, or dist/dashboard in the published package). */
  adminDir?: string;
}

/** Largest request line plus headers, in bytes (Node's default is 16 KiB). */
export const MAX_HEADER_BYTES = 64 * 1024;

/** Headers PocketBase sets on every response (spec §1.3). */
const SECURITY_HEADERS = {
  'x-xss-protection': '1; mode=block',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
};

function dynamicBodyLimit(app: App, request: FastifyRequest, base: number): number | undefined {
  const url = request.routeOptions.url;
  if (url === '/api/batch') return app.settings.current.batch.maxBodySize || DEFAULT_BATCH_BODY_LIMIT;
  if (url === '/api/collections/:collection/records' || url === '/api/collections/:collection/records/:id') {
    if (request.method !== 'POST' && request.method !== 'PATCH') return undefined;
    const c = app.collections.find((request.params as { collection: string }).collection);
    return c ? recordBodyLimit(c, base) : base;
  }
  return undefined;
}

function matchesOrigin(origin: string, patterns: string[]): boolean {
  return patterns.some((p) => p === '*' || p === origin || (p.includes('*') && new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(origin)));
}

/**
 * Fastify's logger with request URLs redacted (`?code=`, `?token=`…): the OAuth2 redirect and
 * mail links carry secrets in their query, and --dev logs every incoming request.
 */
function withRedactedUrls(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return logger;
  const serializers = {
    req: (req: FastifyRequest) => ({ method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
  };
  return logger === true ? { serializers } : { ...(logger as object), serializers: { ...(logger as { serializers?: object }).serializers, ...serializers } };
}

/** Builds (without listening) the Fastify instance for `app`. */
export async function buildRestServer(app: App, options: RestServerOptions = {}): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const origins = options.origins ?? ['*'];
  const server = Fastify({
    logger: withRedactedUrls(options.logger ?? false),
    bodyLimit,
    genReqId: () => randomUUID(),
    // Route matching is exact about trailing slashes (spec §1.1).
    routerOptions: { maxParamLength: 500, ignoreTrailingSlash: false },
    trustProxy: false,
    // Node's 16 KiB default rejects a valid 3500-character non-ASCII filter once percent-encoded
    // (up to ~32 KiB); PocketBase (Go net/http) allows 1 MiB of headers.
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    // Errors raised before routing (parser failures, bad URL encoding) also get the envelope.
    clientErrorHandler: restClientErrorHandler,
    frameworkErrors: (error, request, reply) => restErrorHandler(error, request, reply),
  });

  // Hooks on the hot path use Fastify's callback style: an async hook costs a promise per request.
  server.addHook('onRequest', (request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    const origin = request.headers.origin;
    if (origin && matchesOrigin(origin, origins)) {
      reply.header('access-control-allow-origin', origins.includes('*') ? '*' : origin);
      reply.header('vary', 'Origin');
    }
    if (request.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'GET,HEAD,PUT,PATCH,POST,DELETE');
      const requested = request.headers['access-control-request-headers'];
      if (requested) reply.header('access-control-allow-headers', requested);
      reply.code(204).send();
      return;
    }
    done();
  });

  requestLogHooks(server, app);
  rateLimitHook(server, app);
  // Limits that depend on data (the collection's fields, the batch settings) are enforced while
  // the body streams in; the routes that use them declare only a hard ceiling to Fastify.
  await bodyParsers(server, { bodyLimit, uploadDir: options.uploadDir, limitFor: (request) => dynamicBodyLimit(app, request, bodyLimit) });
  server.setErrorHandler((error, request, reply) => {
    // Unexpected failures always reach the App's logger, whatever Fastify's own log level.
    if (toErrorEnvelope(error).status >= 500) app.logger.error({ err: error, reqId: request.id, method: request.method, url: redactUrl(request.url) }, 'request failed');
    restErrorHandler(error, request, reply);
  });
  server.setNotFoundHandler(restNotFoundHandler);

  settingsRoutes(server, app);
  collectionRoutes(server, app);
  recordRoutes(server, app);
  recordAuthRoutes(server, app);
  oauth2RedirectRoutes(server, app);
  mailRoutes(server, app);
  sessionRoutes(server, app);
  batchRoutes(server, app);
  fileRoutes(server, app);
  backupRoutes(server, app);
  logRoutes(server, app);
  sqlRoutes(server, app);
  cronRoutes(server, app);
  adminUiRoutes(server, { dir: options.adminDir });
  realtimeSseRoutes(server, app);
  realtimeWsRoutes(server, app);
  await server.ready();
  return server;
}
