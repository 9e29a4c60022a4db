import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sdkError, startTestServer, type TestServer, forEachDialect } from '../helpers/test-server.ts';

forEachDialect((dialect) =>
describe('records CRUD through the pocketbase SDK', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ dialect });
    await t.admin.collections.create({
      name: 'posts',
      type: 'base',
      listRule: 'published = true',
      viewRule: 'published = true',
      createRule: '',
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'title', type: 'text', required: true, max: 100 },
        { name: 'views', type: 'number', min: 0 },
        { name: 'published', type: 'bool' },
        { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
    });
  });
  after(() => t.close());

  it('superuser creates, views, updates and deletes a record', async () => {
    const created = await t.admin.collection('posts').create({ title: 'Hello', views: 3, published: true, tags: ['a', 'b'] });
    assert.match(created.id, /^[a-z0-9]{15}$/);
    assert.equal(created.collectionName, 'posts');
    assert.equal(created.title, 'Hello');
    assert.deepEqual(created.tags, ['a', 'b']);
    assert.match(created.created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    const viewed = await t.admin.collection('posts').getOne(created.id);
    assert.deepEqual(viewed, created);
    const updated = await t.admin.collection('posts').update(created.id, { 'views+': 2, 'tags-': 'a' });
    assert.equal(updated.views, 5);
    assert.deepEqual(updated.tags, ['b']);
    await t.admin.collection('posts').delete(created.id);
    const e = await sdkError(t.admin.collection('posts').getOne(created.id));
    assert.equal(e.status, 404);
  });

  it('guest sees only published records and gets 404 for hidden ones', async () => {
    const pub = await t.admin.collection('posts').create({ title: 'Public', published: true });
    const hidden = await t.admin.collection('posts').create({ title: 'Draft', published: false });
    const guest = t.client();
    const list = await guest.collection('posts').getList(1, 50);
    assert.ok(list.items.some((r) => r.id === pub.id));
    assert.ok(!list.items.some((r) => r.id === hidden.id));
    assert.equal((await sdkError(guest.collection('posts').getOne(hidden.id))).status, 404);
    assert.equal((await guest.collection('posts').getOne(pub.id)).title, 'Public');
  });

  it('guest update on a superuser-only rule gets 403', async () => {
    const r = await t.admin.collection('posts').create({ title: 'X', published: true });
    const e = await sdkError(t.client().collection('posts').update(r.id, { title: 'Y' }));
    assert.equal(e.status, 403);
    assert.equal(e.message, 'Only superusers can perform this action.');
  });

  it('missing required field gives validation_required', async () => {
    const e = await sdkError(t.client().collection('posts').create({ views: 1 }));
    assert.equal(e.status, 400);
    assert.equal(e.message, 'Failed to create record.');
    assert.equal(e.data.title.code, 'validation_required');
  });

  it('unknown collection gives 404 with the envelope', async () => {
    const res = await t.fetch('/api/collections/nope/records');
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { status: 404, message: 'Missing collection context.', data: {} });
  });
}),
);
