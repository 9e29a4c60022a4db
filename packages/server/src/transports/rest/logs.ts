/**
 * Logs routes (spec §10.2): thin adapters over core/operations/log-*.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../core/app.ts';
import { logDelete } from '../../core/operations/log-delete.ts';
import { logList } from '../../core/operations/log-list.ts';
import { logStats } from '../../core/operations/log-stats.ts';
import { logView } from '../../core/operations/log-view.ts';
import { contextOf, queryOf, sendJson, sendList, sendNoContent } from './rest-context.ts';

export function logRoutes(server: FastifyInstance, app: App): void {
  server.get('/api/logs', async (request, reply) => {
    const q = queryOf(request);
    return sendList(request, reply, await logList(await contextOf(app, request), { page: q.page, perPage: q.perPage, sort: q.sort, filter: q.filter, skipTotal: q.skipTotal }));
  });
  server.get('/api/logs/stats', async (request, reply) => sendJson(request, reply, await logStats(await contextOf(app, request), queryOf(request).filter)));
  server.get<{ Params: { id: string } }>('/api/logs/:id', async (request, reply) => sendJson(request, reply, await logView(await contextOf(app, request), request.params.id)));
  server.delete('/api/logs', async (request, reply) => {
    await logDelete(await contextOf(app, request));
    return sendNoContent(reply);
  });
}
