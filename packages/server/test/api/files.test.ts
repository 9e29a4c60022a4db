import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { FileStore } from '../../src/files/types.ts';
import { forEachDialect, sdkError, startTestServer, type TestServer } from '../helpers/test-server.ts';

async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer();
}

async function jpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 30, g: 30, b: 200 } } }).jpeg().toBuffer();
}

function file(data: Buffer | string, name: string, type = 'application/octet-stream'): File {
  return new File([typeof data === 'string' ? Buffer.from(data) : new Uint8Array(data)], name, { type });
}

async function keys(store: FileStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const info of store.list(prefix)) out.push(info.key);
  return out;
}

forEachDialect((dialect) =>
  describe('files: uploads, downloads, thumbs, protected files', () => {
    let t: TestServer;
    let docsId: string;
    let photo: Buffer;
    before(async () => {
      t = await startTestServer({ dialect });
      photo = await png(200, 100);
      const docs = await t.admin.collections.create({
        name: 'docs',
        type: 'base',
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'avatar', type: 'file', maxSelect: 1, maxSize: 100_000, mimeTypes: ['image/png', 'image/jpeg'], thumbs: ['50x50', '40x0', '0x30', '60x20t', '60x20b', '300x300f'] },
          { name: 'documents', type: 'file', maxSelect: 3, maxSize: 2000 },
        ],
        indexes: ['CREATE UNIQUE INDEX idx_docs_title ON docs (title) WHERE title != \'\''],
      });
      docsId = docs.id;
      const users = await t.admin.collections.getOne('users');
      await t.admin.collections.create({
        name: 'vault',
        type: 'base',
        listRule: 'owner = @request.auth.id',
        viewRule: 'owner = @request.auth.id && @request.context = "protectedFile"',
        createRule: null,
        fields: [
          { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1 },
          { name: 'secret', type: 'file', maxSelect: 1, protected: true },
        ],
      });
    });
    after(() => t.close());

    it('uploads one file with a sanitised name and serves it back byte for byte', async () => {
      const r = await t.client().collection('docs').create({ title: 'one', avatar: file(photo, 'My Photo.PNG', 'image/png') });
      assert.match(r.avatar, /^my_photo_[a-z0-9]{10}\.PNG$/);
      assert.deepEqual(await keys(t.app.files, `${docsId}/${r.id}/`), [`${docsId}/${r.id}/${r.avatar}`]);
      const res = await t.fetch(`/api/files/docs/${r.id}/${r.avatar}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/png');
      assert.equal(res.headers.get('content-disposition'), `inline; filename="${r.avatar}"`);
      assert.equal(res.headers.get('cache-control'), 'max-age=2592000, stale-while-revalidate=86400');
      assert.equal(res.headers.get('x-frame-options'), null);
      assert.match(res.headers.get('content-security-policy') ?? '', /sandbox/);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(photo));
    });

    it('takes the extension from the content when the name has none, and strips directories', async () => {
      const r = await t.client().collection('docs').create({ avatar: file(photo, '../../etc/x', 'text/plain') });
      assert.match(r.avatar, /^x[a-z0-9]{10}_[a-z0-9]{10}\.png$/);
      const u = await t.client().collection('docs').create({ documents: [file('hello', 'C:\\temp\\Über Café.txt')] });
      assert.match(u.documents[0], /^über_café_[a-z0-9]{10}\.txt$/);
      const res = await t.fetch(`/api/files/docs/${u.id}/${encodeURIComponent(u.documents[0])}`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'hello');
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="_ber_caf__[a-z0-9]{10}\.txt"; filename\*=UTF-8''%C3%BCber_caf%C3%A9_/);
    });

    it('uploads many files and applies the +, - and plain modifiers', async () => {
      const docs = t.client().collection('docs');
      const r = await docs.create({ documents: [file('a', 'a.txt'), file('b', 'b.txt')] });
      assert.equal(r.documents.length, 2);
      const appended = await docs.update(r.id, { 'documents+': file('c', 'c.txt') });
      assert.equal(appended.documents.length, 3);
      assert.deepEqual(appended.documents.slice(0, 2), r.documents);
      const removed = await docs.update(r.id, { 'documents-': [r.documents[0]] });
      assert.deepEqual(removed.documents, appended.documents.slice(1));
      assert.equal((await t.fetch(`/api/files/docs/${r.id}/${r.documents[0]}`)).status, 404);
      assert.equal(await t.app.files.stat(`${docsId}/${r.id}/${r.documents[0]}`), undefined);
      // Plain key with text names plus uploads: the named files are kept, then the new ones.
      const form = new FormData();
      form.append('documents', removed.documents[1]);
      form.append('documents', file('d', 'd.txt'));
      const mixed = await docs.update(r.id, form);
      assert.equal(mixed.documents.length, 2);
      assert.equal(mixed.documents[0], removed.documents[1]);
      assert.equal(await t.app.files.stat(`${docsId}/${r.id}/${removed.documents[0]}`), undefined);
      // Prepend.
      const prepended = await docs.update(r.id, { '+documents': file('e', 'e.txt') });
      assert.match(prepended.documents[0], /^e[a-z0-9]{10}_[a-z0-9]{10}\.txt$/);
      assert.deepEqual(prepended.documents.slice(1), mixed.documents);
      // Uploads under the plain key alone replace the value; old files go.
      const replaced = await docs.update(r.id, { documents: [file('f', 'f.txt')] });
      assert.equal(replaced.documents.length, 1);
      assert.deepEqual(await keys(t.app.files, `${docsId}/${r.id}/`), [`${docsId}/${r.id}/${replaced.documents[0]}`]);
      // Clearing the field deletes every file.
      const cleared = await docs.update(r.id, { documents: [] });
      assert.deepEqual(cleared.documents, []);
      assert.deepEqual(await keys(t.app.files, `${docsId}/${r.id}/`), []);
    });

    it('ignores files under keys that are not file fields, whatever their name', async () => {
      const form = new FormData();
      for (const key of ['constructor', '__proto__', 'toString', 'title', 'documents-', 'nope']) form.append(key, file('x', 'x.txt'));
      form.append('documents', file('kept', 'kept.txt'));
      const r = await t.client().collection('docs').create(form);
      assert.equal(r.documents.length, 1);
      assert.equal(r.title, '');
    });

    it('refuses names that are not files of the record', async () => {
      const other = await t.client().collection('docs').create({ documents: [file('x', 'x.txt')] });
      const e = await sdkError(t.client().collection('docs').create({ documents: [other.documents[0]] }));
      assert.equal(e.status, 400);
      assert.equal(e.data.documents.code, 'validation_invalid_file');
    });

    it('enforces maxSelect, maxSize and content-sniffed mimeTypes', async () => {
      const docs = t.client().collection('docs');
      const many = await sdkError(docs.create({ documents: [1, 2, 3, 4].map((i) => file(String(i), `${i}.txt`)) }));
      assert.equal(many.status, 400);
      assert.equal(many.data.documents.code, 'validation_too_many_files');
      const big = await sdkError(docs.create({ documents: [file('x'.repeat(2001), 'big.txt')] }));
      assert.equal(big.status, 400);
      assert.equal(big.data.documents.code, 'validation_file_size_limit');
      assert.equal(big.data.documents.message, 'Failed to upload big.txt - the maximum allowed file size is 2000 bytes.');
      const fake = await sdkError(docs.create({ avatar: file('just some text, not an image', 'fake.png', 'image/png') }));
      assert.equal(fake.status, 400);
      assert.equal(fake.data.avatar.code, 'validation_invalid_mime_type');
      const ok = await docs.create({ avatar: file(await jpeg(20, 20), 'real.bin', 'application/octet-stream') });
      assert.match(ok.avatar, /^real_[a-z0-9]{10}\.bin$/);
      assert.deepEqual(await keys(t.app.files, `${docsId}/`).then((k) => k.filter((x) => x.includes('big') || x.includes('fake'))), []);
    });

    it('replacing a file deletes the old one; deleting the record deletes its folder', async () => {
      const docs = t.client().collection('docs');
      const r = await docs.create({ avatar: file(photo, 'first.png') });
      await t.fetch(`/api/files/docs/${r.id}/${r.avatar}?thumb=50x50`);
      assert.equal((await keys(t.app.files, `${docsId}/${r.id}/`)).length, 2);
      const u = await docs.update(r.id, { avatar: file(photo, 'second.png') });
      assert.notEqual(u.avatar, r.avatar);
      assert.deepEqual(await keys(t.app.files, `${docsId}/${r.id}/`), [`${docsId}/${r.id}/${u.avatar}`]);
      await docs.delete(r.id);
      assert.deepEqual(await keys(t.app.files, `${docsId}/${r.id}/`), []);
    });

    it('a failed transaction leaves no file behind', async () => {
      const docs = t.client().collection('docs');
      await docs.create({ title: 'taken' });
      const before = await keys(t.app.files, `${docsId}/`);
      const e = await sdkError(docs.create({ title: 'taken', avatar: file(photo, 'orphan.png'), documents: [file('o', 'orphan.txt')] }));
      assert.equal(e.status, 400);
      assert.equal(e.data.title.code, 'validation_not_unique');
      assert.deepEqual(await keys(t.app.files, `${docsId}/`), before);
    });

    it('makes thumbnails of the listed sizes with the right pixel dimensions, cached in the store', async () => {
      const r = await t.client().collection('docs').create({ avatar: file(photo, 'thumbs.png') });
      const cases: Array<[string, number, number]> = [
        ['100x100', 100, 100],
        ['50x50', 50, 50],
        ['40x0', 40, 20],
        ['0x30', 60, 30],
        ['60x20t', 60, 20],
        ['60x20b', 60, 20],
        ['300x300f', 200, 100],
      ];
      for (const [size, w, h] of cases) {
        const res = await t.fetch(`/api/files/docs/${r.id}/${r.avatar}?thumb=${size}`);
        assert.equal(res.status, 200, size);
        assert.equal(res.headers.get('content-type'), 'image/png');
        const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
        assert.deepEqual([meta.width, meta.height], [w, h], size);
      }
      assert.ok(await t.app.files.stat(`${docsId}/${r.id}/thumbs_${r.avatar}/50x50_${r.avatar}`));
      // Sizes the field does not list, and malformed ones, serve the original.
      for (const size of ['77x77', '0x0', 'abc']) {
        const res = await t.fetch(`/api/files/docs/${r.id}/${r.avatar}?thumb=${size}`);
        const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
        assert.deepEqual([meta.width, meta.height], [200, 100], size);
      }
      // JPEG thumbs stay JPEG.
      const j = await t.client().collection('docs').create({ avatar: file(await jpeg(80, 40), 'p.jpg') });
      const res = await t.fetch(`/api/files/docs/${j.id}/${j.avatar}?thumb=50x50`);
      assert.equal(res.headers.get('content-type'), 'image/jpeg');
      assert.equal((await sharp(Buffer.from(await res.arrayBuffer())).metadata()).format, 'jpeg');
    });

    it('answers ranges, conditional requests and download=1', async () => {
      const r = await t.client().collection('docs').create({ documents: [file('0123456789', 'digits.txt')] });
      const url = `/api/files/docs/${r.id}/${r.documents[0]}`;
      const whole = await t.fetch(url);
      assert.equal(whole.headers.get('accept-ranges'), 'bytes');
      assert.equal(whole.headers.get('content-length'), '10');
      const etag = whole.headers.get('etag')!;
      assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
      const part = await t.fetch(url, { headers: { range: 'bytes=2-5' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), 'bytes 2-5/10');
      assert.equal(await part.text(), '2345');
      const suffix = await t.fetch(url, { headers: { range: 'bytes=-3' } });
      assert.equal(await suffix.text(), '789');
      const open = await t.fetch(url, { headers: { range: 'bytes=7-' } });
      assert.equal(await open.text(), '789');
      const multi = await t.fetch(url, { headers: { range: 'bytes=0-0,5-6' } });
      assert.equal(multi.status, 206);
      assert.equal(await multi.text(), '0');
      const bad = await t.fetch(url, { headers: { range: 'bytes=50-60' } });
      assert.equal(bad.status, 416);
      assert.equal(bad.headers.get('content-range'), 'bytes */10');
      const garbage = await t.fetch(url, { headers: { range: 'pages=1' } });
      assert.equal(garbage.status, 200);
      const stale = await t.fetch(url, { headers: { range: 'bytes=0-1', 'if-range': '"other"' } });
      assert.equal(stale.status, 200);
      const cached = await t.fetch(url, { headers: { 'if-none-match': etag } });
      assert.equal(cached.status, 304);
      const since = await t.fetch(url, { headers: { 'if-modified-since': whole.headers.get('last-modified')! } });
      assert.equal(since.status, 304);
      const dl = await t.fetch(`${url}?download=1`);
      assert.match(dl.headers.get('content-disposition') ?? '', /^attachment; /);
      const head = await t.fetch(url, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), '10');
    });

    it('answers 404 for unknown files and path traversal attempts', async () => {
      const r = await t.client().collection('docs').create({ documents: [file('x', 'x.txt')] });
      for (const path of [
        `/api/files/docs/${r.id}/nope.txt`,
        `/api/files/docs/nope/${r.documents[0]}`,
        `/api/files/nope/${r.id}/${r.documents[0]}`,
        `/api/files/docs/${r.id}/..%2F..%2F..%2Fetc%2Fpasswd`,
        `/api/files/docs/..%2F${r.id}/${r.documents[0]}`,
        `/api/files/docs/${r.id}/%2e%2e`,
        `/api/files/docs/${r.id}/a%5C..%5Cb`,
      ]) {
        const res = await t.fetch(path);
        assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
        assert.equal((await res.json()).status, res.status);
      }
    });

    it('protected files need a file token and obey the view rule', async () => {
      const alice = await t.admin.collection('users').create({ email: 'alice@example.com', password: 'password123', passwordConfirm: 'password123' });
      await t.admin.collection('users').create({ email: 'bob@example.com', password: 'password123', passwordConfirm: 'password123' });
      const r = await t.admin.collection('vault').create({ owner: alice.id, secret: file('top secret', 'plan.txt') });
      const url = `/api/files/vault/${r.id}/${r.secret}`;
      assert.equal((await t.fetch(url)).status, 404);
      assert.equal((await sdkError(t.client().files.getToken())).status, 401);

      const a = t.client();
      await a.collection('users').authWithPassword('alice@example.com', 'password123');
      const aliceToken = await a.files.getToken();
      // The Authorization header alone is not enough: only ?token= counts.
      assert.equal((await t.fetch(url, { headers: { authorization: a.authStore.token } })).status, 404);
      const ok = await t.fetch(`${url}?token=${aliceToken}`);
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), 'top secret');
      assert.equal((await t.fetch(`${url}?token=${a.authStore.token}`)).status, 404, 'an auth token is not a file token');

      const b = t.client();
      await b.collection('users').authWithPassword('bob@example.com', 'password123');
      assert.equal((await t.fetch(`${url}?token=${await b.files.getToken()}`)).status, 404);
      assert.equal((await t.fetch(`${url}?token=${await t.admin.files.getToken()}`)).status, 200);
      assert.equal((await t.fetch(`${url}?token=garbage`)).status, 404);
    });

    it('batch creates with files, and a failed batch leaves no file', async () => {
      await t.admin.settings.update({ batch: { enabled: true, maxRequests: 10, timeout: 10 } });
      const ok = t.client().createBatch();
      ok.collection('docs').create({ title: 'batch-1', documents: [file('b1', 'b1.txt')] });
      ok.collection('docs').create({ title: 'batch-2', 'documents+': [file('b2', 'b2.txt'), file('b3', 'b3.txt')] });
      const results = await ok.send();
      assert.equal(results[0].body.documents.length, 1);
      assert.equal(results[1].body.documents.length, 2);
      const res = await t.fetch(`/api/files/docs/${results[1].body.id}/${results[1].body.documents[1]}`);
      assert.equal(await res.text(), 'b3');

      const before = await keys(t.app.files, `${docsId}/`);
      const failing = t.client().createBatch();
      failing.collection('docs').create({ title: 'batch-3', documents: [file('b4', 'b4.txt')] });
      failing.collection('docs').create({ title: 'batch-1' });
      const e = await sdkError(failing.send());
      assert.equal(e.status, 400);
      assert.deepEqual(await keys(t.app.files, `${docsId}/`), before);
    });
  }),
);

forEachDialect((dialect) =>
  describe('files: the per-collection body limit', () => {
    let t: TestServer;
    before(async () => {
      // A 16 KiB base limit: the collection allows 16 KiB + maxSize × maxSelect (2 × 8000 bytes).
      t = await startTestServer({ dialect, bodyLimit: 16 * 1024 });
      await t.admin.collections.create({ name: 'small', type: 'base', createRule: '', fields: [{ name: 'f', type: 'file', maxSelect: 2, maxSize: 8000 }] });
    });
    after(() => t.close());

    it('accepts uploads within the collection limit and answers 413 past it, leaving no file', async () => {
      const ok = await t.client().collection('small').create({ f: [file('x'.repeat(7000), 'a.txt'), file('y'.repeat(7000), 'b.txt')] });
      assert.equal(ok.f.length, 2);
      const before = await keys(t.app.files, '');
      const e = await sdkError(t.client().collection('small').create({ f: [file('z'.repeat(40_000), 'big.txt')] }));
      assert.equal(e.status, 413);
      assert.deepEqual(await keys(t.app.files, ''), before);
    });
  }),
);

forEachDialect((dialect) =>
  describe('files: view collections', () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ dialect });
      await t.admin.collections.create({ name: 'albums', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'cover', type: 'file', maxSelect: 1 }, { name: 'pages', type: 'file', maxSelect: 5 }] });
      await t.admin.collections.create({ name: 'album_view', type: 'view', listRule: '', viewRule: '', viewQuery: 'SELECT id, cover, pages FROM albums' });
    });
    after(() => t.close());

    it("serves a view record's files from the source record", async () => {
      const a = await t.client().collection('albums').create({ cover: file(await png(30, 20), 'cover.png'), pages: [file('p1', 'p1.txt'), file('p2', 'p2.txt')] });
      const v = await t.client().collection('album_view').getOne(a.id);
      assert.equal(v.cover, a.cover);
      const cover = await t.fetch(`/api/files/album_view/${a.id}/${a.cover}?thumb=100x100`);
      assert.equal(cover.status, 200);
      assert.deepEqual(await sharp(Buffer.from(await cover.arrayBuffer())).metadata().then((m) => [m.width, m.height]), [100, 100]);
      assert.equal(await (await t.fetch(`/api/files/album_view/${a.id}/${a.pages[1]}`)).text(), 'p2');
      // A name the view record does not hold is not served, even if another record has it.
      const b = await t.client().collection('albums').create({ pages: [file('other', 'o.txt')] });
      assert.equal((await t.fetch(`/api/files/album_view/${a.id}/${b.pages[0]}`)).status, 404);
    });
  }),
);
