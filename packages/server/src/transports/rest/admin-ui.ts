/**
 * Serves the dashboard's production build (packages/admin/dist) at `/_/`: `index.html` for the
 * app's own routes (no-cache, with a Content-Security-Policy), hashed assets as immutable files
 * with strong ETags, compressed once per file and encoding (brotli or gzip) and kept in memory.
 * A missing build answers 503 with instructions, never a 500; paths never leave the build folder.
 * @module
 */
import { createHash } from 'node:crypto';
import { realpath, readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../core/errors.ts';

/**
 * The build folder when neither the option nor BASALT_ADMIN_DIR names one. Compiled (the published
 * package runs dist/src/…), it is the copy the pack step puts in dist/dashboard; run from source in
 * the monorepo, it is the admin package's own build.
 */
export const DEFAULT_ADMIN_DIR = import.meta.filename.endsWith('.js')
  ? resolve(import.meta.dirname, '../../../dashboard')
  : resolve(import.meta.dirname, '../../../../admin/dist');

/** The policy of the dashboard's HTML: only its own scripts, and the API on the same origin. */
export const ADMIN_CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
  "frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'";

/** Files smaller than this are sent as they are: compression would not pay for itself. */
const MIN_COMPRESS_BYTES = 1024;
/** Files larger than this are read from disk each time instead of being kept in memory. */
export const MAX_CACHED_FILE_BYTES = 8 * 1024 * 1024;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.webmanifest', '.txt', '.svg', '.ico', '.wasm', '.ttf']);

type Encoding = 'br' | 'gzip';

interface CachedFile {
  mtimeMs: number;
  size: number;
  body: Buffer;
  etag: string;
  type: string;
  compressible: boolean;
  encoded: Map<Encoding, Promise<Buffer>>;
}

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Basalt dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The dashboard is not built yet</h1>
<p>The API is running; only the dashboard's files are missing. Build them with:</p>
<pre style="background:#f3f3f3;padding:1rem">npm run build -w @basalt/admin</pre>
<p>then reload this page. (A server started with <code>BASALT_ADMIN_DIR</code> serves the build from that folder instead.)</p>
</body></html>
`;

/** The encoding to answer with for an Accept-Encoding header (brotli first), if any. */
function preferredEncoding(header: string | undefined): Encoding | undefined {
  if (!header) return undefined;
  const accepted = new Set<string>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && !(Number(q.slice(2)) > 0)) continue;
    accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
}

/** True when an If-None-Match header names `etag` (weak comparison, as RFC 9110 §13.1.2 says). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^"|"$/g, '');
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return tag === bare || tag === `${bare}-br` || tag === `${bare}-gzip`;
  });
}

/** Splits the wildcard part of the URL into safe segments, or undefined for traversal attempts. */
function safeSegments(raw: string): string[] | undefined {
  if (raw.includes('\0') || raw.includes('\\')) return undefined;
  const segments = raw.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.' || s.startsWith('..'))) return undefined;
  return segments;
}

class AdminFiles {
  readonly #dir: string;
  #realDir: Promise<string | undefined> | undefined;
  readonly #cache = new Map<string, CachedFile>();

  constructor(dir: string) {
    this.#dir = resolve(dir);
  }

  #root(): Promise<string | undefined> {
    // Resolved lazily and again after a miss: the build may appear after the server started.
    this.#realDir ??= realpath(this.#dir).catch(() => {
      this.#realDir = undefined;
      return undefined;
    });
    return this.#realDir;
  }

  /** The file at `segments` below the build folder, or undefined when there is none. */
  async load(segments: readonly string[]): Promise<CachedFile | undefined> {
    const root = await this.#root();
    if (!root) return undefined;
    const path = resolve(root, ...segments);
    if (!path.startsWith(root + sep)) return undefined;
    let info;
    try {
      info = await stat(path);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const hit = this.#cache.get(path);
    if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit;
    // A symlink inside the build must not lead out of it.
    const real = await realpath(path).catch(() => '');
    if (!real.startsWith(root + sep)) return undefined;
    const body = await readFile(real);
    const ext = extname(path).toLowerCase();
    const file: CachedFile = {
      mtimeMs: info.mtimeMs,
      size: info.size,
      body,
      etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`,
      type: CONTENT_TYPES[ext] ?? 'application/octet-stream',
      compressible: COMPRESSIBLE.has(ext) && body.length >= MIN_COMPRESS_BYTES,
      encoded: new Map(),
    };
    if (body.length <= MAX_CACHED_FILE_BYTES) this.#cache.set(path, file);
    return file;
  }
}

function encoded(file: CachedFile, encoding: Encoding): Promise<Buffer> {
  let p = file.encoded.get(encoding);
  if (!p) {
    p = encoding === 'br' ? brotli(file.body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 10, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: file.body.length } }) : gzipAsync(file.body, { level: 9 });
    // A failed compression is retried next time instead of being cached.
    p.catch(() => file.encoded.delete(encoding));
    file.encoded.set(encoding, p);
  }
  return p;
}

async function sendFile(request: FastifyRequest, reply: FastifyReply, file: CachedFile, html: boolean): Promise<FastifyReply> {
  reply.header('cache-control', html ? 'no-cache' : 'public, max-age=31536000, immutable');
  if (html) reply.header('content-security-policy', ADMIN_CSP);
  const encoding = file.compressible ? preferredEncoding(request.headers['accept-encoding']) : undefined;
  if (file.compressible) reply.header('vary', 'Accept-Encoding');
  const etag = encoding ? `${file.etag.slice(0, -1)}-${encoding}"` : file.etag;
  reply.header('etag', etag);
  if (matchesEtag(request.headers['if-none-match'], file.etag)) return reply.code(304).send();
  reply.type(file.type);
  if (!encoding) return reply.code(200).send(file.body);
  const body = await encoded(file, encoding);
  return reply.code(200).header('content-encoding', encoding).send(body);
}

export interface AdminUiOptions {
  /** The dashboard's build folder (index.html + assets/); default {@link DEFAULT_ADMIN_DIR}. */
  dir?: string;
}

/** Registers `/_` (redirect) and `/_/*` (the dashboard) on `server`. */
export function adminUiRoutes(server: FastifyInstance, options: AdminUiOptions = {}): void {
  const files = new AdminFiles(options.dir ?? DEFAULT_ADMIN_DIR);

  server.get('/_', (request, reply) => {
    const q = request.url.indexOf('?');
    void reply.redirect(`/_/${q < 0 ? '' : request.url.slice(q)}`, 302);
  });

  server.get<{ Params: { '*': string } }>('/_/*', async (request, reply) => {
    const segments = safeSegments(request.params['*'] ?? '');
    if (!segments) throw new NotFoundError();
    const last = segments[segments.length - 1] ?? '';
    // The dashboard's own routes (no extension) all load the app; anything else is a file.
    if (last === '' || extname(last) === '' || (segments.length === 1 && last === 'index.html')) {
      const index = await files.load(['index.html']);
      if (!index) {
        return reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(MISSING_BUILD_PAGE);
      }
      return sendFile(request, reply, index, true);
    }
    const file = await files.load(segments);
    if (!file) throw new NotFoundError();
    return sendFile(request, reply, file, extname(last).toLowerCase() === '.html');
  });
}
