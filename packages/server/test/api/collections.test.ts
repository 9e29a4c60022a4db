/**
 * Collections API (spec §5) through the SDK as superuser: CRUD, every field type, validation,
 * schema changes over existing rows, view collections, import and the system collections.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { runScenario, type Scenario } from '../helpers/scenario.ts';
import { sdkError, startTestServer, type TestServer, forEachDialect } from '../helpers/test-server.ts';

const OPEN_RULES = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

/** The entry of a nested `data.fields` error map that names `fieldName`, if any. */
function fieldErrorFor(data: Record<string, any>, key: string): Record<string, any> | undefined {
  const fields = data.fields ?? {};
  return Object.values(fields).find((e: any) => e && typeof e === 'object' && key in e) as Record<string, any> | undefined;
}

forEachDialect((dialect) =>
describe('collections API', () => {
  let t: TestServer;
  let userToken = '';

  before(async () => {
    t = await startTestServer({ dialect });
    const guest = t.client();
    await guest.collection('users').create({ email: 'ann@example.com', password: 'password123', passwordConfirm: 'password123' });
    userToken = (await guest.collection('users').authWithPassword('ann@example.com', 'password123')).token;
  });
  after(() => t.close());

  describe('access: superusers only (spec §5.5)', () => {
    const cases: Array<[string, string, unknown?]> = [
      ['GET', '/api/collections'],
      ['POST', '/api/collections', { name: 'x1', fields: [] }],
      ['GET', '/api/collections/users'],
      ['PATCH', '/api/collections/users', { listRule: '' }],
      ['DELETE', '/api/collections/users'],
      ['DELETE', '/api/collections/users/truncate'],
      ['PUT', '/api/collections/import', { collections: [{ name: 'x2' }] }],
      ['GET', '/api/collections/meta/scaffolds'],
    ];
    const scenarios: Scenario[] = cases.flatMap(([method, url, body]): Scenario[] => [
      { name: `a guest calling ${method} ${url} gets 401`, method, url, body, status: 401, message: 'The request requires valid record authorization token.' },
      { name: `a regular user calling ${method} ${url} gets 403`, method, url, body, token: () => userToken, status: 403, message: 'The authorized record is not allowed to perform this action.' },
    ]);
    for (const s of scenarios) it(s.name, () => runScenario(t, s).then(() => undefined));

    it('the refused calls changed nothing: users still exists with its rules and its row', async () => {
      const users = await t.admin.collections.getOne('users');
      assert.equal(users.listRule, 'id = @request.auth.id');
      assert.equal((await t.admin.collection('users').getFullList()).length, 1);
    });
  });

  describe('system collections (spec §5.7)', () => {
    const expected: Array<[string, string, string, boolean]> = [
      ['_superusers', 'pbc_3142635823', 'auth', true],
      ['users', '_pb_users_auth_', 'auth', false],
      ['_externalAuths', 'pbc_2281828961', 'base', true],
      ['_mfas', 'pbc_2279338944', 'base', true],
      ['_otps', 'pbc_1638494021', 'base', true],
      ['_authOrigins', 'pbc_4275539003', 'base', true],
    ];
    for (const [name, id, type, system] of expected) {
      it(`${name} exists with id ${id}, type ${type}, system ${system}`, async () => {
        const c = await t.admin.collections.getOne(name);
        assert.equal(c.id, id);
        assert.equal(c.name, name);
        assert.equal(c.type, type);
        assert.equal(c.system, system);
        assert.deepEqual(await t.admin.collections.getOne(id).then((x) => x.name), name);
      });
    }

    it('_superusers has all CRUD rules null and the auth system fields', async () => {
      const c = await t.admin.collections.getOne('_superusers');
      for (const r of ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule']) assert.equal(c[r], null, r);
      const names = c.fields.map((f: any) => f.name);
      for (const n of ['id', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified', 'created', 'updated']) assert.ok(names.includes(n), n);
      assert.equal(c.authToken.duration, 86400);
    });

    it('users has the owner rules, name and avatar fields, and no token secrets in the output', async () => {
      const c = await t.admin.collections.getOne('users');
      assert.equal(c.viewRule, 'id = @request.auth.id');
      assert.equal(c.createRule, '');
      const avatar = c.fields.find((f: any) => f.name === 'avatar');
      assert.equal(avatar?.type, 'file');
      assert.equal(c.fields.find((f: any) => f.name === 'name')?.type, 'text');
      for (const k of ['authToken', 'passwordResetToken', 'emailChangeToken', 'verificationToken', 'fileToken']) {
        assert.equal(typeof c[k].duration, 'number', k);
        assert.ok(!('secret' in c[k]), `${k}.secret must not be returned`);
      }
    });

    it('the superuser renaming a system collection or changing its rules gets 400 and nothing changes', async () => {
      const e1 = await sdkError(t.admin.collections.update('_otps', { name: 'otps2' }));
      assert.equal(e1.status, 400);
      assert.ok(e1.data.name?.code, JSON.stringify(e1.data));
      const e2 = await sdkError(t.admin.collections.update('_superusers', { listRule: '' }));
      assert.equal(e2.status, 400);
      assert.equal(e2.data.listRule?.code, 'validation_collection_system_rule_change');
      const c = await t.admin.collections.getOne('_superusers');
      assert.equal(c.listRule, null);
      assert.equal((await t.admin.collections.getOne('pbc_1638494021')).name, '_otps');
    });

    it('the collections list can be filtered and sorted by name, type and system', async () => {
      const list = await t.admin.collections.getList(1, 50, { filter: 'system = true', sort: '-name' });
      assert.deepEqual(
        list.items.map((c) => c.name),
        ['_superusers', '_otps', '_mfas', '_externalAuths', '_authOrigins'],
      );
      assert.equal(list.totalItems, 5);
      const auth = await t.admin.collections.getFullList({ filter: "type = 'auth'" });
      assert.ok(auth.every((c) => c.type === 'auth'));
      assert.ok(auth.some((c) => c.name === 'users'));
      const e = await sdkError(t.admin.collections.getList(1, 10, { filter: 'nope = 1' }));
      assert.equal(e.status, 400);
    });
  });

  describe('CRUD as superuser', () => {
    it('creates a base collection, reads it back, lists it, updates it and deletes it', async () => {
      const created = await t.admin.collections.create({ name: 'notes', fields: [{ name: 'title', type: 'text', required: true }] });
      assert.match(created.id, /^pbc_\d+$/);
      assert.equal(created.type, 'base');
      assert.equal(created.system, false);
      assert.equal(created.listRule, null);
      assert.deepEqual(created.indexes, []);
      assert.match(created.created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
      const idField: any = created.fields.find((f: any) => f.name === 'id');
      assert.deepEqual(
        { type: idField.type, primaryKey: idField.primaryKey, system: idField.system, min: idField.min, max: idField.max, pattern: idField.pattern, autogeneratePattern: idField.autogeneratePattern },
        { type: 'text', primaryKey: true, system: true, min: 15, max: 15, pattern: '^[a-z0-9]+$', autogeneratePattern: '[a-z0-9]{15}' },
      );
      // created/updated are not added implicitly (spec §3.1).
      assert.ok(!created.fields.some((f: any) => f.name === 'created'));

      assert.deepEqual(await t.admin.collections.getOne('notes'), created);
      assert.deepEqual(await t.admin.collections.getOne(created.id), created);
      assert.equal((await t.admin.collections.getOne('NOTES')).id, created.id, 'name lookup is case-insensitive');

      const list = await t.admin.collections.getList(1, 10, { filter: "name = 'notes'" });
      assert.equal(list.totalItems, 1);
      assert.equal(list.items[0].id, created.id);

      const updated = await t.admin.collections.update('notes', { name: 'memos', listRule: '', viewRule: 'title != ""' });
      assert.equal(updated.id, created.id);
      assert.equal(updated.name, 'memos');
      assert.equal(updated.listRule, '');
      assert.equal(updated.viewRule, 'title != ""');
      assert.equal((await sdkError(t.admin.collections.getOne('notes'))).status, 404);
      await t.admin.collection('memos').create({ title: 'kept after rename' });
      assert.equal((await t.client().collection('memos').getList()).items[0].title, 'kept after rename');

      await t.admin.collections.delete('memos');
      assert.equal((await sdkError(t.admin.collections.getOne(created.id))).status, 404);
      assert.equal((await sdkError(t.admin.collection('memos').getList())).status, 404);
    });

    it('404 for unknown collections on view, update, delete and truncate', async () => {
      assert.equal((await sdkError(t.admin.collections.getOne('nope'))).status, 404);
      assert.equal((await sdkError(t.admin.collections.update('nope', { listRule: '' }))).status, 404);
      assert.equal((await sdkError(t.admin.collections.delete('nope'))).status, 404);
      assert.equal((await sdkError(t.admin.collections.truncate('nope'))).status, 404);
    });

    it('a custom collection id is kept, and an auth collection gets the system fields and indexes', async () => {
      const c = await t.admin.collections.create({ id: 'my_custom_id', name: 'staff', type: 'auth' });
      assert.equal(c.id, 'my_custom_id');
      const byName = Object.fromEntries(c.fields.map((f: any) => [f.name, f]));
      assert.equal(byName.password.type, 'password');
      assert.equal(byName.password.hidden, true);
      assert.equal(byName.tokenKey.hidden, true);
      assert.equal(byName.email.type, 'email');
      assert.equal(byName.email.hidden, false);
      assert.equal(byName.emailVisibility.type, 'bool');
      assert.equal(byName.verified.type, 'bool');
      assert.ok(c.indexes.some((i: string) => /UNIQUE/i.test(i) && i.includes('tokenKey')));
      assert.ok(c.indexes.some((i: string) => /UNIQUE/i.test(i) && i.includes('email')));
      assert.deepEqual(c.passwordAuth, { enabled: true, identityFields: ['email'] });
      assert.equal(c.manageRule, null);
      assert.equal(c.authRule, '');
      assert.ok(!('secret' in c.authToken));
      await t.admin.collections.delete('staff');
    });

    it('truncate deletes every record and keeps the collection', async () => {
      await t.admin.collections.create({ name: 'trunc', ...OPEN_RULES, fields: [{ name: 'n', type: 'number' }] });
      for (let i = 0; i < 3; i++) await t.admin.collection('trunc').create({ n: i });
      await t.admin.collections.truncate('trunc');
      assert.equal((await t.admin.collection('trunc').getList()).totalItems, 0);
      assert.equal((await t.admin.collections.getOne('trunc')).name, 'trunc');
    });

    it('a collection referenced by another collection cannot be deleted', async () => {
      const target = await t.admin.collections.create({ name: 'reftarget', fields: [{ name: 'x', type: 'text' }] });
      await t.admin.collections.create({ name: 'refsource', fields: [{ name: 'link', type: 'relation', collectionId: target.id, maxSelect: 1 }] });
      const e = await sdkError(t.admin.collections.delete('reftarget'));
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Failed to delete collection probably due to existing reference in refsource.');
      assert.equal((await t.admin.collections.getOne('reftarget')).id, target.id);
    });

    it('getScaffolds returns blank auth, base and view collections with default fields', async () => {
      const s = await t.admin.collections.getScaffolds();
      assert.deepEqual(Object.keys(s).sort(), ['auth', 'base', 'view']);
      for (const type of ['auth', 'base', 'view'] as const) {
        assert.equal(s[type].type, type);
        assert.equal(s[type].id, '');
        assert.equal(s[type].name, '');
      }
      assert.ok(s.base.fields.some((f: any) => f.name === 'id' && f.primaryKey));
      assert.ok(s.auth.fields.some((f: any) => f.name === 'password'));
      assert.ok(s.auth.fields.some((f: any) => f.name === 'email'));
      assert.deepEqual(s.view.fields, []);
    });
  });

  describe('every field type with options', () => {
    let target = '';
    let collection: any;
    before(async () => {
      target = (await t.admin.collections.create({ name: 'ft_target', ...OPEN_RULES, fields: [{ name: 'label', type: 'text' }] })).id;
      collection = await t.admin.collections.create({
        name: 'everything',
        ...OPEN_RULES,
        fields: [
          { name: 'f_text', type: 'text', min: 2, max: 20, pattern: '^[a-z ]+$', required: true, help: 'some help', presentable: true },
          { name: 'f_slug', type: 'text', autogeneratePattern: '[a-z]{8}' },
          { name: 'f_number', type: 'number', min: 1, max: 100, onlyInt: true },
          { name: 'f_bool', type: 'bool' },
          { name: 'f_email', type: 'email', onlyDomains: ['example.com'] },
          { name: 'f_url', type: 'url', exceptDomains: ['evil.test'] },
          { name: 'f_editor', type: 'editor', maxSize: 2000, convertURLs: true },
          { name: 'f_date', type: 'date', min: '2020-01-01 00:00:00.000Z', max: '2030-12-31 23:59:59.999Z' },
          { name: 'f_created', type: 'autodate', onCreate: true, onUpdate: false },
          { name: 'f_updated', type: 'autodate', onCreate: true, onUpdate: true },
          { name: 'f_select', type: 'select', values: ['red', 'green', 'blue'], maxSelect: 1 },
          { name: 'f_tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 2 },
          { name: 'f_file', type: 'file', maxSelect: 3, maxSize: 1024, mimeTypes: ['image/png'], thumbs: ['100x100', '50x0t'], protected: true },
          { name: 'f_rel', type: 'relation', collectionId: target, maxSelect: 5, minSelect: 0, cascadeDelete: true },
          { name: 'f_json', type: 'json', maxSize: 500 },
          { name: 'f_geo', type: 'geoPoint' },
          { name: 'f_secret', type: 'password', min: 6, max: 40, cost: 4 },
          { name: 'f_hidden', type: 'text', hidden: true },
        ],
      });
    });

    const expectations: Array<[string, Record<string, unknown>]> = [
      ['f_text', { type: 'text', min: 2, max: 20, pattern: '^[a-z ]+$', required: true, help: 'some help', presentable: true, hidden: false, system: false }],
      ['f_slug', { type: 'text', autogeneratePattern: '[a-z]{8}' }],
      ['f_number', { type: 'number', min: 1, max: 100, onlyInt: true }],
      ['f_bool', { type: 'bool' }],
      ['f_email', { type: 'email', onlyDomains: ['example.com'] }],
      ['f_url', { type: 'url', exceptDomains: ['evil.test'] }],
      ['f_editor', { type: 'editor', maxSize: 2000, convertURLs: true }],
      ['f_date', { type: 'date', min: '2020-01-01 00:00:00.000Z', max: '2030-12-31 23:59:59.999Z' }],
      ['f_created', { type: 'autodate', onCreate: true, onUpdate: false }],
      ['f_updated', { type: 'autodate', onCreate: true, onUpdate: true }],
      ['f_select', { type: 'select', values: ['red', 'green', 'blue'], maxSelect: 1 }],
      ['f_tags', { type: 'select', values: ['a', 'b', 'c'], maxSelect: 2 }],
      ['f_file', { type: 'file', maxSelect: 3, maxSize: 1024, mimeTypes: ['image/png'], thumbs: ['100x100', '50x0t'], protected: true }],
      ['f_rel', { type: 'relation', maxSelect: 5, minSelect: 0, cascadeDelete: true }],
      ['f_json', { type: 'json', maxSize: 500 }],
      ['f_geo', { type: 'geoPoint' }],
      ['f_secret', { type: 'password', min: 6, max: 40, cost: 4 }],
      ['f_hidden', { type: 'text', hidden: true }],
    ];
    for (const [name, opts] of expectations) {
      it(`the ${opts.type} field ${name} keeps its options through create and getOne`, async () => {
        const fetched = await t.admin.collections.getOne('everything');
        for (const c of [collection, fetched]) {
          const f = c.fields.find((x: any) => x.name === name);
          assert.ok(f, `${name} missing`);
          assert.equal(typeof f.id, 'string');
          assert.ok(f.id.length > 0);
          for (const [k, v] of Object.entries(opts)) assert.deepEqual(f[k], v, `${name}.${k}`);
        }
      });
    }

    it('the relation field points at its target collection', () => {
      assert.equal(collection.fields.find((f: any) => f.name === 'f_rel').collectionId, target);
    });

    it('generated field ids follow <type><crc32(name)>', async () => {
      for (const f of collection.fields) assert.equal(f.id, `${f.type}${crc32(f.name)}`, f.name);
      // The spec's own examples (§5.2).
      const c = await t.admin.collections.create({ name: 'ids_check', fields: [{ name: 'title', type: 'text' }, { name: 'created', type: 'autodate', onCreate: true }] });
      assert.equal(c.fields.find((f: any) => f.name === 'title')?.id, 'text724990059');
      assert.equal(c.fields.find((f: any) => f.name === 'created')?.id, 'autodate2990389176');
      assert.equal(c.fields.find((f: any) => f.name === 'id')?.id, 'text3208210256');
    });

    it('a record round-trips every value type; password and hidden values stay out of the output for guests', async () => {
      const rel = await t.admin.collection('ft_target').create({ label: 'T' });
      const body = {
        f_text: 'hello world',
        f_number: 42,
        f_bool: true,
        f_email: 'x@example.com',
        f_url: 'https://good.test/path',
        f_editor: '<p>Hi <b>there</b></p>',
        f_date: '2025-06-01 12:00:00.000Z',
        f_created: '1999-01-01 00:00:00.000Z',
        f_select: 'green',
        f_tags: ['a', 'c'],
        f_rel: [rel.id],
        f_json: { nested: [1, 2, { x: 'y' }], flag: false },
        f_geo: { lon: 23.32, lat: 42.69 },
        f_secret: 'hunter22',
        f_hidden: 'ignored-for-guests',
      };
      const created = await t.client().collection('everything').create(body);
      const fetched = await t.client().collection('everything').getOne(created.id);
      for (const r of [created, fetched]) {
        assert.equal(r.f_text, 'hello world');
        assert.match(r.f_slug, /^[a-z]{8}$/);
        assert.equal(r.f_number, 42);
        assert.equal(r.f_bool, true);
        assert.equal(r.f_email, 'x@example.com');
        assert.equal(r.f_url, 'https://good.test/path');
        assert.equal(r.f_editor, '<p>Hi <b>there</b></p>');
        assert.equal(r.f_date, '2025-06-01 12:00:00.000Z');
        assert.notEqual(r.f_created, '1999-01-01 00:00:00.000Z', 'autodate is not settable');
        assert.match(r.f_created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.equal(r.f_select, 'green');
        assert.deepEqual(r.f_tags, ['a', 'c']);
        assert.deepEqual(r.f_file, []);
        assert.deepEqual(r.f_rel, [rel.id]);
        assert.deepEqual(r.f_json, { nested: [1, 2, { x: 'y' }], flag: false });
        assert.deepEqual(r.f_geo, { lon: 23.32, lat: 42.69 });
        assert.ok(!('f_secret' in r), 'password values are never serialised');
        assert.ok(!('f_hidden' in r), 'hidden fields are omitted for guests');
      }
      const su = await t.admin.collection('everything').getOne(created.id);
      assert.ok(!('f_secret' in su), 'not even for superusers');
      assert.equal(su.f_hidden, '', 'a guest cannot write a hidden field');
    });

    it('zero values of a fresh record are typed per field', async () => {
      const r = await t.admin.collection('everything').create({ f_text: 'ab' });
      assert.equal(r.f_number, 0);
      assert.equal(r.f_bool, false);
      assert.equal(r.f_email, '');
      assert.equal(r.f_date, '');
      assert.equal(r.f_select, '');
      assert.deepEqual(r.f_tags, []);
      assert.deepEqual(r.f_rel, []);
      assert.deepEqual(r.f_file, []);
      assert.equal(r.f_json, null);
      assert.deepEqual(r.f_geo, { lon: 0, lat: 0 });
      assert.equal(r.f_hidden, '');
    });

    const invalid: Array<[string, Record<string, unknown>, string]> = [
      ['text shorter than min', { f_text: 'a' }, 'f_text'],
      ['text not matching the pattern', { f_text: 'ABC' }, 'f_text'],
      ['number above max', { f_text: 'ok', f_number: 101 }, 'f_number'],
      ['number not an integer', { f_text: 'ok', f_number: 2.5 }, 'f_number'],
      ['email outside onlyDomains', { f_text: 'ok', f_email: 'x@other.com' }, 'f_email'],
      ['malformed email', { f_text: 'ok', f_email: 'not-an-email' }, 'f_email'],
      ['url in exceptDomains', { f_text: 'ok', f_url: 'https://evil.test/' }, 'f_url'],
      ['date before min', { f_text: 'ok', f_date: '2019-01-01 00:00:00.000Z' }, 'f_date'],
      ['select value not allowed', { f_text: 'ok', f_select: 'purple' }, 'f_select'],
      ['too many multi-select values', { f_text: 'ok', f_tags: ['a', 'b', 'c'] }, 'f_tags'],
      ['relation to a missing record', { f_text: 'ok', f_rel: ['zzzzzzzzzzzzzzz'] }, 'f_rel'],
      ['json over maxSize', { f_text: 'ok', f_json: { big: 'x'.repeat(600) } }, 'f_json'],
      ['geoPoint latitude out of range', { f_text: 'ok', f_geo: { lon: 0, lat: 91 } }, 'f_geo'],
      ['password shorter than min', { f_text: 'ok', f_secret: 'abc' }, 'f_secret'],
      ['editor over maxSize', { f_text: 'ok', f_editor: 'x'.repeat(2100) }, 'f_editor'],
    ];
    for (const [what, body, field] of invalid) {
      it(`a guest creating a record with ${what} gets 400 on data.${field}`, async () => {
        const e = await sdkError(t.client().collection('everything').create(body));
        assert.equal(e.status, 400);
        assert.equal(e.message, 'Failed to create record.');
        assert.equal(typeof e.data[field]?.code, 'string', JSON.stringify(e.data));
        assert.deepEqual(Object.keys(e.data), [field]);
      });
    }
  });

  describe('collection validation errors', () => {
    before(async () => {
      await t.admin.collections.create({ name: 'valid_one', fields: [{ name: 'title', type: 'text' }] });
    });

    it('a duplicate name (case-insensitive) gives validation_collection_name_exists', async () => {
      const e = await sdkError(t.admin.collections.create({ name: 'VALID_one', fields: [] }));
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Failed to create collection.');
      assert.equal(e.data.name?.code, 'validation_collection_name_exists');
    });

    it('an invalid collection name is refused', async () => {
      for (const name of ['bad name', 'has-dash', '', 'a_via_b']) {
        const e = await sdkError(t.admin.collections.create({ name, fields: [] }));
        assert.equal(e.status, 400, name);
        assert.ok(e.data.name?.code, `${name}: ${JSON.stringify(e.data)}`);
      }
    });

    it('a bad field name, a reserved field name and a duplicated field name are refused per field', async () => {
      const bad = await sdkError(t.admin.collections.create({ name: 'badfield', fields: [{ name: 'has space', type: 'text' }] }));
      assert.equal(bad.status, 400);
      assert.ok(fieldErrorFor(bad.data, 'name'), JSON.stringify(bad.data));
      const reserved = await sdkError(t.admin.collections.create({ name: 'badfield', fields: [{ name: 'expand', type: 'text' }] }));
      assert.equal(fieldErrorFor(reserved.data, 'name')?.name.code, 'validation_reserved_field_name');
      const dup = await sdkError(t.admin.collections.create({ name: 'badfield', fields: [{ name: 'title', type: 'text' }, { name: 'Title', type: 'number' }] }));
      assert.equal(fieldErrorFor(dup.data, 'name')?.name.code, 'validation_duplicated_field_name');
      const unknownType = await sdkError(t.admin.collections.create({ name: 'badfield', fields: [{ name: 'x', type: 'nope' }] }));
      assert.equal(unknownType.status, 400);
      assert.equal((await sdkError(t.admin.collections.getOne('badfield'))).status, 404);
    });

    const rules = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'];
    for (const rule of rules) {
      it(`an invalid ${rule} gives validation_invalid_rule`, async () => {
        const e = await sdkError(t.admin.collections.create({ name: 'badrule', fields: [{ name: 'title', type: 'text' }], [rule]: 'missing_field = 1' }));
        assert.equal(e.status, 400);
        assert.equal(e.data[rule]?.code, 'validation_invalid_rule');
        assert.match(e.data[rule].message, /^Invalid rule\./);
      });
    }

    it('a syntactically broken rule on update gives validation_invalid_rule and keeps the old rule', async () => {
      const e = await sdkError(t.admin.collections.update('valid_one', { listRule: 'title = = "x"' }));
      assert.equal(e.data.listRule?.code, 'validation_invalid_rule');
      assert.equal((await t.admin.collections.getOne('valid_one')).listRule, null);
    });

    it('a malformed index and an index on an unknown column give validation_invalid_index_expression', async () => {
      const e = await sdkError(t.admin.collections.create({ name: 'badidx', fields: [{ name: 'title', type: 'text' }], indexes: ['CREATE INDEX oops'] }));
      assert.equal(e.status, 400);
      assert.equal(e.data.indexes?.['0']?.code, 'validation_invalid_index_expression');
      const e2 = await sdkError(t.admin.collections.create({ name: 'badidx', fields: [{ name: 'title', type: 'text' }], indexes: ['CREATE INDEX idx_badidx_x ON badidx (nope)'] }));
      assert.equal(e2.data.indexes?.['0']?.code, 'validation_invalid_index_expression');
    });

    it('an index name used by another collection is refused', async () => {
      await t.admin.collections.update('valid_one', { indexes: ['CREATE INDEX idx_shared_name ON valid_one (title)'] });
      const e = await sdkError(t.admin.collections.create({ name: 'other_idx', fields: [{ name: 'title', type: 'text' }], indexes: ['CREATE INDEX idx_shared_name ON other_idx (title)'] }));
      assert.equal(e.status, 400);
      assert.equal(e.data.indexes?.['0']?.code, 'validation_existing_index_name');
    });

    it('the collection type cannot change', async () => {
      const e = await sdkError(t.admin.collections.update('valid_one', { type: 'auth' }));
      assert.equal(e.status, 400);
      assert.equal(e.data.type?.code, 'validation_collection_type_change');
    });

    it('a relation to a missing collection is refused', async () => {
      const e = await sdkError(t.admin.collections.create({ name: 'badrel', fields: [{ name: 'r', type: 'relation', collectionId: 'nope_nope' }] }));
      assert.equal(e.status, 400);
      assert.ok(fieldErrorFor(e.data, 'collectionId'), JSON.stringify(e.data));
    });

    it('a select without values is refused', async () => {
      const e = await sdkError(t.admin.collections.create({ name: 'badsel', fields: [{ name: 's', type: 'select', values: [] }] }));
      assert.equal(e.status, 400);
      assert.ok(fieldErrorFor(e.data, 'values'), JSON.stringify(e.data));
    });

    it('auth collections reject passwordConfirm as a field name', async () => {
      const e = await sdkError(t.admin.collections.create({ name: 'badauth', type: 'auth', fields: [{ name: 'passwordConfirm', type: 'text' }] }));
      assert.equal(e.status, 400);
      assert.equal(fieldErrorFor(e.data, 'name')?.name.code, 'validation_reserved_field_name');
    });
  });

  describe('schema changes over existing rows', () => {
    let rows: any[] = [];
    before(async () => {
      await t.admin.collections.create({
        name: 'evolve',
        ...OPEN_RULES,
        fields: [
          { name: 'title', type: 'text' },
          { name: 'score', type: 'number' },
          { name: 'obsolete', type: 'text' },
          { name: 'color', type: 'select', values: ['r', 'g', 'b'], maxSelect: 1 },
          { name: 'colors', type: 'select', values: ['r', 'g', 'b'], maxSelect: 3 },
        ],
      });
      rows = [];
      rows.push(await t.admin.collection('evolve').create({ title: 'one', score: 1, obsolete: 'x', color: 'r', colors: ['r', 'g'] }));
      rows.push(await t.admin.collection('evolve').create({ title: 'two', score: 2, obsolete: 'y', color: '', colors: [] }));
      rows.push(await t.admin.collection('evolve').create({ title: 'dup', score: 3, obsolete: 'z', color: 'b', colors: ['b'] }));
      rows.push(await t.admin.collection('evolve').create({ title: 'dup', score: 4, obsolete: 'w', color: 'g', colors: ['g', 'b', 'r'] }));
    });

    const current = () => t.admin.collections.getOne('evolve');
    const byTitleScore = async () => (await t.admin.collection('evolve').getFullList({ sort: 'score' })).map((r) => ({ ...r }));

    it('adding a field keeps the data and gives old rows the zero value', async () => {
      const c = await current();
      await t.admin.collections.update('evolve', { fields: [...c.fields, { name: 'added', type: 'number' }, { name: 'note', type: 'text' }] });
      const list = await byTitleScore();
      assert.deepEqual(list.map((r) => [r.title, r.score, r.added, r.note]), [['one', 1, 0, ''], ['two', 2, 0, ''], ['dup', 3, 0, ''], ['dup', 4, 0, '']]);
    });

    it('renaming a field (same id, new name) keeps its values', async () => {
      const c = await current();
      const fields = c.fields.map((f: any) => (f.name === 'title' ? { ...f, name: 'heading' } : f));
      const updated = await t.admin.collections.update('evolve', { fields });
      assert.equal(updated.fields.find((f: any) => f.name === 'heading')?.id, c.fields.find((f: any) => f.name === 'title')?.id);
      const list = await byTitleScore();
      assert.deepEqual(list.map((r) => r.heading), ['one', 'two', 'dup', 'dup']);
      assert.ok(!('title' in list[0]));
    });

    it('removing a field drops its data and keeps the other fields', async () => {
      const c = await current();
      await t.admin.collections.update('evolve', { fields: c.fields.filter((f: any) => f.name !== 'obsolete') });
      const list = await byTitleScore();
      assert.ok(!('obsolete' in list[0]));
      assert.deepEqual(list.map((r) => [r.heading, r.score]), [['one', 1], ['two', 2], ['dup', 3], ['dup', 4]]);
      // Re-adding a field with the same name starts empty: the old column is gone.
      const c2 = await current();
      await t.admin.collections.update('evolve', { fields: [...c2.fields, { name: 'obsolete', type: 'text' }] });
      assert.deepEqual((await byTitleScore()).map((r) => r.obsolete), ['', '', '', '']);
    });

    it('adding and removing a plain index keeps the data', async () => {
      const withIdx = await t.admin.collections.update('evolve', { indexes: ['CREATE INDEX idx_evolve_score ON evolve (score)'] });
      assert.equal(withIdx.indexes.length, 1);
      assert.match(withIdx.indexes[0], /idx_evolve_score/);
      assert.equal((await byTitleScore()).length, 4);
      const without = await t.admin.collections.update('evolve', { indexes: [] });
      assert.deepEqual(without.indexes, []);
      assert.equal((await byTitleScore()).length, 4);
    });

    it('a unique index over duplicate data is refused with 400 and nothing changes', async () => {
      const before = await current();
      const dataBefore = await byTitleScore();
      const fields = before.fields.map((f: any) => (f.name === 'heading' ? { ...f, name: 'renamed_too' } : f));
      const e = await sdkError(
        t.admin.collections.update('evolve', {
          listRule: 'score > 0',
          fields,
          indexes: ['CREATE UNIQUE INDEX idx_evolve_heading ON evolve (renamed_too)'],
        }),
      );
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Failed to update collection.');
      assert.equal(e.data.indexes?.['0']?.code, 'validation_not_unique');
      assert.deepEqual(await current(), before);
      assert.deepEqual(await byTitleScore(), dataBefore);
      // The column rename was rolled back too: writing through the old name still works.
      const r = await t.admin.collection('evolve').update(rows[0].id, { heading: 'one again' });
      assert.equal(r.heading, 'one again');
      await t.admin.collection('evolve').update(rows[0].id, { heading: 'one' });
    });

    it('a unique index over unique data is accepted and then enforced on records', async () => {
      await t.admin.collections.update('evolve', { indexes: ['CREATE UNIQUE INDEX idx_evolve_score_u ON evolve (score)'] });
      const e = await sdkError(t.admin.collection('evolve').create({ heading: 'dupe score', score: 1 }));
      assert.equal(e.status, 400);
      assert.equal(e.data.score?.code, 'validation_not_unique');
      await t.admin.collections.update('evolve', { indexes: [] });
    });

    it('single select → multiple converts "v" to ["v"] and "" to []', async () => {
      const c = await current();
      await t.admin.collections.update('evolve', { fields: c.fields.map((f: any) => (f.name === 'color' ? { ...f, maxSelect: 2 } : f)) });
      assert.deepEqual((await byTitleScore()).map((r) => r.color), [['r'], [], ['b'], ['g']]);
    });

    it('multiple select → single keeps the last element, [] becomes ""', async () => {
      const c = await current();
      await t.admin.collections.update('evolve', { fields: c.fields.map((f: any) => (f.name === 'colors' ? { ...f, maxSelect: 1 } : f)) });
      assert.deepEqual((await byTitleScore()).map((r) => r.colors), ['g', '', 'b', 'r']);
    });

    it('a field type change is refused', async () => {
      const c = await current();
      const e = await sdkError(t.admin.collections.update('evolve', { fields: c.fields.map((f: any) => (f.name === 'score' ? { ...f, type: 'text' } : f)) }));
      assert.equal(e.status, 400);
      assert.equal(fieldErrorFor(e.data, 'type')?.type.code, 'validation_field_type_change');
      assert.deepEqual((await byTitleScore()).map((r) => r.score), [1, 2, 3, 4]);
    });
  });

  describe('more schema changes', () => {
    it('single relation → multiple converts "id" to ["id"]; back to single keeps the last id', async () => {
      const tgt = await t.admin.collections.create({ name: 'rc_target', ...OPEN_RULES, fields: [{ name: 'n', type: 'text' }] });
      const t1 = await t.admin.collection('rc_target').create({ n: '1' });
      const t2 = await t.admin.collection('rc_target').create({ n: '2' });
      const src = await t.admin.collections.create({ name: 'rc_src', ...OPEN_RULES, fields: [{ name: 'r', type: 'relation', collectionId: tgt.id, maxSelect: 1 }, { name: 'k', type: 'number' }] });
      await t.admin.collection('rc_src').create({ r: t1.id, k: 1 });
      await t.admin.collection('rc_src').create({ r: '', k: 2 });
      await t.admin.collections.update('rc_src', { fields: src.fields.map((f: any) => (f.name === 'r' ? { ...f, maxSelect: 5 } : f)) });
      assert.deepEqual((await t.admin.collection('rc_src').getFullList({ sort: 'k' })).map((r) => r.r), [[t1.id], []]);
      const row = (await t.admin.collection('rc_src').getFullList({ sort: 'k' }))[0];
      await t.admin.collection('rc_src').update(row.id, { 'r+': t2.id });
      const multi = await t.admin.collections.getOne('rc_src');
      await t.admin.collections.update('rc_src', { fields: multi.fields.map((f: any) => (f.name === 'r' ? { ...f, maxSelect: 1 } : f)) });
      assert.deepEqual((await t.admin.collection('rc_src').getFullList({ sort: 'k' })).map((r) => r.r), [t2.id, '']);
    });

    it('renaming a collection keeps its indexes working under the new table name', async () => {
      await t.admin.collections.create({ name: 'ren_a', ...OPEN_RULES, fields: [{ name: 'code', type: 'text' }], indexes: ['CREATE UNIQUE INDEX idx_ren_code ON ren_a (code)'] });
      await t.admin.collection('ren_a').create({ code: 'c1' });
      const renamed = await t.admin.collections.update('ren_a', { name: 'ren_b' });
      assert.equal(renamed.indexes.length, 1);
      assert.match(renamed.indexes[0], /ren_b/);
      assert.doesNotMatch(renamed.indexes[0], /ren_a/);
      const e = await sdkError(t.admin.collection('ren_b').create({ code: 'c1' }));
      assert.equal(e.data.code?.code, 'validation_not_unique');
    });

    it('renaming a field that a rule still uses is refused with validation_invalid_rule', async () => {
      const c = await t.admin.collections.create({ name: 'rule_dep', listRule: "title != ''", fields: [{ name: 'title', type: 'text' }] });
      const e = await sdkError(t.admin.collections.update('rule_dep', { fields: c.fields.map((f: any) => (f.name === 'title' ? { ...f, name: 'heading' } : f)) }));
      assert.equal(e.status, 400);
      assert.equal(e.data.listRule?.code, 'validation_invalid_rule');
      assert.ok((await t.admin.collections.getOne('rule_dep')).fields.some((f: any) => f.name === 'title'));
    });

    it('adding a field to users keeps existing accounts able to sign in', async () => {
      const users = await t.admin.collections.getOne('users');
      const updated = await t.admin.collections.update('users', { fields: [...users.fields, { name: 'nickname', type: 'text' }] });
      assert.ok(updated.fields.some((f: any) => f.name === 'nickname'));
      const auth = await t.client().collection('users').authWithPassword('ann@example.com', 'password123');
      assert.equal(auth.record.nickname, '');
    });

    it('leaving a system field out of a users update never loses it (refused, or re-added with its data)', async () => {
      const users = await t.admin.collections.getOne('users');
      const emailId = users.fields.find((f: any) => f.name === 'email')?.id;
      await t.admin.collections.update('users', { fields: users.fields.filter((f: any) => f.name !== 'email') }).catch((e) => assert.equal(e.status, 400));
      const after = await t.admin.collections.getOne('users');
      assert.equal(after.fields.find((f: any) => f.name === 'email')?.id, emailId);
      const auth = await t.client().collection('users').authWithPassword('ann@example.com', 'password123');
      assert.equal(auth.record.email, 'ann@example.com');
    });
  });

  describe('view collections', () => {
    before(async () => {
      await t.admin.collections.create({ name: 'vsrc', ...OPEN_RULES, fields: [{ name: 'title', type: 'text' }, { name: 'n', type: 'number' }, { name: 'grp', type: 'text' }] });
      for (const [title, n, grp] of [['a', 1, 'x'], ['b', 2, 'x'], ['c', 3, 'y']] as const) await t.admin.collection('vsrc').create({ title, n, grp });
    });

    it('an auth collection created from the scaffold as served keeps one unique index per system column', async () => {
      const scaffolds = await t.admin.send('/api/collections/meta/scaffolds', {});
      const c = await t.admin.collections.create({ ...scaffolds.auth, name: 'scaffolded' });
      assert.deepEqual(c.indexes, ['CREATE UNIQUE INDEX `idx_tokenKey_` ON `scaffolded` (`tokenKey`)', "CREATE UNIQUE INDEX `idx_email_` ON `scaffolded` (`email`) WHERE `email` != ''"]);
      const u = await t.admin.collection('scaffolded').create({ email: 'a@example.com', password: 'password123', passwordConfirm: 'password123' });
      const dup = await sdkError(t.admin.collection('scaffolded').create({ email: 'a@example.com', password: 'password123', passwordConfirm: 'password123' }));
      assert.equal(dup.status, 400);
      assert.ok(u.id);
      await t.admin.collections.delete('scaffolded');
    });

    it('view rules may name the columns of the view query, checked against them', async () => {
      const v = await t.admin.collections.create({ name: 'vrules', type: 'view', listRule: 'n >= 2 && title != ""', viewRule: 'n > 0', viewQuery: 'SELECT id, title, n FROM vsrc' });
      assert.equal(v.listRule, 'n >= 2 && title != ""');
      const guest = t.client();
      const listed = await guest.collection('vrules').getFullList();
      assert.ok(listed.length > 0 && listed.every((r) => r.n >= 2));
      const e = await sdkError(t.admin.collections.create({ name: 'vrules2', type: 'view', listRule: 'missing = 1', viewQuery: 'SELECT id, title FROM vsrc' }));
      assert.equal(e.status, 400);
      assert.equal(e.data.listRule.code, 'validation_invalid_rule');
      assert.equal(e.data.viewQuery, undefined);
      await t.admin.collections.delete('vrules');
    });

    it('creates a view from viewQuery with derived fields; list and view work; writes are refused', async () => {
      const v = await t.admin.collections.create({ name: 'vbig', type: 'view', listRule: '', viewRule: '', viewQuery: 'SELECT id, title, n FROM vsrc WHERE n >= 2' });
      assert.equal(v.type, 'view');
      assert.equal(v.viewQuery, 'SELECT id, title, n FROM vsrc WHERE n >= 2');
      const fields = Object.fromEntries(v.fields.map((f: any) => [f.name, f.type]));
      assert.deepEqual(fields, { id: 'text', title: 'text', n: 'number' });
      const list = await t.client().collection('vbig').getList(1, 10, { sort: 'n' });
      assert.deepEqual(list.items.map((r) => [r.title, r.n]), [['b', 2], ['c', 3]]);
      assert.equal(list.items[0].collectionName, 'vbig');
      const one = await t.client().collection('vbig').getOne(list.items[0].id);
      assert.equal(one.title, 'b');
      const filtered = await t.client().collection('vbig').getList(1, 10, { filter: 'n > 2' });
      assert.deepEqual(filtered.items.map((r) => r.title), ['c']);
      for (const call of [
        () => t.admin.collection('vbig').create({ title: 'z' }),
        () => t.admin.collection('vbig').update(one.id, { title: 'z' }),
        () => t.admin.collection('vbig').delete(one.id),
      ]) {
        const e = await sdkError(call());
        assert.equal(e.status, 400);
        assert.equal(e.message, 'Unsupported collection type.');
      }
    });

    it('an aggregate view derives number fields from count()', async () => {
      const v = await t.admin.collections.create({ name: 'vgroups', type: 'view', listRule: '', viewQuery: 'SELECT grp AS id, count(id) AS total FROM vsrc GROUP BY grp' });
      assert.equal(v.fields.find((f: any) => f.name === 'total')?.type, 'number');
      const list = await t.client().collection('vgroups').getFullList({ sort: 'id' });
      assert.deepEqual(list.map((r) => [r.id, r.total]), [['x', 2], ['y', 1]]);
    });

    it('the view follows new data in the source collection', async () => {
      await t.admin.collection('vsrc').create({ title: 'd', n: 9, grp: 'y' });
      const list = await t.admin.collection('vbig').getFullList({ sort: 'n' });
      assert.deepEqual(list.map((r) => r.title), ['b', 'c', 'd']);
    });

    const badViews: Array<[string, Record<string, unknown>, string]> = [
      ['without a viewQuery', { name: 'vbad1', type: 'view' }, 'viewQuery'],
      ['with SELECT *', { name: 'vbad2', type: 'view', viewQuery: 'SELECT * FROM vsrc' }, 'viewQuery'],
      ['with two statements', { name: 'vbad3', type: 'view', viewQuery: 'SELECT id FROM vsrc; DROP TABLE vsrc' }, 'viewQuery'],
      ['over an unknown table', { name: 'vbad4', type: 'view', viewQuery: 'SELECT id FROM nope_table' }, 'viewQuery'],
      ['without an id column', { name: 'vbad5', type: 'view', viewQuery: 'SELECT title FROM vsrc' }, 'viewQuery'],
      ['with a createRule', { name: 'vbad6', type: 'view', createRule: '', viewQuery: 'SELECT id FROM vsrc' }, 'createRule'],
    ];
    for (const [what, body, key] of badViews) {
      it(`a view ${what} is refused on data.${key}`, async () => {
        const e = await sdkError(t.admin.collections.create(body));
        assert.equal(e.status, 400);
        assert.ok(e.data[key]?.code, JSON.stringify(e.data));
        assert.equal((await sdkError(t.admin.collections.getOne(String(body.name)))).status, 404);
      });
    }

    it('the source table still works after all the refused views', async () => {
      assert.equal((await t.admin.collection('vsrc').getList()).totalItems, 4);
    });
  });

  describe('import', () => {
    it('imports a PocketBase-style export: new collections with ids, relations and rules', async () => {
      const exported = [
        {
          id: 'pbc_1000000001',
          name: 'imp_authors',
          type: 'base',
          system: false,
          listRule: '',
          viewRule: '',
          createRule: null,
          updateRule: null,
          deleteRule: null,
          fields: [
            { id: 'text3208210256', name: 'id', type: 'text', system: true, hidden: false, presentable: false, primaryKey: true, required: true, min: 15, max: 15, pattern: '^[a-z0-9]+$', autogeneratePattern: '[a-z0-9]{15}' },
            { id: 'text1579384326', name: 'name', type: 'text', system: false, hidden: false, presentable: true, required: true, min: 0, max: 0, pattern: '', autogeneratePattern: '', primaryKey: false },
            { id: 'autodate2990389176', name: 'created', type: 'autodate', system: false, hidden: false, presentable: false, onCreate: true, onUpdate: false },
          ],
          indexes: ['CREATE UNIQUE INDEX `idx_imp_authors_name` ON `imp_authors` (`name`)'],
          created: '2024-01-01 00:00:00.000Z',
          updated: '2024-01-01 00:00:00.000Z',
        },
        {
          id: 'pbc_1000000002',
          name: 'imp_books',
          type: 'base',
          system: false,
          listRule: 'author.name != ""',
          viewRule: '',
          createRule: null,
          updateRule: null,
          deleteRule: null,
          fields: [
            { id: 'text3208210256', name: 'id', type: 'text', system: true, primaryKey: true, required: true, min: 15, max: 15, pattern: '^[a-z0-9]+$', autogeneratePattern: '[a-z0-9]{15}' },
            { id: 'text724990059', name: 'title', type: 'text', required: true },
            { id: 'relation3182418120', name: 'author', type: 'relation', collectionId: 'pbc_1000000001', maxSelect: 1, cascadeDelete: false },
          ],
          indexes: [],
        },
      ];
      await t.admin.collections.import(exported as any, false);
      const authors = await t.admin.collections.getOne('pbc_1000000001');
      assert.equal(authors.name, 'imp_authors');
      assert.equal(authors.fields.find((f: any) => f.name === 'name')?.id, 'text1579384326');
      assert.equal(authors.indexes.length, 1);
      const books = await t.admin.collections.getOne('imp_books');
      assert.equal(books.id, 'pbc_1000000002');
      assert.equal(books.listRule, 'author.name != ""');
      assert.equal(books.fields.find((f: any) => f.name === 'author')?.collectionId, 'pbc_1000000001');
      const a = await t.admin.collection('imp_authors').create({ name: 'Ann' });
      const b = await t.admin.collection('imp_books').create({ title: 'B', author: a.id });
      const got = await t.client().collection('imp_books').getOne(b.id, { expand: 'author' });
      assert.equal(got.expand?.author?.name, 'Ann');
      // The unique index from the export is live.
      assert.equal((await sdkError(t.admin.collection('imp_authors').create({ name: 'Ann' }))).data.name?.code, 'validation_not_unique');
    });

    it('re-importing a changed definition updates it in place and keeps data and unlisted fields', async () => {
      await t.admin.collections.import([{ id: 'pbc_1000000001', name: 'imp_authors', listRule: null, fields: [{ id: 'number111', name: 'age', type: 'number' }] }] as any, false);
      const c = await t.admin.collections.getOne('imp_authors');
      assert.equal(c.listRule, null);
      const names = c.fields.map((f: any) => f.name);
      assert.ok(names.includes('name') && names.includes('age') && names.includes('id'), names.join(','));
      const rows = await t.admin.collection('imp_authors').getFullList();
      assert.deepEqual(rows.map((r) => [r.name, r.age]), [['Ann', 0]]);
    });

    it('an import that fails halfway rolls back the items before it', async () => {
      const e = await sdkError(
        t.admin.collections.import(
          [
            { name: 'imp_ok_first', type: 'base', fields: [{ name: 'x', type: 'text' }] },
            { name: 'imp_broken', type: 'base', fields: [{ name: 'r', type: 'relation', collectionId: 'does_not_exist' }] },
          ] as any,
          false,
        ),
      );
      assert.equal(e.status, 400);
      assert.equal(e.message, 'Failed to import collections.');
      assert.equal(e.data.collections?.code, 'validation_collections_import_failure');
      assert.equal((await sdkError(t.admin.collections.getOne('imp_ok_first'))).status, 404);
    });

    it('deleteMissing removes non-system collections left out and never system ones', async () => {
      const all = await t.admin.collections.getFullList();
      const keep = all.filter((c) => ['users', 'imp_authors'].includes(c.name) || c.system);
      await t.admin.collections.create({ name: 'imp_doomed', fields: [{ name: 'x', type: 'text' }] });
      // Only users and imp_authors (with its current fields) are listed; system ones are left out.
      const toImport = keep.filter((c) => !c.system);
      await t.admin.collections.import(toImport as any, true);
      const after = (await t.admin.collections.getFullList()).map((c) => c.name).sort();
      assert.deepEqual(after, ['_authOrigins', '_externalAuths', '_mfas', '_otps', '_superusers', 'imp_authors', 'users'].sort());
      assert.equal((await t.admin.collection('imp_authors').getFullList()).length, 1);
      assert.equal((await t.admin.collection('users').getFullList()).length, 1);
      // The superuser can still sign in: _superusers survived.
      await t.client().collection('_superusers').authWithPassword('admin@example.com', 'correct-horse-battery');
    });

    it('deleteMissing with a field list drops the fields left out of the item', async () => {
      const c = await t.admin.collections.getOne('imp_authors');
      await t.admin.collections.import([{ ...c, fields: c.fields.filter((f: any) => f.name !== 'age') }, await t.admin.collections.getOne('users')] as any, true);
      const after = await t.admin.collections.getOne('imp_authors');
      assert.ok(!after.fields.some((f: any) => f.name === 'age'));
      assert.ok(after.fields.some((f: any) => f.name === 'name'));
      assert.equal((await t.admin.collection('imp_authors').getFullList())[0].name, 'Ann');
    });
  });
}),
);
