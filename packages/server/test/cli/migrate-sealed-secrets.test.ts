/**
 * `basalt migrate` of an instance whose secrets are sealed with BASALT_ENCRYPTION_KEY: an OAuth2
 * client secret on `users` and the SMTP password, set through the API on SQLite. The real command
 * copies them into PostgreSQL without the key (migrate never opens them), and again with --force
 * over that copy with the key in its environment; the target holds the same sealed values, and
 * Basalt on PostgreSQL with the key reads the same secrets back.
 *
 * Needs PostgreSQL (BASALT_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test);
 * skipped with the reason when it is unreachable, failed under BASALT_TEST_REQUIRE_SERVICES=1.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App } from '../../src/core/app.ts';
import { superuserUpsert } from '../../src/core/operations/superuser-upsert.ts';
import { LocalFileStore } from '../../src/files/local/local-file-store.ts';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import type { Database } from '../../src/storage/types.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { POSTGRES_TEST_URL, POSTGRES_UNAVAILABLE, SUPERUSER_EMAIL, SUPERUSER_PASSWORD, TEST_DIALECTS, serveForTests } from '../helpers/test-server.ts';

const KEY = randomBytes(32).toString('hex');
const CLIENT_SECRET = 'oauth2-client-secret-migrated-3141';
const SMTP_PASSWORD = 'smtp-password-migrated-2718';

const skipReason = !TEST_DIALECTS.includes('postgres')
  ? 'BASALT_TEST_DIALECTS excludes postgres'
  : POSTGRES_UNAVAILABLE && process.env.BASALT_TEST_REQUIRE_SERVICES !== '1'
    ? POSTGRES_UNAVAILABLE
    : undefined;

/** The stored client secret of `users` and SMTP password, read straight from the tables. */
async function storedSecrets(db: Database): Promise<{ clientSecret: string; smtpPassword: string }> {
  const q = db.dialect.quote.bind(db.dialect);
  const users = await db.get<{ options: string }>(`SELECT ${q('options')} AS options FROM ${q('_collections')} WHERE ${q('name')} = ?`, ['users']);
  const settings = await db.get<{ value: string }>(`SELECT ${q('value')} AS value FROM ${q('_params')} WHERE ${q('id')} = ?`, ['settings']);
  return {
    clientSecret: JSON.parse(String(users?.options)).oauth2.providers[0].clientSecret,
    smtpPassword: JSON.parse(String(settings?.value)).smtp.password,
  };
}

/** Opens an App with the key on `db` and serves it; `run` gets the App and a signed-in client. */
async function withApp<T>(db: Database, dir: string, run: (app: App, admin: Awaited<ReturnType<typeof serveForTests>>['admin']) => Promise<T>): Promise<T> {
  const app = await App.open(db, { encryptionKey: KEY, files: new LocalFileStore(join(dir, 'storage')) });
  try {
    await superuserUpsert(app, SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
    const { server, admin } = await serveForTests(app);
    try {
      return await run(app, admin);
    } finally {
      await server.close();
    }
  } finally {
    await app.close();
  }
}

describe('basalt migrate with secrets sealed by BASALT_ENCRYPTION_KEY', { skip: skipReason }, () => {
  const schema = `basalt_test_${randomBytes(6).toString('hex')}`;
  const targetUrl = `${POSTGRES_TEST_URL}${POSTGRES_TEST_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const dir = tempDir('basalt-migrate-sealed-');
  const pgDir = tempDir('basalt-migrate-sealed-pg-');
  const withoutKey = { ...process.env };
  delete withoutKey.BASALT_ENCRYPTION_KEY;
  let source: { clientSecret: string; smtpPassword: string };

  before(async () => {
    if (POSTGRES_UNAVAILABLE) throw new Error(POSTGRES_UNAVAILABLE);
    await withApp(new SqliteDatabase(join(dir, 'data.db'), { synchronous: 'NORMAL' }), dir, async (_app, admin) => {
      await admin.settings.update({ smtp: { enabled: false, host: '127.0.0.1', port: 2525, username: 'mailer', password: SMTP_PASSWORD } });
      const users = await admin.collections.getOne('users');
      await admin.collections.update('users', { oauth2: { ...users.oauth2, enabled: true, providers: [{ name: 'google', clientId: 'client-id', clientSecret: CLIENT_SECRET }] } });
    });
    const db = new SqliteDatabase(join(dir, 'data.db'));
    try {
      source = await storedSecrets(db);
    } finally {
      await db.close();
    }
    assert.match(source.clientSecret, /^enc:v1:/);
    assert.match(source.smtpPassword, /^enc:v1:/);
  });

  after(async () => {
    const db = await PostgresDatabase.open({ url: POSTGRES_TEST_URL, schema, maxConnections: 1 }).catch(() => undefined);
    await db?.dropSchema().catch(() => {});
    await db?.close();
    removeDir(dir);
    removeDir(pgDir);
  });

  it('copies the sealed values as they are, without the key and with it (--force over the first copy)', async () => {
    const r = await runCli(['migrate', '--from', dir, '--to', targetUrl], { timeoutMs: 60_000, env: withoutKey });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /every row count matches/);
    // --force reads the definitions of the earlier copy in the target before replacing it.
    const forced = await runCli(['migrate', '--from', dir, '--to', targetUrl, '--force'], { timeoutMs: 60_000, env: { ...withoutKey, BASALT_ENCRYPTION_KEY: KEY } });
    assert.equal(forced.code, 0, forced.stdout + forced.stderr);

    const db = await PostgresDatabase.open({ url: POSTGRES_TEST_URL, schema, maxConnections: 1 });
    try {
      assert.deepEqual(await storedSecrets(db), source, 'the target holds the very sealed values of the source');
    } finally {
      await db.close();
    }
  });

  it('Basalt on PostgreSQL with the key opens them to the same secrets, and keeps them write-only', async () => {
    const db = await PostgresDatabase.open({ url: POSTGRES_TEST_URL, schema, maxConnections: 3 });
    await withApp(db, pgDir, async (app, admin) => {
      assert.equal(app.collections.find('users')!.oauth2!.providers[0].clientSecret, CLIENT_SECRET);
      assert.equal(app.settings.current.smtp.password, SMTP_PASSWORD);
      const users = await admin.collections.getOne('users');
      assert.equal(users.oauth2.providers[0].name, 'google');
      assert.equal(users.oauth2.providers[0].clientSecret, undefined);
      const methods = await admin.collection('users').listAuthMethods();
      assert.deepEqual(methods.oauth2.providers.map((p) => p.name), ['google']);
    });
  });
});
