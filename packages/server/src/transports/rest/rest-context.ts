/**
 * Builds the core OperationContext from a Fastify request, and sends results with the
 * universal `fields` projection (spec §1.4). Every REST route goes through these two helpers.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../core/app.ts';
import { BadRequestError, ForbiddenError } from '../../core/errors.ts';
import { lazyContext, normalizeHeaderName, type AuthState, type OperationContext, SUPERUSERS } from '../../core/operations/context.ts';
import { resolveAuthToken } from '../../core/operations/record-auth.ts';
import { ipInList } from '../../core/settings/rate-limits.ts';
import { clientIp } from './client-ip.ts';
import { presentedToken } from './session.ts';
import { applyProjection, parseFieldsParam, projectListEnvelope, ProjectionError } from '../../tools/fields-projection.ts';

declare module 'fastify' {
  interface FastifyRequest {
    basaltContext?: Promise<OperationContext>;
    /** The resolved auth of the request once contextOf has read it (for the request log). */
    basaltAuth?: AuthState | null;
  }
}

/** First value of each query parameter, as strings (unknown parameters are kept for rules). */
export function queryOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  const query = (request.query ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(query)) out[k] = Array.isArray(v) ? String(v[0] ?? '') : String(v ?? '');
  return out;
}

function headersOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) {
    if (v === undefined) continue;
    out[normalizeHeaderName(k)] = Array.isArray(v) ? (v[0] ?? '') : v;
  }
  return out;
}

/** The operation context of `request`, resolved once (the auth token costs a lookup). */
export function contextOf(app: App, request: FastifyRequest): Promise<OperationContext> {
  request.basaltContext ??= (async () => {
    // An invalid `?fields=` is rejected before the operation runs: a 400 must never follow a
    // committed write (PocketBase instead answers the 2xx with an empty body, spec §1.4).
    projection(request);
    const ip = clientIp(request, app.settings.current);
    // The Authorization header, else a cookie session (transports/rest/session.ts).
    const auth = await resolveAuthToken(app, presentedToken(request));
    request.basaltAuth = auth;
    // Superusers may be restricted to listed networks (spec §6.1 step 1, settings.superuserIPs).
    const allowed = app.settings.current.superuserIPs;
    if (auth?.collection.name === SUPERUSERS && allowed.length > 0 && !ipInList(ip, allowed)) {
      throw new ForbiddenError('The superuser is not allowed to access the API from this IP address.');
    }
    // Only rules that read `@request.query`/`@request.headers` (and compile them: results are
    // cached) need these copies; most requests never build them.
    return lazyContext(
      { app, auth, method: request.method === 'HEAD' ? 'GET' : request.method, requestContext: 'default', ip },
      { query: () => queryOf(request), headers: () => headersOf(request) },
    );
  })();
  return request.basaltContext;
}

function projection(request: FastifyRequest) {
  const value = (request.query as Record<string, unknown> | undefined)?.fields;
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' || raw === '') return undefined;
  try {
    return parseFieldsParam(raw);
  } catch (err) {
    if (err instanceof ProjectionError) throw new BadRequestError(`Invalid fields parameter: ${err.message}`);
    throw err;
  }
}

/** Sends a JSON body with `?fields=` applied. */
export function sendJson(request: FastifyRequest, reply: FastifyReply, body: unknown): FastifyReply {
  const p = projection(request);
  return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(p ? applyProjection(body, p) : body));
}

/** Sends a list envelope with `?fields=` applied to each item. */
export function sendList(request: FastifyRequest, reply: FastifyReply, envelope: { page: number; perPage: number; totalItems: number; totalPages: number; items: unknown[] }): FastifyReply {
  const p = projection(request);
  return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(p ? projectListEnvelope(envelope, p) : envelope));
}

/** Sends 204 with no body. */
export function sendNoContent(reply: FastifyReply): FastifyReply {
  return reply.code(204).send();
}

/** The request body as a plain object (body parsers guarantee one). */
export function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const b = request.body;
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}
