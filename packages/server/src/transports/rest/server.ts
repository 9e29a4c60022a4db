/**
 * The REST transport: a Fastify instance serving the PocketBase Web API over an App.
 * Building and listening are separate, so tests can inject requests without a port.
 * @module
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { App } from '../../core/app.ts';
import { DEFAULT_BODY_LIMIT } from '../../core/settings/settings.ts';
import { batchRoutes } from './batch.ts';
import { bodyParsers } from './body.ts';
import { collectionRoutes } from './collections.ts';
import { restErrorHandler, restNotFoundHandler, toErrorEnvelope } from './errors.ts';
import { recordAuthRoutes } from './record-auth.ts';
import { recordRoutes } from './record-crud.ts';
import { settingsRoutes } from './settings.ts';

export interface RestServerOptions {
  /** Fastify logger setting; false in tests and benchmarks. */
  logger?: FastifyServerOptions['logger'];
  /** Allowed CORS origins; `['*']` (default) allows any. */
  origins?: string[];
  /** Request body limit in bytes (default 32 MiB, spec §1.3). */
  bodyLimit?: number;
}

/** Headers PocketBase sets on every response (spec §1.3). */
const SECURITY_HEADERS = {
  'x-xss-protection': '1; mode=block',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
};

function matchesOrigin(origin: string, patterns: string[]): boolean {
  return patterns.some((p) => p === '*' || p === origin || (p.includes('*') && new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(origin)));
}

/** Builds (without listening) the Fastify instance for `app`. */
export async function buildRestServer(app: App, options: RestServerOptions = {}): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const origins = options.origins ?? ['*'];
  const server = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    genReqId: () => randomUUID(),
    // Route matching is exact about trailing slashes (spec §1.1).
    routerOptions: { maxParamLength: 500, ignoreTrailingSlash: false },
    trustProxy: false,
  });

  server.addHook('onRequest', async (request, reply) => {
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
      return reply.code(204).send();
    }
  });

  await bodyParsers(server, { bodyLimit });
  server.setErrorHandler((error, request, reply) => {
    if (toErrorEnvelope(error).status >= 500) request.log.error({ err: error, reqId: request.id }, 'request failed');
    restErrorHandler(error, request, reply);
  });
  server.setNotFoundHandler(restNotFoundHandler);

  settingsRoutes(server, app);
  collectionRoutes(server, app);
  recordRoutes(server, app);
  recordAuthRoutes(server, app);
  batchRoutes(server, app);
  await server.ready();
  return server;
}
