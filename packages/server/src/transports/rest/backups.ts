/**
 * Backups routes (spec §10.4): list, create, upload, download, delete, restore.
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import type { App } from '../../core/app.ts';
import { backupCreate } from '../../core/operations/backup-create.ts';
import { backupDelete } from '../../core/operations/backup-delete.ts';
import { backupDownload } from '../../core/operations/backup-download.ts';
import { backupList } from '../../core/operations/backup-list.ts';
import { backupRestore } from '../../core/operations/backup-restore.ts';
import { backupUpload } from '../../core/operations/backup-upload.ts';
import { requireSuperuser } from '../../core/operations/context.ts';
import { bodyOf, contextOf, queryOf, sendJson, sendNoContent } from './rest-context.ts';

/** The upload route, whose body has no size limit (spec §10.4; see dynamicBodyLimit in server.ts). */
export const BACKUP_UPLOAD_ROUTE = '/api/backups/upload';

export function backupRoutes(server: FastifyInstance, app: App): void {
  server.get('/api/backups', async (request, reply) => sendJson(request, reply, await backupList(await contextOf(app, request))));

  server.post('/api/backups', async (request, reply) => {
    await backupCreate(await contextOf(app, request), bodyOf(request));
    return sendNoContent(reply);
  });

  // Note: no body limit (spec §10.4), so who may send one is checked before the body is read.
  const superuserFirst = { bodyLimit: Number.MAX_SAFE_INTEGER, preParsing: async (request: FastifyRequest) => requireSuperuser(await contextOf(app, request)) };
  server.post(BACKUP_UPLOAD_ROUTE, superuserFirst, async (request, reply) => {
    const ctx = await contextOf(app, request);
    const part = request.uploads.find((u) => u.field === 'file');
    await backupUpload(ctx, part && { filename: part.filename, size: part.size, open: () => createReadStream(part.path) });
    return sendNoContent(reply);
  });

  server.get('/api/backups/:key', async (request, reply) => {
    const { key } = request.params as { key: string };
    const { stream, size } = await backupDownload(await contextOf(app, request), key, queryOf(request).token);
    return reply
      .code(200)
      .header('content-type', 'application/zip')
      .header('content-length', String(size))
      // The key passed isValidBackupKey: no quote, slash or control character to escape.
      .header('content-disposition', `attachment; filename="${key}"`)
      .header('cache-control', 'no-store')
      .send(stream);
  });

  server.delete('/api/backups/:key', async (request, reply) => {
    await backupDelete(await contextOf(app, request), (request.params as { key: string }).key);
    return sendNoContent(reply);
  });

  server.post('/api/backups/:key/restore', async (request, reply) => {
    await backupRestore(await contextOf(app, request), (request.params as { key: string }).key);
    return sendNoContent(reply);
  });
}
