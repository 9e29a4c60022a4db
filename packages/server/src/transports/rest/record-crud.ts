/**
 * Records routes (spec §3): thin adapters over core/operations/record-*.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../core/app.ts';
import { recordCreate } from '../../core/operations/record-create.ts';
import { recordDelete } from '../../core/operations/record-delete.ts';
import { recordList } from '../../core/operations/record-list.ts';
import { recordUpdate } from '../../core/operations/record-update.ts';
import { recordView } from '../../core/operations/record-view.ts';
import { fileUploadsOf, MAX_DYNAMIC_BODY_LIMIT } from './body.ts';
import { bodyOf, contextOf, queryOf, sendJson, sendList, sendNoContent } from './rest-context.ts';

type CollectionParams = { collection: string };
type RecordParams = { collection: string; id: string };

export function recordRoutes(server: FastifyInstance, app: App): void {
  server.get<{ Params: CollectionParams }>('/api/collections/:collection/records', async (request, reply) => {
    const ctx = await contextOf(app, request);
    const q = queryOf(request);
    const result = await recordList(ctx, request.params.collection, {
      page: q.page,
      perPage: q.perPage,
      sort: q.sort,
      filter: q.filter,
      expand: q.expand,
      skipTotal: q.skipTotal,
    });
    return sendList(request, reply, result);
  });

  server.get<{ Params: RecordParams }>('/api/collections/:collection/records/:id', async (request, reply) => {
    const ctx = await contextOf(app, request);
    return sendJson(request, reply, await recordView(ctx, request.params.collection, request.params.id, { expand: queryOf(request).expand }));
  });

  server.post<{ Params: CollectionParams }>('/api/collections/:collection/records', { bodyLimit: MAX_DYNAMIC_BODY_LIMIT }, async (request, reply) => {
    const ctx = await contextOf(app, request);
    return sendJson(request, reply, await recordCreate(ctx, request.params.collection, bodyOf(request), { expand: queryOf(request).expand, files: fileUploadsOf(request.uploads) }));
  });

  server.patch<{ Params: RecordParams }>('/api/collections/:collection/records/:id', { bodyLimit: MAX_DYNAMIC_BODY_LIMIT }, async (request, reply) => {
    const ctx = await contextOf(app, request);
    return sendJson(request, reply, await recordUpdate(ctx, request.params.collection, request.params.id, bodyOf(request), { expand: queryOf(request).expand, files: fileUploadsOf(request.uploads) }));
  });

  server.delete<{ Params: RecordParams }>('/api/collections/:collection/records/:id', async (request, reply) => {
    const ctx = await contextOf(app, request);
    await recordDelete(ctx, request.params.collection, request.params.id);
    return sendNoContent(reply);
  });
}
