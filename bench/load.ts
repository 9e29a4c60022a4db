/**
 * Load generator for `npm run bench`, run as its own process (spawned by bench/run.ts, pinned to
 * a different core than the server when possible). Drives one workload against one target with
 * autocannon's programmatic API; request generators (`setupRequest`) vary ids and thresholds.
 *
 * Usage: node bench/load.ts CONFIG.json
 *   CONFIG: { url, workload, duration, warmup, connections, idsFile, label }
 * Prints exactly one JSON line (a LoadResult) on stdout; progress goes to stderr.
 * @module
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export type Workload = 'get' | 'list' | 'create' | 'update' | 'mix';

export interface LoadConfig {
  url: string;
  workload: Workload;
  /** Measured seconds. */
  duration: number;
  /** Unmeasured seconds run first (JIT, caches). 0 disables. */
  warmup: number;
  connections: number;
  /** JSON array of seeded record ids. */
  idsFile: string;
  /** Shown in progress output. */
  label: string;
}

export interface LoadResult {
  workload: Workload;
  durationS: number;
  requests: number;
  /** Completed 2xx responses per second over the measured window. */
  rps: number;
  /** Latency of 2xx responses in ms (float precision, measured by us from autocannon's per-response timings). */
  latency: { p50: number; p90: number; p99: number; avg: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** CPU used by this load generator during the measured window, % of one core. */
  loadCpuPct: number;
}

/** The parts of autocannon's result we use (the package ships no types). */
interface AutocannonResult {
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}

const RECORDS = '/api/collections/posts/records';
const JSON_HEADERS = { 'content-type': 'application/json' };

type Req = { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer };

function requestFactory(workload: Workload, ids: string[]): (req: Req) => Req {
  const pick = () => ids[(Math.random() * ids.length) | 0];
  const get = (req: Req): Req => {
    req.method = 'GET';
    req.path = `${RECORDS}/${pick()}`;
    req.body = undefined;
    return req;
  };
  const update = (req: Req): Req => {
    req.method = 'PATCH';
    req.path = `${RECORDS}/${pick()}`;
    req.headers = { ...req.headers, ...JSON_HEADERS };
    req.body = JSON.stringify({ views: (Math.random() * 1000) | 0 });
    return req;
  };
  let n = 0;
  switch (workload) {
    case 'get':
      return get;
    case 'update':
      return update;
    case 'mix':
      return (req) => (Math.random() < 0.9 ? get(req) : update(req));
    case 'list':
      return (req) => {
        // Thresholds 0..899: at least ~100 matching rows with the seeded 0..999 views.
        const threshold = (Math.random() * 900) | 0;
        const filter = encodeURIComponent(`(views>${threshold} && published=true)`);
        req.method = 'GET';
        req.path = `${RECORDS}?page=1&perPage=20&filter=${filter}&sort=-views&skipTotal=1`;
        return req;
      };
    case 'create':
      return (req) => {
        n++;
        req.method = 'POST';
        req.path = RECORDS;
        req.headers = { ...req.headers, ...JSON_HEADERS };
        req.body = JSON.stringify({
          title: `Load post ${process.pid}-${n}`,
          views: (Math.random() * 1000) | 0,
          published: true,
          owner: `user${(Math.random() * 100) | 0}`,
        });
        return req;
      };
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

async function runOnce(cfg: LoadConfig, seconds: number, ids: string[], measure: boolean): Promise<LoadResult | undefined> {
  let lat = new Float64Array(1 << 16);
  let count = 0;
  const setup = requestFactory(cfg.workload, ids);
  const instance = autocannon({
    url: cfg.url,
    connections: cfg.connections,
    duration: seconds,
    timeout: 10,
    requests: [{ setupRequest: setup as never }],
  });
  if (measure) {
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode < 200 || statusCode >= 300) return;
      if (count === lat.length) {
        const bigger = new Float64Array(lat.length * 2);
        bigger.set(lat);
        lat = bigger;
      }
      lat[count++] = responseTime;
    });
    let elapsed = 0;
    instance.on('tick', () => {
      elapsed++;
      if (process.stderr.isTTY) process.stderr.write(`\r    ${cfg.label}: ${elapsed}/${seconds} s, ${count} ok responses   `);
    });
  }
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    instance.on('done', resolve);
    instance.on('error', reject);
  });
  const cpu = process.cpuUsage(cpu0);
  const loadCpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)) * 1000) / 10;
  if (measure && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  if (!measure) return undefined;

  const sorted = lat.subarray(0, count).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i];
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = v.count;
  const ok = result['2xx'];
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    workload: cfg.workload,
    durationS: result.duration,
    requests: ok + result.non2xx,
    rps: Math.round((ok / result.duration) * 10) / 10,
    latency: {
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      avg: round(count ? sum / count : 0),
      max: round(count ? sorted[count - 1] : 0),
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    loadCpuPct,
  };
}

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadConfig;
const ids = JSON.parse(readFileSync(cfg.idsFile, 'utf8')) as string[];
if (ids.length === 0 && cfg.workload !== 'list' && cfg.workload !== 'create') {
  console.error('load: no seeded ids');
  process.exit(2);
}
if (cfg.warmup > 0) await runOnce(cfg, cfg.warmup, ids, false);
const res = await runOnce(cfg, cfg.duration, ids, true);
process.stdout.write(JSON.stringify(res) + '\n');
