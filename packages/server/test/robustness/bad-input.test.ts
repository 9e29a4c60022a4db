/**
 * Hostile request bodies, paths and parameters against a real server: each one gets a clear 4xx
 * in PocketBase's error envelope (spec §1.2, §2), never a 500, and a rejected write leaves the
 * database exactly as it was. Text survives a round trip byte for byte.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { assertEnvelope, countRecords, readSafeResponse, seedPosts, type SeededPosts, USER_PASSWORD } from '../helpers/robustness-fixture.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const POSTS = '/api/collections/posts/records';
const BODY_READ = 'Failed to read the submitted data.';
const NOT_FOUND = "The requested resource wasn't found.";
const TOO_LARGE = 'Request entity too large.';

interface Scenario {
  /** A sentence: who sends what. */
  name: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  expectedStatus: number;
  expectedMessage?: string;
  /** Extra checks on the decoded body. */
  check?: (body: any) => void;
}

describe('hostile input to the records API', () => {
  let t: TestServer;
  let seed: SeededPosts;
  let adminToken: string;

  before(async () => {
    t = await startTestServer();
    seed = await seedPosts(t);
    adminToken = t.admin.authStore.token;
  });
  after(() => t.close());

  /** Sends `s` as the superuser (so rules never decide) and checks status, envelope and that nothing was written unless 200. */
  async function run(s: Scenario): Promise<any> {
    const before = await countRecords(t, 'posts');
    const res = await t.fetch(s.url, { method: s.method, headers: { authorization: adminToken, ...s.headers }, body: s.body });
    const out = await readSafeResponse(res, s.name);
    assert.equal(out.status, s.expectedStatus, `${s.name}: ${JSON.stringify(out.body).slice(0, 300)}`);
    if (s.expectedMessage !== undefined) assert.equal(out.body.message, s.expectedMessage, s.name);
    s.check?.(out.body);
    const created = s.method === 'POST' && out.status === 200 ? 1 : 0;
    assert.equal(await countRecords(t, 'posts'), before + created, `${s.name}: row count`);
    return out.body;
  }

  const json = { 'content-type': 'application/json' };
  const scenarios: Scenario[] = [
    { name: 'superuser posts malformed JSON', method: 'POST', url: POSTS, headers: json, body: '{"title":', expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts JSON with a trailing comma', method: 'POST', url: POSTS, headers: json, body: '{"title":"x",}', expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts a JSON array', method: 'POST', url: POSTS, headers: json, body: '[{"title":"x"}]', expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts a JSON number', method: 'POST', url: POSTS, headers: json, body: '42', expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts a JSON string', method: 'POST', url: POSTS, headers: json, body: '"title"', expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts JSON null', method: 'POST', url: POSTS, headers: json, body: 'null', expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts invalid UTF-8 inside a JSON string', method: 'POST', url: POSTS, headers: json, body: new Uint8Array([0x7b, 0x22, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xc0, 0x22, 0x7d]), expectedStatus: 200, check: (b) => assert.equal(b.title, '\ufffd\ufffd') },
    { name: 'superuser posts text/plain', method: 'POST', url: POSTS, headers: { 'content-type': 'text/plain' }, body: 'title=x', expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts application/xml', method: 'POST', url: POSTS, headers: { 'content-type': 'application/xml' }, body: '<record><title>x</title></record>', expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts with a garbage content type', method: 'POST', url: POSTS, headers: { 'content-type': ';;==/\u00e9garbage' }, body: '{"title":"x"}', expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts application/octet-stream', method: 'POST', url: POSTS, headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([0, 1, 2, 255]), expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts a body without content type', method: 'POST', url: POSTS, body: new TextEncoder().encode('{"title":"x"}'), expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts multipart without a boundary', method: 'POST', url: POSTS, headers: { 'content-type': 'multipart/form-data' }, body: 'title=x', expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts truncated multipart', method: 'POST', url: POSTS, headers: { 'content-type': 'multipart/form-data; boundary=XX' }, body: '--XX\r\nContent-Disposition: form-data; name="title"\r\n\r\nx', expectedStatus: 400, expectedMessage: BODY_READ },
    { name: 'superuser posts multipart whose @jsonPayload is not JSON', method: 'POST', url: POSTS, headers: { 'content-type': 'multipart/form-data; boundary=XX' }, body: '--XX\r\nContent-Disposition: form-data; name="@jsonPayload"\r\n\r\n{nope\r\n--XX--\r\n', expectedStatus: 400, expectedMessage: BODY_READ },
    {
      name: 'superuser posts an empty JSON body (the SDK sends the header anyway)',
      method: 'POST',
      url: POSTS,
      headers: json,
      expectedStatus: 400,
      expectedMessage: 'Failed to create record.',
      check: (b) => assert.equal(b.data.title.code, 'validation_required'),
    },
    { name: 'superuser posts JSON with a charset parameter', method: 'POST', url: POSTS, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"title":"charset"}', expectedStatus: 200 },
    { name: 'superuser posts JSON with a UTF-8 BOM', method: 'POST', url: POSTS, headers: json, body: '\ufeff{"title":"bom"}', expectedStatus: 200, check: (b) => assert.equal(b.title, 'bom') },
    {
      name: 'superuser posts JSON nested 100,000 levels deep in a json field',
      method: 'POST',
      url: POSTS,
      headers: json,
      body: `{"title":"deep","meta":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      expectedStatus: 400,
      expectedMessage: BODY_READ,
    },
    {
      name: 'superuser posts JSON nested 100,000 levels deep in an unknown key',
      method: 'POST',
      url: POSTS,
      headers: json,
      body: `{"title":"deep","zzz":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`,
      expectedStatus: 400,
      expectedMessage: BODY_READ,
    },
    {
      name: 'guest signs in with JSON nested 100,000 levels deep',
      method: 'POST',
      url: '/api/collections/users/auth-with-password',
      headers: json,
      body: `{"identity":${'['.repeat(100_000)}${']'.repeat(100_000)},"password":"x"}`,
      expectedStatus: 400,
      expectedMessage: BODY_READ,
    },
    {
      name: 'guest signs in with an identity nested 4,000 levels deep',
      method: 'POST',
      url: '/api/collections/users/auth-with-password',
      headers: json,
      body: `{"identity":${'['.repeat(4_000)}${']'.repeat(4_000)},"password":${'['.repeat(4_000)}${']'.repeat(4_000)}}`,
      expectedStatus: 400,
    },
    {
      name: 'superuser posts a json field nested 4,000 levels deep (too deep to serialise)',
      method: 'POST',
      url: POSTS,
      headers: json,
      body: `{"title":"deep","meta":${'['.repeat(4_000)}${']'.repeat(4_000)}}`,
      expectedStatus: 400,
    },
    {
      name: 'superuser posts a json field nested 100 levels deep, which round-trips',
      method: 'POST',
      url: POSTS,
      headers: json,
      body: `{"title":"deep","meta":${'{"a":['.repeat(100)}1${']}'.repeat(100)}}`,
      expectedStatus: 200,
      check: (b) => assert.equal(JSON.stringify(b.meta), `${'{"a":['.repeat(100)}1${']}'.repeat(100)}`),
    },
    {
      name: 'superuser posts 100,000 unknown keys, which are ignored',
      method: 'POST',
      url: POSTS,
      headers: json,
      body: JSON.stringify({ title: 'many keys', ...Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])) }),
      expectedStatus: 200,
      check: (b) => {
        assert.equal(b.title, 'many keys');
        assert.ok(!('k0' in b) && !('k99999' in b));
      },
    },
    {
      name: 'superuser posts unknown, system and read-only keys, which are ignored',
      method: 'POST',
      url: POSTS,
      headers: json,
      body: JSON.stringify({ title: 'ignored', nope: 1, collectionName: 'users', collectionId: 'x', expand: { parent: {} }, created: '2000-01-01 00:00:00.000Z', constructor: { prototype: { polluted: true } }, __proto__: { polluted: true } }),
      expectedStatus: 200,
      check: (b) => {
        assert.equal(b.collectionName, 'posts');
        assert.equal(b.collectionId, seed.postsId);
        assert.ok(!('nope' in b) && !('expand' in b) && !('polluted' in b));
        assert.equal(({} as any).polluted, undefined);
      },
    },
    { name: 'superuser views a 5,000-character id', method: 'GET', url: `${POSTS}/${'a'.repeat(5_000)}`, expectedStatus: 404, expectedMessage: NOT_FOUND },
    { name: 'superuser views a 400-character id', method: 'GET', url: `${POSTS}/${'a'.repeat(400)}`, expectedStatus: 404, expectedMessage: NOT_FOUND },
    { name: 'superuser updates a 5,000-character id', method: 'PATCH', url: `${POSTS}/${'a'.repeat(5_000)}`, headers: json, body: '{"title":"x"}', expectedStatus: 404, expectedMessage: NOT_FOUND },
    { name: 'superuser deletes a 5,000-character id', method: 'DELETE', url: `${POSTS}/${'a'.repeat(5_000)}`, expectedStatus: 404, expectedMessage: NOT_FOUND },
    { name: 'superuser views a unicode id', method: 'GET', url: `${POSTS}/${encodeURIComponent('日本語🙂e\u0301')}`, expectedStatus: 404, expectedMessage: NOT_FOUND },
    { name: 'superuser views an encoded ../ id', method: 'GET', url: `${POSTS}/..%2F..%2F..%2Fetc%2Fpasswd`, expectedStatus: 404, expectedMessage: NOT_FOUND },
    { name: 'superuser views a NUL id', method: 'GET', url: `${POSTS}/%00`, expectedStatus: 404, expectedMessage: NOT_FOUND },
    { name: 'superuser views an id with broken percent-encoding', method: 'GET', url: `${POSTS}/%ZZ%`, expectedStatus: 400 },
    { name: 'superuser views an id that is an invalid UTF-8 sequence', method: 'GET', url: `${POSTS}/%ED%A0%80`, expectedStatus: 400 },
    { name: 'superuser lists a 5,000-character collection name', method: 'GET', url: `/api/collections/${'c'.repeat(5_000)}/records`, expectedStatus: 404 },
    { name: 'superuser lists an SQL-injection collection name', method: 'GET', url: `/api/collections/${encodeURIComponent('posts" WHERE 1=1; --')}/records`, expectedStatus: 404, expectedMessage: 'Missing collection context.' },
    { name: 'superuser deletes with a SQL-injection id', method: 'DELETE', url: `${POSTS}/${encodeURIComponent("x' OR '1'='1")}`, expectedStatus: 404, expectedMessage: NOT_FOUND },
    { name: 'superuser posts views 1e308', method: 'POST', url: POSTS, headers: json, body: '{"title":"n","views":1e308}', expectedStatus: 200, check: (b) => assert.equal(b.views, 1e308) },
    { name: 'superuser posts views -0, stored as 0', method: 'POST', url: POSTS, headers: json, body: '{"title":"n","views":-0}', expectedStatus: 200, check: (b) => assert.ok(Object.is(b.views, 0)) },
    { name: 'superuser posts views 1e309 (beyond float64)', method: 'POST', url: POSTS, headers: json, body: '{"title":"n","views":1e309}', expectedStatus: 400 },
    { name: 'superuser posts a 30-digit integer', method: 'POST', url: POSTS, headers: json, body: '{"title":"n","views":123456789012345678901234567890}', expectedStatus: 200, check: (b) => assert.equal(b.views, 1.2345678901234568e29) },
    { name: 'superuser posts views "12.5"', method: 'POST', url: POSTS, headers: json, body: '{"title":"n","views":"12.5"}', expectedStatus: 200, check: (b) => assert.equal(b.views, 12.5) },
    ...['NaN', 'Infinity', '-Infinity'].map(
      (v): Scenario => ({
        name: `superuser posts views "${v}"`,
        method: 'POST',
        url: POSTS,
        headers: json,
        body: JSON.stringify({ title: 'n', views: v }),
        expectedStatus: 400,
        expectedMessage: 'Failed to create record.',
        check: (b) => assert.equal(b.data.views.code, 'validation_not_a_number'),
      }),
    ),
    { name: 'superuser posts a relation to ids that do not exist', method: 'POST', url: POSTS, headers: json, body: '{"title":"r","author":["zzzzzzzzzzzzzzz"]}', expectedStatus: 400, check: (b) => assert.equal(b.data.author.code, 'validation_missing_rel_records') },
    { name: 'superuser posts a select value outside the list', method: 'POST', url: POSTS, headers: json, body: '{"title":"s","tags":["a","zzz"]}', expectedStatus: 400, check: (b) => assert.ok(b.data.tags) },
    { name: 'superuser posts an id with ../', method: 'POST', url: POSTS, headers: json, body: '{"title":"i","id":"../../../etc/x"}', expectedStatus: 400, check: (b) => assert.ok(b.data.id) },
    { name: 'superuser posts a title over its max', method: 'POST', url: POSTS, headers: json, body: JSON.stringify({ title: 'x'.repeat(201) }), expectedStatus: 400, check: (b) => assert.ok(b.data.title) },
    { name: 'superuser posts a json field over 1 MiB', method: 'POST', url: POSTS, headers: json, body: JSON.stringify({ title: 'big', meta: 'x'.repeat(1_100_000) }), expectedStatus: 400, check: (b) => assert.equal(b.data.meta.code, 'validation_json_size_limit') },
    { name: 'superuser lists with fields of bad syntax', method: 'GET', url: `${POSTS}?fields=${encodeURIComponent('title:excerpt(')}`, expectedStatus: 400 },
    { name: 'superuser lists with fields using an unknown modifier', method: 'GET', url: `${POSTS}?fields=${encodeURIComponent('title:nope(1)')}`, expectedStatus: 400 },
    { name: 'superuser lists with fields excerpt(0)', method: 'GET', url: `${POSTS}?fields=${encodeURIComponent('title:excerpt(0)')}`, expectedStatus: 400 },
    { name: 'superuser creates with fields of bad syntax: rejected before the write', method: 'POST', url: `${POSTS}?fields=${encodeURIComponent('title:excerpt(')}`, headers: json, body: '{"title":"fields"}', expectedStatus: 400 },
    { name: 'superuser lists with 10,000 opening parentheses in fields', method: 'GET', url: `${POSTS}?fields=${'('.repeat(10_000)}`, expectedStatus: 400 },
    { name: 'superuser sends a 100 KB query string', method: 'GET', url: `${POSTS}?filter=${'x'.repeat(100_000)}`, expectedStatus: 431 },
    { name: 'superuser sorts records by only commas', method: 'GET', url: `${POSTS}?sort=${encodeURIComponent(', ,')}`, expectedStatus: 200, check: (b) => assert.ok(b.items.length > 0) },
    { name: 'superuser sorts collections by only commas', method: 'GET', url: `/api/collections?sort=${encodeURIComponent(',')}`, expectedStatus: 200, check: (b) => assert.ok(b.items.length > 0) },
    { name: 'superuser filters collections with 10,000 opening parentheses', method: 'GET', url: `/api/collections?filter=${'('.repeat(10_000)}`, expectedStatus: 400 },
    { name: 'superuser filters collections with an SQL injection', method: 'GET', url: `/api/collections?filter=${encodeURIComponent("name = '' OR 1=1; DROP TABLE _collections; --")}`, expectedStatus: 400 },
    { name: 'superuser uses an unknown method on a record route', method: 'PUT', url: POSTS, headers: json, body: '{}', expectedStatus: 404, expectedMessage: NOT_FOUND },
  ];

  for (const s of scenarios) it(s.name, () => run(s));

  it('a fields error on update is reported before anything is written', async () => {
    const id = seed.postIds[2];
    const before = await t.admin.collection('posts').getOne(id);
    const res = await t.fetch(`${POSTS}/${id}?fields=${encodeURIComponent('a:excerpt(1,2,3')}`, { method: 'PATCH', headers: { authorization: adminToken, ...json }, body: '{"title":"changed"}' });
    await readSafeResponse(res, 'patch with bad fields');
    assert.equal(res.status, 400);
    assert.deepEqual(await t.admin.collection('posts').getOne(id), before);
  });

  const UNICODE: Array<[string, string]> = [
    ['emoji and ZWJ sequences', '🙂👩‍👩‍👧‍👦🏳️‍🌈'],
    ['combining marks', 'e\u0301 a\u0300\u0323 Z\u0351\u0308\u0334'],
    ['right-to-left text and overrides', 'مرحبا שלום \u202Eabc\u202C'],
    ['NUL and control characters', 'a\u0000b\u0001\u001f\u007f'],
    ['line and paragraph separators', 'x\u2028y\u2029z\r\n\t'],
    ['BOM and non-characters', '\uFEFFx\uFFFE\uFFFF'],
    ['astral code points', '𝕳𝖊𝖑𝖑𝖔 \u{10FFFF}'],
    ['quotes and backslashes', `"'\\\`%_`],
  ];
  for (const [what, text] of UNICODE) {
    it(`round-trips ${what} exactly through create, view, update and the multipart encoding`, async () => {
      const created = await t.admin.collection('posts').create({ title: text, meta: { [text]: [text] } });
      assert.equal(created.title, text);
      const viewed = await t.admin.collection('posts').getOne(created.id);
      assert.equal(viewed.title, text);
      assert.deepEqual(viewed.meta, { [text]: [text] });
      const updated = await t.admin.collection('posts').update(created.id, { title: `${text}|${text}` });
      assert.equal(updated.title, `${text}|${text}`);
      assert.equal((await t.admin.collection('posts').getOne(created.id)).title, `${text}|${text}`);
      // Multipart (what the SDK sends with files) goes through another decoder.
      const form = new FormData();
      form.append('title', text);
      form.append('file-less', new Blob(['x']), 'x.txt');
      const res = await t.fetch(POSTS, { method: 'POST', headers: { authorization: adminToken }, body: form });
      const { body } = await readSafeResponse(res, `multipart ${what}`);
      assert.equal(res.status, 200);
      assert.equal((await t.admin.collection('posts').getOne(body.id)).title, text);
    });
  }

  it('stores a lone surrogate as U+FFFD and answers what it stored', async () => {
    const res = await t.fetch(POSTS, { method: 'POST', headers: { authorization: adminToken, ...json }, body: '{"title":"a\\ud800b","meta":{"k\\udc00":"\\udbff"}}' });
    const { body } = await readSafeResponse(res, 'lone surrogate');
    assert.equal(res.status, 200);
    assert.equal(body.title, 'a\ufffdb');
    assert.deepEqual(body.meta, { 'k\ufffd': '\ufffd' });
    const viewed = await t.admin.collection('posts').getOne(body.id);
    assert.equal(viewed.title, body.title);
    assert.deepEqual(viewed.meta, body.meta);
  });

  it('expands a relation cycle to at most 6 levels (spec §3.4) without looping', async () => {
    const res = await t.fetch(`${POSTS}/${seed.postIds[0]}?expand=${'parent.'.repeat(7)}parent`, { headers: { authorization: adminToken } });
    const { body } = await readSafeResponse(res, 'expand cycle');
    assert.equal(res.status, 200);
    const chain: number[] = [];
    let cur = body;
    while (cur.expand?.parent) {
      cur = cur.expand.parent;
      chain.push(seed.postIds.indexOf(cur.id));
    }
    // post0 → post5 → post4 → … → post0 again: the cycle is followed, 6 hops and no more.
    assert.deepEqual(chain, [5, 4, 3, 2, 1, 0]);
    // A record that is its own parent, expanded as deep as a client likes.
    const self = await t.admin.collection('posts').create({ title: 'self' });
    await t.admin.collection('posts').update(self.id, { parent: self.id });
    const list = await t.fetch(`${POSTS}?filter=${encodeURIComponent(`id = "${self.id}"`)}&expand=${encodeURIComponent(Array.from({ length: 50 }, (_, i) => 'parent'.concat('.parent'.repeat(i))).join(','))}`, { headers: { authorization: adminToken } });
    const listed = await readSafeResponse(list, 'self cycle');
    assert.equal(list.status, 200);
    assert.equal(listed.body.items[0].expand.parent.id, self.id);
  });

  it('unknown expand paths and back-relations are ignored, not errors', async () => {
    for (const expand of ['nope', 'title', 'meta.x', 'posts_via_nope', 'users_via_parent', 'parent.nope.parent', ',,,', '(((']) {
      const res = await t.fetch(`${POSTS}/${seed.postIds[0]}?expand=${encodeURIComponent(expand)}`, { headers: { authorization: adminToken } });
      const { body } = await readSafeResponse(res, `expand=${expand}`);
      assert.equal(res.status, 200, `expand=${expand}`);
      assert.equal(body.id, seed.postIds[0]);
    }
  });

  // --- Random bodies: whatever the client sends, never a 500, and a 400 writes nothing. ---
  const fieldKey = fc.constantFrom(
    'title', 'views', 'published', 'tags', 'author', 'meta', 'parent', 'id', 'created', 'updated', 'collectionName', 'expand',
    'views+', 'views-', 'tags+', '+tags', 'tags-', 'author+', 'parent-', 'title:autogenerate', 'title+', 'meta+', '', '__proto__', 'constructor', '@jsonPayload',
  );
  const fieldValue = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom('a', 'b', 'zzz', '', seed0(), '1e3', 'NaN', '-0', 'true', '[]', '["a","b"]', '{"x":1}', 1e308, -1e308, Number.MAX_SAFE_INTEGER, 'x'.repeat(250)),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
  /** A stand-in resolved at run time to an existing record id (relations need real ids sometimes). */
  function seed0(): string {
    return '__existing_id__';
  }
  // A plausible title most of the time, so that many bodies get past `required` into the rest.
  const bodyArb = fc
    .tuple(fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), { freq: 3 }), fc.dictionary(fieldKey, fieldValue, { maxKeys: 8 }))
    .map(([title, rest]) => (title === null ? rest : { title, ...rest }));
  const encodingArb = fc.constantFrom('json', 'urlencoded', 'multipart');

  function encode(body: Record<string, unknown>, encoding: string): { headers: Record<string, string>; body: string | FormData } {
    const resolved = JSON.parse(JSON.stringify(body).replaceAll('__existing_id__', seed.postIds[1]));
    if (encoding === 'json') return { headers: json, body: JSON.stringify(resolved) };
    const form = encoding === 'multipart' ? new FormData() : new URLSearchParams();
    for (const [k, v] of Object.entries(resolved)) {
      if (Array.isArray(v)) for (const item of v) form.append(k, typeof item === 'string' ? item : JSON.stringify(item));
      else form.append(k, typeof v === 'string' ? v : JSON.stringify(v));
    }
    if (form instanceof FormData) return { headers: {}, body: form };
    return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() };
  }

  it('random create bodies: never a 5xx; a 400 writes nothing; a 200 stores what it answers', async () => {
    const tokens = { superuser: adminToken, user: seed.user.authStore.token, guest: undefined };
    let ok = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...(Object.keys(tokens) as Array<keyof typeof tokens>)), bodyArb, encodingArb, async (caller, body, encoding) => {
        const before = await countRecords(t, 'posts');
        const req = encode(body, encoding);
        const token = tokens[caller];
        const res = await t.fetch(POSTS, { method: 'POST', headers: { ...(token ? { authorization: token } : {}), ...req.headers }, body: req.body });
        const out = await readSafeResponse(res, `${caller} ${encoding} create ${JSON.stringify(body).slice(0, 300)}`);
        const after = await countRecords(t, 'posts');
        if (out.status === 200) {
          ok++;
          assert.equal(after, before + 1);
          assert.deepEqual(await t.admin.collection('posts').getOne(out.body.id), out.body);
        } else {
          assert.ok([400, 403].includes(out.status), `unexpected ${out.status}`);
          assert.equal(after, before, `a ${out.status} wrote a row: ${JSON.stringify(out.body)}`);
        }
      }),
      { numRuns: 200, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: false },
    );
    assert.ok(ok > 20, `only ${ok} random creates succeeded`);
  });

  it('random update bodies: never a 5xx; a 400 or 404 leaves the record unchanged', async () => {
    const target = await t.admin.collection('posts').create({ title: 'target', author: seed.userId, tags: ['a'], views: 5 });
    const tokens = { superuser: adminToken, user: seed.user.authStore.token, guest: undefined };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...(Object.keys(tokens) as Array<keyof typeof tokens>)), bodyArb, encodingArb, async (caller, body, encoding) => {
        const before = await t.admin.collection('posts').getOne(target.id);
        const req = encode(body, encoding);
        const token = tokens[caller];
        const res = await t.fetch(`${POSTS}/${target.id}`, { method: 'PATCH', headers: { ...(token ? { authorization: token } : {}), ...req.headers }, body: req.body });
        const out = await readSafeResponse(res, `${caller} ${encoding} update ${JSON.stringify(body).slice(0, 300)}`);
        const stored = await t.admin.collection('posts').getOne(target.id);
        if (out.status === 200) {
          assert.deepEqual(stored, out.body);
          // Keep the user able to edit it: the update rule is author = @request.auth.id.
          if (stored.author !== seed.userId) await t.admin.collection('posts').update(target.id, { author: seed.userId });
        } else {
          assert.ok([400, 403, 404].includes(out.status), `unexpected ${out.status}`);
          assert.deepEqual(stored, before, `a ${out.status} changed the record`);
        }
      }),
      { numRuns: 200, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: false },
    );
  });

  it('random auth-record updates by the owner never produce a 5xx and a 400 changes nothing', async () => {
    const email = 'carol@example.com';
    const carol = await t.admin.collection('users').create({ email, password: USER_PASSWORD, passwordConfirm: USER_PASSWORD, name: 'Carol' });
    const client = t.client();
    await client.collection('users').authWithPassword(email, USER_PASSWORD);
    const key = fc.constantFrom('email', 'password', 'passwordConfirm', 'oldPassword', 'verified', 'emailVisibility', 'name', 'tokenKey', 'id', 'avatar', 'nope');
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(USER_PASSWORD, 'short', 'new-password-123', 'x@example.com', '', 'not an email'));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 5 }), async (body) => {
        const before = await t.admin.collection('users').getOne(carol.id);
        const res = await t.fetch(`/api/collections/users/records/${carol.id}`, { method: 'PATCH', headers: { authorization: client.authStore.token, ...json }, body: JSON.stringify(body) });
        const out = await readSafeResponse(res, `carol update ${JSON.stringify(body).slice(0, 300)}`);
        if (out.status !== 200) assert.deepEqual(await t.admin.collection('users').getOne(carol.id), before, `a ${out.status} changed the user`);
      }),
      { numRuns: 80, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false },
    );
  });

  it('random raw bytes under random content types never produce a 5xx and a 400 writes nothing', async () => {
    const contentType = fc.oneof(
      fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=b', 'multipart/form-data', 'text/plain', 'application/xml', '', '*/*', 'application/json; charset=latin1'),
      fc.string({ maxLength: 40 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s)),
    );
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }).map((s) => new TextEncoder().encode(s)), fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v))));
    await fc.assert(
      fc.asyncProperty(contentType, bytes, async (type, body) => {
        const before = await countRecords(t, 'posts');
        const res = await t.fetch(POSTS, { method: 'POST', headers: { authorization: adminToken, ...(type ? { 'content-type': type } : {}) }, body });
        const out = await readSafeResponse(res, `raw ${type}`);
        assert.equal(await countRecords(t, 'posts'), before + (out.status === 200 ? 1 : 0));
      }),
      { numRuns: 150, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false },
    );
  });

  it('a batch with hostile sub-requests fails as a whole and leaves nothing behind', async () => {
    await t.admin.settings.update({ batch: { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 } });
    const before = await countRecords(t, 'posts');
    const cases: unknown[] = [
      [{ method: 'POST', url: POSTS, body: { title: 'b1' } }, { method: 'POST', url: POSTS, body: { title: '' } }],
      [{ method: 'POST', url: POSTS, body: { title: 'b1' } }, { method: 'POST', url: `/api/collections/${'%ZZ'}/records`, body: {} }],
      [{ method: 'POST', url: POSTS, body: { title: 'b1' } }, { method: 'POST', url: `${POSTS}?fields=${encodeURIComponent('a:excerpt(')}`, body: { title: 'b2' } }],
      [{ method: 'POST', url: POSTS, body: { title: 'b1' } }, { method: 'PATCH', url: `${POSTS}/${'x'.repeat(3000)}`, body: {} }],
      [{ method: 'POST', url: POSTS, body: { title: 'b1' } }, { method: 'GET', url: POSTS }],
      [{ method: 'POST', url: POSTS, body: { title: 'b1' } }, { method: 'POST', url: `${POSTS}?x=${'y'.repeat(2_000)}`, body: { title: 'b2' } }],
      [{ method: 'POST', url: POSTS, body: { title: 'b1' } }, { method: 'DELETE', url: `${POSTS}/${seed.postIds[0]}` }, { method: 'POST', url: POSTS, body: { title: 'b3', views: 'NaN' } }],
      [{ method: 'POST', url: POSTS, body: { title: 'b1' } }, 'not an object'],
      [{ method: 'POST', url: POSTS, body: { title: 'b1' } }, { method: 'POST', url: POSTS, body: [1, 2] }],
    ];
    for (const requests of cases) {
      const res = await t.fetch('/api/batch', { method: 'POST', headers: { authorization: adminToken, ...json }, body: JSON.stringify({ requests }) });
      const out = await readSafeResponse(res, `batch ${JSON.stringify(requests).slice(0, 200)}`);
      assert.equal(out.status, 400, `${JSON.stringify(requests).slice(0, 300)} → ${JSON.stringify(out.body).slice(0, 300)}`);
      assert.equal(await countRecords(t, 'posts'), before, `batch wrote rows: ${JSON.stringify(requests).slice(0, 200)}`);
    }
  });
});

describe('body size limit', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ bodyLimit: 1024 });
    // Only text fields: json, editor and file fields raise a collection's limit (spec §3.5.6).
    await t.admin.collections.create({ name: 'notes', type: 'base', createRule: '', listRule: '', fields: [{ name: 'text', type: 'text' }] });
  });
  after(() => t.close());

  async function expect413(res: Response, what: string) {
    const { status, body } = await readSafeResponse(res, what);
    assert.equal(status, 413, what);
    assertEnvelope(body, 413, what);
    assert.equal(body.message, TOO_LARGE);
  }

  it('answers 413 Request entity too large. for a record body over the limit, and writes nothing', async () => {
    await expect413(await t.fetch('/api/collections/notes/records', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x'.repeat(2_000) }) }), 'json');
    const form = new FormData();
    form.append('text', 'x'.repeat(2_000));
    await expect413(await t.fetch('/api/collections/notes/records', { method: 'POST', body: form }), 'multipart');
    await expect413(await t.fetch('/api/collections/notes/records', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `text=${'x'.repeat(2_000)}` }), 'urlencoded');
    assert.equal((await t.admin.collection('notes').getList(1, 1)).totalItems, 0);
  });

  it('answers 413 for a streamed (chunked, no Content-Length) body over the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(512));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"text":"'));
        if (sent++ < 8) controller.enqueue(chunk);
        else {
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
        }
      },
    });
    const res = await t.fetch('/api/collections/notes/records', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    await expect413(res, 'chunked');
    assert.equal((await t.admin.collection('notes').getList(1, 1)).totalItems, 0);
  });

  it('a client that goes away halfway through a body leaves nothing behind, and the server keeps serving', async () => {
    const { port } = new URL(t.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write('POST /api/collections/notes/records HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"text":"half');
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const ok = await t.fetch('/api/collections/notes/records', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'whole' }) });
    assert.equal(ok.status, 200);
    const list = await t.admin.collection('notes').getFullList();
    assert.deepEqual(list.map((r) => r.text), ['whole']);
    await t.admin.collection('notes').delete(list[0].id);
  });

  it('answers 413 on other routes too, and accepts a body under the limit', async () => {
    await expect413(await t.fetch('/api/collections/users/auth-with-password', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'x'.repeat(2_000), password: 'x' }) }), 'auth');
    await expect413(await t.fetch('/api/collections', { method: 'POST', headers: { authorization: t.admin.authStore.token, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', fields: [], pad: 'x'.repeat(2_000) }) }), 'collections');
    const ok = await t.fetch('/api/collections/notes/records', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x'.repeat(900) }) });
    assert.equal(ok.status, 200);
    assert.equal((await t.admin.collection('notes').getList(1, 1)).totalItems, 1);
  });
});
