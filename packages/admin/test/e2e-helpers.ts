/**
 * Shared setup of the dashboard's end-to-end tests: a fresh build of the dashboard, a real
 * Basalt server on a free port with an empty data folder, and headless Debian Chromium driven by
 * playwright-core. A page records console errors and page errors so each test can fail on them.
 * @module
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { after, before, describe } from 'node:test';
import PocketBase from 'pocketbase';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ADMIN_DIR = resolve(import.meta.dirname, '..');
const REPO = resolve(ADMIN_DIR, '../..');
export const OUTPUT_DIR = join(ADMIN_DIR, 'test-output');

/** Why the e2e tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.BASALT_TEST_REQUIRE_SERVICES === '1') throw new Error(`${reason}; BASALT_TEST_REQUIRE_SERVICES=1 forbids skipping.`);
  return reason;
}

let adminDir: string | undefined;

/**
 * Builds the dashboard from the current sources into a private folder, which the next
 * `startServer()` serves at /_/ (BASALT_ADMIN_DIR). Building into packages/admin/dist instead
 * would race with anyone else building or testing in the same tree.
 */
export async function buildDashboard(): Promise<void> {
  const outDir = await mkdtemp(join(tmpdir(), 'basalt-admin-build-'));
  process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
  await promisify(execFile)(process.execPath, [join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'], { cwd: ADMIN_DIR });
  adminDir = outDir;
}

export type Engine = 'sqlite' | 'postgres';

/** The same variables as the server's suites: BASALT_TEST_DIALECTS and BASALT_TEST_POSTGRES_URL. */
export const TEST_ENGINES: readonly Engine[] = (process.env.BASALT_TEST_DIALECTS ?? 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim().toLowerCase())
  .filter((s): s is Engine => s === 'sqlite' || s === 'postgres');
const POSTGRES_URL = process.env.BASALT_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL cannot be used, or undefined when it answers. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    const reason = `PostgreSQL at ${POSTGRES_URL} is unreachable (${(err as Error).message})`;
    if (process.env.BASALT_TEST_REQUIRE_SERVICES === '1') throw new Error(`${reason}; BASALT_TEST_REQUIRE_SERVICES=1 forbids skipping.`);
    return reason;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

export interface RunningServer {
  url: string;
  /** Everything the server printed so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the server's stdout. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** Starts `basalt serve` with the Node running this test (the pinned one under `npm test`), serving the last `buildDashboard()`. */
export async function startServer(engine: Engine = 'sqlite'): Promise<RunningServer> {
  const dir = await mkdtemp(join(tmpdir(), 'basalt-admin-e2e-'));
  const port = await freePort();
  // On PostgreSQL each server gets a fresh schema, dropped when it stops.
  const schema = engine === 'postgres' ? `basalt_e2e_${randomBytes(6).toString('hex')}` : undefined;
  const db = schema ? ['--db', `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`] : [];
  const child: ChildProcess = spawn(process.execPath, [join(REPO, 'packages/server/bin/basalt.js'), 'serve', '--http', `127.0.0.1:${port}`, '--dir', dir, ...db], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: adminDir ? { ...process.env, BASALT_ADMIN_DIR: adminDir } : process.env,
  });
  let out = '';
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolveMatch, reject) => {
      const check = () => {
        const m = out.match(pattern);
        if (m) return resolveMatch(m);
        if (child.exitCode !== null) return reject(new Error(`The server exited before printing ${pattern}:\n${out}`));
        waiters.push(check);
      };
      void exited.then(check);
      check();
    });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(/REST API:/);
  return {
    url,
    output: () => out,
    waitFor,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page of `server`'s dashboard signed in as `email`, with its problem log (the browser is the caller's to close). */
export async function openSignedInPage(server: RunningServer, email: string, password: string): Promise<{ browser: Browser; page: Page; problems: ProblemLog }> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    await page.goto(`${server.url}/_/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return { browser, page, problems };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** Console errors and uncaught page errors seen since the last `take()`. */
export interface ProblemLog {
  take(): string[];
}

/**
 * Chromium reports every HTTP error response of fetch() as a console error. A 4xx the dashboard
 * asked for and shows to the user (a failed sign-in, an invalid filter, a rule check) is the
 * API's normal answer, not a fault of the page; anything else still fails the test.
 */
const EXPECTED_HTTP_ERROR = /^Failed to load resource: the server responded with a status of 4\d\d/;

export function watchProblems(page: Page): ProblemLog {
  let problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !EXPECTED_HTTP_ERROR.test(msg.text())) problems.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return {
    take() {
      const seen = problems;
      problems = [];
      return seen;
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/**
 * Declares `session` once per test engine, as `describe('<title> [<engine>]')`, skipped with the
 * reason when Chromium or PostgreSQL is missing (never under BASALT_TEST_REQUIRE_SERVICES=1).
 */
export async function describeEachEngine(title: string, session: (engine: Engine) => void, timeout = 180_000): Promise<void> {
  const noBrowser = skipReason();
  if (noBrowser) console.log(`# skipping the ${title} e2e test: ${noBrowser}`);
  const noPostgres = TEST_ENGINES.includes('postgres') && !noBrowser ? await postgresUnavailable() : undefined;
  for (const engine of TEST_ENGINES) {
    const skip = noBrowser ?? (engine === 'postgres' ? noPostgres : undefined);
    describe(`${title} [${engine}]`, { skip, timeout }, () => session(engine));
  }
}

/**
 * Creates the first superuser of a fresh `server` through the one-time setup token it prints
 * (the setup page itself is covered by dashboard.test.ts) and returns an SDK client signed in as it.
 */
export async function createFirstSuperuser(server: RunningServer, email: string, password: string): Promise<PocketBase> {
  const [, token] = await server.waitFor(/\/_\/#\/setup\/(\S+)/);
  const created = await fetch(`${server.url}/api/collections/_superusers/records`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: token },
    body: JSON.stringify({ email, password, passwordConfirm: password }),
  });
  if (created.status !== 200) throw new Error(`creating the first superuser failed: ${created.status} ${await created.text()}`);
  const pb = new PocketBase(server.url);
  await pb.collection('_superusers').authWithPassword(email, password);
  return pb;
}

/**
 * Runs in the page (`page.evaluate(fitsScreen)`): true when nothing is wider than the screen,
 * neither the document nor the scrolling main area (wide tables scroll in their own box).
 */
export function fitsScreen(): boolean {
  const main = document.querySelector('main.content')!;
  return document.documentElement.scrollWidth <= window.innerWidth && main.scrollWidth <= main.clientWidth;
}

/** What a signed-in dashboard suite works with, filled in by the hook signedInSession registers. */
export interface SignedInSession {
  server: RunningServer;
  /** An SDK client signed in as the suite's superuser. */
  pb: PocketBase;
  browser: Browser;
  page: Page;
  problems: ProblemLog;
}

/**
 * Registers the before/after hooks of one dashboard suite on `engine`: a fresh dashboard build and
 * server, its first superuser, `prepare` (seed data through the SDK), then a page signed in.
 */
export function signedInSession(engine: Engine, email: string, password: string, prepare?: (pb: PocketBase) => Promise<void>): SignedInSession {
  const session = {} as SignedInSession;
  before(async () => {
    await buildDashboard();
    session.server = await startServer(engine);
    session.pb = await createFirstSuperuser(session.server, email, password);
    await prepare?.(session.pb);
    Object.assign(session, await openSignedInPage(session.server, email, password));
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.stop();
  });
  return session;
}
