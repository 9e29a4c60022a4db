/**
 * Realtime workload: N SSE + N WebSocket subscribers (in a separate load process) on one Basalt
 * node, a steady stream of writes, and what it costs.
 *
 *   node bench/realtime.ts [--subscribers N] [--rate WRITES_PER_S] [--duration S] [--rule open|owner]
 *   env: BENCH_RT_SUBSCRIBERS (1000), BENCH_RT_RATE (20), BENCH_DURATION (10), BENCH_BASALT_BIN
 *
 * Prints delivered events/s, p50/p99 write-to-delivery latency (the write's send time is carried
 * in the record; one machine, one clock), and the server's RSS per connection (VmRSS after the
 * connections minus before, divided by 2N). `--rule owner` gives each subscriber its own user and
 * the rule `owner = @request.auth.id` (one rule check per distinct auth per event, batched);
 * the default `open` uses listRule "" (one check for everyone).
 * @module
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_ADMIN, benchAdminToken, postJson, waitHealthy } from './bench-http.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.BENCH_BASALT_BIN ?? join(ROOT, 'packages/server/bin/basalt.js');

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

// ── load process ─────────────────────────────────────────────────────────────────────────────

async function loadProcess(): Promise<void> {
  const { default: WebSocket } = await import('ws');
  const [base, nRaw, tokensJson] = [process.env.RT_BASE!, process.env.RT_N!, process.env.RT_TOKENS ?? '[]'];
  const n = Number(nRaw);
  const tokens = JSON.parse(tokensJson) as string[];
  const latencies: number[] = [];
  let received = 0;
  const onEvent = (json: string) => {
    const now = Date.now();
    const data = JSON.parse(json) as { record?: { t?: number } };
    received++;
    if (typeof data.record?.t === 'number') latencies.push(now - data.record.t);
  };
  const url = new URL(base);
  const keep: unknown[] = [];

  const sse = (i: number) =>
    new Promise<void>((resolveConn, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: '/api/realtime', agent: false }, (res) => {
        let buf = '';
        let subscribed = false;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let k: number;
          while ((k = buf.indexOf('\n\n')) !== -1) {
            const msg = buf.slice(0, k);
            buf = buf.slice(k + 2);
            const event = /^event:(.*)$/m.exec(msg)?.[1];
            const data = /^data:(.*)$/m.exec(msg)?.[1];
            if (event === 'PB_CONNECT' && !subscribed) {
              subscribed = true;
              const clientId = JSON.parse(data!).clientId as string;
              const token = tokens.length ? tokens[i % tokens.length] : undefined;
              fetch(`${base}/api/realtime`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
                body: JSON.stringify({ clientId, subscriptions: ['feed/*'] }),
              }).then((r) => (r.status === 204 ? resolveConn() : reject(new Error(`subscribe ${r.status}`))), reject);
            } else if (event && data) onEvent(data);
          }
        });
        res.on('error', () => {});
      });
      req.on('error', reject);
      req.end();
      keep.push(req);
    });

  const ws = (i: number) =>
    new Promise<void>((resolveConn, reject) => {
      const token = tokens.length ? tokens[i % tokens.length] : '';
      const sock = new WebSocket(`${base.replace(/^http/, 'ws')}/api/realtime/ws${token ? `?token=${token}` : ''}`, { perMessageDeflate: false });
      sock.on('message', (raw) => {
        const text = String(raw);
        if (text.startsWith('{"type":"event"')) {
          // `{"type":"event","topic":"…","data":{…}}`: parse the data part only.
          const at = text.indexOf(',"data":');
          onEvent(text.slice(at + 8, -1));
        } else if (text.startsWith('{"type":"connected"')) sock.send(JSON.stringify({ type: 'subscribe', topics: ['feed/*'], id: 1 }));
        else if (text.includes('"type":"subscribed"')) resolveConn();
      });
      sock.on('error', reject);
      keep.push(sock);
    });

  const started = Date.now();
  // Connect in waves so the accept queue is not flooded.
  for (let i = 0; i < n; i += 200) {
    const wave: Promise<void>[] = [];
    for (let j = i; j < Math.min(n, i + 200); j++) wave.push(sse(j), ws(j));
    await Promise.all(wave);
  }
  process.send!({ type: 'ready', connectMs: Date.now() - started });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'report') {
      latencies.sort((a, b) => a - b);
      process.send!({ type: 'report', received, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN });
    } else if (m.type === 'reset') {
      received = 0;
      latencies.length = 0;
    } else if (m.type === 'exit') process.exit(0);
  });
}

// ── driver ───────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { subscribers: { type: 'string' }, rate: { type: 'string' }, duration: { type: 'string' }, rule: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log('node bench/realtime.ts [--subscribers N] [--rate WRITES_PER_S] [--duration S] [--rule open|owner]');
    return;
  }
  const n = Number(values.subscribers ?? process.env.BENCH_RT_SUBSCRIBERS ?? 1000);
  const rate = Number(values.rate ?? process.env.BENCH_RT_RATE ?? 20);
  const duration = Number(values.duration ?? process.env.BENCH_DURATION ?? 10);
  const rule = values.rule ?? 'open';
  const dir = mkdtempSync(join(tmpdir(), 'basalt-bench-rt-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const base = `http://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  let loader: ChildProcess | undefined;
  const cleanup = () => {
    loader?.kill();
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const up = spawnSync(process.execPath, [BIN, 'superuser', 'upsert', BENCH_ADMIN.email, BENCH_ADMIN.password, '--dir', dir], { encoding: 'utf8' });
    if (up.status !== 0) throw new Error(`superuser upsert failed: ${up.stderr}`);
    const pin = spawnSync('which', ['taskset']).status === 0;
    const args = [BIN, 'serve', '--http', `127.0.0.1:${port}`, '--dir', dir, '--durability', 'normal'];
    server = pin ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: 'inherit' }) : spawn(process.execPath, args, { stdio: 'inherit' });
    const serverPid = (): number => {
      // Under taskset the node process replaces taskset (exec), so the pid is the same.
      return server!.pid!;
    };
    await waitHealthy(base);
    const json = (path: string, body: unknown, token?: string) => postJson(base, path, body, token);
    const admin = await benchAdminToken(base);
    await json(
      '/api/collections',
      {
        name: 'feed',
        listRule: rule === 'owner' ? 'owner = @request.auth.id' : '',
        viewRule: '',
        fields: [
          { name: 't', type: 'number' },
          { name: 'title', type: 'text' },
          { name: 'owner', type: 'text' },
        ],
      },
      admin,
    );
    const tokens: string[] = [];
    const ownerIds: string[] = [];
    if (rule === 'owner') {
      // 100 users shared by the subscribers: 100 distinct auths per event, checked in 2 statements.
      for (let i = 0; i < 100; i++) {
        const u = await json('/api/collections/users/records', { email: `rt${i}@example.com`, password: 'password123', passwordConfirm: 'password123' }, admin);
        tokens.push((await json('/api/collections/users/auth-with-password', { identity: `rt${i}@example.com`, password: 'password123' })).token);
        ownerIds.push(u.id);
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    const rss0 = rssKiB(serverPid());

    const pinLoad = pin ? ['taskset', '-c', '1'] : [];
    loader = fork(fileURLToPath(import.meta.url), ['--load'], {
      env: { ...process.env, RT_BASE: base, RT_N: String(n), RT_TOKENS: JSON.stringify(tokens) },
      execPath: pinLoad.length ? pinLoad[0] : process.execPath,
      execArgv: pinLoad.length ? [...pinLoad.slice(1), process.execPath] : [],
    });
    const fromLoader = (type: string) => new Promise<any>((res) => loader!.on('message', (m: any) => m.type === type && res(m)));
    const ready = await fromLoader('ready');
    await new Promise((r) => setTimeout(r, 1000));
    const rss1 = rssKiB(serverPid());
    console.log(`connected ${n} SSE + ${n} WebSocket subscribers in ${(ready.connectMs / 1000).toFixed(1)} s`);

    // Steady writes as the superuser; each record carries its send time.
    const interval = 1000 / rate;
    const writesStart = Date.now();
    let writes = 0;
    let failed = 0;
    const inflight: Promise<void>[] = [];
    while (Date.now() - writesStart < duration * 1000) {
      const due = writesStart + writes * interval;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const i = writes++;
      inflight.push(
        json('/api/collections/feed/records', { t: Date.now(), title: `event ${i}`, owner: ownerIds.length ? ownerIds[i % ownerIds.length] : '' }, admin).then(
          () => {},
          () => void failed++,
        ),
      );
    }
    await Promise.all(inflight);
    const elapsed = (Date.now() - writesStart) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    loader.send({ type: 'report' });
    const report = await fromLoader('report');
    const rss2 = rssKiB(serverPid());
    const expected = rule === 'owner' ? Math.round((writes - failed) * (2 * n) / 100) : (writes - failed) * 2 * n;
    console.log(
      [
        `realtime (${rule} rule): ${writes} writes at ${rate}/s over ${elapsed.toFixed(1)} s (${failed} failed)`,
        `  delivered ${report.received} of ~${expected} expected events: ${(report.received / elapsed).toFixed(0)} events/s`,
        `  write-to-delivery latency p50 ${report.p50} ms, p99 ${report.p99} ms, max ${report.max} ms`,
        `  server RSS ${(rss0 / 1024).toFixed(0)} MiB idle → ${(rss1 / 1024).toFixed(0)} MiB with ${2 * n} connections (${(((rss1 - rss0) * 1024) / (2 * n) / 1024).toFixed(1)} KiB per connection) → ${(rss2 / 1024).toFixed(0)} MiB after the writes`,
      ].join('\n'),
    );
    loader.send({ type: 'exit' });
  } finally {
    cleanup();
  }
}

if (process.argv.includes('--load')) await loadProcess();
else await main();
