/**
 * The `basalt` command as users run it: the real bin under the pinned Node (and under the
 * machine's older Node, which must re-exec), its messages and exit codes (spec §12), serving,
 * and a clean stop on SIGTERM that lets in-flight requests finish.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { freePort, removeDir, runCli, startServe, stopServe, supportsNodeSqlite, tempDir } from '../helpers/cli.ts';

/** No stack traces for user errors: one `basalt: …` line and a hint. */
function assertCleanError(stderr: string, pattern: RegExp): void {
  assert.match(stderr, /^basalt: /, stderr);
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /, `stack trace printed:\n${stderr}`);
}

describe('basalt CLI: help, version and usage errors', { concurrency: true }, () => {
  it('--help lists serve and the superuser commands and exits 0', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /basalt serve/);
    for (const action of ['upsert', 'create', 'delete']) assert.match(r.stdout, new RegExp(`basalt superuser ${action}`));
    assert.match(r.stdout, /--http/);
    assert.match(r.stdout, /--dir/);
    assert.equal(r.stderr, '');
  });

  it('-h is --help', async () => {
    const r = await runCli(['-h']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /basalt serve/);
  });

  it('--version prints the version and exits 0', async () => {
    const r = await runCli(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
  });

  it('an unknown flag exits non-zero and names the flag', async () => {
    const r = await runCli(['--bogus']);
    assert.notEqual(r.code, 0);
    assertCleanError(r.stderr, /--bogus/);
    assert.match(r.stderr, /basalt --help/);
  });

  it('an unknown flag after serve also exits non-zero before serving', async () => {
    const dir = tempDir();
    try {
      const r = await runCli(['serve', '--dir', dir, '--htttp', '127.0.0.1:1']);
      assert.notEqual(r.code, 0);
      assertCleanError(r.stderr, /--htttp/);
    } finally {
      removeDir(dir);
    }
  });

  it('an unknown command exits non-zero', async () => {
    const r = await runCli(['frobnicate']);
    assert.notEqual(r.code, 0);
    assertCleanError(r.stderr, /unknown command "frobnicate"/);
  });

  it('no command prints the usage and exits non-zero', async () => {
    const r = await runCli([]);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout, /Usage:/);
  });
});

describe('basalt superuser', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(() => removeDir(dir));

  const cases: Array<[string, string[], RegExp]> = [
    ['upsert without arguments', ['superuser', 'upsert'], /missing email and password arguments/],
    ['upsert with only an email', ['superuser', 'upsert', 'a@example.com'], /missing email and password arguments/],
    ['create without arguments', ['superuser', 'create'], /missing email and password arguments/],
    ['upsert with an invalid email', ['superuser', 'upsert', 'not-an-email', 'long-enough-password'], /missing or invalid email address/],
    ['upsert with an email containing spaces', ['superuser', 'upsert', 'a b@example.com', 'long-enough-password'], /missing or invalid email address/],
    ['without an action', ['superuser'], /superuser needs an action/],
    ['with an unknown action', ['superuser', 'promote', 'a@example.com'], /superuser needs an action/],
  ];
  describe('argument errors (nothing is opened)', { concurrency: true }, () => {
    for (const [what, args, message] of cases) {
      it(`${what} exits non-zero with the spec's message`, async () => {
        const r = await runCli([...args, '--dir', dir]);
        assert.notEqual(r.code, 0);
        assertCleanError(r.stderr, message);
      });
    }
  });

  it('upsert with a too-short password exits non-zero with the validation message', async () => {
    const r = await runCli(['superuser', 'upsert', 'short@example.com', 'x', '--dir', dir]);
    assert.equal(r.code, 1);
    assertCleanError(r.stderr, /password/i);
  });

  it('upsert creates, then updates; create refuses an existing email; delete removes it', async () => {
    const email = 'ops@example.com';
    let r = await runCli(['superuser', 'upsert', email, 'first-password-1', '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Created superuser ops@example\.com\./);
    r = await runCli(['superuser', 'upsert', email, 'second-password-2', '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Updated the password of superuser ops@example\.com\./);
    r = await runCli(['superuser', 'create', email, 'third-password-3', '--dir', dir]);
    assert.notEqual(r.code, 0);
    assertCleanError(r.stderr, /already exists/);

    // The stored password is the upserted one: sign in through a served API.
    const served = await startServe(dir);
    try {
      const pb = new PocketBase(served.url);
      await pb.collection('_superusers').authWithPassword(email, 'second-password-2');
      assert.ok(pb.authStore.isValid);
      await assert.rejects(new PocketBase(served.url).collection('_superusers').authWithPassword(email, 'first-password-1'));
    } finally {
      assert.equal((await stopServe(served)).code, 0);
    }

    r = await runCli(['superuser', 'delete', email, '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const db = new DatabaseSync(join(dir, 'data.db'), { readOnly: true });
    try {
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM _superusers WHERE email = ?').get(email) as { n: number }).n, 0);
    } finally {
      db.close();
    }
  });
});

describe('basalt serve', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(() => removeDir(dir));

  it('serves /api/health on the --http address and prints where', async () => {
    const served = await startServe(dir);
    try {
      const res = await fetch(`${served.url}/api/health`);
      assert.equal(res.status, 200);
      assert.equal((await res.json()).message, 'API is healthy.');
      assert.ok(served.output().stdout.includes(`http://127.0.0.1:${served.port}/api/`), served.output().stdout);
      // Unknown routes answer the envelope from the real process too.
      const missing = await fetch(`${served.url}/api/nope`);
      assert.equal(missing.status, 404);
      assert.deepEqual(await missing.json(), { status: 404, message: "The requested resource wasn't found.", data: {} });
    } finally {
      const exit = await stopServe(served);
      assert.equal(exit.code, 0);
      assert.match(served.output().stdout, /Stopped cleanly\./);
    }
  });

  describe('bad --http values', { concurrency: true }, () => {
    for (const bad of ['nope', '127.0.0.1', '127.0.0.1:99999', '127.0.0.1:-1', '127.0.0.1:80a', ':', '']) {
      it(`--http ${JSON.stringify(bad)} exits non-zero with a clear message`, async () => {
        const r = await runCli(['serve', '--dir', dir, '--http', bad]);
        assert.notEqual(r.code, 0);
        assertCleanError(r.stderr, /invalid --http address/);
      });
    }
  });

  it('--durability with an unknown mode exits non-zero', async () => {
    const r = await runCli(['serve', '--dir', dir, '--http', `127.0.0.1:${await freePort()}`, '--durability', 'sometimes']);
    assert.notEqual(r.code, 0);
    assertCleanError(r.stderr, /invalid --durability/);
  });

  it('a --dir that is a file exits non-zero with a message, not a stack trace', async () => {
    const file = join(dir, 'a-file');
    execFileSync('touch', [file]);
    const r = await runCli(['serve', '--dir', file, '--http', `127.0.0.1:${await freePort()}`]);
    assert.notEqual(r.code, 0);
    assertCleanError(r.stderr, /a-file/);
  });

  it('a port already in use exits non-zero with a helpful message', async () => {
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCli(['serve', '--dir', dir, '--http', `127.0.0.1:${port}`]);
      assert.notEqual(r.code, 0);
      assertCleanError(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
      assert.match(r.stderr, /--http/);
    } finally {
      await new Promise<void>((ok) => blocker.close(() => ok()));
    }
  });

  it('SIGTERM lets an in-flight request finish, refuses new connections, then exits 0', async () => {
    // --dev logs each incoming request, so the test knows when the server has the request.
    const served = await startServe(dir, ['--dev']);
    const until = async (what: string, ok: () => boolean | Promise<boolean>) => {
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) if (await ok()) return;
      assert.fail(`timed out waiting for ${what}:\n${served.output().stdout}\n${served.output().stderr}`);
    };
    // A create whose body arrives slowly: it is in flight when the signal comes.
    const body = JSON.stringify({ email: 'inflight@example.com', password: 'inflight-pass-1', passwordConfirm: 'inflight-pass-1' });
    let req!: ReturnType<typeof request>;
    const response = new Promise<{ status: number; body: string }>((ok, fail) => {
      req = request(`${served.url}/api/collections/users/records`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', fail);
    });
    req.write(body.slice(0, 10));
    await until('the request to arrive', () => served.output().stdout.includes('/api/collections/users/records'));
    served.child.kill('SIGTERM');
    await until('the SIGTERM message', () => served.output().stdout.includes('SIGTERM received'));
    // The listener closes: a new connection is refused while the old request is still open.
    await until('new connections to be refused', () => fetch(`${served.url}/api/health`).then(() => false, () => true));
    assert.equal(served.child.exitCode, null, 'exited before the in-flight request finished');
    req.end(body.slice(10));
    const res = await response;
    assert.equal(res.status, 200, res.body);
    assert.match(JSON.parse(res.body).id, /^[a-z0-9]{15}$/);
    const exit = await served.exited;
    assert.equal(exit.code, 0, served.output().stderr);
    assert.match(served.output().stdout, /Stopped cleanly\./);
    const db = new DatabaseSync(join(dir, 'data.db'), { readOnly: true });
    try {
      assert.equal((db.prepare("SELECT COUNT(*) AS n FROM users WHERE email = 'inflight@example.com'").get() as { n: number }).n, 1);
    } finally {
      db.close();
    }
  });

  it('SIGINT stops cleanly too', async () => {
    const served = await startServe(dir);
    served.child.kill('SIGINT');
    const exit = await served.exited;
    assert.equal(exit.code, 0);
    assert.match(served.output().stdout, /SIGINT received/);
    assert.match(served.output().stdout, /Stopped cleanly\./);
  });
});

describe('basalt under the machine Node (older than the pinned one)', () => {
  let machineVersion = '';
  try {
    machineVersion = execFileSync('/usr/bin/env', ['node', '--version'], { encoding: 'utf8' }).trim();
  } catch {
    machineVersion = '';
  }
  const skip = machineVersion === '' ? 'no `node` on PATH' : supportsNodeSqlite(machineVersion) ? `the machine Node ${machineVersion} is new enough; nothing to re-exec` : false;
  const machineNode = ['/usr/bin/env', 'node'];

  it(`re-execs under the pinned Node for one-shot commands (machine Node ${machineVersion || 'none'})`, { skip }, async () => {
    const version = await runCli(['--version'], { node: machineNode });
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
    const bad = await runCli(['superuser', 'upsert'], { node: machineNode });
    assert.equal(bad.code, 2, 'the exit code of the re-executed command is kept');
    assert.match(bad.stderr, /missing email and password arguments/);
  });

  it('forwards SIGTERM to the re-executed server, which stops cleanly and leaves no orphan', { skip }, async () => {
    const dir = tempDir();
    try {
      const served = await startServe(dir, [], { node: machineNode });
      assert.equal((await fetch(`${served.url}/api/health`)).status, 200);
      served.child.kill('SIGTERM');
      const exit = await served.exited;
      assert.equal(exit.code, 0, served.output().stderr);
      assert.match(served.output().stdout, /Stopped cleanly\./);
      // The child (the real server) is gone too: nothing answers on its port.
      await assert.rejects(fetch(`${served.url}/api/health`));
    } finally {
      removeDir(dir);
    }
  });
});
