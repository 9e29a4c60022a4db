/**
 * Batch (spec §9): disabled by default, one transaction, rollback on the first failure with the
 * nested response, upsert, limits, and rules applied to every sub-request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from '../helpers/scenario.ts';
import { sdkError, startTestServer, type TestServer, forEachDialect } from '../helpers/test-server.ts';

forEachDialect((dialect) =>
describe('batch', () => {
  let t: TestServer;
  const snapshot = async (c: string) => (await t.admin.collection(c).getFullList({ sort: '@rowid' })).map((r) => ({ ...r }));

  before(async () => {
    t = await startTestServer({ dialect });
    await t.admin.collections.create({
      name: 'notes',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: "owner_tag = 'public'",
      deleteRule: "owner_tag = 'public'",
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'owner_tag', type: 'text' },
        { name: 'count', type: 'number' },
      ],
    });
    await t.admin.collections.create({ name: 'locked', fields: [{ name: 'title', type: 'text' }] });
    await t.admin.collections.create({ name: 'batch_only', listRule: '', createRule: "@request.context = 'batch'", fields: [{ name: 'title', type: 'text' }] });
  });
  after(() => t.close());

  it('batch is disabled by default: 403 Batch requests are not allowed.', async () => {
    const b = t.admin.createBatch();
    b.collection('notes').create({ title: 'x' });
    const e = await sdkError(b.send());
    assert.equal(e.status, 403);
    assert.equal(e.message, 'Batch requests are not allowed.');
    assert.equal((await snapshot('notes')).length, 0);
  });

  it('the superuser enables it through settings', async () => {
    const s = await t.admin.settings.update({ batch: { enabled: true, maxRequests: 5 } });
    assert.equal(s.batch.enabled, true);
    assert.equal(s.batch.maxRequests, 5);
  });

  it('create, update, upsert (both ways) and delete in one SDK batch; results in order', async () => {
    const existing = await t.admin.collection('notes').create({ title: 'existing', owner_tag: 'public', count: 1 });
    const doomed = await t.admin.collection('notes').create({ title: 'doomed', owner_tag: 'public' });
    const b = t.client().createBatch();
    b.collection('notes').create({ id: 'batchnote000001', title: 'created', owner_tag: 'public' });
    b.collection('notes').update(existing.id, { 'count+': 2, title: 'updated' });
    b.collection('notes').upsert({ id: 'batchnote000001', title: 'upserted over the new one' });
    b.collection('notes').upsert({ id: 'batchnote000002', title: 'upsert-created' });
    b.collection('notes').delete(doomed.id);
    const res = await b.send();
    assert.equal(res.length, 5);
    assert.deepEqual(res.map((r) => r.status), [200, 200, 200, 200, 204]);
    assert.equal(res[0].body.id, 'batchnote000001');
    assert.equal(res[0].body.title, 'created');
    assert.equal(res[1].body.count, 3);
    assert.equal(res[1].body.title, 'updated');
    assert.equal(res[2].body.id, 'batchnote000001');
    assert.equal(res[2].body.title, 'upserted over the new one');
    assert.equal(res[3].body.id, 'batchnote000002');
    assert.equal(res[4].body, null);

    const rows = await snapshot('notes');
    assert.deepEqual(rows.map((r) => [r.id === existing.id ? 'existing' : r.id, r.title]), [
      ['existing', 'updated'],
      ['batchnote000001', 'upserted over the new one'],
      ['batchnote000002', 'upsert-created'],
    ]);
  });

  it('one failing sub-request rolls back everything: 400 with the nested response', async () => {
    const before = await snapshot('notes');
    const b = t.admin.createBatch();
    b.collection('notes').create({ title: 'should vanish' });
    b.collection('notes').update('batchnote000001', { title: 'should not stick' });
    b.collection('notes').delete('batchnote000002');
    b.collection('notes').create({ count: 1 });
    const e = await sdkError(b.send());
    assert.equal(e.status, 400);
    assert.equal(e.message, 'Batch transaction failed.');
    assert.deepEqual(e.data, {
      requests: {
        '3': {
          code: 'batch_request_failed',
          message: 'Batch request failed.',
          response: { status: 400, message: 'Failed to create record.', data: { title: { code: 'validation_required', message: 'Cannot be blank.' } } },
        },
      },
    });
    assert.deepEqual(await snapshot('notes'), before);
  });

  it('a GET sub-request fails the batch with batch_request_failed', async () => {
    const res = await request(t, 'POST', '/api/batch', {
      token: t.admin.authStore.token,
      body: { requests: [{ method: 'POST', url: '/api/collections/notes/records', body: { title: 'get-batch' } }, { method: 'GET', url: '/api/collections/notes/records' }] },
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.data.requests['1'].code, 'batch_request_failed');
    assert.ok(res.json.data.requests['1'].response.status >= 400);
    assert.ok(!(await snapshot('notes')).some((r) => r.title === 'get-batch'));
  });

  it('a sub-request to a non-record route fails the batch', async () => {
    const res = await request(t, 'POST', '/api/batch', {
      token: t.admin.authStore.token,
      body: { requests: [{ method: 'POST', url: '/api/collections', body: { name: 'sneaky' } }] },
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.data.requests['0'].code, 'batch_request_failed');
    assert.equal((await sdkError(t.admin.collections.getOne('sneaky'))).status, 404);
  });

  it('more requests than batch.maxRequests: 400 validation_length_too_long, nothing runs', async () => {
    const b = t.admin.createBatch();
    for (let i = 0; i < 6; i++) b.collection('notes').create({ title: `too many ${i}` });
    const e = await sdkError(b.send());
    assert.equal(e.status, 400);
    assert.equal(e.message, 'Invalid batch request data.');
    assert.equal(e.data.requests?.code, 'validation_length_too_long');
    assert.ok(!(await snapshot('notes')).some((r) => String(r.title).startsWith('too many')));
  });

  const invalidBodies: Array<[string, unknown, (d: any) => void]> = [
    ['no requests', {}, (d) => assert.equal(d.requests?.code, 'validation_required')],
    ['an empty list', { requests: [] }, (d) => assert.equal(d.requests?.code, 'validation_required')],
    ['an unknown method', { requests: [{ method: 'TRACE', url: '/api/collections/notes/records' }] }, (d) => assert.equal(d.requests?.['0']?.method?.code, 'validation_in_invalid')],
    ['a missing url', { requests: [{ method: 'POST' }] }, (d) => assert.equal(d.requests?.['0']?.url?.code, 'validation_required')],
    ['a url over 2000 chars', { requests: [{ method: 'POST', url: `/api/collections/notes/records?x=${'a'.repeat(2000)}` }] }, (d) => assert.equal(d.requests?.['0']?.url?.code, 'validation_length_too_long')],
  ];
  for (const [what, body, check] of invalidBodies) {
    it(`a batch with ${what}: 400 Invalid batch request data.`, async () => {
      const res = await request(t, 'POST', '/api/batch', { token: t.admin.authStore.token, body });
      assert.equal(res.status, 400);
      assert.equal(res.json.message, 'Invalid batch request data.');
      check(res.json.data);
    });
  }

  it('rules apply inside the batch: a guest create on a null createRule fails with the nested 403', async () => {
    const b = t.client().createBatch();
    b.collection('notes').create({ title: 'guest ok' });
    b.collection('locked').create({ title: 'guest not ok' });
    const e = await sdkError(b.send());
    assert.equal(e.status, 400);
    assert.deepEqual(e.data.requests['1'].response, { status: 403, message: 'Only superusers can perform this action.', data: {} });
    assert.ok(!(await snapshot('notes')).some((r) => r.title === 'guest ok'));
    assert.equal((await snapshot('locked')).length, 0);
  });

  it('rules apply inside the batch: an update failing the update rule fails with the nested 404', async () => {
    const priv = await t.admin.collection('notes').create({ title: 'private', owner_tag: 'private' });
    const b = t.client().createBatch();
    b.collection('notes').update(priv.id, { title: 'hijacked' });
    const e = await sdkError(b.send());
    assert.equal(e.data.requests['0'].response.status, 404);
    const d = t.client().createBatch();
    d.collection('notes').delete(priv.id);
    assert.equal((await sdkError(d.send())).data.requests['0'].response.status, 404);
    assert.equal((await t.admin.collection('notes').getOne(priv.id)).title, 'private');
  });

  it('the superuser passes the rules the guest failed', async () => {
    const b = t.admin.createBatch();
    b.collection('locked').create({ title: 'by admin' });
    const res = await b.send();
    assert.equal(res[0].status, 200);
    assert.equal((await snapshot('locked')).length, 1);
  });

  it('@request.context is "batch" inside a batch and "default" outside', async () => {
    const direct = await sdkError(t.client().collection('batch_only').create({ title: 'direct' }));
    assert.equal(direct.status, 400);
    const b = t.client().createBatch();
    b.collection('batch_only').create({ title: 'via batch' });
    const res = await b.send();
    assert.equal(res[0].status, 200);
    assert.deepEqual((await t.admin.collection('batch_only').getFullList()).map((r) => r.title), ['via batch']);
  });

  it('later sub-requests see earlier ones; expand and fields in sub-request URLs are honoured', async () => {
    const res = await request(t, 'POST', '/api/batch', {
      token: t.admin.authStore.token,
      body: {
        requests: [
          { method: 'POST', url: '/api/collections/notes/records?fields=id,title', body: { id: 'chained00000001', title: 'first', owner_tag: 'public' } },
          { method: 'PATCH', url: '/api/collections/notes/records/chained00000001?fields=title,count', body: { 'count+': 5 } },
        ],
      },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, [
      { status: 200, body: { id: 'chained00000001', title: 'first' } },
      { status: 200, body: { title: 'first', count: 5 } },
    ]);
  });

  it('a plain JSON batch body works as well as the SDK multipart one', async () => {
    const res = await request(t, 'POST', '/api/batch', {
      body: { requests: [{ method: 'DELETE', url: '/api/collections/notes/records/chained00000001' }] },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, [{ status: 204, body: null }]);
    assert.equal((await sdkError(t.admin.collection('notes').getOne('chained00000001'))).status, 404);
  });

  it('disabling batch again gives 403', async () => {
    await t.admin.settings.update({ batch: { enabled: false } });
    const b = t.admin.createBatch();
    b.collection('notes').create({ title: 'x' });
    assert.equal((await sdkError(b.send())).status, 403);
  });
}),
);
