/**
 * Appendix A of the contract: status codes and exact envelopes for the scenarios Basalt supports
 * today (A1–A23, A25, A37–A43, A45).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request, runScenario, type Scenario } from '../helpers/scenario.ts';
import { startTestServer, type TestServer, forEachDialect } from '../helpers/test-server.ts';

const NULL_RULES = { listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null };

forEachDialect((dialect) =>
describe('Appendix A conformance', () => {
  let t: TestServer;
  const fx = {
    adminToken: '',
    userToken: '',
    userId: '',
    lockedId: '',
    filteredId: '',
    secretId: '',
    parentId: '',
    counterId: '',
    otherAuthToken: '',
  };
  const admin = () => fx.adminToken;
  const user = () => fx.userToken;

  before(async () => {
    t = await startTestServer({ dialect });
    fx.adminToken = t.admin.authStore.token;
    const pb = t.admin;
    await pb.collections.create({ name: 'locked', ...NULL_RULES, fields: [{ name: 'title', type: 'text' }] });
    await pb.collections.create({
      name: 'filtered',
      listRule: "title = 'never'",
      viewRule: "title = 'never'",
      createRule: "title = 'ok'",
      updateRule: "title = 'never'",
      deleteRule: "title = 'never'",
      fields: [{ name: 'title', type: 'text', required: true }],
    });
    await pb.collections.create({
      name: 'secrets',
      listRule: '',
      viewRule: '',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'code', type: 'text', hidden: true },
      ],
    });
    await pb.collections.create({ name: 'open', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '', fields: [{ name: 'title', type: 'text', required: true }, { name: 'total', type: 'number' }] });
    const parents = await pb.collections.create({ name: 'parents', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '', fields: [{ name: 'title', type: 'text' }] });
    await pb.collections.create({
      name: 'kids',
      listRule: '',
      fields: [{ name: 'parent', type: 'relation', collectionId: parents.id, required: true, maxSelect: 1, cascadeDelete: false }],
    });
    await pb.collections.create({ name: 'openview', type: 'view', listRule: '', viewRule: '', viewQuery: 'SELECT id, title FROM open' });
    await pb.collections.create({ name: 'nopass', type: 'auth', passwordAuth: { enabled: false, identityFields: ['email'] } } as any);
    await pb.collections.create({ name: 'members', type: 'auth', createRule: '' } as any);

    fx.lockedId = (await pb.collection('locked').create({ title: 'L' })).id;
    fx.filteredId = (await pb.collection('filtered').create({ title: 'visible-to-superusers-only' })).id;
    fx.secretId = (await pb.collection('secrets').create({ title: 'S', code: '1234' })).id;
    fx.parentId = (await pb.collection('parents').create({ title: 'P' })).id;
    await pb.collection('kids').create({ parent: fx.parentId });
    fx.counterId = (await pb.collection('open').create({ title: 'counter', total: 0 })).id;

    const guest = t.client();
    const u = await guest.collection('users').create({ email: 'ann@example.com', password: 'password123', passwordConfirm: 'password123', name: 'Ann' });
    fx.userId = u.id;
    fx.userToken = (await guest.collection('users').authWithPassword('ann@example.com', 'password123')).token;
    await guest.collection('members').create({ email: 'bob@example.com', password: 'password123', passwordConfirm: 'password123' });
    fx.otherAuthToken = (await t.client().collection('members').authWithPassword('bob@example.com', 'password123')).token;
  });
  after(() => t.close());

  const scenarios: Scenario[] = [
    {
      name: 'A1: a guest lists records of a collection that does not exist and gets 404 with an empty data object',
      url: '/api/collections/unknown/records',
      status: 404,
      exact: { status: 404, message: 'Missing collection context.', data: {} },
    },
    {
      name: 'A2: a guest lists a collection whose listRule is null and gets 403',
      url: '/api/collections/locked/records',
      status: 403,
      exact: { status: 403, message: 'Only superusers can perform this action.', data: {} },
    },
    {
      name: 'A2: a signed-in user lists a collection whose listRule is null and gets 403',
      url: '/api/collections/locked/records',
      token: user,
      status: 403,
      message: 'Only superusers can perform this action.',
    },
    {
      name: 'A3: a guest filters by @collection and gets 403',
      url: `/api/collections/open/records?filter=${encodeURIComponent("@collection.open.title='a'")}`,
      status: 403,
      exact: { status: 403, message: 'Only superusers can filter by @collection.', data: {} },
    },
    {
      name: 'A3: a guest sorts by @request.auth and gets 403',
      url: '/api/collections/open/records?sort=@request.auth.id',
      status: 403,
      exact: { status: 403, message: 'Only superusers can filter by @request.', data: {} },
    },
    {
      name: 'A3: a signed-in user filters by @request inside a string literal and still gets 403 (substring check)',
      url: `/api/collections/open/records?filter=${encodeURIComponent("title = '@request.x'")}`,
      token: user,
      status: 403,
    },
    {
      name: 'A4: the superuser lists with an unparsable filter and gets 400 with data {}',
      url: `/api/collections/open/records?filter=${encodeURIComponent('title ==== ')}`,
      token: admin,
      status: 400,
      contains: { status: 400, data: {} },
      check: (b) => assert.deepEqual(b.data, {}),
    },
    {
      name: 'A4: the superuser filters by a field that does not exist and gets 400',
      url: `/api/collections/open/records?filter=${encodeURIComponent("nope = 'x'")}`,
      token: admin,
      status: 400,
      check: (b) => assert.deepEqual(b.data, {}),
    },
    {
      name: 'A5: a guest asks for perPage=5000 and gets perPage 1000',
      url: '/api/collections/open/records?perPage=5000',
      status: 200,
      contains: { page: 1, perPage: 1000 },
    },
    {
      name: 'A6: a guest asks for skipTotal=1 and gets -1 totals',
      url: '/api/collections/open/records?skipTotal=1',
      status: 200,
      contains: { totalItems: -1, totalPages: -1 },
      check: (b) => assert.equal(b.items.length, 1),
    },
    {
      name: 'A7: a guest lists a collection whose listRule excludes every row and gets an empty 200',
      url: '/api/collections/filtered/records',
      status: 200,
      exact: { page: 1, perPage: 30, totalItems: 0, totalPages: 0, items: [] },
    },
    {
      name: 'A8: a guest filters by a hidden field and gets 400',
      url: `/api/collections/secrets/records?filter=${encodeURIComponent("code = '1234'")}`,
      status: 400,
    },
    {
      name: 'A8: a guest sorts by a hidden field and gets 400',
      url: '/api/collections/secrets/records?sort=code',
      status: 400,
    },
    {
      name: 'A8: the superuser filters by a hidden field and finds the record',
      url: `/api/collections/secrets/records?filter=${encodeURIComponent("code = '1234'")}`,
      token: admin,
      status: 200,
      check: (b) => {
        assert.equal(b.totalItems, 1);
        assert.equal(b.items[0].code, '1234');
      },
    },
    {
      name: 'A9: a guest views a record that fails the view rule and gets 404',
      url: () => `/api/collections/filtered/records/${fx.filteredId}`,
      status: 404,
      exact: { status: 404, message: "The requested resource wasn't found.", data: {} },
    },
    {
      name: 'A9: a guest views a record that does not exist and gets the same 404',
      url: '/api/collections/filtered/records/aaaaaaaaaaaaaaa',
      status: 404,
      exact: { status: 404, message: "The requested resource wasn't found.", data: {} },
    },
    {
      name: 'A9: a guest views a record of a collection whose viewRule is null and gets 403',
      url: () => `/api/collections/locked/records/${fx.lockedId}`,
      status: 403,
      message: 'Only superusers can perform this action.',
    },
    {
      name: 'A10: a guest creates a record that fails the create rule and gets 400 with data {}',
      method: 'POST',
      url: '/api/collections/filtered/records',
      body: { title: 'not ok' },
      status: 400,
      exact: { status: 400, message: 'Failed to create record.', data: {} },
    },
    {
      name: 'A10: a guest creates a record on a null createRule and gets 403',
      method: 'POST',
      url: '/api/collections/locked/records',
      body: { title: 'x' },
      status: 403,
      message: 'Only superusers can perform this action.',
    },
    {
      name: 'A11: the superuser creates a record in a view collection and gets 400',
      method: 'POST',
      url: '/api/collections/openview/records',
      body: { title: 'x' },
      token: admin,
      status: 400,
      exact: { status: 400, message: 'Unsupported collection type.', data: {} },
    },
    {
      name: 'A11: the superuser deletes a record of a view collection and gets 400',
      method: 'DELETE',
      url: () => `/api/collections/openview/records/${fx.counterId}`,
      token: admin,
      status: 400,
      message: 'Unsupported collection type.',
    },
    {
      name: 'A12: a guest creates a record without its required field and gets validation_required',
      method: 'POST',
      url: '/api/collections/open/records',
      body: { total: 1 },
      status: 400,
      exact: { status: 400, message: 'Failed to create record.', data: { title: { code: 'validation_required', message: 'Cannot be blank.' } } },
    },
    {
      name: 'A13: a guest signs up with verified: true and gets 400 on data.verified',
      method: 'POST',
      url: '/api/collections/users/records',
      body: { email: 'sneaky@example.com', password: 'password123', passwordConfirm: 'password123', verified: true },
      status: 400,
      message: 'Failed to create record.',
      check: (b) => assert.equal(typeof b.data.verified?.code, 'string'),
    },
    {
      name: 'A14: a user changes their own password without oldPassword and gets 400 on data.oldPassword',
      method: 'PATCH',
      url: () => `/api/collections/users/records/${fx.userId}`,
      body: { password: 'newpassword1', passwordConfirm: 'newpassword1' },
      token: user,
      status: 400,
      message: 'Failed to update record.',
      contains: { data: { oldPassword: { code: 'validation_invalid_old_password' } } },
    },
    {
      name: 'A15: a guest updates a record that fails the update rule and gets 404',
      method: 'PATCH',
      url: () => `/api/collections/filtered/records/${fx.filteredId}`,
      body: { title: 'changed' },
      status: 404,
      exact: { status: 404, message: "The requested resource wasn't found.", data: {} },
    },
    {
      name: 'A15: a guest updates a record on a null updateRule and gets 403',
      method: 'PATCH',
      url: () => `/api/collections/locked/records/${fx.lockedId}`,
      body: { title: 'changed' },
      status: 403,
      message: 'Only superusers can perform this action.',
    },
    {
      name: 'A16: the superuser tries to change a record id and gets validation_pk_change',
      method: 'PATCH',
      url: () => `/api/collections/open/records/${fx.counterId}`,
      body: { id: 'bbbbbbbbbbbbbbb' },
      token: admin,
      status: 400,
      message: 'Failed to update record.',
      contains: { data: { id: { code: 'validation_pk_change' } } },
    },
    {
      name: 'A17: a guest deletes a record that fails the delete rule and gets 404',
      method: 'DELETE',
      url: () => `/api/collections/filtered/records/${fx.filteredId}`,
      status: 404,
      message: "The requested resource wasn't found.",
    },
    {
      name: 'A17: a guest deletes on a null deleteRule and gets 403',
      method: 'DELETE',
      url: () => `/api/collections/locked/records/${fx.lockedId}`,
      status: 403,
      message: 'Only superusers can perform this action.',
    },
    {
      name: 'A18: a guest deletes a record that a required non-cascading relation points to and gets 400',
      method: 'DELETE',
      url: () => `/api/collections/parents/records/${fx.parentId}`,
      status: 400,
      exact: { status: 400, message: 'Failed to delete record. Make sure that the record is not part of a required relation reference.', data: {} },
    },
    {
      name: 'A20: a guest sends total+ and total- in one body and gets total 3',
      method: 'PATCH',
      url: () => `/api/collections/open/records/${fx.counterId}`,
      body: { 'total+': 4, 'total-': 1 },
      status: 200,
      contains: { total: 3, title: 'counter' },
    },
    {
      name: 'A21: a guest signs in with a wrong password and gets 400 Failed to authenticate.',
      method: 'POST',
      url: '/api/collections/users/auth-with-password',
      body: { identity: 'ann@example.com', password: 'wrong-password' },
      status: 400,
      exact: { status: 400, message: 'Failed to authenticate.', data: {} },
    },
    {
      name: 'A22: a guest signs in with a password on a collection with password auth disabled and gets 403',
      method: 'POST',
      url: '/api/collections/nopass/auth-with-password',
      body: { identity: 'x@example.com', password: 'password123' },
      status: 403,
      exact: { status: 403, message: 'The collection is not configured to allow password authentication.', data: {} },
    },
    {
      name: 'A23: a guest asks auth-methods of a base collection and gets 404',
      url: '/api/collections/open/auth-methods',
      status: 404,
      exact: { status: 404, message: 'Missing or invalid auth collection context.', data: {} },
    },
    {
      name: 'A23: a guest asks auth-methods of an auth collection and gets the password method',
      url: '/api/collections/users/auth-methods',
      status: 200,
      contains: { password: { enabled: true, identityFields: ['email'] }, mfa: { enabled: false, duration: 0 }, otp: { enabled: false, duration: 0 } },
    },
    {
      name: 'A25: a guest refreshes without a token and gets 401',
      method: 'POST',
      url: '/api/collections/users/auth-refresh',
      status: 401,
      exact: { status: 401, message: 'The request requires valid record authorization token.', data: {} },
    },
    {
      name: 'A25: a members user refreshes on the users collection and gets 403',
      method: 'POST',
      url: '/api/collections/users/auth-refresh',
      token: () => fx.otherAuthToken,
      status: 403,
      exact: { status: 403, message: 'The request requires auth record from users collection.', data: {} },
    },
    {
      name: 'A25: the superuser refreshes on the users collection and gets 403',
      method: 'POST',
      url: '/api/collections/users/auth-refresh',
      token: admin,
      status: 403,
      message: 'The request requires auth record from users collection.',
    },
    {
      name: 'A37: the superuser sends a batch while batch is disabled and gets 403',
      method: 'POST',
      url: '/api/batch',
      body: { requests: [{ method: 'POST', url: '/api/collections/open/records', body: { title: 'x' } }] },
      token: admin,
      status: 403,
      exact: { status: 403, message: 'Batch requests are not allowed.', data: {} },
    },
    {
      name: 'A40: a guest lists collections and gets 401',
      url: '/api/collections',
      status: 401,
      exact: { status: 401, message: 'The request requires valid record authorization token.', data: {} },
    },
    {
      name: 'A40: a user lists collections and gets 403',
      url: '/api/collections',
      token: user,
      status: 403,
      exact: { status: 403, message: 'The authorized record is not allowed to perform this action.', data: {} },
    },
    {
      name: 'A40: a user creates a collection and gets 403',
      method: 'POST',
      url: '/api/collections',
      body: { name: 'hack', fields: [] },
      token: user,
      status: 403,
    },
    {
      name: 'A40: a guest deletes a collection and gets 401',
      method: 'DELETE',
      url: '/api/collections/open',
      status: 401,
    },
    {
      name: 'A41: the superuser deletes the _superusers system collection and gets 400',
      method: 'DELETE',
      url: '/api/collections/_superusers',
      token: admin,
      status: 400,
    },
    {
      name: 'A41: the superuser deletes the _otps system collection and gets 400',
      method: 'DELETE',
      url: '/api/collections/_otps',
      token: admin,
      status: 400,
    },
    {
      name: 'A42: the superuser imports a collection with an invalid name and gets validation_collections_import_failure',
      method: 'PUT',
      url: '/api/collections/import',
      body: { collections: [{ name: 'bad name!', type: 'base', fields: [{ name: 'title', type: 'text' }] }] },
      token: admin,
      status: 400,
      message: 'Failed to import collections.',
      contains: { data: { collections: { code: 'validation_collections_import_failure' } } },
    },
    {
      name: 'A42: the superuser imports an empty list and gets validation_required on collections',
      method: 'PUT',
      url: '/api/collections/import',
      body: { collections: [] },
      token: admin,
      status: 400,
      contains: { data: { collections: { code: 'validation_required' } } },
    },
    {
      name: 'A43: a guest checks health and gets the healthy envelope',
      url: '/api/health',
      status: 200,
      exact: { message: 'API is healthy.', code: 200, data: {} },
    },
    {
      name: 'A45: a guest requests an unknown route and gets 404',
      url: '/api/nope',
      status: 404,
      exact: { status: 404, message: "The requested resource wasn't found.", data: {} },
    },
    {
      name: 'A45: a guest uses a method without a route on a known path and gets 404, not 405',
      method: 'PUT',
      url: '/api/health',
      status: 404,
      exact: { status: 404, message: "The requested resource wasn't found.", data: {} },
    },
    {
      name: 'A45: a guest uses a trailing slash on a known path and gets 404',
      url: '/api/collections/open/records/',
      status: 404,
    },
    {
      name: 'a guest posts malformed JSON and gets 400 with the envelope',
      method: 'POST',
      url: '/api/collections/open/records',
      rawBody: { contentType: 'application/json', text: '{"title": ' },
      status: 400,
      exact: { status: 400, message: 'Failed to read the submitted data.', data: {} },
    },
  ];

  for (const s of scenarios) it(s.name, { todo: s.todo }, () => runScenario(t, s).then(() => undefined));

  it('A8: the superuser also sees hidden fields in list responses while a guest does not', async () => {
    const guest = await request(t, 'GET', `/api/collections/secrets/records/${fx.secretId}`);
    assert.equal(guest.status, 200);
    assert.equal(guest.json.title, 'S');
    assert.ok(!('code' in guest.json));
    const su = await request(t, 'GET', `/api/collections/secrets/records/${fx.secretId}`, { token: fx.adminToken });
    assert.equal(su.json.code, '1234');
  });

  it('A17: a guest deletes a record allowed by the delete rule and gets 204 with no body; the record is gone', async () => {
    const r = await t.admin.collection('open').create({ title: 'temp' });
    const res = await request(t, 'DELETE', `/api/collections/open/records/${r.id}`);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal((await request(t, 'GET', `/api/collections/open/records/${r.id}`)).status, 404);
  });

  it('A18: the refused delete changes nothing: the parent and the referencing kid are still there', async () => {
    const parent = await request(t, 'GET', `/api/collections/parents/records/${fx.parentId}`);
    assert.equal(parent.status, 200);
    const kids = await t.admin.collection('kids').getFullList();
    assert.equal(kids.length, 1);
    assert.equal(kids[0].parent, fx.parentId);
  });

  it('A19: a guest sends a body over the 32 MiB limit and gets 413', async () => {
    const big = JSON.stringify({ title: 'x'.repeat(33 * 1024 * 1024) });
    let res: Response;
    try {
      res = await t.fetch('/api/collections/open/records', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: big });
    } catch (err) {
      assert.fail(`the server dropped the connection instead of answering 413: ${String(err)}`);
    }
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { status: 413, message: 'Request entity too large.', data: {} });
  });

  it('A21: an unknown identity gets exactly the same answer as a wrong password', async () => {
    const wrong = await request(t, 'POST', '/api/collections/users/auth-with-password', { body: { identity: 'ann@example.com', password: 'nope-nope' } });
    const unknown = await request(t, 'POST', '/api/collections/users/auth-with-password', { body: { identity: 'ghost@example.com', password: 'nope-nope' } });
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.json, wrong.json);
  });

  it('A38: a batch with one failing sub-request answers 400 and persists nothing', async () => {
    await t.admin.settings.update({ batch: { enabled: true } });
    const before = await t.admin.collection('open').getFullList();
    const res = await request(t, 'POST', '/api/batch', {
      token: fx.adminToken,
      body: {
        requests: [
          { method: 'POST', url: '/api/collections/open/records', body: { title: 'batch-one' } },
          { method: 'PATCH', url: `/api/collections/open/records/${fx.counterId}`, body: { title: 'renamed' } },
          { method: 'POST', url: '/api/collections/open/records', body: { total: 5 } },
        ],
      },
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.message, 'Batch transaction failed.');
    assert.deepEqual(Object.keys(res.json.data.requests), ['2']);
    assert.equal(res.json.data.requests['2'].code, 'batch_request_failed');
    assert.equal(res.json.data.requests['2'].message, 'Batch request failed.');
    assert.deepEqual(res.json.data.requests['2'].response, {
      status: 400,
      message: 'Failed to create record.',
      data: { title: { code: 'validation_required', message: 'Cannot be blank.' } },
    });
    const afterList = await t.admin.collection('open').getFullList();
    assert.deepEqual(afterList, before);
  });

  it('A39: a batch with a GET sub-request answers 400 batch_request_failed', async () => {
    const res = await request(t, 'POST', '/api/batch', {
      token: fx.adminToken,
      body: { requests: [{ method: 'GET', url: '/api/collections/open/records' }] },
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.data.requests['0'].code, 'batch_request_failed');
    assert.equal(typeof res.json.data.requests['0'].response.status, 'number');
  });

  it('A41: the refused system-collection delete leaves the collection in place', async () => {
    const c = await t.admin.collections.getOne('_superusers');
    assert.equal(c.id, 'pbc_3142635823');
  });

  it('A42: the refused import created nothing', async () => {
    const list = await t.admin.collections.getFullList();
    assert.ok(!list.some((c) => c.name === 'bad name!'));
  });

  it('every response carries the default security headers', async () => {
    const res = await t.fetch('/api/health');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.equal(res.headers.get('x-xss-protection'), '1; mode=block');
    const err = await t.fetch('/api/nope');
    assert.equal(err.headers.get('x-content-type-options'), 'nosniff');
    assert.match(err.headers.get('content-type') ?? '', /^application\/json/);
  });
}),
);
