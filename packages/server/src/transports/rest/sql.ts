/**
 * SQL console route (spec §10.7): a thin adapter over core/operations/sql-console.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../core/app.ts';
import { sqlConsole } from '../../core/operations/sql-console.ts';
import { bodyOf, contextOf, sendJson } from './rest-context.ts';

export function sqlRoutes(server: FastifyInstance, app: App): void {
  // The query's text can quote a password or token literally: the request log keeps none of it.
  server.post('/api/sql', { config: { unloggedBodyKeys: ['query'] } }, async (request, reply) => sendJson(request, reply, await sqlConsole(await contextOf(app, request), bodyOf(request))));
}
