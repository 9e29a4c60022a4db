import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXAMPLE_PASSWORD, describeConstraints, describeType, exampleCreateBody, exampleRecord, exampleValue, type CollectionLike, type FieldLike } from '../src/pages/api-preview/example-values.ts';
import { collectionEndpoints, describeRule } from '../src/pages/api-preview/endpoints.ts';

const posts: CollectionLike = {
  id: 'pbc_posts',
  name: 'posts',
  type: 'base',
  listRule: '',
  viewRule: '',
  createRule: '@request.auth.id != ""',
  updateRule: 'author = @request.auth.id',
  deleteRule: null,
  fields: [
    { name: 'id', type: 'text', system: true, primaryKey: true, min: 15, max: 15 },
    { name: 'title', type: 'text', required: true, max: 5 },
    { name: 'views', type: 'number', onlyInt: true, min: 1, max: 10 },
    { name: 'tags', type: 'select', values: ['news', 'tech', 'misc'], maxSelect: 2 },
    { name: 'status', type: 'select', values: ['draft', 'live'] },
    { name: 'cover', type: 'file', maxSelect: 1, mimeTypes: ['image/png'] },
    { name: 'author', type: 'relation', collectionId: '_pb_users_auth_' },
    { name: 'secret', type: 'text', hidden: true },
    { name: 'created', type: 'autodate', onCreate: true },
  ],
};

const users: CollectionLike = {
  id: '_pb_users_auth_',
  name: 'users',
  type: 'auth',
  authRule: '',
  passwordAuth: { enabled: true, identityFields: ['email'] },
  fields: [
    { name: 'id', type: 'text', system: true, primaryKey: true, min: 15, max: 15 },
    { name: 'password', type: 'password', system: true, hidden: true, min: 8 },
    { name: 'tokenKey', type: 'text', system: true, hidden: true },
    { name: 'email', type: 'email', system: true, required: true },
    { name: 'emailVisibility', type: 'bool', system: true },
    { name: 'verified', type: 'bool', system: true },
    { name: 'name', type: 'text' },
  ],
};

describe('exampleValue', () => {
  const cases: Array<[FieldLike, unknown]> = [
    [{ name: 'title', type: 'text', max: 5 }, 'Hello'],
    [{ name: 'code', type: 'text', min: 30 }, 'Lorem ipsumLorem ipsumLorem ipsum'.slice(0, 33)],
    [{ name: 'n', type: 'number', onlyInt: true, min: 1, max: 10 }, 6],
    [{ name: 'price', type: 'number' }, 19.99],
    [{ name: 'n', type: 'number', max: 5 }, 5],
    [{ name: 'ok', type: 'bool' }, true],
    [{ name: 'contact', type: 'email', onlyDomains: ['acme.test'] }, 'ann@acme.test'],
    [{ name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 2 }, ['a', 'b']],
    [{ name: 'kind', type: 'select', values: ['x'] }, 'x'],
    [{ name: 'doc', type: 'file', mimeTypes: ['application/pdf'] }, 'photo_0w7k2j1xqa.pdf'],
    [{ name: 'owner', type: 'relation', maxSelect: 5 }, ['u8x2m1k9q0c3bdf', 'a7c0n4v2p9w1e5t']],
    [{ name: 'at', type: 'geoPoint' }, { lon: 23.32, lat: 42.69 }],
  ];
  for (const [field, expected] of cases) it(`${field.type} ${field.name}`, () => assert.deepEqual(exampleValue(field), expected));
});

describe('exampleRecord / exampleCreateBody', () => {
  it('puts id, collectionId, collectionName first and leaves hidden fields to superusers', () => {
    const rec = exampleRecord(posts);
    assert.deepEqual(Object.keys(rec), ['id', 'collectionId', 'collectionName', 'title', 'views', 'tags', 'status', 'cover', 'author', 'created']);
    assert.equal(rec.id, 'k3b9x0m2qp7r1ze');
    assert.ok('secret' in exampleRecord(posts, { superuser: true }));
  });
  it('never shows password or tokenKey of an auth record', () => {
    const rec = exampleRecord(users, { superuser: true });
    assert.equal('password' in rec, false);
    assert.equal('tokenKey' in rec, false);
    assert.equal(rec.email, 'ann@example.com');
  });
  it('a create body has writable fields, no files, and passwordConfirm for auth', () => {
    assert.deepEqual(Object.keys(exampleCreateBody(posts)), ['title', 'views', 'tags', 'status', 'author', 'secret']);
    assert.deepEqual(exampleCreateBody(users), { password: EXAMPLE_PASSWORD, passwordConfirm: EXAMPLE_PASSWORD, email: 'ann@example.com', emailVisibility: true, name: 'Ann Example' });
  });
});

describe('describeType / describeConstraints', () => {
  it('says single or multiple and the bounds', () => {
    assert.equal(describeType(posts.fields[3]), 'Array<String>');
    assert.equal(describeType(posts.fields[4]), 'String');
    assert.deepEqual(describeConstraints(posts.fields[2]), ['≥ 1', '≤ 10']);
    assert.deepEqual(describeConstraints(posts.fields[3]), ['one of news, tech, misc', 'at most 2']);
  });
});

describe('collectionEndpoints', () => {
  it('lists record, realtime and batch endpoints of a base collection with the rule of each', () => {
    const eps = collectionEndpoints(posts);
    assert.deepEqual(eps.map((e) => `${e.method} ${e.path}`), [
      'GET /api/collections/posts/records',
      'GET /api/collections/posts/records/RECORD_ID',
      'POST /api/collections/posts/records',
      'PATCH /api/collections/posts/records/RECORD_ID',
      'DELETE /api/collections/posts/records/RECORD_ID',
      'POST /api/realtime',
      'POST /api/batch',
    ]);
    assert.deepEqual(eps.find((e) => e.id === 'update')?.rule, { key: 'updateRule', expression: 'author = @request.auth.id' });
    assert.equal(eps.find((e) => e.id === 'delete')?.rule?.expression, null);
    assert.equal(eps.find((e) => e.id === 'create')?.body.find((p) => p.name === 'title')?.required, true);
    assert.match(eps.find((e) => e.id === 'create')?.bodyNote ?? '', /multipart/);
    assert.equal(eps.find((e) => e.id === 'list')?.exampleQuery, 'page=1&perPage=30&sort=-created%2Cid&filter=title+%7E+%22Lorem%22');
  });
  it('adds the auth endpoints for an auth collection', () => {
    const ids = collectionEndpoints(users).map((e) => e.id);
    for (const id of ['auth-methods', 'auth-with-password', 'auth-refresh', 'request-otp', 'auth-with-otp', 'request-verification', 'confirm-verification', 'request-password-reset', 'confirm-password-reset', 'request-email-change', 'confirm-email-change', 'auth-with-oauth2']) {
      assert.ok(ids.includes(id), id);
    }
  });
  it('a view collection has no write or batch endpoints', () => {
    const ids = collectionEndpoints({ ...posts, type: 'view' }).map((e) => e.id);
    assert.deepEqual(ids, ['list', 'view', 'realtime']);
  });
  it('describes rules in words', () => {
    assert.match(describeRule(null), /Superusers only/);
    assert.match(describeRule(''), /Anyone/);
    assert.match(describeRule('a = 1'), /expression is true/);
  });
});
