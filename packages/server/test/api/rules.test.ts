/**
 * API rules (spec §4.12) with real user accounts: per-action outcomes for null / "" / expression,
 * @request.auth, @request.body modifiers, @collection joins, back-relations, client filter
 * restrictions, expand visibility and email visibility.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type PocketBase from 'pocketbase';
import { request, runScenario, type Scenario } from '../helpers/scenario.ts';
import { sdkError, startTestServer, type TestServer, forEachDialect } from '../helpers/test-server.ts';

const PASSWORD = 'password123';

forEachDialect((dialect) =>
describe('API rules', () => {
  let t: TestServer;
  let alice: PocketBase;
  let bob: PocketBase;
  let aliceId = '';
  let bobId = '';
  const ids: Record<string, string> = {};

  async function signUp(email: string, extra: Record<string, unknown> = {}): Promise<{ pb: PocketBase; id: string }> {
    const pb = t.client();
    const r = await pb.collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD, ...extra });
    await pb.collection('users').authWithPassword(email, PASSWORD);
    return { pb, id: r.id };
  }

  before(async () => {
    t = await startTestServer({ dialect });
    ({ pb: alice, id: aliceId } = await signUp('alice@example.com', { name: 'Alice' }));
    ({ pb: bob, id: bobId } = await signUp('bob@example.com', { name: 'Bob' }));
  });
  after(() => t.close());

  describe('outcome per action for null, "" and an expression (spec §4.12)', () => {
    before(async () => {
      const fields = [{ name: 'title', type: 'text' }];
      await t.admin.collections.create({ name: 'r_null', listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null, fields });
      await t.admin.collections.create({ name: 'r_open', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '', fields });
      const rule = "title ~ 'yes'";
      await t.admin.collections.create({ name: 'r_expr', listRule: rule, viewRule: rule, createRule: rule, updateRule: rule, deleteRule: rule, fields });
      for (const c of ['r_null', 'r_open', 'r_expr']) {
        for (const k of ['view', 'update', 'delete']) {
          ids[`${c}_${k}_yes`] = (await t.admin.collection(c).create({ title: `yes ${k}` })).id;
          ids[`${c}_${k}_no`] = (await t.admin.collection(c).create({ title: `no ${k}` })).id;
        }
      }
    });

    const rec = (c: string, k: string, v: string) => () => `/api/collections/${c}/records/${ids[`${c}_${k}_${v}`]}`;
    const scenarios: Scenario[] = [
      { name: 'a guest lists a null-rule collection: 403', url: '/api/collections/r_null/records', status: 403, message: 'Only superusers can perform this action.' },
      { name: 'a guest lists a ""-rule collection: every record', url: '/api/collections/r_open/records', status: 200, contains: { totalItems: 6 } },
      {
        name: 'a guest lists an expression-rule collection: only matching records, counts filtered',
        url: '/api/collections/r_expr/records',
        status: 200,
        check: (b) => {
          assert.equal(b.totalItems, 3);
          assert.ok(b.items.every((r: any) => r.title.startsWith('yes')));
        },
      },
      { name: 'a guest views on a null rule: 403', url: rec('r_null', 'view', 'yes'), status: 403, message: 'Only superusers can perform this action.' },
      { name: 'a guest views on a "" rule: 200', url: rec('r_open', 'view', 'no'), status: 200, contains: { title: 'no view' } },
      { name: 'a guest views a record failing the view rule: 404', url: rec('r_expr', 'view', 'no'), status: 404, message: "The requested resource wasn't found." },
      { name: 'a guest views a record passing the view rule: 200', url: rec('r_expr', 'view', 'yes'), status: 200, contains: { title: 'yes view' } },
      { name: 'a guest creates on a null rule: 403', method: 'POST', url: '/api/collections/r_null/records', body: { title: 'yes' }, status: 403, message: 'Only superusers can perform this action.' },
      { name: 'a guest creates on a "" rule: 200', method: 'POST', url: '/api/collections/r_open/records', body: { title: 'anything' }, status: 200, contains: { title: 'anything' } },
      {
        name: 'a guest creates a record failing the create rule: 400 with data {}',
        method: 'POST',
        url: '/api/collections/r_expr/records',
        body: { title: 'nope' },
        status: 400,
        exact: { status: 400, message: 'Failed to create record.', data: {} },
      },
      { name: 'a guest creates a record passing the create rule: 200', method: 'POST', url: '/api/collections/r_expr/records', body: { title: 'yes created' }, status: 200 },
      { name: 'a guest updates on a null rule: 403', method: 'PATCH', url: rec('r_null', 'update', 'yes'), body: { title: 'x' }, status: 403, message: 'Only superusers can perform this action.' },
      { name: 'a guest updates on a "" rule: 200', method: 'PATCH', url: rec('r_open', 'update', 'no'), body: { title: 'changed' }, status: 200, contains: { title: 'changed' } },
      { name: 'a guest updates a record failing the update rule: 404', method: 'PATCH', url: rec('r_expr', 'update', 'no'), body: { title: 'yes now' }, status: 404 },
      {
        name: 'a guest updates a record passing the update rule (checked on the stored row): 200',
        method: 'PATCH',
        url: rec('r_expr', 'update', 'yes'),
        body: { title: 'no longer' },
        status: 200,
        contains: { title: 'no longer' },
      },
      { name: 'a guest deletes on a null rule: 403', method: 'DELETE', url: rec('r_null', 'delete', 'yes'), status: 403, message: 'Only superusers can perform this action.' },
      { name: 'a guest deletes on a "" rule: 204', method: 'DELETE', url: rec('r_open', 'delete', 'no'), status: 204 },
      { name: 'a guest deletes a record failing the delete rule: 404', method: 'DELETE', url: rec('r_expr', 'delete', 'no'), status: 404 },
      { name: 'a guest deletes a record passing the delete rule: 204', method: 'DELETE', url: rec('r_expr', 'delete', 'yes'), status: 204 },
      { name: 'a signed-in user lists a null-rule collection: 403 as well', url: '/api/collections/r_null/records', token: () => alice.authStore.token, status: 403 },
    ];
    for (const s of scenarios) it(s.name, () => runScenario(t, s).then(() => undefined));

    it('the refused writes left the data alone; the allowed ones happened', async () => {
      const nullRows = await t.admin.collection('r_null').getFullList();
      assert.equal(nullRows.length, 6);
      assert.equal((await t.admin.collection('r_null').getOne(ids.r_null_update_yes)).title, 'yes update');
      assert.equal((await t.admin.collection('r_expr').getOne(ids.r_expr_update_no)).title, 'no update');
      assert.equal((await t.admin.collection('r_expr').getOne(ids.r_expr_delete_no)).title, 'no delete');
      assert.equal((await sdkError(t.admin.collection('r_expr').getOne(ids.r_expr_delete_yes))).status, 404);
      assert.equal((await sdkError(t.admin.collection('r_open').getOne(ids.r_open_delete_no))).status, 404);
      assert.ok(!(await t.admin.collection('r_expr').getFullList()).some((r) => r.title === 'nope'));
    });

    it('the superuser bypasses every rule', async () => {
      assert.equal((await t.admin.collection('r_null').getList()).totalItems, 6);
      assert.equal((await t.admin.collection('r_expr').getOne(ids.r_expr_view_no)).title, 'no view');
      const c = await t.admin.collection('r_expr').create({ title: 'nope by admin' });
      await t.admin.collection('r_expr').update(ids.r_expr_update_no, { title: 'no, admin edit' });
      await t.admin.collection('r_null').delete(ids.r_null_delete_no);
      await t.admin.collection('r_expr').delete(c.id);
    });
  });

  describe('@request.auth and @request.body in owner rules', () => {
    before(async () => {
      await t.admin.collections.create({
        name: 'posts',
        listRule: 'published = true || author = @request.auth.id',
        viewRule: 'published = true || author = @request.auth.id',
        createRule: '@request.auth.id != "" && author = @request.auth.id',
        updateRule: 'author = @request.auth.id && @request.body.author:isset = false && @request.body.status:changed = false',
        deleteRule: 'author = @request.auth.id',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'published', type: 'bool' },
          { name: 'status', type: 'select', values: ['draft', 'review', 'final'], maxSelect: 1 },
          { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
        ],
      });
      ids.alicePublic = (await alice.collection('posts').create({ title: 'alice public', published: true, status: 'draft', author: aliceId })).id;
      ids.alicePrivate = (await alice.collection('posts').create({ title: 'alice private', published: false, status: 'draft', author: aliceId })).id;
      ids.bobPrivate = (await bob.collection('posts').create({ title: 'bob private', published: false, status: 'draft', author: bobId })).id;
    });

    it('a guest cannot create (the rule needs an auth id): 400', async () => {
      const e = await sdkError(t.client().collection('posts').create({ title: 'guest', author: aliceId }));
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Failed to create record.');
    });

    it('alice cannot create a post authored by bob (the create rule sees the submitted author)', async () => {
      const e = await sdkError(alice.collection('posts').create({ title: 'forged', author: bobId }));
      assert.equal(e.status, 400);
      assert.deepEqual(e.data, {});
      assert.ok(!(await t.admin.collection('posts').getFullList()).some((r) => r.title === 'forged'));
    });

    it('each user lists the published posts plus their own drafts', async () => {
      const a = await alice.collection('posts').getFullList({ sort: 'title' });
      assert.deepEqual(a.map((r) => r.title), ['alice private', 'alice public']);
      const b = await bob.collection('posts').getFullList({ sort: 'title' });
      assert.deepEqual(b.map((r) => r.title), ['alice public', 'bob private']);
      const g = await t.client().collection('posts').getFullList();
      assert.deepEqual(g.map((r) => r.title), ['alice public']);
    });

    it("bob gets 404 viewing, updating or deleting alice's draft", async () => {
      assert.equal((await sdkError(bob.collection('posts').getOne(ids.alicePrivate))).status, 404);
      assert.equal((await sdkError(bob.collection('posts').update(ids.alicePrivate, { title: 'hijack' }))).status, 404);
      assert.equal((await sdkError(bob.collection('posts').delete(ids.alicePrivate))).status, 404);
      assert.equal((await t.admin.collection('posts').getOne(ids.alicePrivate)).title, 'alice private');
    });

    it('alice updates her own post; submitting author at all (:isset) is refused with 404', async () => {
      const ok = await alice.collection('posts').update(ids.alicePrivate, { title: 'alice private v2' });
      assert.equal(ok.title, 'alice private v2');
      assert.equal((await sdkError(alice.collection('posts').update(ids.alicePrivate, { author: aliceId }))).status, 404);
      assert.equal((await sdkError(alice.collection('posts').update(ids.alicePrivate, { author: bobId, title: 'x' }))).status, 404);
      assert.equal((await t.admin.collection('posts').getOne(ids.alicePrivate)).title, 'alice private v2');
    });

    it(':changed lets the same status through and refuses a different one', async () => {
      const same = await alice.collection('posts').update(ids.alicePrivate, { status: 'draft', title: 'same status' });
      assert.equal(same.title, 'same status');
      const e = await sdkError(alice.collection('posts').update(ids.alicePrivate, { status: 'final' }));
      assert.equal(e.status, 404);
      assert.equal((await t.admin.collection('posts').getOne(ids.alicePrivate)).status, 'draft');
    });

    it('a tampered token counts as a guest in rules', async () => {
      const token = alice.authStore.token;
      const bad = token.slice(0, -3) + (token.endsWith('aaa') ? 'bbb' : 'aaa');
      const res = await request(t, 'GET', '/api/collections/posts/records', { token: bad });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json.items.map((r: any) => r.title), ['alice public']);
    });

    it('@request.auth.<field> reads other fields of the auth record (joined from users)', async () => {
      await t.admin.collections.create({
        name: 'named_only',
        listRule: "@request.auth.name = 'Alice'",
        viewRule: "@request.auth.name = 'Alice'",
        fields: [{ name: 'title', type: 'text' }],
      });
      await t.admin.collection('named_only').create({ title: 'for Alice' });
      assert.equal((await alice.collection('named_only').getList()).totalItems, 1);
      assert.equal((await bob.collection('named_only').getList()).totalItems, 0);
      assert.equal((await t.client().collection('named_only').getList()).totalItems, 0);
    });

    it('@request.auth.collectionName distinguishes auth collections', async () => {
      await t.admin.collections.create({
        name: 'users_only',
        listRule: "@request.auth.collectionName = 'users'",
        fields: [{ name: 'title', type: 'text' }],
      });
      await t.admin.collection('users_only').create({ title: 'x' });
      assert.equal((await alice.collection('users_only').getList()).totalItems, 1);
      assert.equal((await t.client().collection('users_only').getList()).totalItems, 0);
    });

    it('@request.headers, @request.query and @request.method are available to rules', async () => {
      await t.admin.collections.create({
        name: 'req_facts',
        listRule: "@request.headers.x_api_key = 'k1' && @request.query.mode = 'full' && @request.method = 'GET'",
        fields: [{ name: 'title', type: 'text' }],
      });
      await t.admin.collection('req_facts').create({ title: 'x' });
      const ok = await request(t, 'GET', '/api/collections/req_facts/records?mode=full', { headers: { 'X-Api-Key': 'k1' } });
      assert.equal(ok.json.totalItems, 1);
      const noHeader = await request(t, 'GET', '/api/collections/req_facts/records?mode=full');
      assert.equal(noHeader.json.totalItems, 0);
      const wrongQuery = await request(t, 'GET', '/api/collections/req_facts/records?mode=lite', { headers: { 'X-Api-Key': 'k1' } });
      assert.equal(wrongQuery.json.totalItems, 0);
    });

    it('@request.body with a number modifier sees the resolved value in the create rule', async () => {
      await t.admin.collections.create({
        name: 'scores',
        createRule: '@request.body.points <= 10',
        listRule: '',
        fields: [{ name: 'points', type: 'number' }],
      });
      const ok = await t.client().collection('scores').create({ points: 4, 'points+': 5 });
      assert.equal(ok.points, 9);
      const e = await sdkError(t.client().collection('scores').create({ points: 8, 'points+': 5 }));
      assert.equal(e.status, 400);
    });
  });

  describe('@collection joins and back-relations', () => {
    before(async () => {
      await t.admin.collections.create({
        name: 'memberships',
        listRule: null,
        fields: [
          { name: 'user', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
          { name: 'team', type: 'text' },
        ],
      });
      await t.admin.collection('memberships').create({ user: aliceId, team: 'A' });
      await t.admin.collection('memberships').create({ user: bobId, team: 'B' });
      const docsRule = '@request.auth.id != "" && @collection.memberships.user ?= @request.auth.id && @collection.memberships.team ?= team';
      await t.admin.collections.create({ name: 'teamdocs', listRule: docsRule, viewRule: docsRule, fields: [{ name: 'team', type: 'text' }, { name: 'title', type: 'text' }] });
      for (const team of ['A', 'B', 'C']) ids[`doc${team}`] = (await t.admin.collection('teamdocs').create({ team, title: `doc ${team}` })).id;

      const threads = await t.admin.collections.create({ name: 'threads', fields: [{ name: 'title', type: 'text' }] });
      await t.admin.collections.create({
        name: 'replies',
        listRule: '',
        viewRule: '',
        fields: [
          { name: 'thread', type: 'relation', collectionId: threads.id, maxSelect: 1 },
          { name: 'approved', type: 'bool' },
        ],
      });
      // The back-relation only resolves once replies exists.
      await t.admin.collections.update('threads', { listRule: 'replies_via_thread.approved ?= true', viewRule: 'replies_via_thread.approved ?= true' });
      for (const [title, approvals] of [['approved thread', [false, true]], ['pending thread', [false, false]], ['empty thread', []]] as const) {
        const th = await t.admin.collection('threads').create({ title });
        ids[title] = th.id;
        for (const approved of approvals) await t.admin.collection('replies').create({ thread: th.id, approved });
      }
    });

    it('a member sees the documents of their own team only (the two ?= conditions share the joined row)', async () => {
      assert.deepEqual((await alice.collection('teamdocs').getFullList()).map((r) => r.title), ['doc A']);
      assert.deepEqual((await bob.collection('teamdocs').getFullList()).map((r) => r.title), ['doc B']);
      assert.deepEqual((await t.client().collection('teamdocs').getFullList()).map((r) => r.title), []);
      assert.equal((await sdkError(alice.collection('teamdocs').getOne(ids.docB))).status, 404);
      assert.equal((await alice.collection('teamdocs').getOne(ids.docA)).title, 'doc A');
    });

    it('an aliased @collection join works the same way', async () => {
      await t.admin.collections.update('teamdocs', {
        listRule: '@collection.memberships:m.user ?= @request.auth.id && @collection.memberships:m.team ?= team',
      });
      assert.deepEqual((await bob.collection('teamdocs').getFullList()).map((r) => r.title), ['doc B']);
    });

    it('a plain (ALL) operator over @collection requires every joined row to match', async () => {
      await t.admin.collections.update('teamdocs', { listRule: "@collection.memberships.team != 'Z'" });
      assert.equal((await t.client().collection('teamdocs').getList()).totalItems, 3);
      await t.admin.collections.update('teamdocs', { listRule: "@collection.memberships.team = 'A'" });
      assert.equal((await t.client().collection('teamdocs').getList()).totalItems, 0, "bob's row has team B, so not ALL rows are A");
    });

    it('a back-relation rule (replies_via_thread.approved ?= true) lists only threads with an approved reply', async () => {
      const list = await t.client().collection('threads').getFullList();
      assert.deepEqual(list.map((r) => r.title), ['approved thread']);
      assert.equal((await sdkError(t.client().collection('threads').getOne(ids['pending thread']))).status, 404);
      assert.equal((await sdkError(t.client().collection('threads').getOne(ids['empty thread']))).status, 404);
    });

    it('a plain operator over a back-relation needs every reply to match; no replies compares once against empty', async () => {
      await t.admin.collections.update('threads', { listRule: 'replies_via_thread.approved != true' });
      const titles = (await t.client().collection('threads').getFullList({ sort: 'title' })).map((r) => r.title);
      assert.deepEqual(titles, ['empty thread', 'pending thread']);
    });
  });

  describe('client filter restrictions (spec §4.11)', () => {
    before(async () => {
      await t.admin.collections.create({ name: 'hidden_parent', listRule: null, viewRule: '', fields: [{ name: 'name', type: 'text' }] });
      const hp = await t.admin.collection('hidden_parent').create({ name: 'hp' });
      await t.admin.collections.create({
        name: 'filterable',
        listRule: '',
        viewRule: '',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'pin', type: 'text', hidden: true },
          { name: 'parent', type: 'relation', collectionId: (await t.admin.collections.getOne('hidden_parent')).id, maxSelect: 1 },
        ],
      });
      await t.admin.collection('filterable').create({ title: 'one', pin: '1111', parent: hp.id });
    });

    const q = (s: string) => encodeURIComponent(s);
    const scenarios: Scenario[] = [
      { name: 'a guest filtering by @request.auth gets 403', url: `/api/collections/filterable/records?filter=${q('@request.auth.id = ""')}`, status: 403, message: 'Only superusers can filter by @request.' },
      { name: 'a user filtering by @collection gets 403', url: `/api/collections/filterable/records?filter=${q("@collection.filterable.title ?= 'one'")}`, token: () => alice.authStore.token, status: 403, message: 'Only superusers can filter by @collection.' },
      { name: 'a guest filtering by a hidden field gets 400', url: `/api/collections/filterable/records?filter=${q("pin = '1111'")}`, status: 400 },
      { name: 'a user sorting by a hidden field gets 400', url: '/api/collections/filterable/records?sort=-pin', token: () => alice.authStore.token, status: 400 },
      { name: 'a guest filtering through a relation into a null-listRule collection gets 400', url: `/api/collections/filterable/records?filter=${q("parent.name = 'hp'")}`, status: 400 },
      {
        name: 'the superuser may filter by @request, hidden fields and relations',
        url: `/api/collections/filterable/records?filter=${q("@request.auth.id != '' && pin = '1111' && parent.name = 'hp'")}`,
        token: () => t.admin.authStore.token,
        status: 200,
        contains: { totalItems: 1 },
      },
      { name: 'a guest filtering by a visible field is fine', url: `/api/collections/filterable/records?filter=${q("title = 'one'")}`, status: 200, contains: { totalItems: 1 } },
    ];
    for (const s of scenarios) it(s.name, () => runScenario(t, s).then(() => undefined));

    it('relation traversal in a client filter only counts related rows that pass that collection\'s listRule', async () => {
      await t.admin.collections.create({ name: 'gated', listRule: "visible = true", viewRule: '', fields: [{ name: 'visible', type: 'bool' }, { name: 'name', type: 'text' }] });
      const shown = await t.admin.collection('gated').create({ visible: true, name: 'shown' });
      const secret = await t.admin.collection('gated').create({ visible: false, name: 'secret' });
      const gatedId = (await t.admin.collections.getOne('gated')).id;
      await t.admin.collections.create({ name: 'pointers', listRule: '', fields: [{ name: 'g', type: 'relation', collectionId: gatedId, maxSelect: 1 }, { name: 'label', type: 'text' }] });
      await t.admin.collection('pointers').create({ g: shown.id, label: 'to shown' });
      await t.admin.collection('pointers').create({ g: secret.id, label: 'to secret' });
      const guest = await t.client().collection('pointers').getFullList({ filter: "g.name != ''" });
      assert.deepEqual(guest.map((r) => r.label), ['to shown']);
      const probe = await t.client().collection('pointers').getFullList({ filter: "g.name = 'secret'" });
      assert.deepEqual(probe, []);
      const su = await t.admin.collection('pointers').getFullList({ filter: "g.name = 'secret'" });
      assert.deepEqual(su.map((r) => r.label), ['to secret']);
    });
  });

  describe('expand never reveals what the viewer cannot view', () => {
    before(async () => {
      await t.admin.collections.create({ name: 'vault', listRule: null, viewRule: null, fields: [{ name: 'secret', type: 'text' }] });
      const v = await t.admin.collection('vault').create({ secret: 'gold' });
      await t.admin.collections.create({ name: 'tags', listRule: '', viewRule: 'public = true', fields: [{ name: 'label', type: 'text' }, { name: 'public', type: 'bool' }] });
      const pub = await t.admin.collection('tags').create({ label: 'pub', public: true });
      const priv = await t.admin.collection('tags').create({ label: 'priv', public: false });
      await t.admin.collections.create({
        name: 'items',
        listRule: '',
        viewRule: '',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
          { name: 'box', type: 'relation', collectionId: (await t.admin.collections.getOne('vault')).id, maxSelect: 1 },
          { name: 'tags', type: 'relation', collectionId: (await t.admin.collections.getOne('tags')).id, maxSelect: 5 },
        ],
      });
      ids.item = (await t.admin.collection('items').create({ title: 'item', owner: aliceId, box: v.id, tags: [priv.id, pub.id] })).id;
      ids.pubTag = pub.id;
    });

    it('a guest expanding owner (users viewRule is owner-only) gets no owner in expand', async () => {
      const r = await t.client().collection('items').getOne(ids.item, { expand: 'owner' });
      assert.equal(r.owner, aliceId);
      assert.equal(r.expand?.owner, undefined);
    });

    it('alice expanding owner sees herself; bob does not see alice', async () => {
      const a = await alice.collection('items').getOne(ids.item, { expand: 'owner' });
      assert.equal(a.expand?.owner?.id, aliceId);
      assert.equal(a.expand?.owner?.email, 'alice@example.com', 'the owner sees their own email');
      const b = await bob.collection('items').getOne(ids.item, { expand: 'owner' });
      assert.equal(b.expand?.owner, undefined);
    });

    it('a relation into a null-viewRule collection is not expanded for anyone but superusers', async () => {
      const g = await alice.collection('items').getOne(ids.item, { expand: 'box' });
      assert.equal(g.expand?.box, undefined);
      const su = await t.admin.collection('items').getOne(ids.item, { expand: 'box' });
      assert.equal(su.expand?.box?.secret, 'gold');
    });

    it('in a multi relation, only the viewable records are expanded (the list keeps the raw ids)', async () => {
      const r = await t.client().collection('items').getList(1, 10, { expand: 'tags' });
      const item = r.items[0];
      assert.equal(item.tags.length, 2);
      assert.deepEqual(item.expand?.tags?.map((x: any) => x.label), ['pub']);
      const su = await t.admin.collection('items').getOne(ids.item, { expand: 'tags' });
      assert.deepEqual(su.expand?.tags?.map((x: any) => x.label), ['priv', 'pub']);
    });

    it('a back-relation expand also applies the view rule of the related collection', async () => {
      const r = await t.client().collection('tags').getOne(ids.pubTag, { expand: 'items_via_tags' });
      assert.deepEqual(r.expand?.items_via_tags?.map((x: any) => x.title), ['item']);
      const viaUsers = await bob.collection('users').getOne(bobId, { expand: 'items_via_owner' });
      assert.deepEqual(viaUsers.expand?.items_via_owner ?? [], []);
    });
  });

  describe('email visibility (spec §3.1)', () => {
    let hidden = '';
    let shown = '';
    let carol: PocketBase;
    before(async () => {
      await t.admin.collections.create({
        name: 'people',
        type: 'auth',
        listRule: '',
        viewRule: '',
        createRule: '',
        manageRule: "@request.auth.role = 'manager'",
        fields: [{ name: 'role', type: 'text' }],
      } as any);
      const guest = t.client();
      hidden = (await guest.collection('people').create({ email: 'hidden@example.com', emailVisibility: false, password: PASSWORD, passwordConfirm: PASSWORD })).id;
      shown = (await guest.collection('people').create({ email: 'shown@example.com', emailVisibility: true, password: PASSWORD, passwordConfirm: PASSWORD })).id;
      await t.admin.collection('people').create({ email: 'carol@example.com', password: PASSWORD, passwordConfirm: PASSWORD, role: 'manager' });
      carol = t.client();
      await carol.collection('people').authWithPassword('carol@example.com', PASSWORD);
    });

    it('a guest sees the email only where emailVisibility is true', async () => {
      const list = await t.client().collection('people').getFullList();
      const byId = Object.fromEntries(list.map((r) => [r.id, r]));
      assert.ok(!('email' in byId[hidden]), JSON.stringify(byId[hidden]));
      assert.equal(byId[hidden].emailVisibility, false);
      assert.equal(byId[shown].email, 'shown@example.com');
      assert.ok(!('email' in (await t.client().collection('people').getOne(hidden))));
    });

    it('the owner sees their own hidden email; another user does not', async () => {
      const me = t.client();
      await me.collection('people').authWithPassword('hidden@example.com', PASSWORD);
      assert.equal(me.authStore.record?.email, 'hidden@example.com', 'auth responses always include email');
      assert.equal((await me.collection('people').getOne(hidden)).email, 'hidden@example.com');
      const other = t.client();
      await other.collection('people').authWithPassword('shown@example.com', PASSWORD);
      assert.ok(!('email' in (await other.collection('people').getOne(hidden))));
    });

    it('a manager (manageRule) and the superuser see every email', async () => {
      assert.equal((await carol.collection('people').getOne(hidden)).email, 'hidden@example.com');
      assert.equal((await t.admin.collection('people').getOne(hidden)).email, 'hidden@example.com');
    });

    it('a guest cannot probe a hidden email through a filter', async () => {
      const probe = await t.client().collection('people').getFullList({ filter: "email = 'hidden@example.com'" });
      assert.deepEqual(probe, []);
      const visible = await t.client().collection('people').getFullList({ filter: "email = 'shown@example.com'" });
      assert.deepEqual(visible.map((r) => r.id), [shown]);
      const su = await t.admin.collection('people').getFullList({ filter: "email = 'hidden@example.com'" });
      assert.deepEqual(su.map((r) => r.id), [hidden]);
    });

    it('emailVisibility applies to expanded auth records too', async () => {
      const peopleId = (await t.admin.collections.getOne('people')).id;
      await t.admin.collections.create({ name: 'notes_p', listRule: '', viewRule: '', fields: [{ name: 'who', type: 'relation', collectionId: peopleId, maxSelect: 2 }] });
      const n = await t.admin.collection('notes_p').create({ who: [hidden, shown] });
      const r = await t.client().collection('notes_p').getOne(n.id, { expand: 'who' });
      const [h, s] = r.expand?.who ?? [];
      assert.equal(h.id, hidden);
      assert.ok(!('email' in h));
      assert.equal(s.email, 'shown@example.com');
    });

    it('a user never sees password or tokenKey of anyone, including themselves', async () => {
      const me = t.client();
      const auth = await me.collection('people').authWithPassword('hidden@example.com', PASSWORD);
      for (const r of [auth.record, await me.collection('people').getOne(hidden), await t.admin.collection('people').getOne(hidden)]) {
        assert.ok(!('password' in r));
        assert.ok(!('tokenKey' in r));
      }
    });
  });
}),
);
