/**
 * Backups API (spec §10.4) with the official SDK, on every engine: create, list, download with a
 * superuser file token, upload, delete, restore (exactly the old records, collections, settings
 * and files come back), name rules, one operation at a time, hostile archives, cron settings and
 * automatic backups with cronMaxKeep, and a SQLite-made backup restored into PostgreSQL.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import PocketBase from 'pocketbase';
import yazl from 'yazl';
import { App } from '../../src/core/app.ts';
import { superuserUpsert } from '../../src/core/operations/superuser-upsert.ts';
import { LocalFileStore } from '../../src/files/local/local-file-store.ts';
import type { FileStore, StoredFileInfo } from '../../src/files/types.ts';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import { forEachDialect, openTestDatabase, POSTGRES_UNAVAILABLE, sdkError, serveForTests, SUPERUSER_EMAIL, SUPERUSER_PASSWORD, TEST_DIALECTS, type DialectName } from '../helpers/test-server.ts';

/** A file store whose `list` can be held, to keep a backup running while a test looks at it. */
class GatedStore implements FileStore {
  readonly #inner: FileStore;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  #entered: (() => void) | undefined;
  constructor(inner: FileStore) {
    this.#inner = inner;
  }
  /** Holds the next `list` until `release`; resolves once a `list` is waiting. */
  hold(): { entered: Promise<void>; release(): void } {
    this.#gate = new Promise((r) => (this.#open = r));
    const entered = new Promise<void>((r) => (this.#entered = r));
    return {
      entered,
      release: () => {
        this.#gate = undefined;
        this.#open?.();
      },
    };
  }
  put(...a: Parameters<FileStore['put']>) {
    return this.#inner.put(...a);
  }
  /** When set, reads fail part-way, as a connection to a remote store that drops. */
  failReads = false;
  async read(...a: Parameters<FileStore['read']>) {
    if (!this.failReads) return this.#inner.read(...a);
    return Readable.from(
      (async function* () {
        yield Buffer.from('the first bytes');
        throw new Error('connection reset while reading');
      })(),
    );
  }
  stat(key: string) {
    return this.#inner.stat(key);
  }
  delete(key: string) {
    return this.#inner.delete(key);
  }
  deletePrefix(prefix: string) {
    return this.#inner.deletePrefix(prefix);
  }
  async *list(prefix: string): AsyncIterable<StoredFileInfo> {
    if (this.#gate) {
      this.#entered?.();
      await this.#gate;
    }
    yield* this.#inner.list(prefix);
  }
  close() {
    return this.#inner.close();
  }
}

/** A backup's database whose copy fails with `failure` (after its check passed), as when the disk fills up. */
class FailingCopySource extends SqliteDatabase {
  readonly #failure: Error;
  constructor(path: string, failure: Error) {
    super(path, { synchronous: 'NORMAL' });
    this.#failure = failure;
  }
  override async transaction<T>(): Promise<T> {
    throw this.#failure;
  }
}

interface BackupServer {
  url: string;
  /** The data directory (scratch space in `.tmp/`). */
  dir: string;
  app: App;
  files: GatedStore;
  /** When `copy` is set, every backup database opened fails to copy with it. */
  faults: { copy?: Error };
  admin: PocketBase;
  client(): PocketBase;
  /** A superuser file token (POST /api/files/token). */
  superuserFileToken(): Promise<string>;
  close(): Promise<void>;
}

async function startBackupServer(dialect: DialectName): Promise<BackupServer> {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-backups-'));
  const storage = await openTestDatabase(dialect);
  const files = new GatedStore(new LocalFileStore(join(dir, 'storage')));
  const faults: BackupServer['faults'] = {};
  const app = await App.open(storage.db, {
    files,
    backups: {
      store: new LocalFileStore(join(dir, 'backups')),
      tempDir: join(dir, '.tmp'),
      openSqliteFile: (p) => (faults.copy ? new FailingCopySource(p, faults.copy) : new SqliteDatabase(p, { synchronous: 'NORMAL' })),
    },
  });
  await superuserUpsert(app, SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
  const { server, url, client, admin } = await serveForTests(app);
  return {
    url,
    dir,
    app,
    files,
    faults,
    admin,
    client,
    superuserFileToken: () => admin.files.getToken(),
    async close() {
      await server.close();
      await app.close();
      await storage.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function storedFiles(app: App): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const info of app.files.list('')) {
    const chunks: Buffer[] = [];
    for await (const c of await app.files.read(info.key)) chunks.push(c as Buffer);
    out.set(info.key, Buffer.concat(chunks).toString('base64'));
  }
  return out;
}

/** Everything a restore must give back: collections, every record of `posts`, settings, files. */
async function snapshot(s: BackupServer) {
  return {
    collections: await s.admin.collections.getFullList({ sort: 'name' }),
    posts: await s.admin.collection('posts').getFullList({ sort: 'title' }),
    superusers: (await s.admin.collection('_superusers').getFullList({ sort: 'email' })).map((r) => r.email),
    appName: ((await s.admin.settings.getAll()) as { meta: { appName: string } }).meta.appName,
    files: await storedFiles(s.app),
  };
}

/** A zip built from `entries`; names are patched byte-for-byte afterwards (yazl refuses unsafe ones). */
async function zipOf(entries: Array<[string, Buffer]>, rename: Array<[string, string]> = []): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(data, name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  let buf = Buffer.concat(chunks);
  for (const [from, to] of rename) {
    assert.equal(from.length, to.length);
    let at = buf.indexOf(from);
    while (at !== -1) {
      buf.write(to, at, 'latin1');
      at = buf.indexOf(from, at + 1);
    }
  }
  return buf;
}

async function download(s: BackupServer, key: string): Promise<Buffer<ArrayBuffer>> {
  const res = await fetch(s.admin.backups.getDownloadURL(await s.superuserFileToken(), key));
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

async function seedPosts(s: BackupServer): Promise<void> {
  await s.admin.collections.create({
    name: 'posts',
    type: 'base',
    listRule: '',
    viewRule: '',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'views', type: 'number' },
      { name: 'doc', type: 'file', maxSelect: 1, maxSize: 1_000_000 },
    ],
  });
  await s.admin.collection('posts').create({ title: 'alpha', views: 1, doc: new File(['alpha v1'], 'alpha.txt', { type: 'text/plain' }) });
  await s.admin.collection('posts').create({ title: 'beta', views: 2, doc: new File([new Uint8Array([0, 1, 2, 3, 255])], 'beta.bin') });
  // Objects that belong to no record are part of the store too, and come back as they were.
  await s.app.files.put('extra/nested/deep.bin', Buffer.from([9, 8, 7]));
}

forEachDialect((dialect) => {
  describe('backups API', () => {
    let s: BackupServer;
    before(async () => {
      s = await startBackupServer(dialect);
      await seedPosts(s);
    });
    after(() => s.close());

    it('refuses guests (401) and regular users (403) on every route', async () => {
      await s.admin.collection('users').create({ email: 'u@example.com', password: 'password123', passwordConfirm: 'password123' });
      const user = s.client();
      await user.collection('users').authWithPassword('u@example.com', 'password123');
      const guest = s.client();
      for (const [who, pb, status] of [
        ['guest', guest, 401],
        ['user', user, 403],
      ] as const) {
        assert.equal((await sdkError(pb.backups.getFullList())).status, status, `${who} list`);
        assert.equal((await sdkError(pb.backups.create('x.zip'))).status, status, `${who} create`);
        assert.equal((await sdkError(pb.backups.upload({ file: new File([Buffer.from('PK\x05\x06')], 'x.zip') }))).status, status, `${who} upload`);
        assert.equal((await sdkError(pb.backups.delete('x.zip'))).status, status, `${who} delete`);
        assert.equal((await sdkError(pb.backups.restore('x.zip'))).status, status, `${who} restore`);
      }
      assert.deepEqual(await s.admin.backups.getFullList(), []);
    });

    it('answers malformed requests with a 4xx envelope, never a 5xx', async () => {
      const auth = { Authorization: s.admin.authStore.token };
      const json = { ...auth, 'Content-Type': 'application/json' };
      const cases: Array<[string, string, RequestInit, number]> = [
        ['POST', '/api/backups', { headers: json, body: '{"name":123}' }, 400],
        ['POST', '/api/backups', { headers: json, body: '{"name":["a.zip"]}' }, 400],
        ['POST', '/api/backups', { headers: json, body: '{"name":' }, 400],
        ['POST', '/api/backups', { headers: { ...auth, 'Content-Type': 'text/plain' }, body: 'a.zip' }, 400],
        ['POST', '/api/backups/upload', { headers: json, body: '{"file":"x.zip"}' }, 400],
        ['POST', '/api/backups/upload', { headers: { ...auth, 'Content-Type': 'multipart/form-data; boundary=x' }, body: '--x\r\nContent-Disposition: form-data; name="other"; filename="a.zip"\r\n\r\nPK\x05\x06\r\n--x--\r\n' }, 400],
        ['POST', '/api/backups/upload', { headers: { ...auth, 'Content-Type': 'multipart/form-data; boundary=x' }, body: '--x\r\nbroken' }, 400],
        ['DELETE', '/api/backups/%00', { headers: auth }, 400],
        ['DELETE', `/api/backups/${'a'.repeat(400)}.zip`, { headers: auth }, 400],
        ['POST', '/api/backups/..%2F..%2Fdata.db/restore', { headers: auth }, 400],
        ['POST', '/api/backups/%E0%A4%A/restore', { headers: auth }, 400],
        ['GET', '/api/backups/x.zip', {}, 403],
        ['GET', '/api/backups/x.zip?token=a&token=b', {}, 403],
      ];
      for (const [method, path, init, status] of cases) {
        const res = await fetch(`${s.url}${path}`, { method, ...init });
        const body = (await res.json()) as { status: number; data: unknown };
        assert.equal(res.status, status, `${method} ${path}`);
        assert.equal(body.status, status);
        assert.equal(typeof body.data, 'object');
      }
    });

    it('creates a backup with the default name and lists it', async () => {
      await s.admin.backups.create('');
      const list = await s.admin.backups.getFullList();
      assert.equal(list.length, 1);
      assert.match(list[0].key, /^pb_backup_basalt_\d{14}\.zip$/);
      assert.ok(list[0].size > 0);
      assert.match(list[0].modified, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
      await s.admin.backups.delete(list[0].key);
      assert.deepEqual(await s.admin.backups.getFullList(), []);
    });

    it('validates names: format, length, uniqueness', async () => {
      for (const bad of ['Upper.zip', 'no-extension', '../escape.zip', 'a/b.zip', 'spaces here.zip', `${'a'.repeat(151)}.zip`]) {
        const e = await sdkError(s.admin.backups.create(bad));
        assert.equal(e.status, 400, bad);
        assert.ok(['validation_match_invalid', 'validation_length_out_of_range'].includes(e.data.name?.code), `${bad}: ${JSON.stringify(e.data)}`);
      }
      await s.admin.backups.create('named_1.zip');
      const dup = await sdkError(s.admin.backups.create('named_1.zip'));
      assert.equal(dup.status, 400);
      assert.equal(dup.data.name.code, 'validation_backup_name_exists');
      assert.equal(dup.data.name.message, 'Backup file with the specified name already exists.');
      await s.admin.backups.delete('named_1.zip');
      const gone = await sdkError(s.admin.backups.delete('named_1.zip'));
      assert.equal(gone.status, 400);
      assert.equal((await sdkError(s.admin.backups.delete('..%2F..%2Fdata.db'))).status, 400);
    });

    // The timeout only turns a hang (a realtime stream that is never closed) into a failure.
    it('restores exactly the data of the backup: records, collections, settings, superusers, files', { timeout: 120_000 }, async () => {
      const before = await snapshot(s);
      await s.admin.backups.create('before_changes.zip');

      const [alpha, beta] = before.posts;
      await s.admin.collection('posts').update(alpha.id, { title: 'alpha changed', views: 100, doc: new File(['alpha v2'], 'alpha2.txt', { type: 'text/plain' }) });
      await s.admin.collection('posts').delete(beta.id);
      await s.admin.collection('posts').create({ title: 'gamma' });
      await s.admin.collections.create({ name: 'added_later', type: 'base', fields: [{ name: 'x', type: 'text' }] });
      await s.admin.collection('added_later').create({ x: 'y' });
      await s.admin.collections.update('posts', { listRule: null });
      await s.admin.settings.update({ meta: { appName: 'Changed' } });
      await s.admin.collection('_superusers').create({ email: 'second@example.com', password: 'password123', passwordConfirm: 'password123' });
      await s.app.files.put('extra/nested/deep.bin', Buffer.from('overwritten'));
      await s.app.files.put('extra/added-later.txt', Buffer.from('new file'));
      assert.notDeepEqual(await snapshot(s), before);

      await s.admin.backups.restore('before_changes.zip');

      assert.deepEqual(await snapshot(s), before);
      const served = await fetch(s.admin.files.getURL(alpha, alpha.doc));
      assert.equal(served.status, 200);
      assert.equal(await served.text(), 'alpha v1');
      assert.equal((await sdkError(s.admin.collections.getOne('added_later'))).status, 404);
      // The backups themselves are not part of the data: the archive is still listed.
      assert.deepEqual((await s.admin.backups.getFullList()).map((b) => b.key), ['before_changes.zip']);
      const health = await s.admin.health.check();
      assert.equal(health.data.canBackup, true);

      // Realtime connections are closed by a restore, as by PocketBase's restart.
      const sse = await fetch(`${s.url}/api/realtime`);
      const reader = sse.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      assert.match(first, /event:PB_CONNECT/);
      await s.admin.backups.restore('before_changes.zip');
      for (;;) if ((await reader.read()).done) break;
      await s.admin.backups.delete('before_changes.zip');
    });

    it('refuses a second backup or restore while one runs (400), and deleting the one in use', async () => {
      await s.admin.backups.create('existing.zip');
      const hold = s.files.hold();
      const running = s.admin.backups.create('slow.zip');
      await hold.entered;
      try {
        const busy = await sdkError(s.admin.backups.create('other.zip'));
        assert.equal(busy.status, 400);
        assert.equal(busy.message, 'Try again later - another backup/restore process has already been started.');
        assert.equal((await sdkError(s.admin.backups.restore('existing.zip'))).status, 400);
        assert.equal((await sdkError(s.admin.backups.delete('slow.zip'))).status, 400);
        assert.equal((await s.admin.health.check()).data.canBackup, false);
      } finally {
        hold.release();
      }
      await running;
      assert.deepEqual((await s.admin.backups.getFullList()).map((b) => b.key).sort(), ['existing.zip', 'slow.zip']);
      assert.equal((await s.admin.health.check()).data.canBackup, true);
      await s.admin.backups.delete('existing.zip');
      await s.admin.backups.delete('slow.zip');
    });

    // The timeout only turns a hang (an archive waiting on a dead stream) into a failure.
    it('fails a backup whose files cannot be read, leaving no archive and nothing locked', { timeout: 120_000 }, async () => {
      s.files.failReads = true;
      try {
        const e = await sdkError(s.admin.backups.create('broken.zip'));
        assert.equal(e.status, 500);
      } finally {
        s.files.failReads = false;
      }
      assert.deepEqual(await s.admin.backups.getFullList(), []);
      assert.equal((await s.admin.health.check()).data.canBackup, true);
      await s.admin.backups.create('broken.zip');
      await s.admin.backups.delete('broken.zip');
    });

    it('downloads only with a superuser file token', async () => {
      await s.admin.backups.create('dl.zip');
      const bytes = await download(s, 'dl.zip');
      assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
      const res = await fetch(s.admin.backups.getDownloadURL(await s.superuserFileToken(), 'dl.zip'));
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="dl\.zip"$/);
      await res.arrayBuffer();

      const user = s.client();
      await user.collection('users').authWithPassword('u@example.com', 'password123');
      const userFileToken = await user.files.getToken();
      for (const token of ['', 'garbage', userFileToken, s.admin.authStore.token]) {
        const denied = await fetch(`${s.url}/api/backups/dl.zip?token=${encodeURIComponent(token)}`);
        assert.equal(denied.status, 403, token.slice(0, 20));
        assert.equal(((await denied.json()) as { message: string }).message, 'Insufficient permissions to access the resource.');
      }
      const token = await s.superuserFileToken();
      for (const key of ['missing.zip', '..%2Fdata.db', '%2Fetc%2Fpasswd']) {
        const res = await fetch(`${s.url}/api/backups/${key}?token=${token}`);
        assert.equal(res.status, 404, key);
        await res.arrayBuffer();
      }
      await s.admin.backups.delete('dl.zip');
    });

    it('uploads an archive under its file name and restores it; refuses non-zips, bad names and taken names', async () => {
      await s.admin.backups.create('origin.zip');
      const bytes = await download(s, 'origin.zip');
      await s.admin.backups.upload({ file: new File([bytes], 'uploaded.zip') });
      const list = await s.admin.backups.getFullList();
      assert.equal(list.find((b) => b.key === 'uploaded.zip')?.size, bytes.length);

      const taken = await sdkError(s.admin.backups.upload({ file: new File([bytes], 'uploaded.zip') }));
      assert.equal(taken.status, 400);
      assert.equal(taken.data.file.code, 'validation_backup_name_exists');
      const notZip = await sdkError(s.admin.backups.upload({ file: new File(['hello'], 'text.zip') }));
      assert.equal(notZip.status, 400);
      assert.equal(notZip.data.file.code, 'validation_invalid_mime_type');
      const badName = await sdkError(s.admin.backups.upload({ file: new File([bytes], 'with space.zip') }));
      assert.equal(badName.status, 400);
      assert.equal(badName.data.file.code, 'validation_invalid_backup_name');
      // No body limit on this route: more than the 32 MiB default goes through.
      const big = new Uint8Array(33 * 1024 * 1024);
      big.set([0x50, 0x4b, 0x03, 0x04]);
      await s.admin.backups.upload({ file: new File([big], 'big.zip') });
      assert.equal((await s.admin.backups.getFullList()).find((b) => b.key === 'big.zip')?.size, big.length);
      await s.admin.backups.delete('big.zip');
      const missing = await sdkError(s.admin.backups.upload({}));
      assert.equal(missing.status, 400);
      assert.equal(missing.data.file.code, 'validation_required');

      const before = await snapshot(s);
      await s.admin.collection('posts').create({ title: 'after upload' });
      await s.admin.backups.restore('uploaded.zip');
      assert.deepEqual(await snapshot(s), before);
      await s.admin.backups.delete('origin.zip');
      await s.admin.backups.delete('uploaded.zip');
    });

    it('refuses to restore a corrupt or hostile archive with a 400 and changes nothing', async () => {
      const good = await (async () => {
        await s.admin.backups.create('good.zip');
        return download(s, 'good.zip');
      })();
      const database = await (async () => {
        // The data.db of a real backup, to build hostile archives around it.
        const yauzl = (await import('yauzl')).default;
        return new Promise<Buffer>((resolve, reject) =>
          yauzl.fromBuffer(good, { lazyEntries: true }, (err, zip) => {
            if (err) return reject(err);
            zip.on('entry', (e: { fileName: string }) => {
              if (e.fileName !== 'data.db') return zip.readEntry();
              zip.openReadStream(e as never, async (err2, stream) => {
                if (err2) return reject(err2);
                const chunks: Buffer[] = [];
                for await (const c of stream) chunks.push(c as Buffer);
                resolve(Buffer.concat(chunks));
              });
            });
            zip.readEntry();
          }),
        );
      })();
      const truncated = good.subarray(0, Math.floor(good.length / 2));
      const flipped = Buffer.from(good);
      // Damage compressed bytes inside the first entry: the CRC-32 or inflate check must catch it.
      for (let i = 200; i < 260; i++) flipped[i] ^= 0xff;
      const cases: Array<[string, Buffer]> = [
        ['truncated.zip', Buffer.concat([Buffer.from('PK\x03\x04'), truncated.subarray(4)])],
        ['flipped.zip', flipped],
        ['no_database.zip', await zipOf([['storage/a/b.txt', Buffer.from('x')]])],
        ['slip.zip', await zipOf([['data.db', database], ['storage/xx/evil.txt', Buffer.from('evil')]], [['storage/xx/evil.txt', 'storage/../evil.txt']])],
        ['absolute.zip', await zipOf([['data.db', database], ['xetc/passwd', Buffer.from('evil')]], [['xetc/passwd', '/etc/passwd']])],
        ['stranger.zip', await zipOf([['data.db', database], ['notes.txt', Buffer.from('not part of a backup')]])],
        // A file at the store's root could overwrite a backup kept in the same bucket.
        ['root_file.zip', await zipOf([['data.db', database], ['storage/good.zip', Buffer.from('PK\x05\x06')]])],
        ['not_sqlite.zip', await zipOf([['data.db', Buffer.from('this is not a database at all, only text'.repeat(200))]])],
      ];
      const before = await snapshot(s);
      for (const [name, bytes] of cases) {
        await s.admin.backups.upload({ file: new File([new Uint8Array(bytes)], name) });
        const e = await sdkError(s.admin.backups.restore(name));
        assert.equal(e.status, 400, `${name}: ${e.message}`);
        assert.deepEqual(await snapshot(s), before, name);
        await s.admin.backups.delete(name);
      }
      assert.equal((await s.admin.health.check()).data.canBackup, true);
      await s.admin.backups.delete('good.zip');
    });

    it('answers a restore that fails for a reason other than its data (a full disk) with a 500, and changes nothing', async () => {
      await s.admin.backups.create('disk_full.zip');
      const before = await snapshot(s);
      // A Node system error carries a string `code` too, but the archive is not at fault.
      s.faults.copy = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      try {
        const e = await sdkError(s.admin.backups.restore('disk_full.zip'));
        assert.equal(e.status, 500, e.message);
        assert.equal(e.message, 'Something went wrong while processing your request.');
      } finally {
        s.faults.copy = undefined;
      }
      assert.deepEqual(await snapshot(s), before);
      assert.equal((await s.admin.health.check()).data.canBackup, true);
      await s.admin.backups.delete('disk_full.zip');
    });

    it('validates settings.backups and runs automatic backups keeping cronMaxKeep', async () => {
      for (const cron of ['not a cron', '* * * *', '61 * * * *']) {
        const e = await sdkError(s.admin.settings.update({ backups: { cron } }));
        assert.equal(e.status, 400, cron);
        assert.equal(e.data.backups.cron.code, 'validation_invalid_cron');
      }
      const keep = await sdkError(s.admin.settings.update({ backups: { cronMaxKeep: 0 } }));
      assert.equal(keep.data.backups.cronMaxKeep.code, 'validation_invalid_value');
      await s.admin.settings.update({ backups: { cron: '30 3 * * *', cronMaxKeep: 2 } });

      // The scheduler's minute ticks, as its timer would make them: only 03:30 is due.
      const autoBackups = async () => (await s.admin.backups.getFullList()).map((b) => b.key).filter((k) => k.startsWith('@auto_')).sort();
      s.app.crons.tick(new Date('2026-05-01T03:31:00Z'));
      await s.app.crons.idle();
      assert.deepEqual(await autoBackups(), []);
      const made: string[] = [];
      for (const day of ['01', '02', '03']) {
        s.app.crons.tick(new Date(`2026-05-${day}T03:30:10Z`));
        await s.app.crons.idle();
        made.push(...(await autoBackups()).filter((k) => !made.includes(k)));
      }
      assert.deepEqual(made, ['@auto_pb_backup_basalt_20260501033010.zip', '@auto_pb_backup_basalt_20260502033010.zip', '@auto_pb_backup_basalt_20260503033010.zip']);
      await s.admin.backups.create('manual.zip');
      const keys = (await s.admin.backups.getFullList()).map((b) => b.key).sort();
      assert.deepEqual(keys, ['@auto_pb_backup_basalt_20260502033010.zip', '@auto_pb_backup_basalt_20260503033010.zip', 'manual.zip']);
      for (const k of keys) await s.admin.backups.delete(k);
      await s.admin.settings.update({ backups: { cron: '' } });
    });

    it('removes work folders a crash left behind (older than a day) when asked at startup', async () => {
      const old = join(s.dir, '.tmp', 'restore-crashed');
      const recent = join(s.dir, '.tmp', 'create-running');
      const unrelated = join(s.dir, '.tmp', 'upload-old');
      for (const d of [old, recent, unrelated]) mkdirSync(join(d, 'staging'), { recursive: true });
      const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
      utimesSync(old, twoDaysAgo, twoDaysAgo);
      utimesSync(unrelated, twoDaysAgo, twoDaysAgo);
      s.app.backups.removeInterruptedWork();
      await s.app.idle();
      assert.equal(existsSync(old), false);
      assert.equal(existsSync(recent), true);
      assert.equal(existsSync(unrelated), true);
    });
  });
});

describe('a backup made on SQLite restores into PostgreSQL', { skip: !TEST_DIALECTS.includes('postgres') ? 'postgres not selected' : POSTGRES_UNAVAILABLE }, () => {
  it('gives back the same records, collections and files', async () => {
    const lite = await startBackupServer('sqlite');
    const pg = await startBackupServer('postgres');
    try {
      await seedPosts(lite);
      await lite.admin.backups.create('from_sqlite.zip');
      const expected = await snapshot(lite);
      await pg.admin.backups.upload({ file: new File([await download(lite, 'from_sqlite.zip')], 'from_sqlite.zip') });
      await pg.admin.backups.restore('from_sqlite.zip');
      // The superusers are now the backup's: the old session's record is gone.
      assert.equal((await sdkError(pg.admin.collection('_superusers').authRefresh())).status, 401);
      await pg.admin.collection('_superusers').authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
      assert.deepEqual(await snapshot(pg), expected);
    } finally {
      await lite.close();
      await pg.close();
    }
  });
});
