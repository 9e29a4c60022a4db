/**
 * What the benchmarks need to drive a server they started: a free port, the superuser they
 * create, waiting until it answers, and JSON requests that fail loudly.
 * @module
 */
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * The `posts` collection the load benchmarks measure, as Basalt defines it (the reference servers
 * hard-code the same table): listRule/viewRule `published = true`, evaluated on every read.
 */
export const POSTS_COLLECTION = {
  name: 'posts',
  type: 'base',
  listRule: 'published = true',
  viewRule: 'published = true',
  createRule: '',
  updateRule: '',
  deleteRule: null,
  fields: [
    { name: 'title', type: 'text', required: true },
    { name: 'views', type: 'number' },
    { name: 'published', type: 'bool' },
    { name: 'owner', type: 'text' },
    { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
    { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
  ],
  indexes: ['CREATE INDEX `idx_posts_views` ON `posts` (`views`)'],
};

/**
 * The settings the load benchmarks give Basalt: batch on for seeding, rate limits explicitly off
 * (off by default, but a limited server would turn the load into 429s), everything else at its
 * defaults. The request log stays on unless BENCH_REQUEST_LOG=off, which measures its cost.
 */
export function benchSettings(): Record<string, unknown> {
  return { batch: { enabled: true, maxRequests: 1000, timeout: 60 }, rateLimits: { enabled: false }, ...(process.env.BENCH_REQUEST_LOG === 'off' ? { logs: { maxDays: 0 } } : {}) };
}

/** The superuser each side benchmark creates with `basalt superuser upsert`. */
export const BENCH_ADMIN = { email: 'bench@example.com', password: 'bench-password-123' };

/** Resolves once `base + path` answers below 500; fails after about `seconds` (15). */
export async function waitHealthy(base: string, path = '/api/health', seconds = 15): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      if ((await fetch(base + path)).status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${base} did not start within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends `body` as JSON and returns the decoded answer; any non-2xx throws with the response text. */
export async function requestJson(base: string, method: string, path: string, body: unknown, token?: string): Promise<any> {
  const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** POSTs `body` as JSON (see {@link requestJson}). */
export function postJson(base: string, path: string, body: unknown, token?: string): Promise<any> {
  return requestJson(base, 'POST', path, body, token);
}

/** A token of {@link BENCH_ADMIN}. */
export async function benchAdminToken(base: string): Promise<string> {
  return (await postJson(base, '/api/collections/_superusers/auth-with-password', { identity: BENCH_ADMIN.email, password: BENCH_ADMIN.password })).token as string;
}
