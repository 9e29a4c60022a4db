/**
 * The published `basalt` package as a user gets it: `npm pack` (which builds through `prepack`),
 * the tarball extracted as node_modules/basalt of a throwaway project, then the installed
 * `basalt serve`, the dashboard it ships, `import('basalt')` and its type declarations. No
 * network: the project's other dependencies are links to the ones installed in the repository,
 * one per dependency the package declares, so a missing declaration fails the import.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { freePort, PINNED_NODE, removeDir, REPO_ROOT, stopServe, tempDir, waitForHealth, type ServeProcess } from '../helpers/cli.ts';

const run = promisify(execFile);
const SERVER_DIR = join(REPO_ROOT, 'packages/server');
/** Far above today's size (about 2 MB unpacked): only an accidental inclusion should reach it. */
const MAX_UNPACKED_BYTES = 10 * 1024 * 1024;

/** Every file under `dir`, as `/`-separated paths relative to it. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(dir, path) : [path];
  });
}

/** Runs npm's CLI: the one running this test when `npm test` started it, else `npm` on the PATH. */
async function npm(args: string[], cwd: string): Promise<void> {
  const execPath = process.env.npm_execpath;
  if (execPath) await run(process.execPath, [execPath, ...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
  else await run('npm', args, { cwd, maxBuffer: 16 * 1024 * 1024 });
}

describe('the basalt npm package', () => {
  let tmp: string;
  let project: string;
  let pkgDir: string;
  let files: string[];
  // `npm pack` runs prepack, which (re)builds dist/ in the working tree; a dist/ this test made
  // must not outlive it, or imports of 'basalt' from the repository would load a stale build.
  const distDir = join(SERVER_DIR, 'dist');
  let distExisted = false;

  before(async () => {
    distExisted = existsSync(distDir);
    tmp = tempDir('basalt-pack-');
    await npm(['pack', '--pack-destination', tmp], SERVER_DIR);
    const [tarball, ...others] = readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
    assert.ok(tarball && others.length === 0, `expected one tarball in ${tmp}`);

    project = join(tmp, 'project');
    pkgDir = join(project, 'node_modules/basalt');
    mkdirSync(pkgDir, { recursive: true });
    await run('tar', ['xzf', join(tmp, tarball), '-C', pkgDir, '--strip-components=1']);
    files = listFiles(pkgDir);

    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of [...Object.keys(manifest.dependencies), '@types/node']) {
      const link = join(project, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(REPO_ROOT, 'node_modules', name), link, 'dir');
    }
  }, { timeout: 120_000 });

  after(() => {
    if (tmp) removeDir(tmp);
    if (!distExisted) removeDir(distDir);
  });

  it('holds the compiled server with declarations and the dashboard, without sources or tests', () => {
    for (const path of ['bin/basalt.js', 'package.json', 'dist/src/cli/main.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/dashboard/index.html']) {
      assert.ok(files.includes(path), `${path} is missing from the package`);
    }
    assert.ok(files.some((f) => /^dist\/dashboard\/assets\/.+\.js$/.test(f)), 'the dashboard has no scripts');
    assert.deepEqual(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), [], 'TypeScript sources shipped');
    assert.deepEqual(files.filter((f) => /\.test\.|(^|\/)test\/|rule-test-fixture|field-test-context/.test(f)), [], 'tests shipped');
    assert.deepEqual([...new Set(files.map((f) => f.split('/')[0]))].sort(), ['LICENSE', 'README.md', 'bin', 'dist', 'package.json']);
    const unpacked = files.reduce((sum, f) => sum + statSync(join(pkgDir, f)).size, 0);
    assert.ok(unpacked < MAX_UNPACKED_BYTES, `the package unpacks to ${unpacked} bytes`);
  });

  it('`basalt serve` from the installed package answers /api/health and serves its dashboard at /_/', async () => {
    const port = await freePort();
    // The default lookups must find everything: no admin folder, no database URL from the caller.
    const env = { ...process.env };
    delete env.BASALT_ADMIN_DIR;
    delete env.BASALT_DATABASE_URL;
    const child = spawn(PINNED_NODE, [join(pkgDir, 'bin/basalt.js'), 'serve', '--http', `127.0.0.1:${port}`, '--dir', join(tmp, 'data')], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
    const proc: ServeProcess = { child, url: `http://127.0.0.1:${port}`, port, output: () => ({ stdout, stderr }), exited };
    try {
      await waitForHealth(proc);

      const page = await fetch(`${proc.url}/_/`);
      assert.equal(page.status, 200, 'the dashboard build was not found (503 is the "not built" page)');
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const html = await page.text();
      assert.equal(html, readFileSync(join(pkgDir, 'dist/dashboard/index.html'), 'utf8'));

      const script = /src="(\/_\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      assert.ok(script, 'index.html loads no script');
      const asset = await fetch(`${proc.url}${script}`);
      assert.equal(asset.status, 200);
      assert.match(asset.headers.get('content-type') ?? '', /javascript/);
      await asset.arrayBuffer();
    } finally {
      const exit = await stopServe(proc);
      assert.equal(exit.code, 0, `${stdout}\n${stderr}`);
    }
  });

  it("import('basalt') gives the public API, enough to embed a server", async () => {
    // Run inside the project: from this file, 'basalt' would resolve to the workspace's package.
    writeFileSync(
      join(project, 'embed.js'),
      `import * as basalt from 'basalt';
const { App, SqliteDatabase, NotFoundError, BasaltError, buildRestServer } = basalt;
const app = await App.open(new SqliteDatabase(':memory:'));
app.crons.add({ id: 'embedded', expression: '@daily', run() {} });
const server = await buildRestServer(app);
const health = await server.inject({ url: '/api/health' });
const crons = app.crons.list().map((j) => j.id).filter((id) => !id.startsWith('__'));
await server.close();
await app.close();
console.log(JSON.stringify({
  exports: Object.keys(basalt).sort(),
  version: basalt.VERSION,
  crons,
  health: health.statusCode,
  notFoundIsBasaltError: new NotFoundError() instanceof BasaltError,
}));
`,
    );
    const { stdout } = await run(PINNED_NODE, ['embed.js'], { cwd: project });
    const result = JSON.parse(stdout) as { exports: string[]; version: string; crons: string[]; health: number; notFoundIsBasaltError: boolean };
    for (const name of ['App', 'SqliteDatabase', 'PostgresDatabase', 'LocalFileStore', 'buildRestServer', 'main', 'Hook', 'BasaltError', 'ValidationError', 'NotFoundError']) {
      assert.ok(result.exports.includes(name), `basalt does not export ${name}`);
    }
    assert.ok(!result.exports.includes('DEFAULT_ADMIN_DIR'), 'an internal module leaked into the public API');
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
    assert.equal(result.version, manifest.version);
    assert.deepEqual(result.crons, ['embedded']);
    assert.equal(result.health, 200);
    assert.equal(result.notFoundIsBasaltError, true);
  });

  it('its declarations type-check a program written against the public API', async () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'es2024', module: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['typed.ts'] }),
    );
    writeFileSync(
      join(project, 'typed.ts'),
      `import { App, NotFoundError, SqliteDatabase, type AnyBasaltError, type CronJob, type RecordWriteEvent } from 'basalt';
const job: CronJob = { id: 'typed', expression: '@daily', run: () => {} };
const app: App = await App.open(new SqliteDatabase(':memory:'));
app.crons.add(job);
app.events.onRecordCreate.bind({ collections: ['posts'], fn: async (e) => {
  const event: RecordWriteEvent = e;
  void event;
  await e.next();
} });
const err: AnyBasaltError = new NotFoundError();
void err.code;
// @ts-expect-error an id is a string. Unresolved declarations would make this \`any\` and the directive unused.
app.crons.add({ id: 1, expression: '@daily', run: () => {} });
`,
    );
    try {
      await run(PINNED_NODE, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project });
    } catch (err) {
      assert.fail(`tsc failed on a program using the package:\n${(err as { stdout?: string }).stdout}`);
    }
  });
});
