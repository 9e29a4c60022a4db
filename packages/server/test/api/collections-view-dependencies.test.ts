/**
 * Deleting a collection that a view collection reads is refused with a 400 on every engine
 * (PostgreSQL would refuse the DROP itself; SQLite would leave a broken view behind).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachDialect, sdkError, startTestServer, type TestServer } from '../helpers/test-server.ts';

forEachDialect((dialect) =>
  describe('deleting collections that views read', () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ dialect });
      await t.admin.collections.create({ name: 'vdsrc', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }, { name: 'n', type: 'number' }] });
      await t.admin.collections.create({ name: 'vdother', fields: [{ name: 'posts', type: 'text' }] });
      await t.admin.collection('vdsrc').create({ title: 'a', n: 1 });
      await t.admin.collections.create({ name: 'vdview', type: 'view', listRule: '', viewQuery: 'SELECT s.id, s.title, s.n FROM "vdsrc" s WHERE s.n > 0' });
      await t.admin.collections.create({ name: 'vdview2', type: 'view', listRule: '', viewQuery: 'SELECT v.id, v.title FROM vdview v' });
      // Names the source only as a column alias and in a string: not a dependency.
      await t.admin.collections.create({ name: 'vdalias', type: 'view', listRule: '', viewQuery: "SELECT id, posts AS vdsrc, 'FROM vdsrc' AS note FROM vdother" });
    });
    after(() => t?.close());

    it('a superuser deleting a table a view reads gets 400 naming the view, and nothing changes', async () => {
      const e = await sdkError(t.admin.collections.delete('vdsrc'));
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Failed to delete collection: the view collection vdview reads it. Change or delete it first.');
      assert.deepEqual(e.data, {});
      assert.equal((await t.admin.collections.getOne('vdsrc')).name, 'vdsrc');
      assert.deepEqual((await t.client().collection('vdview').getFullList()).map((r) => r.title), ['a']);
    });

    it('a superuser deleting a view another view reads gets 400 too', async () => {
      const e = await sdkError(t.admin.collections.delete('vdview'));
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Failed to delete collection: the view collection vdview2 reads it. Change or delete it first.');
    });

    it('once the views are gone, the views and then the table delete cleanly', async () => {
      await t.admin.collections.delete('vdview2');
      await t.admin.collections.delete('vdview');
      await t.admin.collections.delete('vdsrc');
      assert.equal((await sdkError(t.admin.collections.getOne('vdsrc'))).status, 404);
    });

    it('a view that names a table only in an alias or a string does not block deleting it', async () => {
      await t.admin.collections.create({ name: 'vdsrc', fields: [{ name: 'title', type: 'text' }] });
      await t.admin.collections.delete('vdsrc');
      assert.equal((await t.admin.collection('vdalias').getList()).totalItems, 0);
    });
  }),
);
