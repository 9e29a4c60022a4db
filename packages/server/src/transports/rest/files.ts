/**
 * File routes (spec §8): downloads with thumbnails, HTTP ranges and caching headers, and file
 * tokens. Thin: which object may be served is decided by core/operations/file-download.ts; this
 * file only speaks HTTP (RFC 9110 §13–14: conditional and range requests).
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../core/app.ts';
import { fileDownload, type FileDownload } from '../../core/operations/file-download.ts';
import { fileToken } from '../../core/operations/file-token.ts';
import { settingsTestS3 } from '../../core/operations/settings-test-s3.ts';
import { isInlineContentType } from '../../files/content-type.ts';
import type { ByteRange } from '../../files/types.ts';
import { bodyOf, contextOf, queryOf, sendJson, sendNoContent } from './rest-context.ts';

type FileParams = { collection: string; recordId: string; filename: string };

/** How long browsers may keep a file (PocketBase's value: 30 days, then revalidate for a day). */
const CACHE_CONTROL = 'max-age=2592000, stale-while-revalidate=86400';
/** Files are user content: nothing in them may run or load anything (PocketBase's policy). */
const CONTENT_SECURITY_POLICY = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/** A strong validator from size and modification time: changes whenever the object does. */
function etagOf(download: FileDownload): string {
  return `"${download.info.size.toString(16)}-${download.info.modified.getTime().toString(16)}"`;
}

/** `inline`/`attachment` with the name, ASCII-safe, plus RFC 8187 `filename*` for any other name. */
function contentDisposition(kind: string, filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return ascii === filename ? `${kind}; filename="${filename}"` : `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** True when `If-None-Match` / `If-Modified-Since` say the client's copy is current (RFC 9110 §13.1.2–3). */
function isNotModified(request: FastifyRequest, etag: string, modified: Date): boolean {
  const noneMatch = request.headers['if-none-match'];
  if (noneMatch !== undefined) return noneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');
  const since = Date.parse(request.headers['if-modified-since'] ?? '');
  return Number.isFinite(since) && Math.floor(modified.getTime() / 1000) <= Math.floor(since / 1000);
}

/**
 * The range a `Range` header asks for (RFC 9110 §14.2): `undefined` to send the whole file (no or
 * unreadable header, or `If-Range` no longer matching), `'unsatisfiable'` for 416. Several ranges
 * are answered with the first one alone.
 */
function requestedRange(request: FastifyRequest, size: number, etag: string, modified: Date): ByteRange | 'unsatisfiable' | undefined {
  const header = request.headers.range;
  if (!header) return undefined;
  const ifRange = request.headers['if-range'];
  if (ifRange !== undefined && ifRange !== etag && ifRange !== modified.toUTCString()) return undefined;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*(?:,.*)?$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}

async function sendFile(request: FastifyRequest, reply: FastifyReply, download: FileDownload, forceDownload: boolean): Promise<FastifyReply> {
  const { info } = download;
  const etag = etagOf(download);
  reply.removeHeader('x-frame-options');
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('cache-control', CACHE_CONTROL);
  reply.header('etag', etag);
  reply.header('last-modified', info.modified.toUTCString());
  reply.header('accept-ranges', 'bytes');
  if (isNotModified(request, etag, info.modified)) return reply.code(304).send();
  const range = requestedRange(request, info.size, etag, info.modified);
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${info.size}`);
    return reply.code(416).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ status: 416, message: 'The requested range is not satisfiable.', data: {} }));
  }
  const kind = !forceDownload && isInlineContentType(download.contentType) ? 'inline' : 'attachment';
  reply.header('content-type', download.contentType);
  reply.header('content-disposition', contentDisposition(kind, download.filename));
  const length = range ? range.end - range.start + 1 : info.size;
  if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${info.size}`);
  reply.header('content-length', String(length));
  if (request.method === 'HEAD' || length === 0) return reply.send();
  return reply.send(await download.store.read(download.key, range));
}

export function fileRoutes(server: FastifyInstance, app: App): void {
  // HEAD is declared here rather than derived by Fastify, whose derived HEAD would read the whole
  // object only to drop it, and would answer `Content-Length: 0`.
  server.route<{ Params: FileParams }>({ method: ['GET', 'HEAD'], url: '/api/files/:collection/:recordId/:filename', exposeHeadRoute: false, handler: async (request, reply) => {
    const ctx = await contextOf(app, request);
    const q = queryOf(request);
    const download = await fileDownload(ctx, request.params.collection, request.params.recordId, request.params.filename, { thumb: q.thumb, token: q.token });
    return sendFile(request, reply, download, q.download !== undefined && q.download !== '' && q.download !== '0' && q.download.toLowerCase() !== 'false');
  } });

  server.post('/api/files/token', async (request, reply) => {
    return sendJson(request, reply, await fileToken(await contextOf(app, request)));
  });

  server.post('/api/settings/test/s3', async (request, reply) => {
    await settingsTestS3(await contextOf(app, request), bodyOf(request));
    return sendNoContent(reply);
  });
}
