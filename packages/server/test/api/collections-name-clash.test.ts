/**
 * A collection may not take the name of a table that is not its own (spec §5.3,
 * `validation_collection_name_invalid`): creating, renaming or importing onto a table made outside
 * the collections API answers 400 and changes nothing, where it used to reach the DDL and fail
 * with 500. Keeping or re-stating a collection's own name still works.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sdkError, startTestServer, type TestServer, forEachDialect } from '../helpers/test-server.ts';

const NAME_TAKEN = { code: 'validation_collection_name_invalid', message: "The name shouldn't match with an existing internal table." };
const TEXT_FIELD = { id: 'text1111111', name: 'title', type: 'text' };

forEachDialect((dialect) =>
describe('collection names that clash with a plain table', () => {
  let t: TestServer;
  let postsId = '';

  before(async () => {
    t = await startTestServer({ dialect });
    // What `POST /api/sql` with a CREATE TABLE leaves behind: a table no collection owns.
    await t.app.db.exec('CREATE TABLE console_made (x TEXT)');
    await t.app.db.run("INSERT INTO console_made (x) VALUES ('kept')");
    postsId = (await t.admin.collections.create({ name: 'posts', type: 'base', listRule: '', fields: [TEXT_FIELD] })).id;
    await t.admin.collection('posts').create({ title: 'hello' });
  });
  after(() => t.close());

  /** The plain table is untouched, no collection took its name, and posts is as it was. */
  async function assertNothingChanged(): Promise<void> {
    assert.deepEqual((await t.app.db.all<{ x: string }>('SELECT x FROM console_made')).map((r) => r.x), ['kept']);
    assert.deepEqual(await t.app.db.dialect.listColumns(t.app.db, 'console_made'), ['x']);
    const names = (await t.admin.collections.getFullList()).map((c) => c.name.toLowerCase());
    assert.ok(!names.includes('console_made'), names.join(', '));
    const posts = await t.admin.collections.getOne(postsId);
    assert.equal(posts.name, 'posts');
    assert.deepEqual((await t.admin.collection('posts').getFullList()).map((r) => r.title), ['hello']);
  }

  for (const name of ['console_made', 'Console_Made']) {
    it(`a superuser creating a collection named ${name} gets 400 on the name`, async () => {
      const e = await sdkError(t.admin.collections.create({ name, type: 'base', fields: [TEXT_FIELD] }));
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Failed to create collection.');
      assert.deepEqual(e.data, { name: NAME_TAKEN });
      await assertNothingChanged();
    });
  }

  it('a superuser creating a view collection named like the table gets 400 on the name', async () => {
    const e = await sdkError(t.admin.collections.create({ name: 'console_made', type: 'view', listRule: '', viewQuery: 'SELECT id, title FROM posts' }));
    assert.equal(e.status, 400);
    assert.deepEqual(e.data, { name: NAME_TAKEN });
    await assertNothingChanged();
  });

  it('a superuser renaming a collection onto the table gets 400 on the name', async () => {
    const e = await sdkError(t.admin.collections.update(postsId, { name: 'console_made' }));
    assert.equal(e.status, 400);
    assert.equal(e.message, 'Failed to update collection.');
    assert.deepEqual(e.data, { name: NAME_TAKEN });
    await assertNothingChanged();
  });

  it('a superuser importing a new collection named like the table gets 400 and nothing is imported', async () => {
    const e = await sdkError(
      t.admin.collections.import([{ name: 'imported_ok', type: 'base', fields: [TEXT_FIELD] }, { name: 'console_made', type: 'base', fields: [TEXT_FIELD] }] as any, false),
    );
    assert.equal(e.status, 400);
    assert.equal(e.message, 'Failed to import collections.');
    assert.equal(e.data.collections?.code, 'validation_collections_import_failure');
    assert.match(e.data.collections?.message, /console_made: name: The name shouldn't match with an existing internal table\./);
    await assertNothingChanged();
    assert.equal((await sdkError(t.admin.collections.getOne('imported_ok'))).status, 404);
  });

  it('a superuser importing a rename of an existing collection onto the table gets 400', async () => {
    const posts = await t.admin.collections.getOne(postsId);
    const e = await sdkError(t.admin.collections.import([{ ...posts, name: 'console_made' }] as any, false));
    assert.equal(e.status, 400);
    assert.equal(e.data.collections?.code, 'validation_collections_import_failure');
    assert.match(e.data.collections?.message, /name: The name shouldn't match with an existing internal table\./);
    await assertNothingChanged();
  });

  it('a superuser re-stating the current name, or updating without a rename, succeeds', async () => {
    assert.equal((await t.admin.collections.update(postsId, { name: 'posts' })).name, 'posts');
    const updated = await t.admin.collections.update(postsId, { viewRule: '' });
    assert.equal(updated.name, 'posts');
    assert.equal(updated.viewRule, '');
    const posts = await t.admin.collections.getOne(postsId);
    await t.admin.collections.import([{ ...posts, listRule: null }] as any, false);
    assert.equal((await t.admin.collections.getOne(postsId)).listRule, null);
    await t.admin.collections.update(postsId, { listRule: '' });
    await assertNothingChanged();
  });

  it('a superuser renaming a collection to a free name, or only changing its case, and back, succeeds', async () => {
    assert.equal((await t.admin.collections.update(postsId, { name: 'articles' })).name, 'articles');
    assert.deepEqual((await t.admin.collection('articles').getFullList()).map((r) => r.title), ['hello']);
    assert.equal((await t.admin.collections.update(postsId, { name: 'Articles' })).name, 'Articles');
    assert.deepEqual((await t.admin.collection('Articles').getFullList()).map((r) => r.title), ['hello']);
    assert.equal((await t.admin.collections.update(postsId, { name: 'posts' })).name, 'posts');
    await assertNothingChanged();
  });

  it('once the plain table is dropped, the name can be used', async () => {
    await t.app.db.exec('DROP TABLE console_made');
    const created = await t.admin.collections.create({ name: 'console_made', type: 'base', listRule: '', fields: [TEXT_FIELD] });
    assert.equal(created.name, 'console_made');
    assert.deepEqual(await t.admin.collection('console_made').getFullList(), []);
  });
}));
