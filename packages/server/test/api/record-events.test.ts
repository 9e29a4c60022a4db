import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, sdkError, type TestServer, forEachDialect } from '../helpers/test-server.ts';

forEachDialect((dialect) =>
describe('record events', () => {
  let t: TestServer;
  const seen: string[] = [];
  before(async () => {
    t = await startTestServer({ dialect });
    await t.admin.collections.create({ name: 'items', createRule: '', updateRule: '', deleteRule: '', fields: [{ name: 'title', type: 'text', required: true }] });
    await t.admin.collections.create({
      name: 'parts',
      createRule: '',
      fields: [{ name: 'item', type: 'relation', collectionId: t.app.collections.find('items')!.id, cascadeDelete: true, maxSelect: 1 }],
    });
    await t.admin.settings.update({ batch: { enabled: true } });
    const ev = t.app.events;
    ev.onRecordAfterCreateSuccess.bind({ fn: async (e) => { seen.push(`create:${e.collection.name}:${e.record.id}`); await e.next(); } });
    ev.onRecordAfterUpdateSuccess.bind({ fn: async (e) => { seen.push(`update:${e.collection.name}:${e.record.id}`); await e.next(); } });
    ev.onRecordAfterDeleteSuccess.bind({ fn: async (e) => { seen.push(`delete:${e.collection.name}:${e.record.id}`); await e.next(); } });
  });
  after(() => t.close());

  it('fires after-success events once per committed write, cascades included', async () => {
    seen.length = 0;
    const item = await t.admin.collection('items').create({ title: 'a' });
    const part = await t.admin.collection('parts').create({ item: item.id });
    await t.admin.collection('items').update(item.id, { title: 'b' });
    await t.admin.collection('items').delete(item.id);
    assert.deepEqual(seen, [`create:items:${item.id}`, `create:parts:${part.id}`, `update:items:${item.id}`, `delete:items:${item.id}`, `delete:parts:${part.id}`]);
  });

  it('a rolled-back batch fires nothing; a committed one fires after the commit', async () => {
    seen.length = 0;
    const failing = t.admin.createBatch();
    failing.collection('items').create({ title: 'ok' });
    failing.collection('items').create({});
    assert.equal((await sdkError(failing.send())).status, 400);
    assert.deepEqual(seen, []);
    const batch = t.admin.createBatch();
    batch.collection('items').create({ title: 'one' });
    batch.collection('items').create({ title: 'two' });
    const res = await batch.send();
    assert.deepEqual(seen, res.map((r) => `create:items:${r.body.id}`));
  });

  it('an onRecordCreate handler that throws rolls the write back', async () => {
    const id = t.app.events.onRecordCreate.bind({ collections: ['items'], fn: () => { throw new Error('nope'); } });
    try {
      const before = await t.admin.collection('items').getFullList();
      const e = await sdkError(t.admin.collection('items').create({ title: 'x' }));
      assert.equal(e.status, 500);
      assert.equal(e.message, 'Something went wrong while processing your request.');
      assert.equal((await t.admin.collection('items').getFullList()).length, before.length);
    } finally {
      t.app.events.onRecordCreate.unbind(id);
    }
  });
}),
);
