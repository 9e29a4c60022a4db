import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BadRequestError, ForbiddenError } from '../errors.ts';
import type { CompileOptions } from './rule-compiler.ts';
import { checkRule, compileFilter, compileSort } from './rule-compiler.ts';
import type { RequestInfo } from './record-field-resolver.ts';
import { FROZEN_NOW, matchIds, openFixture, options, posts, sortedIds, userRequest, users } from './rule-test-fixture.ts';

const db = openFixture();
const ALL = ['p1', 'p2', 'p3', 'p4'];

type Case = [filter: string, expected: string[], over?: Partial<CompileOptions>];

function table(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const [filter, expected, over] of cases) {
      const who = over?.request?.auth ? ` (as ${String(over.request.auth.record.id)})` : '';
      it(`${filter}${who}${over?.mode === 'filter' ? ` [filter${over.isSuperuser ? ', superuser' : ''}]` : ''}`, () => {
        assert.deepEqual(matchIds(db, filter, options(over)), expected);
      });
    }
  });
}

table('operators and NULL ≡ "" (spec §4.4)', [
  ['title = "Hello World"', ['p1']],
  ["'Hello World' = title", ['p1']],
  ['title != "Hello World"', ['p2', 'p3', 'p4']],
  ['title = ""', ['p3']],
  ['title = null', ['p3']],
  ['title != ""', ['p1', 'p2', 'p4']],
  ['title != NULL', ['p1', 'p2', 'p4']],
  ['summary = ""', ['p3', 'p4']],
  ['summary != null', ['p1', 'p2']],
  ['title = summary', ['p1', 'p3']],
  ['title != summary', ['p2', 'p4']],
  ['"" = ""', ALL],
  ['null = null', ALL],
  ['views > 0', ['p1', 'p3']],
  ['views >= 5', ['p1', 'p3']],
  ['views < 0', ['p4']],
  ['views <= 0', ['p2', 'p4']],
  ['views = 10', ['p1']],
  ['views = "10"', ['p1']],
  ['views ?> 5', ['p1']],
  ['published = true', ['p1', 'p3']],
  ['published = false', ['p2', 'p4']],
  ['published = true && views > 5 || views < 0', ['p1', 'p4']],
  ['published = true && (views > 5 || views < 0)', ['p1']],
  ['()', ALL],
  ['category = "x" // comment', ['p1', 'p4']],
]);

table('LIKE (spec §4.4)', [
  ['title ~ "world"', ['p1']],
  ['title ~ "WORLD"', ['p1']],
  ['title !~ "world"', ['p2', 'p3', 'p4']],
  ['title ~ "50%"', ['p2']],
  ['title ~ "%sale"', ['p2']],
  ['title ~ "off_s"', ['p2']],
  ['title ~ "o_f"', []],
  ['title ~ "50\\%"', ['p2']],
  ["title ~ 'It\\'s'", ['p4']],
  ['"Hello World, again" ~ title', ['p1', 'p3']],
  ['title ~ summary', ['p1', 'p4']], // '' LIKE '%' || NULL || '%' is NULL
  ['title ?~ "hello"', ['p1']],
]);

table('multi-valued fields, ALL vs ANY (spec §4.10)', [
  ['tags:each ?= "g1"', ['p1', 'p4']],
  ['tags.id ?= "g1"', ['p1', 'p4']],
  ['tags ~ "g3"', ['p2']],
  ['labels:each ?= "a"', ['p1', 'p2']],
  ['labels:each = "a"', ['p2']],
  ['labels:each != "a"', ['p3', 'p4']],
  // Like PocketBase's LEFT JOIN, an empty list joins one NULL row, so `?!=` holds for it.
  ['labels:each ?!= "a"', ['p1', 'p3', 'p4']],
  ['labels:length > 1', ['p1']],
  ['labels:length = 0', ['p3']],
  ['labels = "[\\"a\\"]"', ['p2']],
  ['tags.name ?= "news"', ['p1', 'p4']],
  ['tags.name = "news"', []],
  ['tags.name != "spam"', ['p1', 'p3', 'p4']],
  ['tags.name ?= "news" && tags.name ?= "tech"', []],
  ['tags.name ?= "news" && tags:each ?= "g2"', ['p1']],
  ['tags.name ?= "news" || views = 0', ['p1', 'p2', 'p4']],
  ['labels:each = tags:each', ['p3']], // both empty: compared once as NULL = NULL
  ['labels:each ?= category', []],
]);

table('relations and back-relations (spec §4.3)', [
  ['author.name = "Ann"', ['p1']],
  ['author.name != "Ann"', ['p2', 'p3', 'p4']],
  ['author.id = "u1"', ['p1']],
  ['author = "u1"', ['p1']],
  ['author.team.name = "Blue"', ['p2']],
  ['author.team.owner.name = "Bob"', ['p2']],
  ['author.role = "admin"', ['p1']],
  ['comments_via_post.approved ?= true', ['p1', 'p2']],
  ['comments_via_post.message ?~ "spam"', ['p1']],
  ['comments_via_post.approved = true', ['p2']],
  ['comments_via_post.author.name ?= "Bob"', ['p1']],
  ['notes_via_posts.id ?= "n1"', ['p1', 'p2']],
  ['notes_via_posts.id = "n2"', []], // p2 also has n1; p3/p4 have none (NULL = 'n2' is false)
  ['notes_via_posts.id != "n1"', ['p3', 'p4']],
]);

table('json and geoPoint (spec §4.3, §4.9)', [
  ['meta.a = 1', ['p1']],
  ['meta.b.c = "deep"', ['p1']],
  ['meta.arr.1 = 2', ['p1']],
  ['meta = null', ['p2']],
  ['meta.a != 1', ['p2', 'p3', 'p4']],
  ['meta.a:lower = "1"', ['p1']],
  ['location.lon > 20', ['p1', 'p3']],
  ['geoDistance(location.lon, location.lat, 23.32, 42.69) < 25', ['p1', 'p3']],
  ['geoDistance(location.lon, location.lat, 23.32, 42.69) = 0', ['p1']],
  ["strftime('%Y-%m', created) = \"2026-03\"", ['p1', 'p4']],
  ["strftime('%Y', created, 'start of year') = '2026'", ['p1', 'p2', 'p4']],
  ['title:lower = "hello world"', ['p1']],
]);

table('datetime macros with a frozen clock (spec §4.8)', [
  ['created >= @todayStart && created <= @todayEnd', ['p1']],
  ['created < @yearStart', ['p3']],
  ['created >= @monthStart && created <= @monthEnd', ['p1', 'p4']],
  ['created > @yesterday && created < @tomorrow', ['p1', 'p4']],
  ['created < @now', ['p1', 'p2', 'p3']],
  ['@month = 3 && @day = 1 && @year = 2026 && @hour = 12 && @minute = 0 && @second = 0', ALL],
  [`@weekday = ${FROZEN_NOW.getUTCDay()}`, ALL],
  ['created <= @yearEnd && created >= "2026-01-01"', ['p1', 'p2', 'p4']],
]);

const ann = (extra: Partial<RequestInfo> = {}) => ({ request: userRequest('u1', extra) });
const bob = (extra: Partial<RequestInfo> = {}) => ({ request: userRequest('u2', extra) });

table('@request.* in rules (spec §4.6)', [
  ['@request.auth.id != ""', []],
  ['@request.auth.id != ""', ALL, ann()],
  ['@request.auth.id = ""', ALL],
  ['author = @request.auth.id', ['p1'], ann()],
  ['author = @request.auth.id && @request.auth.id != ""', []],
  ['@request.auth.collectionName = "users" && @request.auth.verified = true', ALL, ann()],
  ['@request.auth.verified = true', [], bob()],
  ['@request.auth.email = "ann@x.com"', ALL, ann()],
  ['@request.auth.role = "admin"', ALL, ann()],
  ['author.team = @request.auth.team', ['p1'], ann()],
  ['@request.auth.team.owner = author', ['p1'], ann()],
  ['@request.auth.team.name = "Blue"', ALL, bob()],
  ['@request.auth.nope = null', ALL, ann()],
  ['@request.auth.team.nope = null', ALL, ann()],
  ['@request.query.q = title', ['p1'], { request: { ...userRequest('u1'), query: { q: 'Hello World' } } }],
  ['@request.query.missing = null', ALL],
  ['@request.headers.x_token = "abc"', ALL, { request: { ...userRequest('u1'), headers: { 'X-Token': 'abc' } } }],
  ['@request.method = "GET" && @request.context = "default"', ALL],
  ['@request.method = "POST"', []],
  ['@request.body.title:isset = true', ALL, { request: { ...userRequest('u1'), body: { title: 'x' } } }],
  ['@request.body.title:isset = true', []],
  ['@request.body.title:changed = false', ['p1'], { request: { ...userRequest('u1'), body: { title: 'Hello World' } } }],
  ['@request.body.title:changed = false', ALL],
  ['@request.body.views = views', ['p1'], { request: { ...userRequest('u1'), body: { views: '10' } } }],
  ['@request.body.labels:length = 2', ALL, { request: { ...userRequest('u1'), body: { labels: ['a', 'c'] } } }],
  ['@request.body.labels:each ?= "c"', ALL, { request: { ...userRequest('u1'), body: { labels: ['a', 'c'] } } }],
  ['@request.body.labels:each != "z"', ALL, { request: { ...userRequest('u1'), body: { labels: ['a', 'c'] } } }],
  ['@request.body.labels:each = "a"', [], { request: { ...userRequest('u1'), body: { labels: ['a', 'c'] } } }],
  ['@request.body.author.name = "Ann"', ALL, { request: { ...userRequest('u1'), body: { author: 'u1' } } }],
  ['@request.body.tags.name ?= "tech"', ALL, { request: { ...userRequest('u1'), body: { tags: ['g1', 'g2'] } } }],
  ['@request.body.title:lower = "abc"', ALL, { request: { ...userRequest('u1'), body: { title: 'ABC' } } }],
  ['@request.body.meta.x.0 = 5', ALL, { request: { ...userRequest('u1'), body: { meta: { x: [5] } } } }],
  ['@request.body.unknown = null', ALL],
]);

table('@collection joins (spec §4.7)', [
  // Same row for un-aliased any-of comparisons: Ann is only a member of t1.
  ['@collection.memberships.user ?= @request.auth.id && @collection.memberships.team ?= author.team', ['p1'], ann()],
  ['@collection.memberships.user ?= @request.auth.id && @collection.memberships.team ?= author.team', ['p1', 'p2'], bob()],
  ['@collection.memberships.user ?= "u1" && @collection.memberships.team ?= "t2"', []],
  ['@collection.memberships:a.user ?= "u1" && @collection.memberships:b.team ?= "t2"', ALL],
  ['@collection.memberships.user = "u2"', []],
  ['@collection.memberships.user.name ?= "Bob"', ALL],
  ['@collection.c_tags.name ?= "spam"', ALL],
]);

const filterAs = (isSuperuser: boolean, extra: Partial<CompileOptions> = {}): Partial<CompileOptions> => ({ mode: 'filter', isSuperuser, ...extra });

table('client filters: restrictions of spec §4.11', [
  ['tags.name ?= "spam"', ['p2']],
  ['tags.name ?= "spam"', [], filterAs(false)],
  ['tags.name ?= "spam"', ['p2'], filterAs(true)],
  ['comments_via_post.message ?= "spam"', [], filterAs(false)],
  ['comments_via_post.message ?= "spam"', ['p1'], filterAs(true)],
  ['comments_via_post.message ?= "great"', ['p1'], filterAs(false)],
  ['privateRef.name = "p"', ['p1'], filterAs(true)],
  ['secret = "k"', ['p1'], filterAs(true)],
  ['author.email = "ann@x.com"', ['p1'], filterAs(false)],
  ['author.email = "bob@x.com"', [], filterAs(false)],
  ['author.email = "bob@x.com"', ['p2'], filterAs(true)],
  ['author.email = "bob@x.com"', ['p2']],
  ['author.email != "nobody"', ['p1', 'p4'], filterAs(false)],
  ['email ~ "@x.com"', ['u1', 'u3'], filterAs(false, { collection: users, alias: '`users`' })],
  ['email = "bob@x.com"', ['u2'], { collection: users, alias: '`users`' }],
  ['@request.auth.id = ""', ALL, filterAs(true)],
]);

table('SQL injection attempts are plain data', [
  ['title = "x\' OR 1=1 --"', []],
  ['title = "x\\" OR 1=1 --"', []],
  ['title = \'It\\\'s "quoted" `x`; DROP\'', ['p4']],
  ['title = "It\'s \\"quoted\\" `x`; DROP"', ['p4']],
  ['title ~ "`; DROP TABLE posts; --"', []],
  ['title ~ "DROP"', ['p4']],
  ['@request.query.q = "1"', [], { request: { ...userRequest('u1'), query: { q: "1' OR '1'='1" } } }],
  ['@request.body.title = title', [], { request: { ...userRequest('u1'), body: { title: "' OR 1=1; DROP TABLE posts; --" } } }],
]);

describe('errors', () => {
  const bad: Array<[string, RegExp, Partial<CompileOptions>?]> = [
    ['title = ', /Invalid filter: Expected an operand .* at position 8, found end of input/],
    ['title foo 1', /Expected an operator .* at position 6, found "foo"/],
    ['nope = 1', /Unknown field "nope"/],
    ['title:foo = 1', /Unknown modifier "foo"/],
    ['title:isset = 1', /applies only to @request/],
    ['title:each ?= 1', /applies only to select, relation and file/],
    ['views.x = 1', /not a relation/],
    ['author.nope = 1', /Unknown field "nope"/],
    ['nope_via_post.id = 1', /Unknown field or back-relation/],
    ['@foo = 1', /Unknown macro "@foo"/],
    ['@random = 1', /Unknown macro/],
    ['@today = 1', /Unknown macro/],
    ['nope(1) = 1', /Unknown function "nope"/],
    ['geoDistance(1, 2, 3) = 1', /exactly 4 arguments/],
    ["strftime(created) = 1", /text format/],
    ['@collection.nope.id = 1', /Unknown collection "nope"/],
    ['@collection.posts = 1', /Invalid @collection path/],
    ['@request.nope = 1', /Unknown request field/],
    ['@request.body.title:each = 1', /multi-valued field/],
    ['@request.body.title:length = 1', /multi-valued field/],
    ['@request.body.nope:changed = 1', /:changed modifier applies only/],
    ['author.author.author.author.author.author.author.id = 1', /not a relation|Unknown field/],
    ['meta.a-b = 1', /Invalid filter/],
    ['secret = "k"', /hidden/, filterAs(false)],
    ['author.secret = "s1"', /hidden/, filterAs(false)],
    ['privateRef.name = "p"', /Only superusers can filter by fields of the "secrets" collection/, filterAs(false)],
    ['title` = 1', /Invalid filter/],
    ['title = 1; DROP TABLE posts', /Invalid filter/],
  ];
  for (const [filter, message, over] of bad) {
    it(`${filter} → 400`, () => {
      assert.throws(
        () => compileFilter(filter, options(over)),
        (err: unknown) => {
          assert.ok(err instanceof BadRequestError, String(err));
          assert.equal(err.code, 'bad_request');
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it('limits relation hops to 6', () => {
    const deep = 'author.team.owner.team.owner.team.owner.name = 1';
    assert.throws(() => compileFilter(deep, options()), /Too many nested relations/);
    assert.doesNotThrow(() => compileFilter('author.team.owner.team.owner.team.name = 1', options()));
  });

  const forbidden: Array<[string, string]> = [
    ['@request.auth.id != ""', 'Only superusers can filter by @request.'],
    ['@collection.users.id ?= author', 'Only superusers can filter by @collection.'],
    ['title = "@request.auth.id"', 'Only superusers can filter by @request.'],
  ];
  for (const [filter, message] of forbidden) {
    it(`${filter} → 403 for a non-superuser client filter`, () => {
      assert.throws(
        () => compileFilter(filter, options(filterAs(false))),
        (err: unknown) => err instanceof ForbiddenError && err.code === 'forbidden' && err.message === message,
      );
      assert.doesNotThrow(() => compileFilter(filter, options(filterAs(true))));
      assert.doesNotThrow(() => compileFilter(filter, options()));
    });
  }

  it('checkRule reports problems for collection validation', () => {
    assert.equal(checkRule('author = @request.auth.id', posts, options().collections, options().dialect), undefined);
    assert.match(checkRule('nope = 1', posts, options().collections, options().dialect) ?? '', /Unknown field/);
    assert.match(checkRule('a =', posts, options().collections, options().dialect) ?? '', /position 3/);
  });
});

describe('SQL shape', () => {
  it('uses ? placeholders only, values bound in order of appearance', () => {
    const { sql, params } = compileFilter('title = "a\'b" && views > 3 || author.name ~ "x"', options());
    assert.ok(!sql.includes("a'b"));
    assert.equal(sql.split('?').length - 1, params.length);
    assert.deepEqual(params, ["a'b", 3, '%x%']);
  });

  it('repeats a bound value when a dialect fragment repeats its expression', () => {
    const { sql, params } = compileFilter('@request.body.labels:each ?= "c"', options({ request: { ...userRequest('u1'), body: { labels: ['c'] } } }));
    assert.equal(sql.split('?').length - 1, params.length);
    assert.ok(params.filter((p) => p === '["c"]').length >= 2);
  });

  it('applies the related listRule inside the join', () => {
    const { sql } = compileFilter('tags.name ?= "x"', options(filterAs(false)));
    assert.match(sql, /`public`/);
  });
});

describe('compileSort', () => {
  const sorts: Array<[string, string[], Partial<CompileOptions>?]> = [
    ['-views', ['p1', 'p3', 'p2', 'p4']],
    ['+views', ['p4', 'p2', 'p3', 'p1']],
    ['views', ['p4', 'p2', 'p3', 'p1']],
    ['category,-views', ['p2', 'p1', 'p4', 'p3']],
    [' author.name , id', ['p3', 'p4', 'p1', 'p2']],
    ['author.team.name,-id', ['p4', 'p3', 'p2', 'p1']],
    ['@rowid', ['p1', 'p2', 'p3', 'p4']],
    ['-@rowid', ['p4', 'p3', 'p2', 'p1']],
    ['meta.a,id', ['p2', 'p4', 'p1', 'p3']],
    ['-author.email,id', ['p4', 'p1', 'p2', 'p3'], filterAs(false)], // Bob's hidden email sorts as NULL
    ['-author.email,id', ['p4', 'p2', 'p1', 'p3']],
  ];
  for (const [sort, expected, over] of sorts) {
    it(sort, () => assert.deepEqual(sortedIds(db, sort, options(over)), expected));
  }

  it('@random sorts every row', () => {
    assert.deepEqual(sortedIds(db, '@random', options()).sort(), ALL);
  });

  const bad: Array<[string, RegExp, Partial<CompileOptions>?]> = [
    ['tags.name', /multi-valued/],
    ['labels:each', /multi-valued/],
    ['comments_via_post.message', /multi-valued/],
    ['nope', /Unknown field/],
    ['title desc', /Invalid sort key/],
    ['a,b,c,d,e,f,g,h,i', /Too many sort keys/],
    [`${'a'.repeat(256)}`, /too long/],
    ['secret', /hidden/, filterAs(false)],
  ];
  for (const [sort, message, over] of bad) {
    it(`${sort.slice(0, 30)} → 400`, () => {
      assert.throws(() => compileSort(sort, options(over)), (e: unknown) => e instanceof BadRequestError && message.test(e.message));
    });
  }

  it('403 for @request in a non-superuser sort', () => {
    assert.throws(() => compileSort('@request.auth.id', options(filterAs(false))), ForbiddenError);
  });
});

describe('property: random filters over the fixture', () => {
  const paths = [
    'id', 'title', 'summary', 'views', 'published', 'author', 'author.name', 'author.email', 'author.team.name', 'author.secret',
    'tags', 'tags.name', 'tags:each', 'tags:length', 'labels:each', 'labels:length', 'labels:lower', 'category', 'meta', 'meta.a',
    'meta.b.c', 'location.lon', 'created', 'secret', 'privateRef.name', 'comments_via_post.message', 'notes_via_posts.id',
    '@request.auth.id', '@request.auth.team.name', '@request.body.title', '@request.body.labels:each', '@request.query.q',
    '@collection.memberships.user', '@collection.tags:t.name', '@now', '@todayStart', 'null', 'true', 'nope', 'title:nope',
    'views.x', "'it''s'", '"x\\"y"', "'%_\\\\'", '0', '-1.5', "geoDistance(location.lon, location.lat, 1, 2)", "strftime('%Y', created)",
  ];
  const ops = ['=', '!=', '~', '!~', '<', '<=', '>', '>=', '?=', '?!=', '?~', '?!~', '?<', '?<=', '?>', '?>='];
  const comparison = fc.tuple(fc.constantFrom(...paths), fc.constantFrom(...ops), fc.constantFrom(...paths)).map(([l, o, r]) => `${l} ${o} ${r}`);
  const filter = fc
    .array(fc.tuple(comparison, fc.constantFrom(' && ', ' || '), fc.boolean()), { minLength: 1, maxLength: 4 })
    .map((items) => items.map(([c, join, group], i) => (i ? join : '') + (group ? `(${c})` : c)).join(''));
  const opts = fc.constantFrom<Partial<CompileOptions>>(
    {},
    { request: userRequest('u2', { body: { title: 'x', labels: ['a'] }, query: { q: 'Hello World' } }) },
    { mode: 'filter', isSuperuser: false },
    { mode: 'filter', isSuperuser: true },
  );

  it('gives a 400/403 or SQL that executes', () => {
    fc.assert(
      fc.property(filter, opts, (input, over) => {
        let ids: string[];
        try {
          ids = matchIds(db, input, options(over));
        } catch (err) {
          if (err instanceof BadRequestError || err instanceof ForbiddenError) return;
          throw err;
        }
        assert.ok(ids.every((id) => ALL.includes(id)));
      }),
      { numRuns: 1500 },
    );
  });
});
