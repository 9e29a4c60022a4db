/**
 * Crons routes (spec §10.3): thin adapters over core/operations/cron-*.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../core/app.ts';
import { cronList } from '../../core/operations/cron-list.ts';
import { cronRun } from '../../core/operations/cron-run.ts';
import { contextOf, sendJson, sendNoContent } from './rest-context.ts';

export function cronRoutes(server: FastifyInstance, app: App): void {
  server.get('/api/crons', async (request, reply) => sendJson(request, reply, cronList(await contextOf(app, request))));
  server.post<{ Params: { id: string } }>('/api/crons/:id', async (request, reply) => {
    cronRun(await contextOf(app, request), request.params.id);
    return sendNoContent(reply);
  });
}
