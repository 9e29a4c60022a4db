/**
 * `npm run bench -- instructions`: CPU instructions per request of Basalt and of the reference
 * server, counted by valgrind's callgrind. Unlike req/s and CPU time, an instruction count hardly
 * depends on what else the machine is doing, so on a noisy machine it shows a change of a few
 * percent that req/s cannot (it does not see cache misses or time in the kernel, which req/s
 * does). Both servers run under callgrind with instrumentation off; after a warm-up it is turned
 * on, the counters are zeroed, a fixed number of requests is sent, and the counts are dumped.
 *
 *   npm run bench -- instructions [--engine postgres|sqlite] [--workload get|list]
 *                                 [--requests N] [--warmup N] [--only basalt|reference]
 *   env: BENCH_BASALT_BIN (another build of Basalt), BENCH_POSTGRES_URL, BENCH_REQUEST_LOG=off
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { BENCH_ADMIN, benchAdminToken, benchSettings, freePort, POSTS_COLLECTION, requestJson, waitHealthy } from './bench-http.ts';

const BENCH_DIR = import.meta.dirname;
const ROOT = resolve(BENCH_DIR, '..');
const BASALT_BIN = resolve(ROOT, process.env.BENCH_BASALT_BIN || 'packages/server/bin/basalt.js');
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SEEDED = 2000;

function fail(message: string): never {
  console.error(`bench instructions: ${message}`);
  process.exit(2);
}

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) {
  const flag = process.argv[i];
  if (!flag.startsWith('--') || process.argv[i + 1] === undefined) fail(`expected --option value, got ${JSON.stringify(flag)} (see the header of bench/instructions.ts)`);
  args.set(flag.slice(2), process.argv[i + 1]);
}
for (const k of args.keys()) if (!['engine', 'workload', 'requests', 'warmup', 'only'].includes(k)) fail(`unknown option --${k}`);
const engine = args.get('engine') ?? 'postgres';
const workload = args.get('workload') ?? 'get';
const requests = Number(args.get('requests') ?? 6000);
const warmup = Number(args.get('warmup') ?? 12000);
const only = args.get('only');
if (engine !== 'postgres' && engine !== 'sqlite') fail('--engine must be postgres or sqlite');
if (workload !== 'get' && workload !== 'list') fail('--workload must be get or list');
if (!(requests > 0) || !(warmup >= 0)) fail('--requests must be > 0 and --warmup >= 0');
if (only !== undefined && only !== 'basalt' && only !== 'reference') fail('--only must be basalt or reference');
if (spawnSync('valgrind', ['--version']).status !== 0) fail('valgrind is not installed (Debian: apt-get install valgrind)');

const tempRoot = mkdtempSync(join(tmpdir(), 'basalt-instructions-'));
const schemas: string[] = [];
const children = new Set<ChildProcess>();

/** A progress line: rewritten in place on a terminal, one line each otherwise. */
function progress(line: string, done = false): void {
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[K${line}${done ? '\n' : ''}`);
  else console.log(line);
}

function start(cmd: string, argv: string[]): ChildProcess {
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await new Promise((r) => child.once('exit', r));
  clearTimeout(killer);
}

/** Resolves once `child`'s server answers; fails as soon as it exits. */
async function healthy(base: string, child: ChildProcess, seconds: number): Promise<void> {
  const onExit = (code: number | null) => fail(`the server exited (${code}) before answering /api/health`);
  child.once('exit', onExit);
  try {
    await waitHealthy(base, '/api/health', seconds);
  } catch (err) {
    fail((err as Error).message);
  } finally {
    child.off('exit', onExit);
  }
}

/** Sends `count` requests of the workload, 8 at a time; every one must answer 200. */
async function drive(base: string, ids: string[], count: number): Promise<void> {
  let next = 0;
  const url = (i: number) =>
    workload === 'get'
      ? `${base}/api/collections/posts/records/${ids[i % ids.length]}`
      : `${base}/api/collections/posts/records?page=1&perPage=20&filter=${encodeURIComponent(`(views>${i % 900} && published=true)`)}&sort=-views&skipTotal=1`;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const res = await fetch(url(next++));
        await res.arrayBuffer();
        if (res.status !== 200) fail(`${url(next - 1)} answered ${res.status}`);
      }
    }),
  );
}

/** POSTS_COLLECTION (Basalt; the reference has it built in) with SEEDED records; returns their ids. */
async function seed(base: string, target: string): Promise<string[]> {
  let token: string | undefined;
  if (target === 'basalt') {
    token = await benchAdminToken(base);
    await requestJson(base, 'POST', '/api/collections', POSTS_COLLECTION, token);
    await requestJson(base, 'PATCH', '/api/settings', benchSettings(), token);
  }
  const ids: string[] = [];
  for (let b = 0; b < SEEDED / 500; b++) {
    const batch = Array.from({ length: 500 }, (_, i) => ({ method: 'POST', url: '/api/collections/posts/records', body: { title: `post ${b}-${i}`, views: (b * 500 + i) % 1000, published: true, owner: 'o' } }));
    for (const r of (await requestJson(base, 'POST', '/api/batch', { requests: batch }, token)) as Array<{ body: { id: string } }>) ids.push(r.body.id);
  }
  return ids;
}

/** Basalt's `--db` option for `schema` (none on SQLite, where the data folder holds the data). */
function dbArgs(schema: string): string[] {
  return engine === 'postgres' ? ['--db', `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`] : [];
}

/** The server command line of `target` on `port`, its data in `dir`. */
function serverArgs(target: string, port: number, dir: string, schema: string): string[] {
  if (target === 'basalt') return [BASALT_BIN, 'serve', '--http', `127.0.0.1:${port}`, '--dir', dir, ...dbArgs(schema)];
  return engine === 'postgres'
    ? [join(BENCH_DIR, 'reference-server-postgres.ts'), '--port', String(port), '--url', POSTGRES_URL, '--schema', schema]
    : [join(BENCH_DIR, 'reference-server.ts'), '--port', String(port), '--db', join(dir, 'reference.db')];
}

async function measure(target: string): Promise<number> {
  const dir = mkdtempSync(join(tempRoot, `${target}-`));
  const schema = `instr_${target}_${process.pid}`;
  if (engine === 'postgres') schemas.push(schema);
  if (target === 'basalt') {
    const up = spawnSync(process.execPath, [BASALT_BIN, 'superuser', 'upsert', BENCH_ADMIN.email, BENCH_ADMIN.password, '--dir', dir, ...dbArgs(schema)], { cwd: ROOT, encoding: 'utf8' });
    if (up.status !== 0) fail(`superuser upsert failed: ${up.stderr}`);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Set up and seed at full speed, then serve the same data under callgrind.
  const plain = start(process.execPath, serverArgs(target, port, dir, schema));
  await healthy(base, plain, 30);
  const ids = await seed(base, target);
  await stop(plain);
  const out = join(dir, 'callgrind.out');
  const traced = start('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, process.execPath, ...serverArgs(target, port, dir, schema)]);
  const control = (...flags: string[]) => {
    const r = spawnSync('callgrind_control', [...flags, String(traced.pid)], { encoding: 'utf8' });
    if (r.status !== 0) fail(`callgrind_control ${flags.join(' ')} failed: ${r.stderr || r.stdout}`);
  };
  await healthy(base, traced, 300);
  progress(`  ${target}: warming up (${warmup} requests, uninstrumented)…`);
  await drive(base, ids, warmup);
  control('-i', 'on');
  // Instrumented code runs slower at first while valgrind translates it; not counted either.
  await drive(base, ids, 500);
  control('-z');
  progress(`  ${target}: measuring ${requests} requests…`);
  await drive(base, ids, requests);
  control('-d');
  await stop(traced);
  const dumps = readdirSync(dir).filter((f) => f.startsWith('callgrind.out.'));
  if (dumps.length !== 1) fail(`expected one callgrind dump in ${dir}, found ${dumps.length}`);
  const totals = /^totals:\s+(\d+)/m.exec(readFileSync(join(dir, dumps[0]), 'utf8'));
  if (!totals) fail(`no totals in ${dumps[0]}`);
  const perRequest = Number(totals[1]) / requests;
  if (perRequest === 0) fail('callgrind counted nothing: instrumentation did not turn on');
  progress(`  ${target.padEnd(10)} ${Math.round(perRequest).toLocaleString('en-US').padStart(10)} instructions per request`, true);
  return perRequest;
}

async function cleanup(): Promise<void> {
  for (const c of children) c.kill('SIGKILL');
  if (schemas.length) {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await client.end();
  }
  rmSync(tempRoot, { recursive: true, force: true });
}
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

try {
  console.log(`Instructions per request (callgrind): ${workload} on ${engine}, ${requests} requests after ${warmup} warm-up, 8 at a time`);
  const results = new Map<string, number>();
  for (const target of only ? [only] : ['basalt', 'reference']) results.set(target, await measure(target));
  if (results.size === 2) console.log(`  basalt ÷ reference: ${(results.get('basalt')! / results.get('reference')!).toFixed(2)}`);
} finally {
  await cleanup();
}
