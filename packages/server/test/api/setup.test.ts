/**
 * First-run setup: the `setup` token printed by `basalt serve` creates the first superuser through
 * `POST /api/collections/_superusers/records` (the dashboard's flow, with the SDK), and nothing
 * else: not other routes, not batch, not once a superuser exists, not altered or expired.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import PocketBase from 'pocketbase';
import type { App } from '../../src/core/app.ts';
import { newSetupToken } from '../../src/core/operations/superuser-setup.ts';
import { startServe, stopServe, removeDir, tempDir } from '../helpers/cli.ts';
import { forEachDialect, sdkError, startTestServer } from '../helpers/test-server.ts';

const EMAIL = 'first@example.com';
const PASSWORD = 'first-superuser-pass';

forEachDialect((dialect) =>
  describe('first-run setup token', () => {
    let app: App;
    let url = '';
    let clock = Date.now();
    let close: () => Promise<void>;
    let client: () => PocketBase;
    const createFirst = (token: string, email = EMAIL) =>
      client().collection('_superusers').create({ email, password: PASSWORD, passwordConfirm: PASSWORD }, { headers: { Authorization: token } });

    before(async () => {
      // A controllable clock: tokens are checked against the App's clock.
      const server = await startTestServer({ dialect, superuser: false, now: () => new Date(clock) });
      ({ app, url, client } = server);
      close = () => server.close();
    });
    after(() => close());

    it('is refused on every other route, where the request is a guest\'s', async () => {
      const token = await newSetupToken(app);
      for (const [method, path, status] of [
        ['GET', '/api/settings', 401],
        ['GET', '/api/logs', 401],
        ['GET', '/api/collections', 401],
        ['POST', '/api/collections', 401],
        ['GET', '/api/collections/_superusers/records', 403],
        ['POST', '/api/sql', 401],
        ['GET', '/api/crons', 401],
        ['POST', '/api/crons/__pbOTPCleanup__', 401],
        ['GET', '/api/backups', 401],
      ] as const) {
        const init: RequestInit = method === 'POST' ? { body: JSON.stringify({ name: 'x', type: 'base' }), headers: { Authorization: token, 'Content-Type': 'application/json' } } : { headers: { Authorization: token } };
        const res = await fetch(url + path, { method, ...init });
        assert.equal(res.status, status, `${method} ${path}`);
      }
    });

    it('is refused inside a batch', async () => {
      await app.settings.update({ batch: { enabled: true, maxRequests: 5, timeout: 3 } });
      const token = await newSetupToken(app);
      const res = await fetch(`${url}/api/batch`, {
        method: 'POST',
        headers: { Authorization: token, 'Content-Type': 'application/json' },
        body: JSON.stringify({ requests: [{ method: 'POST', url: '/api/collections/_superusers/records', body: { email: EMAIL, password: PASSWORD, passwordConfirm: PASSWORD } }] }),
      });
      assert.equal(res.status, 400);
      assert.equal((await client().collection('_superusers').authWithPassword(EMAIL, PASSWORD).catch((e) => e)).status, 400);
    });

    it('refuses an altered token', async () => {
      const token = await newSetupToken(app);
      const [h, p, s] = token.split('.');
      const flipped = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
      const err = await sdkError(createFirst(flipped));
      assert.equal(err.status, 401);
      assert.equal(err.message, 'The setup token is invalid or has expired.');
      // A payload re-encoded with a longer lifetime keeps the old signature: refused as well.
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86400 })).toString('base64url')}.${s}`;
      assert.equal((await sdkError(createFirst(forged))).status, 401);
    });

    it('refuses an expired token', async () => {
      const token = await newSetupToken(app);
      clock += 3601 * 1000;
      try {
        const err = await sdkError(createFirst(token));
        assert.equal(err.status, 401);
        assert.equal(err.message, 'The setup token is invalid or has expired.');
      } finally {
        clock = Date.now();
      }
    });

    it('without a token a guest cannot create a superuser', async () => {
      const err = await sdkError(client().collection('_superusers').create({ email: EMAIL, password: PASSWORD, passwordConfirm: PASSWORD }));
      assert.equal(err.status, 403);
    });

    it('creates the first superuser, who can then sign in (the dashboard flow)', async () => {
      const token = await newSetupToken(app);
      const created = await createFirst(token);
      assert.equal(created.email, EMAIL);
      const pb = client();
      const auth = await pb.collection('_superusers').authWithPassword(EMAIL, PASSWORD);
      assert.equal(auth.record.id, created.id);
      assert.ok((await pb.settings.getAll()).meta);
    });

    it('is refused once a superuser exists, even when still fresh', async () => {
      const token = await newSetupToken(app);
      const err = await sdkError(createFirst(token, 'second@example.com'));
      assert.equal(err.status, 401);
      assert.equal(err.message, 'The setup link is no longer valid: a superuser already exists.');
    });
  }),
);

forEachDialect((dialect) =>
  describe('first-run setup token, concurrent creations', () => {
    let app: App;
    let url = '';
    let close: () => Promise<void>;

    before(async () => {
      const server = await startTestServer({ dialect, superuser: false });
      ({ app, url } = server);
      close = () => server.close();
    });
    after(() => close());

    it('creates exactly one superuser when ten setup requests arrive at once', async () => {
      const token = await newSetupToken(app);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => {
          const pb = new PocketBase(url);
          pb.autoCancellation(false);
          return pb.collection('_superusers').create({ email: `racer${i}@example.com`, password: PASSWORD, passwordConfirm: PASSWORD }, { headers: { Authorization: token } });
        }),
      );
      const created = results.filter((r) => r.status === 'fulfilled');
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { status: number; response: { message: string } }] : []));
      assert.equal(created.length, 1, `superusers created: ${created.length}`);
      assert.deepEqual(
        refused.map((e) => [e.status, e.response.message]),
        Array.from({ length: 9 }, () => [401, 'The setup link is no longer valid: a superuser already exists.']),
      );
      const rows = await app.db.all<{ email: string }>(`SELECT ${app.db.dialect.quote('email')} FROM ${app.db.dialect.quote('_superusers')}`);
      assert.equal(rows.length, 1);
    });
  }),
);

describe('basalt serve prints the setup link', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(() => removeDir(dir));

  it('prints a working link while no superuser exists', async () => {
    const served = await startServe(dir);
    try {
      // The link is printed just after the server starts answering: wait for it (bounded).
      const link = new RegExp(`http://127\\.0\\.0\\.1:${served.port}/_/#/setup/([\\w-]+\\.[\\w-]+\\.[\\w-]+)\\n`);
      for (let i = 0; i < 400 && !link.test(served.output().stdout); i++) await sleep(25);
      const m = link.exec(served.output().stdout);
      assert.ok(m, served.output().stdout);
      const pb = new PocketBase(served.url);
      await pb.collection('_superusers').create({ email: EMAIL, password: PASSWORD, passwordConfirm: PASSWORD }, { headers: { Authorization: m[1] } });
      await pb.collection('_superusers').authWithPassword(EMAIL, PASSWORD);
    } finally {
      await stopServe(served);
    }
    // Once a superuser exists no link is printed; read the whole output after a clean stop.
    const again = await startServe(dir);
    await stopServe(again);
    assert.match(again.output().stdout, /Stopped cleanly\./);
    assert.doesNotMatch(again.output().stdout, /setup/);
  });
});
