/**
 * Runs the real `basalt` command (packages/server/bin/basalt.js) as a child process for the CLI
 * and durability suites: one-shot commands, long-running `serve`, free ports, readiness waits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (cwd for every CLI run). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
/** The Node the project pins (the machine's `node` may be older). */
export const PINNED_NODE = join(REPO_ROOT, 'node_modules/.bin/node');
export const BIN = 'packages/server/bin/basalt.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `basalt ...args` to completion (killed after `timeoutMs`). */
export function runCli(args: string[], options: { node?: string[]; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const [cmd, ...pre] = options.node ?? [PINNED_NODE];
  const child = spawn(cmd, [...pre, BIN, ...args], { cwd: REPO_ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return new Promise((resolveResult, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveResult({ code, signal, stdout, stderr });
    });
  });
}

/** A TCP port that was free a moment ago (bind to 0, read the port, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

/** A fresh temporary data directory; remove it with {@link removeDir}. */
export function tempDir(prefix = 'basalt-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A running `basalt serve`. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `basalt serve --http 127.0.0.1:<free port> --dir <dir> ...extra` and waits for /api/health. */
export async function startServe(dir: string, extra: string[] = [], options: { node?: string[]; port?: number } = {}): Promise<ServeProcess> {
  const port = options.port ?? (await freePort());
  const [cmd, ...pre] = options.node ?? [PINNED_NODE];
  const child = spawn(cmd, [...pre, BIN, 'serve', '--http', `127.0.0.1:${port}`, '--dir', dir, ...extra], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const proc: ServeProcess = { child, url, port, output: () => ({ stdout, stderr }), exited };
  await waitForHealth(proc);
  return proc;
}

/** Polls /api/health until it answers 200; fails if the process exits first or after `timeoutMs`. */
export async function waitForHealth(proc: ServeProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`basalt serve exited before it was ready:\n${proc.output().stdout}\n${proc.output().stderr}`);
    try {
      const res = await fetch(`${proc.url}/api/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.child.kill('SIGKILL');
  throw new Error(`basalt serve was not ready after ${timeoutMs} ms:\n${proc.output().stdout}\n${proc.output().stderr}`);
}

/** Stops a serve process with SIGTERM (SIGKILL after `timeoutMs`); returns its exit. */
export async function stopServe(proc: ServeProcess, timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.exited;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  const result = await proc.exited;
  clearTimeout(timer);
  return result;
}

/** Parses `vX.Y.Z` and tells whether it is at least 24.10, the Node bin/basalt.js runs without re-executing. */
export function supportsNodeSqlite(version: string): boolean {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > 24 || (major === 24 && minor >= 10);
}
