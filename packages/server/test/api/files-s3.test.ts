import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { LocalFileStore } from '../../src/files/local/local-file-store.ts';
import { S3FileStore } from '../../src/files/s3/s3-file-store.ts';
import type { FileStore, S3StoreConfig } from '../../src/files/types.ts';
import { startS3 } from '../files/s3-test-server.ts';
import { forEachDialect, sdkError, startTestServer, type TestServer } from '../helpers/test-server.ts';

async function keys(store: FileStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const info of store.list(prefix)) out.push(info.key);
  return out.sort();
}

forEachDialect((dialect) =>
  describe('files on S3 (settings.s3)', () => {
    let t: TestServer;
    let s3: { config: S3StoreConfig; stop(): Promise<void> };
    let bucket: S3FileStore;
    let local: LocalFileStore;
    let collectionId: string;
    const s3Settings = () => ({ enabled: true, bucket: s3.config.bucket, region: s3.config.region, endpoint: s3.config.endpoint, accessKey: s3.config.accessKey, secret: s3.config.secret, forcePathStyle: true });
    before(async () => {
      s3 = await startS3();
      bucket = new S3FileStore(s3.config);
      t = await startTestServer({ dialect });
      local = new LocalFileStore(join(t.dir, 'storage'));
      const c = await t.admin.collections.create({
        name: 'media',
        type: 'base',
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
        fields: [{ name: 'image', type: 'file', maxSelect: 1, thumbs: ['20x20'] }],
      });
      collectionId = c.id;
    });
    after(async () => {
      await t?.close();
      await bucket?.deletePrefix(`${collectionId}/`).catch(() => {});
      await s3?.stop();
    });

    it('tests the S3 settings: 400 while disabled or invalid, 204 once enabled', async () => {
      const disabled = await sdkError(t.admin.settings.testS3('storage'));
      assert.equal(disabled.status, 400);
      assert.equal(disabled.message, 'S3 storage filesystem is not enabled.');
      const invalid = await sdkError(t.admin.send('/api/settings/test/s3', { method: 'POST', body: { filesystem: 'elsewhere' } }));
      assert.equal(invalid.status, 400);
      assert.equal(invalid.data.filesystem.code, 'validation_in_invalid');
      assert.equal((await sdkError(t.client().settings.testS3('storage'))).status, 401);
      await t.admin.settings.update({ s3: { ...s3Settings(), accessKey: 'NO-SUCH-KEY' } });
      const wrong = await sdkError(t.admin.settings.testS3('storage'));
      assert.equal(wrong.status, 400);
      assert.equal(wrong.message, 'Failed to test the S3 filesystem.');
      await t.admin.settings.update({ s3: s3Settings() });
      assert.equal(await t.admin.settings.testS3('storage'), true);
      const view = await t.admin.settings.getAll();
      assert.equal(view.s3.secret, undefined);
    });

    it('stores new uploads in the bucket, serves ranges and thumbs from it, and cleans up', async () => {
      await t.admin.settings.update({ s3: s3Settings() });
      const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#0a0' } }).png().toBuffer();
      const r = await t.client().collection('media').create({ image: new File([new Uint8Array(png)], 'green.png') });
      assert.deepEqual(await keys(bucket, `${collectionId}/`), [`${collectionId}/${r.id}/${r.image}`]);
      assert.deepEqual(await keys(local, `${collectionId}/`), []);
      const part = await t.fetch(`/api/files/media/${r.id}/${r.image}`, { headers: { range: 'bytes=0-7' } });
      assert.equal(part.status, 206);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), png.subarray(0, 8));
      const thumb = await t.fetch(`/api/files/media/${r.id}/${r.image}?thumb=20x20`);
      const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
      assert.deepEqual([meta.width, meta.height], [20, 20]);
      assert.equal((await keys(bucket, `${collectionId}/${r.id}/`)).length, 2);
      const replaced = await t.client().collection('media').update(r.id, { image: new File([new Uint8Array(png)], 'again.png') });
      assert.deepEqual(await keys(bucket, `${collectionId}/${r.id}/`), [`${collectionId}/${r.id}/${replaced.image}`]);
      await t.client().collection('media').delete(r.id);
      assert.deepEqual(await keys(bucket, `${collectionId}/${r.id}/`), []);
    });

    it('a settings switch applies to the next upload', async () => {
      await t.admin.settings.update({ s3: { enabled: false } });
      const r = await t.client().collection('media').create({ image: new File(['abc'], 'a.txt') });
      assert.deepEqual(await keys(local, `${collectionId}/`), [`${collectionId}/${r.id}/${r.image}`]);
      assert.equal(await (await t.fetch(`/api/files/media/${r.id}/${r.image}`)).text(), 'abc');
      await t.admin.settings.update({ s3: { enabled: true } });
      const s = await t.client().collection('media').create({ image: new File(['xyz'], 'b.txt') });
      assert.ok((await keys(bucket, `${collectionId}/`)).includes(`${collectionId}/${s.id}/${s.image}`));
    });
  }),
);
