/**
 * The benchmark's reference: a minimal hand-written Fastify + node:sqlite server answering the
 * exact requests `npm run bench` sends, with prepared statements and nothing else. Basalt's
 * throughput is reported as a ratio to this server.
 *
 * It mirrors what Basalt does for the `posts` collection the harness creates:
 * - the same table layout and column definitions (Basalt's SQLite dialect), the same index
 *   (`idx_posts_views`), the same pragmas (WAL, synchronous=FULL, busy_timeout, temp_store,
 *   cache_size);
 * - the same response shapes (PocketBase record and list envelope, error body), 15-char
 *   `[a-z0-9]` ids and `YYYY-MM-DD HH:MM:SS.sssZ` datetimes;
 * - the collection's rules evaluated in SQL: list/view `published = true` (→ `published = 1`),
 *   create/update `""` (anyone).
 *
 * Usage: node bench/reference-server.ts --port PORT --db FILE
 * @module
 */
import { DatabaseSync } from 'node:sqlite';
import Fastify from 'fastify';
import { newId, now, type Row, toRecord, toText, toNumber, toBool, ApiError, notFound, validate } from './reference-model.ts';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) {
    console.error(`reference-server: missing --${name}`);
    process.exit(2);
  }
  return v;
}

const port = Number(arg('port'));
const dbPath = arg('db');

// ---- storage -------------------------------------------------------------------------------

const db = new DatabaseSync(dbPath, { enableForeignKeyConstraints: false });
db.exec('PRAGMA busy_timeout = 10000');
db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = FULL');
db.exec('PRAGMA temp_store = MEMORY');
db.exec('PRAGMA cache_size = -32000');
db.exec(`CREATE TABLE IF NOT EXISTS posts (
  id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(7)))) NOT NULL,
  title TEXT DEFAULT '' NOT NULL,
  views REAL DEFAULT 0 NOT NULL,
  published BOOLEAN DEFAULT FALSE NOT NULL,
  owner TEXT DEFAULT '' NOT NULL,
  created TEXT DEFAULT '' NOT NULL,
  updated TEXT DEFAULT '' NOT NULL
)`);
db.exec('CREATE INDEX IF NOT EXISTS idx_posts_views ON posts (views)');

const COLUMNS = 'id, title, views, published, owner, created, updated';
const stmt = {
  // viewRule `published = true`
  view: db.prepare(`SELECT ${COLUMNS} FROM posts WHERE id = ? AND (published = 1) LIMIT 1`),
  // listRule `published = true` AND the request filter `(views > ? && published = true)`
  listDesc: db.prepare(
    `SELECT ${COLUMNS} FROM posts WHERE (published = 1) AND (views > ? AND published = 1) ORDER BY views DESC LIMIT ? OFFSET ?`,
  ),
  listAsc: db.prepare(
    `SELECT ${COLUMNS} FROM posts WHERE (published = 1) AND (views > ? AND published = 1) ORDER BY views ASC LIMIT ? OFFSET ?`,
  ),
  // updateRule "" → no condition; the record only has to exist.
  find: db.prepare(`SELECT ${COLUMNS} FROM posts WHERE id = ? LIMIT 1`),
  insert: db.prepare('INSERT INTO posts (id, title, views, published, owner, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  update: db.prepare('UPDATE posts SET title = ?, views = ?, published = ?, owner = ?, updated = ? WHERE id = ?'),
};

// ---- model ---------------------------------------------------------------------------------

function createRecord(body: unknown) {
  const b = (body ?? {}) as Record<string, unknown>;
  const ts = now();
  const rec = {
    id: typeof b.id === 'string' && /^[a-z0-9]{15}$/.test(b.id) ? b.id : newId(),
    title: toText(b.title),
    views: toNumber(b.views),
    published: toBool(b.published),
    owner: toText(b.owner),
  };
  validate(rec, 'create');
  stmt.insert.run(rec.id, rec.title, rec.views, rec.published ? 1 : 0, rec.owner, ts, ts);
  return toRecord({ ...rec, published: rec.published ? 1 : 0, created: ts, updated: ts });
}

// ---- HTTP ----------------------------------------------------------------------------------

const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024 });

app.setErrorHandler((err, _req, reply) => {
  if (err instanceof ApiError) return reply.code(err.status).send({ status: err.status, message: err.message, data: err.data });
  const status = (err as { statusCode?: number }).statusCode ?? 500;
  return reply.code(status).send({ status, message: status < 500 ? 'Something went wrong while processing your request.' : 'Internal server error.', data: {} });
});

app.get('/api/health', async () => ({ message: 'API is healthy.', code: 200, data: {} }));

app.get<{ Params: { id: string } }>('/api/collections/posts/records/:id', async (req) => {
  const row = stmt.view.get(req.params.id) as Row | undefined;
  if (!row) throw notFound();
  return toRecord(row);
});

const FILTER = /^\(?\s*views\s*>\s*(-?\d+(?:\.\d+)?)\s*&&\s*published\s*=\s*true\s*\)?$/;

app.get<{ Querystring: Record<string, string> }>('/api/collections/posts/records', async (req) => {
  const q = req.query;
  const page = Math.max(1, Math.trunc(Number(q.page ?? 1)) || 1);
  const perPage = Math.min(1000, Math.max(1, Math.trunc(Number(q.perPage ?? 30)) || 30));
  const m = FILTER.exec((q.filter ?? '').trim());
  if (!m) throw new ApiError(400, 'Invalid filter parameters.');
  const sort = q.sort ?? '-views';
  if (sort !== '-views' && sort !== 'views') throw new ApiError(400, 'Invalid sort parameters.');
  // The harness always sends skipTotal=1 (PocketBase then reports -1 for the totals).
  if (q.skipTotal !== '1' && q.skipTotal !== 'true') throw new ApiError(400, 'reference server only supports skipTotal=1');
  const rows = (sort === '-views' ? stmt.listDesc : stmt.listAsc).all(Number(m[1]), perPage, (page - 1) * perPage) as unknown as Row[];
  return { page, perPage, totalItems: -1, totalPages: -1, items: rows.map(toRecord) };
});

// createRule "" → anyone.
app.post('/api/collections/posts/records', async (req) => createRecord(req.body));

// updateRule "" → anyone.
app.patch<{ Params: { id: string } }>('/api/collections/posts/records/:id', async (req) => {
  const row = stmt.find.get(req.params.id) as Row | undefined;
  if (!row) throw notFound();
  const b = (req.body ?? {}) as Record<string, unknown>;
  const rec = {
    title: 'title' in b ? toText(b.title) : row.title,
    views: 'views' in b ? toNumber(b.views) : Number(row.views),
    published: 'published' in b ? (toBool(b.published) ? 1 : 0) : row.published ? 1 : 0,
    owner: 'owner' in b ? toText(b.owner) : row.owner,
  };
  validate(rec, 'update');
  const ts = now();
  stmt.update.run(rec.title, rec.views, rec.published, rec.owner, ts, row.id);
  return toRecord({ ...row, ...rec, updated: ts });
});

// Minimal batch API, used only for seeding: creates in one transaction (as PocketBase's batch).
app.post<{ Body: { requests?: { method?: string; url?: string; body?: unknown }[] } }>('/api/batch', async (req) => {
  const requests = req.body?.requests ?? [];
  const out: { status: number; body: unknown }[] = [];
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const r of requests) {
      if (r.method !== 'POST' || !/^\/api\/collections\/posts\/records\/?$/.test(r.url ?? '')) {
        throw new ApiError(400, 'reference server batch only supports creating posts');
      }
      out.push({ status: 200, body: createRecord(r.body) });
    }
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
  return out;
});

function shutdown() {
  app.close().finally(() => {
    try {
      db.close();
    } catch {}
    process.exit(0);
  });
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

await app.listen({ host: '127.0.0.1', port });
