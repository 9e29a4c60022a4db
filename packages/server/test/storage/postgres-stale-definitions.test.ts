/**
 * Two Basalt processes on one PostgreSQL schema: when one changes a collection, the other's
 * cached definition is behind. Lists and views name the collection's columns, so a column the
 * other process dropped or renamed makes PostgreSQL refuse the read; the reader then reloads the
 * definitions and answers from the current ones instead of failing until it restarts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { App } from '../../src/core/app.ts';
import type { OperationContext } from '../../src/core/operations/context.ts';
import { recordList } from '../../src/core/operations/record-list.ts';
import { recordView } from '../../src/core/operations/record-view.ts';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { POSTGRES_TEST_URL, POSTGRES_UNAVAILABLE, startTestServer, TEST_DIALECTS, type TestServer } from '../helpers/test-server.ts';

const skip = !TEST_DIALECTS.includes('postgres') ? 'postgres not in BASALT_TEST_DIALECTS' : process.env.BASALT_TEST_REQUIRE_SERVICES === '1' ? false : (POSTGRES_UNAVAILABLE ?? false);

describe('[postgres] reads on a process whose cached definitions are behind', { skip }, () => {
  let first: TestServer;
  let second: App;
  let id: string;
  const guest = (): OperationContext => ({ app: second, auth: null, method: 'GET', requestContext: 'default', query: {}, headers: {}, ip: '127.0.0.1' });

  before(async () => {
    first = await startTestServer({ dialect: 'postgres' });
    await first.admin.collections.create({
      name: 'notes',
      listRule: '',
      viewRule: '',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'draft', type: 'text' },
      ],
    });
    id = (await first.admin.collection('notes').create({ title: 't', draft: 'd' })).id;
    const schema = (await first.app.db.get<{ s: string }>('SELECT current_schema() AS s'))!.s;
    second = await App.open(await PostgresDatabase.open({ url: POSTGRES_TEST_URL, schema, maxConnections: 2 }));
  });
  after(async () => {
    await second?.close();
    await first?.close();
  });

  it('list and view answer from the current definition after another process drops and renames fields', async () => {
    assert.equal((await recordList(guest(), 'notes', {})).items[0]?.draft, 'd');
    const notes = await first.admin.collections.getOne('notes');
    await first.admin.collections.update('notes', {
      fields: notes.fields.filter((f) => f.name !== 'draft').map((f) => (f.name === 'title' ? { ...f, name: 'heading' } : f)),
    });

    const listed = await recordList(guest(), 'notes', {});
    assert.equal(listed.items.length, 1);
    assert.equal(listed.items[0]?.heading, 't');
    assert.equal('draft' in listed.items[0]!, false);
    assert.equal('title' in listed.items[0]!, false);
    const viewed = await recordView(guest(), 'notes', id);
    assert.equal(viewed.heading, 't');
    assert.equal(second.collections.find('notes')?.fields.some((f) => f.name === 'draft'), false, 'the definitions were reloaded');
  });

  it('a collection another process deleted answers 404, as it does there', async () => {
    assert.ok(second.collections.find('notes'));
    await first.admin.collections.delete('notes');
    await assert.rejects(recordList(guest(), 'notes', {}), (err: Error) => err.message === 'Missing collection context.');
    await assert.rejects(recordView(guest(), 'notes', id), (err: Error) => err.message === 'Missing collection context.');
  });
});
