/**
 * Backups of an instance whose secrets are sealed with BASALT_ENCRYPTION_KEY (an OAuth2 client
 * secret on `users`, the SMTP password), on every engine: the backup and its restore move the
 * sealed values as they are, the restored server opens them to the same secrets, and a server
 * without the key or with another one refuses to restore them (400, nothing changed) instead of
 * holding secrets it cannot read.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type PocketBase from 'pocketbase';
import { App } from '../../src/core/app.ts';
import { superuserUpsert } from '../../src/core/operations/superuser-upsert.ts';
import { LocalFileStore } from '../../src/files/local/local-file-store.ts';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import { forEachDialect, openTestDatabase, sdkError, serveForTests, SUPERUSER_EMAIL, SUPERUSER_PASSWORD, type DialectName } from '../helpers/test-server.ts';

const KEY = randomBytes(32).toString('hex');
const CLIENT_SECRET = 'oauth2-client-secret-backed-up-1618';
const SMTP_PASSWORD = 'smtp-password-backed-up-1414';

interface Server {
  app: App;
  admin: PocketBase;
  close(): Promise<void>;
}

async function startServer(dialect: DialectName, encryptionKey: string | undefined): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-backups-sealed-'));
  const storage = await openTestDatabase(dialect);
  const app = await App.open(storage.db, {
    encryptionKey,
    files: new LocalFileStore(join(dir, 'storage')),
    backups: { store: new LocalFileStore(join(dir, 'backups')), tempDir: join(dir, '.tmp'), openSqliteFile: (p) => new SqliteDatabase(p, { synchronous: 'NORMAL' }) },
  });
  await superuserUpsert(app, SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
  const { server, admin } = await serveForTests(app);
  return {
    app,
    admin,
    async close() {
      await server.close();
      await app.close();
      await storage.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The stored client secret of `users` and SMTP password, read straight from the tables. */
async function storedSecrets(app: App): Promise<{ clientSecret: string; smtpPassword: string }> {
  const q = app.db.dialect.quote.bind(app.db.dialect);
  const users = await app.db.get<{ options: string }>(`SELECT ${q('options')} AS options FROM ${q('_collections')} WHERE ${q('name')} = ?`, ['users']);
  const settings = await app.db.get<{ value: string }>(`SELECT ${q('value')} AS value FROM ${q('_params')} WHERE ${q('id')} = ?`, ['settings']);
  return {
    clientSecret: JSON.parse(String(users?.options)).oauth2.providers[0].clientSecret,
    smtpPassword: JSON.parse(String(settings?.value)).smtp.password,
  };
}

async function setSecrets(admin: PocketBase, clientSecret: string, smtpPassword: string): Promise<void> {
  await admin.settings.update({ smtp: { enabled: false, host: '127.0.0.1', port: 2525, username: 'mailer', password: smtpPassword } });
  const users = await admin.collections.getOne('users');
  await admin.collections.update('users', { oauth2: { ...users.oauth2, enabled: true, providers: [{ name: 'google', clientId: 'client-id', clientSecret }] } });
}

forEachDialect((dialect) =>
  describe('backups of secrets sealed by BASALT_ENCRYPTION_KEY', () => {
    let s: Server;
    let backedUp: { clientSecret: string; smtpPassword: string };
    let archive: Buffer<ArrayBuffer>;
    before(async () => {
      s = await startServer(dialect, KEY);
      await setSecrets(s.admin, CLIENT_SECRET, SMTP_PASSWORD);
      backedUp = await storedSecrets(s.app);
      assert.match(backedUp.clientSecret, /^enc:v1:/);
      assert.match(backedUp.smtpPassword, /^enc:v1:/);
    });
    after(() => s.close());

    it('backs up and restores the sealed values as they are; the server opens them to the same secrets', async () => {
      await s.admin.backups.create('sealed.zip');
      const res = await fetch(s.admin.backups.getDownloadURL(await s.admin.files.getToken(), 'sealed.zip'));
      assert.equal(res.status, 200);
      archive = Buffer.from(await res.arrayBuffer());

      await setSecrets(s.admin, 'changed-after-the-backup', 'changed-smtp-password');
      await s.admin.backups.restore('sealed.zip');
      assert.deepEqual(await storedSecrets(s.app), backedUp, 'the restored rows hold the very sealed values of the backup');
      assert.equal(s.app.collections.find('users')!.oauth2!.providers[0].clientSecret, CLIENT_SECRET);
      assert.equal(s.app.settings.current.smtp.password, SMTP_PASSWORD);

      // The backup's superuser replaced the session's record (same e-mail and password).
      await s.admin.collection('_superusers').authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
      const users = await s.admin.collections.getOne('users');
      assert.equal(users.oauth2.providers[0].name, 'google');
      assert.equal(users.oauth2.providers[0].clientSecret, undefined, 'still write-only');
      const methods = await s.admin.collection('users').listAuthMethods();
      assert.deepEqual(methods.oauth2.providers.map((p) => p.name), ['google']);
    });

    it('a server without the key, or with another one, refuses to restore them with a 400 and changes nothing', async () => {
      assert.ok(archive, 'made by the previous test');
      for (const [key, why] of [
        [undefined, /encrypted, but BASALT_ENCRYPTION_KEY is not set/],
        [randomBytes(32).toString('hex'), /cannot be decrypted: BASALT_ENCRYPTION_KEY is not the key it was encrypted with/],
      ] as const) {
        const other = await startServer(dialect, key);
        try {
          await other.admin.backups.upload({ file: new File([archive], 'sealed.zip') });
          const before_ = await other.admin.collections.getFullList({ sort: 'name' });
          const e = await sdkError(other.admin.backups.restore('sealed.zip'));
          assert.equal(e.status, 400);
          assert.match(e.message, why);
          assert.deepEqual(await other.admin.collections.getFullList({ sort: 'name' }), before_);
          assert.equal(other.app.collections.find('users')!.oauth2!.providers.length, 0);
        } finally {
          await other.close();
        }
      }
    });
  }),
);
