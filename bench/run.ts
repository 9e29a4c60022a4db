/**
 * `npm run bench`: Basalt against a minimal hand-written Fastify + node:sqlite reference server.
 *
 * Starts both servers (pinned to CPU 0 with taskset when available), seeds the same 10,000
 * records into each, then drives both with the same load from a separate process (bench/load.ts,
 * pinned to CPU 1) and prints req/s, p50/p99 latency and Basalt's ratio to the reference for
 * each workload, plus cold start time and idle RSS. Results also go to bench/results/latest.json.
 *
 * `--engine postgres` runs the same comparison on PostgreSQL: Basalt with `--db` on a fresh
 * schema beside reference-server-postgres.ts (the same server on `pg`) on another fresh schema;
 * both schemas are dropped at the end. `--engine all` runs sqlite, then postgres.
 *
 *   npm run bench [-- --only basalt|reference] [--workloads get,list,create,update,mix]
 *                 [--engine sqlite|postgres|all] [--duration S] [--rounds N] [--connections N] [--warmup S] [--records N]
 *   env: BENCH_DURATION (5), BENCH_ROUNDS (3), BENCH_CONNECTIONS (50), BENCH_WARMUP (2), BENCH_RECORDS (10000)
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { benchSettings, freePort, POSTS_COLLECTION } from './bench-http.ts';
import type { LoadConfig, LoadResult, Workload } from './load.ts';

const BENCH_DIR = import.meta.dirname;
const ROOT = resolve(BENCH_DIR, '..');
const NODE = process.execPath;
/** Basalt's entry point; BENCH_BASALT_BIN overrides it (e.g. to bench another build). */
const BASALT_BIN = resolve(ROOT, process.env.BENCH_BASALT_BIN || 'packages/server/bin/basalt.js');
const HEALTH_TIMEOUT_MS = 15_000;

type TargetName = 'basalt' | 'reference';
const ALL_TARGETS: TargetName[] = ['basalt', 'reference'];
const ALL_WORKLOADS: Workload[] = ['get', 'list', 'create', 'update', 'mix'];
type Engine = 'sqlite' | 'postgres';
const ENGINES = ['sqlite', 'postgres', 'all'] as const;
/** The PostgreSQL server the postgres engine uses (BENCH_POSTGRES_URL overrides it). */
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Basalt's minimum throughput relative to the reference, per workload (the issue's targets). */
const TARGET_RATIO: Record<Workload, { ratio: number; kind: string }> = {
  get: { ratio: 0.7, kind: 'read' },
  list: { ratio: 0.7, kind: 'read' },
  create: { ratio: 0.6, kind: 'write' },
  update: { ratio: 0.6, kind: 'write' },
  mix: { ratio: 0.7, kind: 'read-heavy' },
};
const WORKLOAD_TITLE: Record<Workload, string> = {
  get: 'get by id',
  list: 'list 20, filter + sort',
  create: 'create',
  update: 'update',
  mix: '90% get / 10% update',
};

// ---- options -------------------------------------------------------------------------------

function usage(): never {
  console.log(`usage: npm run bench [-- options]
  --only basalt|reference     run one target only (no ratios)
  --engine sqlite|postgres|all  storage engine of both targets (env BENCH_ENGINE, default sqlite);
                              postgres uses BENCH_POSTGRES_URL (default ${POSTGRES_URL})
  --workloads get,list,...    subset of: ${ALL_WORKLOADS.join(',')}
  --duration S                measured seconds per round      (env BENCH_DURATION, default 5)
  --rounds N                  alternating rounds per workload (env BENCH_ROUNDS, default 3)
  --connections N             concurrent connections          (env BENCH_CONNECTIONS, default 50)
  --warmup S                  unmeasured seconds per round    (env BENCH_WARMUP, default 2)
  --records N                 records seeded into each server (env BENCH_RECORDS, default 10000)

other benchmarks (see bench/README.md): npm run bench -- realtime | files | instructions`);
  process.exit(0);
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

function parseOptions() {
  const argv = process.argv.slice(2);
  // `npm run bench -- realtime|files [...]`: benchmarks with scripts of their own (realtime
  // delivery; upload/download throughput, thumbnails and RSS).
  const SIDE_BENCHMARKS: Record<string, string> = { realtime: './realtime.ts', files: './files.ts', instructions: './instructions.ts' };
  if (Object.hasOwn(SIDE_BENCHMARKS, argv[0] ?? '')) {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL(SIDE_BENCHMARKS[argv[0]], import.meta.url)), ...argv.slice(1)], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') usage();
    if (!a.startsWith('--')) fail(`unexpected argument ${JSON.stringify(a)} (see --help)`);
    const eq = a.indexOf('=');
    if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length) flags[a.slice(2)] = argv[++i];
    else fail(`${a} needs a value`);
  }
  const known = new Set(['only', 'workloads', 'duration', 'rounds', 'connections', 'warmup', 'records', 'engine']);
  for (const k of Object.keys(flags)) if (!known.has(k)) fail(`unknown option --${k} (see --help)`);

  const num = (flag: string, env: string, def: number, min: number) => {
    const raw = flags[flag] ?? process.env[env];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) fail(`${flag} / ${env} must be a number >= ${min}, got ${JSON.stringify(raw)}`);
    return n;
  };
  let targets = ALL_TARGETS;
  if (flags.only !== undefined) {
    if (!ALL_TARGETS.includes(flags.only as TargetName)) fail(`--only must be one of ${ALL_TARGETS.join(', ')}`);
    targets = [flags.only as TargetName];
  }
  let workloads = ALL_WORKLOADS;
  if (flags.workloads !== undefined) {
    const list = flags.workloads.split(',').map((s) => s.trim()).filter(Boolean);
    for (const w of list) if (!ALL_WORKLOADS.includes(w as Workload)) fail(`unknown workload ${JSON.stringify(w)}; choose from ${ALL_WORKLOADS.join(',')}`);
    if (list.length === 0) fail('--workloads is empty');
    workloads = ALL_WORKLOADS.filter((w) => list.includes(w)); // canonical order
  }
  const engine = flags.engine ?? process.env.BENCH_ENGINE ?? 'sqlite';
  if (!(ENGINES as readonly string[]).includes(engine)) fail(`--engine must be one of ${ENGINES.join(', ')}`);
  return {
    engine: engine as Engine | 'all',
    targets,
    workloads,
    duration: num('duration', 'BENCH_DURATION', 5, 1),
    rounds: Math.trunc(num('rounds', 'BENCH_ROUNDS', 3, 1)),
    connections: Math.trunc(num('connections', 'BENCH_CONNECTIONS', 50, 1)),
    warmup: num('warmup', 'BENCH_WARMUP', 2, 0),
    records: Math.trunc(num('records', 'BENCH_RECORDS', 10_000, 1)),
  };
}

const parsed = parseOptions();

// `--engine all`: run this script once per engine, one after the other, with the same options.
if (parsed.engine === 'all') {
  const rest = process.argv.slice(2).filter((a, i, all) => a !== '--engine' && all[i - 1] !== '--engine' && !a.startsWith('--engine='));
  let worst = 0;
  for (const engine of ['sqlite', 'postgres'] as const) {
    const r = spawnSync(process.execPath, [import.meta.filename, ...rest, '--engine', engine], { stdio: 'inherit', env: { ...process.env, BENCH_ENGINE: engine } });
    worst = Math.max(worst, r.status ?? 1);
    if (engine === 'sqlite') console.log('');
  }
  process.exit(worst);
}
const opts = { ...parsed, engine: parsed.engine as Engine };

/** Fresh schema names for the postgres engine (dropped on exit). */
const runTag = `${process.pid.toString(36)}_${Date.now().toString(36)}`;
const SCHEMAS: Record<TargetName, string> = { basalt: `bench_basalt_${runTag}`, reference: `bench_reference_${runTag}` };
const withSchema = (schema: string) => `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;

/** Drops the bench schemas; synchronous (a child process) so it also runs from a signal handler. */
function dropSchemasSync() {
  if (opts.engine !== 'postgres') return;
  const script = `import pg from 'pg'; const c = new pg.Client({ connectionString: process.argv[1] }); await c.connect();
for (const s of process.argv.slice(2)) await c.query('DROP SCHEMA IF EXISTS "' + s + '" CASCADE'); await c.end();`;
  const r = spawnSync(NODE, ['--input-type=module', '-e', script, POSTGRES_URL, ...Object.values(SCHEMAS)], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) console.error(`bench: could not drop the schemas ${Object.values(SCHEMAS).join(', ')}: ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`);
}

// ---- process bookkeeping: every child is killed and every temp dir removed on exit ---------

const tempRoot = mkdtempSync(join(tmpdir(), 'basalt-bench-'));

/**
 * Children run as process-group leaders (spawned detached), so signalling the group also
 * reaches anything they spawned themselves.
 */
function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal); // also when the leader is gone but its children are not
  } catch {
    try {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    } catch {}
  }
}

/** Every process group we started, kept after the leader exits (its children may not have). */
const groups = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  groups.add(child);
  return child;
}

let cleanedUp = false;
function cleanupSync() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const c of groups) killGroup(c, 'SIGKILL');
  dropSchemasSync();
  try {
    rmSync(tempRoot, { recursive: true, force: true });
  } catch {}
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    console.error(`\nbench: ${sig}, stopping servers and load generator`);
    cleanupSync();
    process.exit(130);
  });
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  killGroup(child, 'SIGTERM');
  const t = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

// ---- CPU pinning ---------------------------------------------------------------------------

const cpuCount = availableParallelism();
const hasTaskset = spawnSync('sh', ['-c', 'command -v taskset'], { encoding: 'utf8' }).status === 0;
const pinning = hasTaskset && cpuCount >= 2;
const SERVER_CPU = 0;
const LOAD_CPU = 1;

/** The command line that runs `cmd args` on `cpu`, or unpinned when taskset is unusable. */
function pinned(cpu: number, cmd: string, args: string[]): [string, string[]] {
  return pinning ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
}

// ---- small helpers -------------------------------------------------------------------------

class OutputTail {
  text = '';
  push(chunk: Buffer | string) {
    this.text = (this.text + chunk.toString()).slice(-6000);
  }
  /** The last lines of output; when those are a stack trace, its first (message) line too. */
  tail(lines = 12): string {
    const all = this.text.trim().split('\n');
    let picked = all.slice(-lines);
    const firstError = all.findIndex((l) => /^\w*Error\b|^Error:|Error \[/.test(l.trim()));
    if (firstError >= 0 && firstError < all.length - lines) picked = [all[firstError], '...', ...picked];
    const t = picked.join('\n');
    return t === '' ? '(no output)' : `\n${t.replace(/^/gm, '    | ')}`;
  }
}

function readRssKb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU seconds (user + system) a process has used so far, from /proc; null elsewhere. */
function readCpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // #14 utime, #15 stime
  } catch {
    return null;
  }
}

/**
 * PIDs of the PostgreSQL backends serving `pid`'s connections: its sockets to the database port
 * (from /proc) matched with `pg_stat_activity.client_port`. Empty where /proc is missing.
 */
async function databaseBackends(pid: number | undefined): Promise<number[]> {
  if (!pid || opts.engine !== 'postgres') return [];
  const dbPort = Number(new URL(POSTGRES_URL).port || 5432);
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSafe(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9])) continue;
      const [, localPort] = f[1].split(':');
      const [, remotePort] = f[2].split(':');
      if (parseInt(remotePort, 16) === dbPort) ports.push(parseInt(localPort, 16));
    }
  }
  if (!ports.length) return [];
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    const r = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [ports]);
    return r.rows.map((row) => row.pid);
  } catch {
    return [];
  } finally {
    await c.end().catch(() => {});
  }
}

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

/** CPU seconds used so far by each of `pids`. */
function cpuOf(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const s = readCpuSeconds(pid);
    if (s !== null) out.set(pid, s);
  }
  return out;
}

interface ApiResponse {
  status: number;
  json: any;
  text: string;
}

async function api(base: string, method: string, path: string, body?: unknown, token?: string): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = token;
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

function short(r: ApiResponse): string {
  return `HTTP ${r.status} ${r.text.slice(0, 300)}`;
}

const isTTY = !!process.stdout.isTTY;
function progress(line: string) {
  if (isTTY) process.stdout.write(`\r\x1b[K${line}`);
}
function progressDone(line: string) {
  if (isTTY) process.stdout.write('\r\x1b[K');
  console.log(line);
}

// Deterministic seed data (same for both targets).
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');
function seedRecords(n: number) {
  const rnd = mulberry32(42);
  const out = [];
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 3 + Math.floor(rnd() * 5) }, () => WORDS[Math.floor(rnd() * WORDS.length)]);
    out.push({ title: `Post ${i}: ${words.join(' ')}`, views: Math.floor(rnd() * 1000), published: true, owner: `user${Math.floor(rnd() * 100)}` });
  }
  return out;
}

// ---- targets -------------------------------------------------------------------------------

const SUPERUSER_EMAIL = 'bench@example.com';
const SUPERUSER_PASSWORD = 'bench-password-1234';
const RECORD_KEYS = ['collectionId', 'collectionName', 'id', 'title', 'views', 'published', 'owner', 'created', 'updated'];
const ID_RE = /^[a-z0-9]{15}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface TargetState {
  name: TargetName;
  status: 'pending' | 'ok' | 'failed';
  error?: string;
  child?: ChildProcess;
  tail: OutputTail;
  base: string;
  coldStartMs?: number;
  idleRssKb?: number | null;
  seed?: { records: number; ms: number; method: string };
  idsFile: string;
  ids: string[];
  notes: string[];
}

class TargetError extends Error {}

function note(t: TargetState, message: string) {
  t.notes.push(message);
  progressDone(`  ${t.name}: note: ${message}`);
}

/**
 * One GET /api/health with node:http (no keep-alive). Not fetch: undici loads lazily and its
 * first call alone costs hundreds of ms on this machine, which would inflate cold start.
 */
function probeHealth(base: string): Promise<boolean> {
  return new Promise((done) => {
    const req = httpGet(`${base}/api/health`, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode === 200));
      res.on('error', () => done(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
  });
}

async function waitHealthy(t: TargetState, t0: number): Promise<number> {
  const label = t.name === 'basalt' ? 'Basalt' : 'The reference server';
  const child = t.child!;
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new TargetError(`${label} exited (${child.exitCode ?? child.signalCode}) before becoming healthy: ${t.tail.tail()}`);
    }
    if (await probeHealth(t.base)) return performance.now() - t0;
    if (performance.now() - t0 > HEALTH_TIMEOUT_MS) {
      throw new TargetError(`${label} did not become healthy within ${HEALTH_TIMEOUT_MS / 1000} s: ${t.tail.tail()}`);
    }
    await sleep(5);
  }
}

/** BENCH_PROFILE=DIR: each server writes a V8 CPU profile there when it stops (`<target>-<pid>.cpuprofile`). */
const PROFILE_DIR = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : undefined;
/** BENCH_NODE_FLAGS: extra Node/V8 flags for both servers' processes (e.g. `--max-semi-space-size=32`, `--import ./gc-probe.mjs`). */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);

function spawnServer(t: TargetState, args: string[]): number {
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${t.name}-\${pid}.cpuprofile`] : [];
  const [cmd, argv] = pinned(SERVER_CPU, NODE, [...profile, ...NODE_FLAGS, ...args]);
  const t0 = performance.now();
  const child = track(spawn(cmd, argv, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } }));
  child.stdout!.on('data', (d) => t.tail.push(d));
  child.stderr!.on('data', (d) => t.tail.push(d));
  child.on('error', (e) => t.tail.push(`spawn error: ${e.message}\n`));
  t.child = child;
  return t0;
}

async function startBasalt(t: TargetState) {
  const dir = join(tempRoot, 'basalt-data');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(BASALT_BIN)) throw new TargetError(`Basalt entry point not found: ${relative(ROOT, BASALT_BIN)}`);
  const cliSource = join(ROOT, 'packages/server/src/cli/main.ts');
  const cliNote = existsSync(cliSource) || process.env.BENCH_BASALT_BIN ? '' : ` (note: ${relative(ROOT, cliSource)} does not exist yet)`;
  const dbArgs = opts.engine === 'postgres' ? ['--db', withSchema(SCHEMAS.basalt)] : [];
  const up = spawnSync(NODE, [BASALT_BIN, 'superuser', 'upsert', SUPERUSER_EMAIL, SUPERUSER_PASSWORD, '--dir', dir, ...dbArgs], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: HEALTH_TIMEOUT_MS,
  });
  if (up.status !== 0) {
    const tail = new OutputTail();
    tail.push((up.stdout ?? '') + (up.stderr ?? '') + (up.error ? `\n${up.error.message}` : ''));
    throw new TargetError(`Basalt 'superuser upsert' failed (${up.status ?? up.signal ?? 'timeout'})${cliNote}: ${tail.tail()}`);
  }
  const port = await freePort();
  t.base = `http://127.0.0.1:${port}`;
  const t0 = spawnServer(t, [BASALT_BIN, 'serve', '--http', `127.0.0.1:${port}`, '--dir', dir, ...dbArgs]);
  t.coldStartMs = await waitHealthy(t, t0);
  progressDone(`  basalt: healthy after ${t.coldStartMs.toFixed(0)} ms (pid ${t.child!.pid}${pinning ? `, CPU ${SERVER_CPU}` : ''})`);

  const auth = await api(t.base, 'POST', '/api/collections/_superusers/auth-with-password', { identity: SUPERUSER_EMAIL, password: SUPERUSER_PASSWORD });
  if (auth.status !== 200 || typeof auth.json?.token !== 'string') throw new TargetError(`Basalt superuser auth failed: ${short(auth)}`);
  const token = auth.json.token as string;

  const created = await api(t.base, 'POST', '/api/collections', POSTS_COLLECTION, token);
  if (created.status !== 200) throw new TargetError(`Basalt could not create the posts collection: ${short(created)}`);

  const settings = await api(t.base, 'PATCH', '/api/settings', benchSettings(), token);
  // Try the batch API even when enabling it failed (it may be on already); seeding falls back
  // to concurrent creates when /api/batch is refused.
  if (settings.status !== 200) note(t, `enabling the batch API via PATCH /api/settings failed (${short(settings)})`);
  return { token, batchEnabled: true };
}

async function startReference(t: TargetState) {
  const port = await freePort();
  t.base = `http://127.0.0.1:${port}`;
  const t0 =
    opts.engine === 'postgres'
      ? spawnServer(t, [join(BENCH_DIR, 'reference-server-postgres.ts'), '--port', String(port), '--url', POSTGRES_URL, '--schema', SCHEMAS.reference])
      : spawnServer(t, [join(BENCH_DIR, 'reference-server.ts'), '--port', String(port), '--db', join(tempRoot, 'reference.db')]);
  t.coldStartMs = await waitHealthy(t, t0);
  progressDone(`  reference: healthy after ${t.coldStartMs.toFixed(0)} ms (pid ${t.child!.pid}${pinning ? `, CPU ${SERVER_CPU}` : ''})`);
  return { token: undefined, batchEnabled: true };
}

async function seed(t: TargetState, token: string | undefined, tryBatch: boolean) {
  const records = seedRecords(opts.records);
  const ids: string[] = [];
  const t0 = performance.now();
  let lastLogged = 0;
  const report = () => {
    progress(`  ${t.name}: seeding ${ids.length}/${records.length}`);
    // Without a terminal, log every quarter instead of redrawing a line.
    if (!isTTY && ids.length - lastLogged >= records.length / 4 && ids.length < records.length) {
      lastLogged = ids.length;
      console.log(`  ${t.name}: seeding ${ids.length}/${records.length}`);
    }
  };
  let method = 'batch';
  let next = 0;
  const CHUNK = 500;
  if (tryBatch) {
    while (next < records.length) {
      const chunk = records.slice(next, next + CHUNK);
      const res = await api(t.base, 'POST', '/api/batch', { requests: chunk.map((body) => ({ method: 'POST', url: '/api/collections/posts/records', body })) }, token);
      if (res.status !== 200 || !Array.isArray(res.json)) {
        if (next === 0) {
          note(t, `seeding via /api/batch failed (${short(res)}); falling back to concurrent creates`);
          break;
        }
        throw new TargetError(`seeding via /api/batch failed after ${next} records: ${short(res)}`);
      }
      for (const r of res.json as { status: number; body: { id?: string } }[]) {
        if (r.status < 200 || r.status >= 300 || typeof r.body?.id !== 'string') throw new TargetError(`seeding via /api/batch: a create failed: ${JSON.stringify(r).slice(0, 300)}`);
        ids.push(r.body.id);
      }
      next += chunk.length;
      report();
    }
  }
  if (next < records.length) {
    method = next === 0 ? 'concurrent creates' : 'batch + concurrent creates';
    const worker = async () => {
      while (next < records.length) {
        const body = records[next++];
        const res = await api(t.base, 'POST', '/api/collections/posts/records', body, token);
        if (res.status !== 200 || typeof res.json?.id !== 'string') throw new TargetError(`seeding: create failed: ${short(res)}`);
        ids.push(res.json.id);
        if (ids.length % 250 === 0) report();
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  }
  const ms = performance.now() - t0;
  t.seed = { records: ids.length, ms: Math.round(ms), method };
  t.ids = ids;
  writeFileSync(t.idsFile, JSON.stringify(ids));
  progressDone(`  ${t.name}: seeded ${ids.length} records in ${(ms / 1000).toFixed(1)} s (${method})`);
}

// ---- per-workload sanity check: is the target answering the requests correctly? -------------

/** Problems with a record's shape (warnings: measurement still runs). */
function shapeProblems(rec: any, where: string): string[] {
  if (!rec || typeof rec !== 'object') return [`${where}: not a JSON object`];
  const out: string[] = [];
  const keys = Object.keys(rec);
  const missing = RECORD_KEYS.filter((k) => !keys.includes(k));
  const extra = keys.filter((k) => !RECORD_KEYS.includes(k));
  if (missing.length) out.push(`${where}: missing keys ${missing.join(', ')}`);
  if (extra.length) out.push(`${where}: extra keys ${extra.join(', ')}`);
  if (!ID_RE.test(String(rec.id))) out.push(`${where}: id ${JSON.stringify(rec.id)} is not 15 [a-z0-9]`);
  for (const k of ['created', 'updated']) if (k in rec && !DATETIME_RE.test(String(rec[k]))) out.push(`${where}: ${k} ${JSON.stringify(rec[k])} is not YYYY-MM-DD HH:MM:SS.sssZ`);
  if ('views' in rec && typeof rec.views !== 'number') out.push(`${where}: views is ${typeof rec.views}, expected number`);
  if ('published' in rec && typeof rec.published !== 'boolean') out.push(`${where}: published is ${typeof rec.published}, expected boolean`);
  return out;
}

/** Throws (workload skipped for this target) on a wrong status; returns shape warnings. */
async function sanityCheck(t: TargetState, w: Workload): Promise<string[]> {
  const R = '/api/collections/posts/records';
  const warnings: string[] = [];
  const id = t.ids[0];
  const expect = (r: ApiResponse, what: string) => {
    if (r.status !== 200) throw new TargetError(`${what} → ${short(r)}`);
  };
  if (w === 'get' || w === 'mix') {
    const r = await api(t.base, 'GET', `${R}/${id}`);
    expect(r, `GET ${R}/${id}`);
    warnings.push(...shapeProblems(r.json, 'get'));
  }
  if (w === 'list') {
    const q = `?page=1&perPage=20&filter=${encodeURIComponent('(views>500 && published=true)')}&sort=-views&skipTotal=1`;
    const r = await api(t.base, 'GET', R + q);
    expect(r, `GET ${R}${q}`);
    const items = r.json?.items;
    if (!Array.isArray(items)) throw new TargetError(`list: no items array: ${short(r)}`);
    if (items.length !== 20) warnings.push(`list: ${items.length} items, expected 20`);
    if (r.json.totalItems !== -1 || r.json.totalPages !== -1) warnings.push(`list: totalItems/totalPages ${r.json.totalItems}/${r.json.totalPages}, expected -1/-1 with skipTotal`);
    if (items.some((x: any) => !(x.views > 500))) warnings.push('list: an item does not match views>500');
    if (items.some((x: any, i: number) => i > 0 && items[i - 1].views < x.views)) warnings.push('list: items are not sorted by -views');
    if (items[0]) warnings.push(...shapeProblems(items[0], 'list item'));
  }
  if (w === 'create') {
    const r = await api(t.base, 'POST', R, { title: 'sanity', views: 1, published: true, owner: 'user1' });
    expect(r, `POST ${R}`);
    warnings.push(...shapeProblems(r.json, 'create'));
  }
  if (w === 'update' || w === 'mix') {
    const r = await api(t.base, 'PATCH', `${R}/${id}`, { views: 123 });
    expect(r, `PATCH ${R}/${id}`);
    if (r.json?.views !== 123) warnings.push(`update: response views ${JSON.stringify(r.json?.views)}, expected 123`);
    warnings.push(...shapeProblems(r.json, 'update'));
  }
  return warnings;
}

// ---- load ------------------------------------------------------------------------------------

type RunResult = LoadResult & {
  serverCpuPct: number | null;
  /** CPU milliseconds per request of the server process (warmup included; both targets alike). */
  serverCpuMsPerReq: number | null;
  /** The same for the PostgreSQL backends serving the server's connections (PostgreSQL only). */
  dbCpuMsPerReq: number | null;
};

async function runLoad(t: TargetState, w: Workload): Promise<RunResult> {
  const cfg: LoadConfig = {
    url: t.base,
    workload: w,
    duration: opts.duration,
    warmup: opts.warmup,
    connections: opts.connections,
    idsFile: t.idsFile,
    label: `${t.name} ${w}`,
  };
  const cfgFile = join(tempRoot, `load-${t.name}-${w}.json`);
  writeFileSync(cfgFile, JSON.stringify(cfg));
  const [cmd, argv] = pinned(LOAD_CPU, NODE, [join(BENCH_DIR, 'load.ts'), cfgFile]);
  const child = track(spawn(cmd, argv, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  const err = new OutputTail();
  // Server CPU over the whole run (warmup included; the ratio of busy time is what matters).
  const cpu0 = readCpuSeconds(t.child?.pid);
  const db0 = cpuOf(await databaseBackends(t.child?.pid));
  const wall0 = performance.now();
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => {
    // Progress lines (\r-terminated) pass through; everything else is kept for error messages.
    const s = d.toString();
    if (s.startsWith('\r') && isTTY) process.stdout.write(s);
    else err.push(s);
  });
  const limitMs = (opts.duration + opts.warmup + 60) * 1000;
  const killer = setTimeout(() => killGroup(child, 'SIGKILL'), limitMs);
  const code = await new Promise<number | string | null>((r) => {
    child.once('exit', (c, s) => r(c ?? s));
    child.once('error', () => r('spawn error'));
  });
  clearTimeout(killer);
  const cpu1 = readCpuSeconds(t.child?.pid);
  const wallS = (performance.now() - wall0) / 1000;
  // Backends that appeared during the run count whole (their start belongs to the load).
  let dbCpu: number | null = null;
  if (opts.engine === 'postgres') {
    dbCpu = 0;
    for (const [pid, s] of cpuOf(await databaseBackends(t.child?.pid))) dbCpu += s - (db0.get(pid) ?? 0);
  }
  const serverCpuPct = cpu0 === null || cpu1 === null ? null : Math.round(((cpu1 - cpu0) / wallS) * 1000) / 10;
  if (isTTY) process.stdout.write('\r\x1b[K');
  const line = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new TargetError(`load generator failed (${code}): ${err.tail()}`);
  const result = JSON.parse(line) as LoadResult;
  // Requests over the whole CPU window, taking the warmup to run at the measured rate.
  const requests = result.rps * (opts.warmup + opts.duration);
  const perReq = (cpuS: number | null) => (cpuS === null || requests <= 0 ? null : Math.round(((cpuS * 1000) / requests) * 1000) / 1000);
  return { ...result, serverCpuPct, serverCpuMsPerReq: perReq(cpu0 === null || cpu1 === null ? null : cpu1 - cpu0), dbCpuMsPerReq: perReq(dbCpu) };
}

// ---- formatting --------------------------------------------------------------------------------

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
/** Rounded down, so that a ratio just below its target never prints as the target (0.699 → 0.69). */
const fmtRatio = (r: number) => (Math.floor(r * 100 + 1e-9) / 100).toFixed(2);

function resultCells(r: LoadResult | { error: string } | undefined, targetFailed: boolean): string {
  if (!r) return lpad(targetFailed ? 'skipped (target failed)' : '—', 28);
  if ('error' in r) return lpad('failed', 28);
  return `${lpad(fmtInt(r.rps), 10)} ${lpad(fmtMs(r.latency.p50), 8)} ${lpad(fmtMs(r.latency.p99), 8)}`;
}

function errorNote(r: LoadResult): string {
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad === 0) return '';
  const codes = Object.entries(r.statusCodes)
    .filter(([c]) => !c.startsWith('2'))
    .map(([c, n]) => `${c}×${n}`)
    .join(' ');
  return `  !! ${r.non2xx} non-2xx${codes ? ` (${codes})` : ''}, ${r.errors} errors, ${r.timeouts} timeouts`;
}

// ---- main ----------------------------------------------------------------------------------

type Measured = (RunResult & { rounds?: RunResult[] }) | { error: string };
interface WorkloadRow {
  workload: Workload;
  results: Partial<Record<TargetName, Measured>>;
  warnings: Partial<Record<TargetName, string[]>>;
  /** Median of the per-round ratios (each round runs both targets back to back). */
  ratio: number | null;
  roundRatios?: number[];
  targetRatio: number;
  verdict: 'PASS' | 'BELOW' | 'n/a';
  /** The generator was near 100% of its core in some run: the ratio may be flattering. */
  loadSaturated?: boolean;
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * A target's runs of one workload as one result: the run of median req/s (its latencies and CPU
 * figures belong to that run), with CPU per request replaced by the median over all runs.
 */
function medianRun(runs: readonly RunResult[]): RunResult {
  const byRps = [...runs].sort((a, b) => a.rps - b.rps);
  const mid = byRps[(byRps.length - 1) >> 1];
  const med = (f: (r: RunResult) => number | null) => {
    const xs = runs.map(f).filter((x): x is number => x !== null);
    return xs.length ? Math.round(median(xs) * 1000) / 1000 : null;
  };
  return { ...mid, serverCpuMsPerReq: med((r) => r.serverCpuMsPerReq), dbCpuMsPerReq: med((r) => r.dbCpuMsPerReq) };
}

const LOAD_SATURATED_PCT = 90;
/** Above this share of non-2xx/errored responses a run is not comparable (no ratio). */
const MAX_FAILURE_RATE = 0.001;
const failureRate = (r: LoadResult) => (r.non2xx + r.errors + r.timeouts) / Math.max(1, r.requests + r.errors);

/** The server's version line, or a clean exit when it is unreachable. */
async function postgresVersion(): Promise<string> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    const r = await c.query<{ v: string }>("SELECT split_part(version(), ' ', 1) || ' ' || split_part(version(), ' ', 2) AS v");
    return r.rows[0].v;
  } catch (e) {
    fail(`PostgreSQL at ${POSTGRES_URL} is unreachable (${(e as Error).message}); start it or set BENCH_POSTGRES_URL`);
  } finally {
    await c.end().catch(() => {});
  }
}

const startedAt = new Date();
console.log(opts.engine === 'postgres' ? 'Basalt benchmark on PostgreSQL' : 'Basalt benchmark');
console.log(
  `  node ${process.version}, ${cpuCount} CPUs, ${
    pinning ? `pinned with taskset (servers on CPU ${SERVER_CPU}, load generator on CPU ${LOAD_CPU})` : hasTaskset ? 'not pinned (fewer than 2 CPUs)' : 'not pinned (taskset not found)'
  }`,
);
console.log(
  `  targets: ${opts.targets.join(', ')}; workloads: ${opts.workloads.join(', ')}; ${opts.rounds} alternating round${opts.rounds === 1 ? '' : 's'} of ${opts.duration} s measured + ${opts.warmup} s warmup each; ${opts.connections} connections; ${opts.records} seeded records`,
);
console.log('  collection posts: listRule/viewRule "published = true" (evaluated on every read), createRule/updateRule "" (anyone);');
if (opts.engine === 'postgres') {
  const version = await postgresVersion();
  console.log(`  index idx_posts_views on both; load runs as a guest so the rules apply; engine: ${version} at ${POSTGRES_URL.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')},`);
  console.log(`  one fresh schema per target (${SCHEMAS.basalt}, ${SCHEMAS.reference}; dropped at the end), 10 pooled connections each;`);
  console.log('  the PostgreSQL server itself is not pinned, and its CPU is not in the "server" CPU figures.');
} else {
  console.log('  index idx_posts_views on both; load runs as a guest so the rules apply; SQLite WAL + synchronous=FULL on both.');
}
console.log('');

const targets: TargetState[] = opts.targets.map((name) => ({
  name,
  status: 'pending',
  tail: new OutputTail(),
  base: '',
  idsFile: join(tempRoot, `ids-${name}.json`),
  ids: [],
  notes: [],
}));

for (const t of targets) {
  console.log(`[${t.name}] starting`);
  try {
    const { token, batchEnabled } = t.name === 'basalt' ? await startBasalt(t) : await startReference(t);
    await seed(t, token, batchEnabled);
    await sleep(1000); // let the server go idle (GC, WAL checkpoint) before reading RSS
    t.idleRssKb = readRssKb(t.child?.pid);
    console.log(`  ${t.name}: idle RSS after seeding ${t.idleRssKb === null ? 'n/a' : `${(t.idleRssKb / 1024).toFixed(1)} MB`}`);
    t.status = 'ok';
  } catch (e) {
    t.status = 'failed';
    t.error = e instanceof Error ? e.message : String(e);
    progressDone(`  ${t.name}: FAILED: ${t.error}`);
    if (t.child) await stop(t.child);
  }
}

const rows: WorkloadRow[] = [];
const live = () => targets.filter((t) => t.status === 'ok');
if (live().length > 0) {
  console.log('');
  for (const w of opts.workloads) {
    const row: WorkloadRow = { workload: w, results: {}, warnings: {}, ratio: null, targetRatio: TARGET_RATIO[w].ratio, verdict: 'n/a' };
    rows.push(row);
    console.log(`[${w}] ${WORKLOAD_TITLE[w]}`);
    const rounds: Partial<Record<TargetName, RunResult[]>> = {};
    const roundRatios: number[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      // Alternate which target goes first, so that neither always runs right after the other.
      const order = round % 2 === 0 ? live() : [...live()].reverse();
      const label = opts.rounds > 1 ? `${round + 1}/${opts.rounds} ` : '';
      for (const t of order) {
        if (row.results[t.name] && 'error' in row.results[t.name]!) continue;
        try {
          if (round === 0) {
            const warnings = await sanityCheck(t, w);
            if (warnings.length) {
              row.warnings[t.name] = warnings;
              for (const x of warnings) console.log(`    ${t.name}: warning: ${x}`);
            }
          }
          progress(`    ${label}${t.name}: running ${opts.warmup > 0 ? `${opts.warmup} s warmup + ` : ''}${opts.duration} s...`);
          const r = await runLoad(t, w);
          if (t.child && (t.child.exitCode !== null || t.child.signalCode !== null)) throw new TargetError('server exited');
          (rounds[t.name] ??= []).push(r);
          const perReq = r.serverCpuMsPerReq === null ? '' : `, ${r.serverCpuMsPerReq.toFixed(3)} ms/req${r.dbCpuMsPerReq === null ? '' : ` + database ${r.dbCpuMsPerReq.toFixed(3)} ms/req`}`;
          const cpu = `cpu: server ${r.serverCpuPct ?? '?'}%${perReq}, load ${r.loadCpuPct}%`;
          progressDone(`    ${label}${pad(t.name, 10)} ${lpad(fmtInt(r.rps), 9)} req/s   p50 ${lpad(fmtMs(r.latency.p50), 6)} ms   p99 ${lpad(fmtMs(r.latency.p99), 6)} ms   (${cpu})${errorNote(r)}`);
          if (r.loadCpuPct >= LOAD_SATURATED_PCT) {
            row.loadSaturated = true;
            console.log(`    ${t.name}: warning: the load generator used ${r.loadCpuPct}% of its core; req/s may be capped by the generator, not the server`);
          }
        } catch (e) {
          let msg = e instanceof Error ? e.message : String(e);
          const c = t.child;
          if (c && (c.exitCode !== null || c.signalCode !== null)) {
            // The server died: report why and skip its remaining workloads.
            msg = `${t.name} exited (${c.exitCode ?? c.signalCode}) during the ${w} workload: ${t.tail.tail()}`;
            t.status = 'failed';
            t.error = msg;
          }
          row.results[t.name] = { error: msg };
          progressDone(`    ${pad(t.name, 10)} FAILED: ${msg}`);
        }
        await sleep(500);
      }
      const b = rounds.basalt?.[round];
      const ref = rounds.reference?.[round];
      if (b && ref && ref.rps > 0 && failureRate(b) <= MAX_FAILURE_RATE && failureRate(ref) <= MAX_FAILURE_RATE) {
        roundRatios.push(b.rps / ref.rps);
        if (opts.rounds > 1) console.log(`    ${label}ratio  ${(b.rps / ref.rps).toFixed(2)}`);
      }
    }
    for (const t of live()) {
      const runs = rounds[t.name];
      if (runs?.length && !(row.results[t.name] && 'error' in row.results[t.name]!)) row.results[t.name] = { ...medianRun(runs), rounds: runs };
    }
    const b = row.results.basalt;
    const ref = row.results.reference;
    if (b && ref && !('error' in b) && !('error' in ref) && roundRatios.length === opts.rounds) {
      row.ratio = Math.round(median(roundRatios) * 1000) / 1000;
      row.roundRatios = roundRatios.map((x) => Math.round(x * 1000) / 1000);
      row.verdict = row.ratio >= row.targetRatio ? 'PASS' : 'BELOW';
      const spread = opts.rounds > 1 ? `, median of ${opts.rounds} rounds, ${Math.min(...roundRatios).toFixed(2)}–${Math.max(...roundRatios).toFixed(2)}` : '';
      console.log(`    ratio      ${fmtRatio(row.ratio)}  (target ≥${row.targetRatio.toFixed(2)}, ${TARGET_RATIO[w].kind}${spread})  ${row.verdict}`);
    } else if (b && ref) {
      console.log(`    ratio      n/a (a target failed, or more than ${MAX_FAILURE_RATE * 100}% of its responses were errors)`);
    }
  }
}

for (const t of targets) if (t.child) await stop(t.child);

// ---- summary ---------------------------------------------------------------------------------

const shown = opts.targets;
console.log('');
console.log(
  opts.rounds > 1
    ? `Summary (each target's round of median req/s, 2xx responses; latency in ms${opts.targets.length === 2 ? `; ratio = median of the ${opts.rounds} rounds' ratios` : ''})`
    : 'Summary (req/s of 2xx responses; latency in ms)',
);
let header = pad('workload', 23);
for (const name of shown) header += ` | ${pad(name, 28)}`;
if (shown.length === 2) header += ' | ratio  target  result';
let sub = pad('', 23);
for (const _ of shown) sub += ` | ${lpad('req/s', 10)} ${lpad('p50', 8)} ${lpad('p99', 8)}`;
if (shown.length === 2) sub += ' |';
console.log(header);
console.log(sub);
console.log('-'.repeat(header.length));
for (const row of rows) {
  let line = pad(WORKLOAD_TITLE[row.workload], 23);
  for (const name of shown) line += ` | ${resultCells(row.results[name], targets.find((t) => t.name === name)!.status === 'failed')}`;
  if (shown.length === 2) line += ` | ${lpad(row.ratio === null ? 'n/a' : fmtRatio(row.ratio), 5)}  ${lpad(`≥${row.targetRatio.toFixed(2)}`, 6)}  ${row.verdict}${row.loadSaturated ? ' *' : ''}`;
  console.log(line);
}
if (rows.length === 0) console.log('(no workloads ran)');
console.log('-'.repeat(header.length));
const stat = (f: (t: TargetState) => string) => {
  let line = '';
  for (const name of shown) {
    const t = targets.find((x) => x.name === name)!;
    line += ` | ${pad(t.status === 'failed' && !t.coldStartMs ? 'failed' : f(t), 28)}`;
  }
  return line;
};
console.log(pad('cold start', 23) + stat((t) => (t.coldStartMs === undefined ? '—' : `${t.coldStartMs.toFixed(0)} ms`)));
console.log(pad('idle RSS after seeding', 23) + stat((t) => (t.idleRssKb == null ? '—' : `${(t.idleRssKb / 1024).toFixed(1)} MB`)));
console.log(pad('seeding', 23) + stat((t) => (t.seed ? `${(t.seed.ms / 1000).toFixed(1)} s (${t.seed.method})` : '—')));
// CPU per request does not depend on how much CPU the machine's other work left free, so it
// is the steadier comparison on a busy machine; req/s is what the targets are set on.
const cpuRows = rows.filter((r) => shown.every((n) => { const x = r.results[n]; return x && !('error' in x) && x.serverCpuMsPerReq !== null; }));
if (cpuRows.length) {
  console.log('');
  console.log(`CPU per request (ms; server${opts.engine === 'postgres' ? ' + database backends' : ''})` + (shown.length === 2 ? '; efficiency = reference ÷ basalt' : ''));
  for (const row of cpuRows) {
    const total = (x: RunResult) => (x.serverCpuMsPerReq ?? 0) + (x.dbCpuMsPerReq ?? 0);
    const cell = (x: RunResult) => (x.dbCpuMsPerReq === null ? x.serverCpuMsPerReq!.toFixed(3) : `${x.serverCpuMsPerReq!.toFixed(3)} + ${x.dbCpuMsPerReq.toFixed(3)} = ${total(x).toFixed(3)}`);
    let line = pad(WORKLOAD_TITLE[row.workload], 23);
    for (const n of shown) line += ` | ${pad(cell(row.results[n] as RunResult), 28)}`;
    if (shown.length === 2) line += ` | ${(total(row.results.reference as RunResult) / total(row.results.basalt as RunResult)).toFixed(2)}`;
    console.log(line);
  }
}
if (rows.some((r) => r.loadSaturated)) console.log(`* the load generator used >= ${LOAD_SATURATED_PCT}% of its core: req/s may be capped by the generator, which pushes the ratio toward 1.`);
for (const t of targets) if (t.status === 'failed') console.log(`\n${t.name} FAILED: ${t.error}`);

// ---- machine-readable results ------------------------------------------------------------------

const resultsDir = join(BENCH_DIR, 'results');
mkdirSync(resultsDir, { recursive: true });
const results = {
  version: 1,
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  config: { engine: opts.engine, targets: opts.targets, workloads: opts.workloads, durationS: opts.duration, rounds: opts.rounds, warmupS: opts.warmup, connections: opts.connections, records: opts.records },
  environment: {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpuCount,
    pinning: pinning ? { tool: 'taskset', serverCpu: SERVER_CPU, loadCpu: LOAD_CPU } : null,
  },
  targets: Object.fromEntries(
    targets.map((t) => [
      t.name,
      { status: t.status, error: t.error ?? null, coldStartMs: t.coldStartMs === undefined ? null : Math.round(t.coldStartMs * 10) / 10, idleRssKb: t.idleRssKb ?? null, seed: t.seed ?? null, notes: t.notes },
    ]),
  ),
  workloads: Object.fromEntries(
    rows.map((r) => [
      r.workload,
      { description: WORKLOAD_TITLE[r.workload], ...r.results, warnings: r.warnings, ratio: r.ratio, roundRatios: r.roundRatios ?? null, targetRatio: r.targetRatio, verdict: r.verdict, loadSaturated: !!r.loadSaturated },
    ]),
  ),
};
const out = join(resultsDir, opts.engine === 'postgres' ? 'latest-postgres.json' : 'latest.json');
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.log(`\nresults written to ${relative(process.cwd(), out) || out}`);

// Ratios never fail the run; a target that could not start or serve does.
const broken = targets.some((t) => t.status === 'failed') || rows.some((r) => Object.values(r.results).some((x) => x && 'error' in x));
cleanupSync();
process.exitCode = broken ? 1 : 0;
