/**
 * Serving the dashboard build at `/_/`: SPA fallback, caching, compression, ETags, the CSP, the
 * page shown when the build is missing, and refusal of paths that leave the build folder. Uses a
 * fake build in a temporary folder (the `adminDir` option), so it does not need the real one.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { ADMIN_CSP } from '../../src/transports/rest/admin-ui.ts';
import { buildRestServer } from '../../src/transports/rest/server.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path sent exactly as written (fetch would normalise `..` away). */
function raw(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const INDEX = '<!doctype html><html><head><script type="module" src="/_/assets/app-abc123.js"></script></head><body><div id="root"></div></body></html>';
const APP_JS = `console.log("basalt dashboard");\n${'export const filler = "lorem ipsum dolor sit amet";\n'.repeat(200)}`;
const CSS = `body { color: #123; }\n${'.row { padding: 1px; }\n'.repeat(100)}`;
const SECRET = 'top secret outside the build';

async function listen(t: TestServer, adminDir: string): Promise<{ url: string; server: FastifyInstance }> {
  const server = await buildRestServer(t.app, { adminDir });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

describe('dashboard at /_/', () => {
  let t: TestServer;
  let root: string;
  let url: string;
  let missingUrl: string;
  const servers: FastifyInstance[] = [];

  before(async () => {
    t = await startTestServer();
    root = mkdtempSync(join(tmpdir(), 'basalt-admin-'));
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'app-abc123.js'), APP_JS);
    writeFileSync(join(dist, 'assets', 'style-def456.css'), CSS);
    writeFileSync(join(dist, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(root, 'secret.txt'), SECRET);
    symlinkSync(join(root, 'secret.txt'), join(dist, 'assets', 'leak.txt'));
    const a = await listen(t, dist);
    const b = await listen(t, join(root, 'no-build-here'));
    servers.push(a.server, b.server);
    url = a.url;
    missingUrl = b.url;
  });
  after(async () => {
    for (const s of servers) await s.close();
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('/_ redirects to /_/', async () => {
    const res = await raw(url, '/_');
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/_/');
  });

  it('/_/ serves index.html with no-cache and the CSP', async () => {
    const res = await raw(url, '/_/');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), INDEX);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers['content-security-policy'], ADMIN_CSP);
    assert.match(String(res.headers['content-security-policy']), /script-src 'self';/);
    assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'self'/);
    assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
  });

  it('serves index.html for the dashboard routes (paths without an extension)', async () => {
    for (const path of ['/_/collections', '/_/collections/posts/records', '/_/settings/', '/_/logs?filter=x']) {
      const res = await raw(url, path);
      assert.equal(res.status, 200, path);
      assert.equal(res.body.toString(), INDEX, path);
      assert.equal(res.headers['cache-control'], 'no-cache', path);
    }
  });

  it('serves assets as immutable, compressed per Accept-Encoding, with a strong ETag', async () => {
    const br = await raw(url, '/_/assets/app-abc123.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(br.body).toString(), APP_JS);
    assert.ok(br.body.length < APP_JS.length / 4, 'the asset is actually compressed');
    assert.equal(br.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.match(String(br.headers.etag), /^"[^"]+-br"$/);
    assert.equal(br.headers['content-security-policy'], undefined);

    const gz = await raw(url, '/_/assets/app-abc123.js', { 'Accept-Encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), APP_JS);

    const refused = await raw(url, '/_/assets/app-abc123.js', { 'Accept-Encoding': 'br;q=0, gzip;q=0' });
    assert.equal(refused.headers['content-encoding'], undefined);
    const plain = await raw(url, '/_/assets/app-abc123.js');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), APP_JS);
    assert.match(String(plain.headers.etag), /^"[0-9a-f]{32}"$/);
    assert.notEqual(plain.headers.etag, gz.headers.etag);

    // The same bytes twice: compressed once, served from memory.
    const again = await raw(url, '/_/assets/app-abc123.js', { 'Accept-Encoding': 'br' });
    assert.deepEqual(again.body, br.body);
    assert.equal(again.headers.etag, br.headers.etag);
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await raw(url, '/_/assets/style-def456.css', { 'Accept-Encoding': 'br' });
    assert.equal(first.headers['content-type'], 'text/css; charset=utf-8');
    const etag = String(first.headers.etag);
    const cached = await raw(url, '/_/assets/style-def456.css', { 'Accept-Encoding': 'br', 'If-None-Match': etag });
    assert.equal(cached.status, 304);
    assert.equal(cached.body.length, 0);
    const other = await raw(url, '/_/assets/style-def456.css', { 'If-None-Match': '"something-else"' });
    assert.equal(other.status, 200);
    const index = await raw(url, '/_/');
    assert.equal((await raw(url, '/_/', { 'If-None-Match': String(index.headers.etag) })).status, 304);
  });

  it('sends small and binary-ish files with their type, uncompressed', async () => {
    const svg = await raw(url, '/_/assets/logo.svg', { 'Accept-Encoding': 'br' });
    assert.equal(svg.status, 200);
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.equal(svg.headers['content-encoding'], undefined);
  });

  it('HEAD answers without a body', async () => {
    const res = await raw(url, '/_/', {}, 'HEAD');
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 0);
  });

  it('answers 404 in the error envelope for a missing asset', async () => {
    const res = await raw(url, '/_/assets/nope-000.js');
    assert.equal(res.status, 404);
    assert.deepEqual(JSON.parse(res.body.toString()), { status: 404, message: "The requested resource wasn't found.", data: {} });
  });

  it('never serves a file outside the build folder', async () => {
    for (const path of [
      '/_/../secret.txt',
      '/_/assets/../../secret.txt',
      '/_/%2e%2e/secret.txt',
      '/_/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/_/..%2fsecret.txt',
      '/_/..%5csecret.txt',
      '/_/assets/..%5c..%5csecret.txt',
      '/_/%00/secret.txt',
      '/_/assets/leak.txt',
    ]) {
      const res = await raw(url, path);
      assert.ok(!res.body.toString().includes(SECRET), path);
      assert.ok(res.status === 404 || res.status === 400 || (res.status === 200 && res.body.toString() === INDEX), `${path}: ${res.status}`);
    }
  });

  it('explains how to build the dashboard when the build is missing', async () => {
    const res = await raw(missingUrl, '/_/');
    assert.equal(res.status, 503);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body.toString(), /npm run build -w @basalt\/admin/);
    assert.equal((await raw(missingUrl, '/_/collections')).status, 503);
    assert.equal((await raw(missingUrl, '/_/assets/app.js')).status, 404);
  });

  it('does not put successful dashboard requests in the request log', async () => {
    await raw(url, '/_/?marker=static');
    await raw(url, '/api/health?marker=static');
    await t.app.logs.flush();
    const { items } = await t.admin.logs.getList(1, 10, { filter: 'data.url ~ "marker=static"' });
    assert.deepEqual(items.map((e) => e.message), ['GET /api/health']);
  });
});
