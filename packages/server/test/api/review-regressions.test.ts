/**
 * Regressions for problems a security review found: each test reproduces the original attack or
 * race and asserts the safe outcome.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachDialect, sdkError, startTestServer, type TestServer } from '../helpers/test-server.ts';

forEachDialect((dialect) => {
  describe(`review regressions [${dialect}]`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ dialect });
      await t.admin.collections.create({ name: 'posts', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] });
      await t.admin.collections.create({
        name: 'notes',
        listRule: '',
        viewRule: '',
        fields: [
          { name: 'text', type: 'text' },
          { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1, hidden: true },
        ],
      });
      await t.admin.collections.create({ name: 'pview', type: 'view', listRule: '', viewRule: '', viewQuery: 'SELECT id, title FROM posts' });
      await t.admin.settings.update({ batch: { enabled: true } });
    });
    after(() => t.close());

    it('a guest expanding __proto__ paths cannot pollute Object.prototype or break later requests', async () => {
      for (const expand of ['__proto__.tx', 'constructor.prototype.tx', '__proto__.basaltContext', 'prototype']) {
        const res = await t.fetch(`/api/collections/posts/records?expand=${encodeURIComponent(expand)}`);
        assert.equal(res.status, 200);
      }
      assert.equal(({} as Record<string, unknown>).tx, undefined);
      const created = await t.client().collection('posts').create({ title: 'still works' });
      assert.equal(created.title, 'still works');
      assert.equal((await t.fetch('/api/collections/posts/records')).status, 200);
    });

    it('__proto__ and constructor are refused as field names', async () => {
      for (const name of ['__proto__', 'constructor']) {
        const e = await sdkError(t.admin.collections.create({ name: `bad_${name.replace(/_/g, '')}`, fields: [{ name, type: 'text' }] }));
        assert.equal(e.status, 400);
        // Index 1: the id field is added in front of the submitted ones.
        assert.equal(e.data.fields['1'].name.code, 'validation_reserved_field_name');
      }
    });

    it('a back-relation through a hidden relation field is not expanded for non-superusers', async () => {
      const user = await t.admin.collection('users').create({ email: 'alice@example.com', password: 'password123', passwordConfirm: 'password123', emailVisibility: true });
      await t.admin.collection('users').update(user.id, {}); // exists
      await t.admin.collection('notes').create({ text: 'private note', owner: user.id });
      const alice = t.client();
      await alice.collection('users').authWithPassword('alice@example.com', 'password123');
      const self = await alice.collection('users').getOne(user.id, { expand: 'notes_via_owner' });
      assert.equal(self.expand?.notes_via_owner, undefined);
      const asAdmin = await t.admin.collection('users').getOne(user.id, { expand: 'notes_via_owner' });
      assert.equal(asAdmin.expand?.notes_via_owner?.[0]?.text, 'private note');
    });

    it('truncating _superusers is refused and every superuser remains', async () => {
      const e = await sdkError(t.admin.collections.truncate('_superusers'));
      assert.equal(e.status, 400);
      assert.ok((await t.admin.collection('_superusers').getFullList()).length >= 1);
    });

    it('sort=@rowid on a view collection is a 400, not a 500', async () => {
      const res = await t.fetch('/api/collections/pview/records?sort=@rowid');
      assert.equal(res.status, 400);
      assert.equal((await res.json()).status, 400);
    });

    it('a malformed batch sub-request URL fails the batch with an inner 400', async () => {
      const res = await t.fetch('/api/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: t.admin.authStore.token },
        body: JSON.stringify({ requests: [{ method: 'POST', url: '/api/collections/%E0%A4%A/records', body: {} }, { method: 'POST', url: 'http://[::1', body: {} }] }),
      });
      assert.equal(res.status, 400);
      const body = await res.json();
      assert.equal(body.data.requests['0'].code, 'batch_request_failed');
      assert.equal(body.data.requests['0'].response.status, 400);
    });

    it('superuserIPs limits superusers to the listed networks, and bad entries are refused', async () => {
      const bad = await sdkError(t.admin.settings.update({ superuserIPs: ['not an ip', 5] }));
      assert.equal(bad.status, 400);
      assert.equal(bad.data.superuserIPs.code, 'validation_invalid_ip');
      try {
        await t.admin.settings.update({ superuserIPs: ['10.9.9.9'] });
        const e = await sdkError(t.admin.collections.getList());
        assert.equal(e.status, 403);
        await t.app.settings.update({ superuserIPs: ['127.0.0.0/8'] });
        assert.ok((await t.admin.collections.getList()).items.length > 0);
      } finally {
        await t.app.settings.update({ superuserIPs: [] });
      }
    });

    it('records created while a field is added and removed concurrently never fail with 500', async () => {
      await t.admin.collections.create({ name: 'race', createRule: '', fields: [{ name: 'title', type: 'text' }] });
      const toggler = (async () => {
        for (let i = 0; i < 6; i++) {
          const c = await t.admin.collections.getOne('race');
          const has = c.fields.some((f: { name: string }) => f.name === 'extra');
          const fields = has ? c.fields.filter((f: { name: string }) => f.name !== 'extra') : [...c.fields, { name: 'extra', type: 'text' }];
          await t.admin.collections.update('race', { fields });
        }
      })();
      const statuses: number[] = [];
      const writers = Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 15; i++) {
          const res = await t.fetch('/api/collections/race/records', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 't', extra: 'x' }) });
          statuses.push(res.status);
          await res.arrayBuffer();
        }
      });
      await Promise.all([toggler, ...writers]);
      assert.equal(statuses.length, 60);
      assert.deepEqual(statuses.filter((s) => s >= 500), []);
    });
  });
});
