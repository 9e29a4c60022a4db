/**
 * Backups kept on S3 (settings.backups.s3) while the files are on S3 too, in the same bucket: a
 * real S3-protocol server (s3rver) per suite. Create, list, download and restore go through the
 * bucket, and a restore neither archives nor deletes the backups sitting next to the files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import PocketBase from 'pocketbase';
import { App } from '../../src/core/app.ts';
import { superuserUpsert } from '../../src/core/operations/superuser-upsert.ts';
import { LocalFileStore } from '../../src/files/local/local-file-store.ts';
import { createS3FileStore } from '../../src/files/s3/s3-file-store.ts';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import { buildRestServer } from '../../src/transports/rest/server.ts';
import { SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from '../helpers/test-server.ts';

/** The part of s3rver (a test-only dependency without types) this suite uses. */
interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverServer;
// A specifier of type string keeps the compiler from looking for s3rver's (absent) types.
const S3RVER_MODULE: string = 's3rver';

describe('backups on S3', () => {
  let dir: string;
  let s3: S3rverServer;
  let app: App;
  let server: Awaited<ReturnType<typeof buildRestServer>>;
  let admin: PocketBase;
  let s3Settings: Record<string, unknown>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'basalt-backups-s3-'));
    const S3rver = ((await import(S3RVER_MODULE)) as { default: S3rverConstructor }).default;
    s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3rver'), configureBuckets: [{ name: 'basalt-backups', configs: [] }] });
    const { port } = await s3.run();
    s3Settings = { enabled: true, bucket: 'basalt-backups', region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, accessKey: 'S3RVER', secret: 'S3RVER', forcePathStyle: true };
    app = await App.open(new SqliteDatabase(join(dir, 'data.db'), { synchronous: 'NORMAL' }), {
      files: new LocalFileStore(join(dir, 'storage')),
      s3FileStore: createS3FileStore,
      backups: { store: new LocalFileStore(join(dir, 'backups')), tempDir: join(dir, '.tmp'), openSqliteFile: (p) => new SqliteDatabase(p, { synchronous: 'NORMAL' }) },
    });
    await superuserUpsert(app, SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
    server = await buildRestServer(app);
    await server.listen({ host: '127.0.0.1', port: 0 });
    const address = server.server.address();
    admin = new PocketBase(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    admin.autoCancellation(false);
    await admin.collection('_superusers').authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
  });
  after(async () => {
    await server.close();
    await app.close();
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, lists, downloads and restores through the bucket the files live in', async () => {
    await admin.settings.update({ s3: s3Settings, backups: { s3: s3Settings } });
    await admin.collections.create({ name: 'docs', type: 'base', fields: [{ name: 'title', type: 'text' }, { name: 'doc', type: 'file', maxSelect: 1, maxSize: 1_000_000 }] });
    const kept = await admin.collection('docs').create({ title: 'kept', doc: new File(['version 1'], 'kept.txt', { type: 'text/plain' }) });
    await admin.backups.create('on_s3.zip');
    assert.deepEqual((await admin.backups.getFullList()).map((b) => b.key), ['on_s3.zip']);
    const expected = await admin.collection('docs').getFullList({ sort: 'title' });

    await admin.collection('docs').update(kept.id, { doc: new File(['version 2'], 'kept2.txt', { type: 'text/plain' }) });
    await admin.collection('docs').create({ title: 'later', doc: new File(['later'], 'later.txt', { type: 'text/plain' }) });
    await admin.backups.create('second.zip');

    await admin.backups.restore('on_s3.zip');
    assert.deepEqual(await admin.collection('docs').getFullList({ sort: 'title' }), expected);
    const keys: string[] = [];
    for await (const f of app.files.list('')) if (f.key.includes('/')) keys.push(f.key);
    assert.deepEqual(keys, [`${kept.collectionId}/${kept.id}/${kept.doc}`]);
    const served = await fetch(admin.files.getURL(kept, kept.doc));
    assert.equal(await served.text(), 'version 1');
    // Both backups sit at the bucket's root, next to the files: the restore kept them.
    assert.deepEqual((await admin.backups.getFullList()).map((b) => b.key).sort(), ['on_s3.zip', 'second.zip']);

    const res = await fetch(admin.backups.getDownloadURL(await admin.files.getToken(), 'second.zip'));
    assert.equal(res.status, 200);
    assert.equal(Buffer.from(await res.arrayBuffer()).subarray(0, 4).toString('latin1'), 'PK\x03\x04');
  });
});
