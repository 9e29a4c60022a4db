/**
 * Collections routes (spec §5.5), superusers only; the checks live in the operations.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../core/app.ts';
import {
  collectionCreate,
  collectionDelete,
  collectionList,
  collectionScaffolds,
  collectionTruncate,
  collectionUpdate,
  collectionView,
  collectionsImport,
} from '../../core/operations/collection-save.ts';
import { bodyOf, contextOf, queryOf, sendJson, sendList, sendNoContent } from './rest-context.ts';

type Params = { collection: string };

export function collectionRoutes(server: FastifyInstance, app: App): void {
  server.get('/api/collections', async (request, reply) => {
    const q = queryOf(request);
    const result = await collectionList(await contextOf(app, request), { page: q.page, perPage: q.perPage, sort: q.sort, filter: q.filter, skipTotal: q.skipTotal });
    return sendList(request, reply, result);
  });
  server.post('/api/collections', async (request, reply) => sendJson(request, reply, await collectionCreate(await contextOf(app, request), bodyOf(request))));
  server.put('/api/collections/import', async (request, reply) => {
    await collectionsImport(await contextOf(app, request), bodyOf(request));
    return sendNoContent(reply);
  });
  server.get('/api/collections/meta/scaffolds', async (request, reply) => sendJson(request, reply, collectionScaffolds(await contextOf(app, request))));
  server.get<{ Params: Params }>('/api/collections/:collection', async (request, reply) =>
    sendJson(request, reply, await collectionView(await contextOf(app, request), request.params.collection)),
  );
  server.patch<{ Params: Params }>('/api/collections/:collection', async (request, reply) =>
    sendJson(request, reply, await collectionUpdate(await contextOf(app, request), request.params.collection, bodyOf(request))),
  );
  server.delete<{ Params: Params }>('/api/collections/:collection', async (request, reply) => {
    await collectionDelete(await contextOf(app, request), request.params.collection);
    return sendNoContent(reply);
  });
  server.delete<{ Params: Params }>('/api/collections/:collection/truncate', async (request, reply) => {
    await collectionTruncate(await contextOf(app, request), request.params.collection);
    return sendNoContent(reply);
  });
}
