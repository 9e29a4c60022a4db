/**
 * Secrets at rest (BASALT_ENCRYPTION_KEY): the SMTP password, S3 secrets and OAuth2 client
 * secrets are stored encrypted (AES-256-GCM) when a key is set, still read back for use (a real
 * SMTP server checks the password), stay readable when written before the key was set, and a
 * missing or wrong key stops startup with a clear message instead of handing out garbage.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import PocketBase from 'pocketbase';
import { App } from '../../src/core/app.ts';
import { superuserUpsert } from '../../src/core/operations/superuser-upsert.ts';
import { LocalFileStore } from '../../src/files/local/local-file-store.ts';
import { createSmtpMailer } from '../../src/mail/smtp/smtp-mailer.ts';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import type { Database } from '../../src/storage/types.ts';
import { buildRestServer } from '../../src/transports/rest/server.ts';
import { startSmtpInbox, type SmtpInbox } from '../helpers/smtp-inbox.ts';
import { POSTGRES_TEST_URL, SUPERUSER_EMAIL, SUPERUSER_PASSWORD, forEachDialect, type DialectName } from '../helpers/test-server.ts';

const KEY_BYTES = randomBytes(32);
const KEY_HEX = KEY_BYTES.toString('hex');
const KEY_BASE64 = KEY_BYTES.toString('base64');
const KEY_TEXT = 'k'.repeat(16) + 'A1b2C3d4E5f6G7h8';
const SMTP_PASSWORD = 'smtp-password-at-rest-1234';
const S3_SECRET = 's3-secret-at-rest-5678';
const CLIENT_SECRET = 'oauth2-client-secret-at-rest-9012';

/** One database that apps are opened on, closed and opened again (restarts). */
class Place {
  readonly dialect: DialectName;
  readonly dir = mkdtempSync(join(tmpdir(), 'basalt-secrets-'));
  readonly schema = `basalt_test_${randomBytes(6).toString('hex')}`;
  constructor(dialect: DialectName) {
    this.dialect = dialect;
  }
  async open(): Promise<Database> {
    if (this.dialect === 'postgres') return PostgresDatabase.open({ url: POSTGRES_TEST_URL, schema: this.schema, maxConnections: 3 });
    return new SqliteDatabase(join(this.dir, 'data.db'), { synchronous: 'NORMAL' });
  }
  /** Opens an App (and a REST server) with `encryptionKey`; `run` gets a signed-in SDK client. */
  async withApp<T>(encryptionKey: string | undefined, run: (ctx: { app: App; admin: PocketBase }) => Promise<T>): Promise<T> {
    const db = await this.open();
    let app: App;
    try {
      app = await App.open(db, { encryptionKey, smtpMailer: createSmtpMailer, files: new LocalFileStore(join(this.dir, 'storage')) });
    } catch (err) {
      await db.close();
      throw err;
    }
    const server = await buildRestServer(app);
    try {
      await superuserUpsert(app, SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
      await server.listen({ host: '127.0.0.1', port: 0 });
      const admin = new PocketBase(`http://127.0.0.1:${(server.server.address() as { port: number }).port}`);
      admin.autoCancellation(false);
      await admin.collection('_superusers').authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
      return await run({ app, admin });
    } finally {
      await server.close();
      await app.close();
    }
  }
  /** The stored rows, read straight from the database. */
  async raw(): Promise<{ settings: string; users: string }> {
    const db = await this.open();
    try {
      const q = db.dialect.quote.bind(db.dialect);
      const settings = await db.get<{ value: string }>(`SELECT ${q('value')} AS value FROM ${q('_params')} WHERE ${q('id')} = ?`, ['settings']);
      const users = await db.get<{ options: string }>(`SELECT ${q('options')} AS options FROM ${q('_collections')} WHERE ${q('name')} = ?`, ['users']);
      return { settings: String(settings?.value ?? ''), users: String(users?.options ?? '') };
    } finally {
      await db.close();
    }
  }
  async dispose(): Promise<void> {
    if (this.dialect === 'postgres') {
      const db = (await this.open()) as PostgresDatabase;
      try {
        await db.dropSchema();
      } finally {
        await db.close();
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

forEachDialect((dialect) =>
  describe('encrypted secrets at rest (BASALT_ENCRYPTION_KEY)', () => {
    let inbox: SmtpInbox;
    before(async () => {
      inbox = await startSmtpInbox({ username: 'mailer', password: SMTP_PASSWORD });
    });
    after(() => inbox.close());

    async function storeSecrets(admin: PocketBase) {
      await admin.settings.update({
        smtp: { enabled: true, host: '127.0.0.1', port: inbox.port, username: 'mailer', password: SMTP_PASSWORD, authMethod: 'PLAIN', tls: false },
        s3: { secret: S3_SECRET },
        backups: { s3: { secret: S3_SECRET } },
      });
      const users = await admin.collections.getOne('users');
      await admin.collections.update('users', { oauth2: { ...users.oauth2, providers: [{ name: 'google', clientId: 'client-id', clientSecret: CLIENT_SECRET }] } });
    }

    /** The stored SMTP password still authenticates: a test e-mail reaches the inbox. */
    async function sendTestMail(admin: PocketBase, to: string) {
      await admin.settings.testEmail('_superusers', to, 'verification');
      await inbox.waitFor(to);
    }

    it('with a key, no stored row holds a secret in plain text, and every secret still works', async () => {
      const place = new Place(dialect);
      try {
        await place.withApp(KEY_HEX, async ({ app, admin }) => {
          await storeSecrets(admin);
          assert.equal(app.settings.current.smtp.password, SMTP_PASSWORD, 'memory holds the plain value');
          await sendTestMail(admin, `enc-1-${dialect}@example.com`);
          const settings = await admin.settings.getAll();
          assert.ok(!JSON.stringify(settings).includes(SMTP_PASSWORD) && !JSON.stringify(settings).includes(S3_SECRET));
          const users = await admin.collections.getOne('users');
          assert.equal(users.oauth2.providers[0].clientSecret, undefined);
        });
        const raw = await place.raw();
        for (const secret of [SMTP_PASSWORD, S3_SECRET]) assert.ok(!raw.settings.includes(secret), `settings row leaks ${secret}`);
        assert.ok(!raw.users.includes(CLIENT_SECRET), 'collection row leaks the client secret');
        assert.match(raw.settings, /enc:v1:/);
        assert.match(raw.users, /enc:v1:/);
        // After a restart with the same key (another spelling of it), everything reads back.
        await place.withApp(KEY_BASE64, async ({ app, admin }) => {
          assert.equal(app.settings.current.s3.secret, S3_SECRET);
          assert.equal(app.settings.current.backups.s3.secret, S3_SECRET);
          assert.equal(app.collections.find('users')!.oauth2!.providers[0].clientSecret, CLIENT_SECRET);
          await sendTestMail(admin, `enc-2-${dialect}@example.com`);
          // Saving other options keeps the stored secrets (write-only, omitted = unchanged).
          await admin.settings.update({ meta: { appName: 'Renamed' } });
          await admin.collections.update('users', { listRule: '' });
        });
        const again = await place.raw();
        assert.ok(!again.settings.includes(SMTP_PASSWORD) && !again.users.includes(CLIENT_SECRET));
        await place.withApp(KEY_HEX, async ({ app, admin }) => {
          assert.equal(app.collections.find('users')!.oauth2!.providers[0].clientSecret, CLIENT_SECRET);
          await sendTestMail(admin, `enc-3-${dialect}@example.com`);
        });
      } finally {
        await place.dispose();
      }
    });

    it('without the key, or with another one, a database written with a key does not start', async () => {
      const place = new Place(dialect);
      try {
        await place.withApp(KEY_TEXT, ({ admin }) => storeSecrets(admin));
        await assert.rejects(place.withApp(undefined, async () => {}), /encrypted, but BASALT_ENCRYPTION_KEY is not set/);
        await assert.rejects(place.withApp(randomBytes(32).toString('hex'), async () => {}), /cannot be decrypted: BASALT_ENCRYPTION_KEY is not the key/);
        await assert.rejects(place.withApp('too-short', async () => {}), /BASALT_ENCRYPTION_KEY must be 32 bytes/);
        await place.withApp(KEY_TEXT, async ({ app }) => assert.equal(app.settings.current.smtp.password, SMTP_PASSWORD));
      } finally {
        await place.dispose();
      }
    });

    it('secrets stored before a key was set still read, and are encrypted on the next save', async () => {
      const place = new Place(dialect);
      try {
        await place.withApp(undefined, ({ admin }) => storeSecrets(admin));
        assert.ok((await place.raw()).settings.includes(SMTP_PASSWORD), 'without a key values are stored as they are');
        await place.withApp(KEY_HEX, async ({ app, admin }) => {
          assert.equal(app.settings.current.smtp.password, SMTP_PASSWORD);
          await sendTestMail(admin, `plain-${dialect}@example.com`);
          await admin.settings.update({ meta: { appName: 'Resaved' } });
          const users = await admin.collections.getOne('users');
          await admin.collections.update('users', { oauth2: users.oauth2 });
        });
        const raw = await place.raw();
        assert.ok(!raw.settings.includes(SMTP_PASSWORD) && !raw.users.includes(CLIENT_SECRET));
      } finally {
        await place.dispose();
      }
    });
  }),
);
