import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase } from '../../storage/sqlite/sqlite-database.ts';
import { relationField } from './relation-field.ts';
import { makeCollection, makeField, makeLookup, settingsCtx, valueCtx } from './field-test-context.ts';

const users = makeCollection({ id: '_pb_users_auth_', name: 'users', type: 'auth' });
const report = makeCollection({ id: 'pbc_view', name: 'report', type: 'view' });
const posts = makeCollection({ id: 'pbc_posts', name: 'posts' });
const lookup = makeLookup([users, report, posts]);

async function withUsersTable(fn: (db: SqliteDatabase) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-relation-'));
  const db = new SqliteDatabase(join(dir, 'data.db'));
  try {
    await db.exec("CREATE TABLE `users` (`id` TEXT PRIMARY KEY NOT NULL, `name` TEXT DEFAULT '' NOT NULL)");
    for (const id of ['u1', 'u2', 'u3']) await db.run('INSERT INTO `users` (`id`) VALUES (?)', [id]);
    await fn(db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('relation validateValue against a real table', async () => {
  await withUsersTable(async (db) => {
    const ctx = valueCtx({ db, dialect: db.dialect, collection: posts, collections: lookup });
    const single = makeField(relationField, { collectionId: '_pb_users_auth_' });
    const multi = makeField(relationField, { collectionId: '_pb_users_auth_', maxSelect: 3, minSelect: 2 });
    const cases: Array<{ name: string; field: object; value: unknown; want?: object }> = [
      { name: 'empty optional', field: single, value: '' },
      { name: 'empty required', field: { ...single, required: true }, value: '', want: { code: 'validation_required', message: 'Cannot be blank.' } },
      { name: 'existing id', field: single, value: 'u1' },
      { name: 'missing id', field: single, value: 'nope', want: { code: 'validation_missing_rel_records', message: 'Failed to find all relation records with the provided ids.' } },
      { name: 'ids are case-sensitive', field: single, value: 'U1', want: { code: 'validation_missing_rel_records', message: 'Failed to find all relation records with the provided ids.' } },
      { name: 'existing ids', field: multi, value: ['u1', 'u3'] },
      { name: 'one missing of many', field: multi, value: ['u1', 'x'], want: { code: 'validation_missing_rel_records', message: 'Failed to find all relation records with the provided ids.' } },
      { name: 'not enough', field: multi, value: ['u1'], want: { code: 'validation_not_enough_values', message: 'Select at least 2.', params: { minSelect: 2 } } },
      { name: 'too many', field: multi, value: ['u1', 'u2', 'u3', 'u4'], want: { code: 'validation_too_many_values', message: 'Select no more than 3.', params: { maxSelect: 3 } } },
      { name: 'missing collection', field: { ...single, collectionId: 'gone' }, value: 'u1', want: { code: 'validation_missing_rel_collection', message: 'Relation connection is missing or cannot be accessed.' } },
    ];
    for (const c of cases) assert.deepEqual(await relationField.validateValue(c.field as never, c.value, ctx), c.want, c.name);
  });
});

test('relation lookups are chunked for long lists', async () => {
  await withUsersTable(async (db) => {
    const ids = Array.from({ length: 1200 }, (_, i) => `b${i}`);
    await db.transaction(async (tx) => {
      for (const id of ids) await tx.run('INSERT INTO `users` (`id`) VALUES (?)', [id]);
    });
    const ctx = valueCtx({ db, dialect: db.dialect, collection: posts, collections: lookup });
    const f = makeField(relationField, { collectionId: '_pb_users_auth_', maxSelect: 5000 });
    assert.equal(await relationField.validateValue(f, ids, ctx), undefined);
    assert.equal((await relationField.validateValue(f, [...ids, 'zz'], ctx))?.code, 'validation_missing_rel_records');
  });
});

test('relation validateSettings', () => {
  const cases: Array<{ name: string; options: Record<string, unknown>; ctx?: object; want?: object }> = [
    { name: 'ok', options: { collectionId: '_pb_users_auth_' } },
    { name: 'missing id', options: { collectionId: '' }, want: { collectionId: { code: 'validation_required', message: 'Cannot be blank.' } } },
    { name: 'unknown collection', options: { collectionId: 'nope' }, want: { collectionId: { code: 'validation_field_relation_missing_collection', message: "The relation collection doesn't exist." } } },
    { name: 'name instead of id', options: { collectionId: 'users' }, want: { collectionId: { code: 'validation_field_relation_missing_collection', message: "The relation collection doesn't exist." } } },
    { name: 'view target from base', options: { collectionId: 'pbc_view' }, want: { collectionId: { code: 'validation_relation_field_non_view_base_collection', message: 'Non view collections are not allowed to have a view relation.' } } },
    { name: 'view target from view', options: { collectionId: 'pbc_view' }, ctx: { collection: makeCollection({ type: 'view' }) } },
    { name: 'self relation of a new collection', options: { collectionId: 'pbc_new' }, ctx: { collection: makeCollection({ id: 'pbc_new' }) } },
    {
      name: 'changed target',
      options: { collectionId: 'pbc_posts' },
      ctx: { previous: makeField(relationField, { collectionId: '_pb_users_auth_' }) },
      want: { collectionId: { code: 'validation_field_relation_change', message: 'The relation collection cannot be changed.' } },
    },
    { name: 'minSelect needs maxSelect', options: { collectionId: '_pb_users_auth_', minSelect: 2 }, want: { maxSelect: { code: 'validation_required', message: 'Cannot be blank.' } } },
    { name: 'maxSelect below minSelect', options: { collectionId: '_pb_users_auth_', minSelect: 3, maxSelect: 2 }, want: { maxSelect: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 3.', params: { threshold: 3 } } } },
    { name: 'negative minSelect', options: { collectionId: '_pb_users_auth_', minSelect: -1 }, want: { minSelect: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 0.', params: { threshold: 0 } } } },
  ];
  for (const c of cases) {
    const ctx = settingsCtx({ collection: posts, collections: lookup, ...c.ctx });
    assert.deepEqual(relationField.validateSettings(makeField(relationField, c.options), ctx), c.want, c.name);
  }
});

test('relation storage and modifiers', () => {
  const single = makeField(relationField, { collectionId: 'x' });
  const multi = makeField(relationField, { collectionId: 'x', maxSelect: 2 });
  assert.equal(relationField.columnKind(single), 'text');
  assert.equal(relationField.columnKind(multi), 'json');
  assert.deepEqual(relationField.prepareValue(multi, '["a","b","a"]'), ['a', 'b']);
  assert.equal(relationField.prepareValue(single, ['a', 'b']), 'b');
  assert.deepEqual(relationField.fromDriver(multi, relationField.toDriver(multi, ['a', 'b'])), ['a', 'b']);
  assert.deepEqual(relationField.applyModifier!(multi, 'append', ['a'], 'b'), ['a', 'b']);
  assert.deepEqual(relationField.applyModifier!(multi, 'remove', ['a', 'b'], 'a'), ['b']);
  assert.equal(relationField.applyModifier!(single, 'append', 'a', 'b'), 'b');
});
