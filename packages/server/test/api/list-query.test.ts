/**
 * List query parameters (spec §3.2, §3.4, §1.4, §4): paging, skipTotal, sort, filter operators,
 * expand and fields, over a small fixed data set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from '../helpers/scenario.ts';
import { sdkError, startTestServer, type TestServer, forEachDialect } from '../helpers/test-server.ts';

const OPEN = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

forEachDialect((dialect) =>
describe('list query parameters', () => {
  let t: TestServer;
  const a: Record<string, string> = {};
  const b: Record<string, string> = {};

  /** Titles of the books matching `filter` (as a guest), sorted by @rowid. */
  async function titles(filter: string, sort = '@rowid'): Promise<string[]> {
    const res = await request(t, 'GET', `/api/collections/books/records?perPage=100&sort=${encodeURIComponent(sort)}&filter=${encodeURIComponent(filter)}`);
    assert.equal(res.status, 200, `${filter}: ${res.text}`);
    return res.json.items.map((r: any) => r.title);
  }

  before(async () => {
    t = await startTestServer({ dialect });
    const authors = await t.admin.collections.create({ name: 'authors', ...OPEN, fields: [{ name: 'name', type: 'text' }, { name: 'rank', type: 'number' }] });
    await t.admin.collections.update('authors', {
      fields: [...authors.fields, { name: 'mentor', type: 'relation', collectionId: authors.id, maxSelect: 1 }],
    });
    a.ann = (await t.admin.collection('authors').create({ name: 'Ann', rank: 1 })).id;
    a.bob = (await t.admin.collection('authors').create({ name: 'Bob', rank: 2, mentor: a.ann })).id;
    a.cid = (await t.admin.collection('authors').create({ name: 'Cid', rank: 2, mentor: a.bob })).id;

    const books = await t.admin.collections.create({
      name: 'books',
      ...OPEN,
      fields: [
        { name: 'title', type: 'text' },
        { name: 'pages', type: 'number' },
        { name: 'published', type: 'date' },
        { name: 'tags', type: 'select', values: ['x', 'y', 'z'], maxSelect: 3 },
        { name: 'author', type: 'relation', collectionId: authors.id, maxSelect: 1 },
        { name: 'coauthors', type: 'relation', collectionId: authors.id, maxSelect: 5 },
        { name: 'body', type: 'editor' },
        { name: 'meta', type: 'json' },
        { name: 'available', type: 'bool' },
      ],
    });
    const rows = [
      { title: 'Alpha_one', pages: 100, published: '2024-01-15 10:00:00.000Z', tags: ['x', 'y'], author: a.ann, coauthors: [a.bob, a.cid], body: '<p>Hello <b>world</b> of books</p>', meta: { k: 'v', n: 1 }, available: true },
      { title: 'beta', pages: 250, published: '2023-06-01 00:00:00.000Z', tags: ['y'], author: a.bob, coauthors: [], body: '<p>Short</p>', meta: { k: 'w' }, available: false },
      { title: 'Gamma%', pages: 250, published: '', tags: [], author: a.cid, coauthors: [a.ann], body: '', meta: null, available: true },
      { title: 'alphabet', pages: 50, published: '2025-03-03 00:00:00.000Z', tags: ['x'], author: '', coauthors: [a.ann, a.bob], body: '', meta: [1, 2], available: false },
    ];
    for (const r of rows) b[r.title] = (await t.admin.collection('books').create(r)).id;

    await t.admin.collections.create({
      name: 'reviews',
      ...OPEN,
      fields: [
        { name: 'book', type: 'relation', collectionId: books.id, maxSelect: 1 },
        { name: 'stars', type: 'number' },
      ],
    });
    await t.admin.collection('reviews').create({ book: b.Alpha_one, stars: 5 });
    await t.admin.collection('reviews').create({ book: b.Alpha_one, stars: 3 });
    await t.admin.collection('reviews').create({ book: b.beta, stars: 4 });

    await t.admin.collections.create({ name: 'many', ...OPEN, fields: [{ name: 'n', type: 'number' }] });
    // 1100 rows in one transaction through the app (the API would take too long here).
    const q = t.app.db.dialect.quote.bind(t.app.db.dialect);
    await t.app.db.transaction(async (tx) => {
      for (let i = 0; i < 1100; i++) await tx.run(`INSERT INTO ${q('many')} (${q('id')}, ${q('n')}) VALUES (?, ?)`, [`m${String(i).padStart(14, '0')}`, i]);
    });
  });
  after(() => t.close());

  describe('page and perPage', () => {
    const cases: Array<[string, number, Record<string, unknown>]> = [
      ['perPage=5000 is clamped to 1000', 200, { perPage: 1000, page: 1, totalItems: 1100, totalPages: 2, itemsLength: 1000 }],
      ['perPage=1000 is kept', 200, { perPage: 1000, itemsLength: 1000 }],
      ['perPage=0 falls back to 30', 200, { perPage: 30, totalPages: 37, itemsLength: 30 }],
      ['perPage=-5 falls back to 30', 200, { perPage: 30 }],
      ['perPage=abc is refused', 400, {}],
      ['perPage=2.5 is refused', 400, {}],
      ['page=0 is treated as 1', 200, { page: 1 }],
      ['page=-3 is treated as 1', 200, { page: 1 }],
      ['page=x is refused', 400, {}],
      ['page=2&perPage=1000 gives the last 100', 200, { page: 2, perPage: 1000, itemsLength: 100 }],
      ['page=99 gives no items but real totals', 200, { page: 99, totalItems: 1100, itemsLength: 0 }],
    ];
    for (const [what, status, expected] of cases) {
      it(`a guest listing with ${what}`, async () => {
        const qs = what.split(' ')[0];
        const res = await request(t, 'GET', `/api/collections/many/records?${qs}`);
        assert.equal(res.status, status, res.text.slice(0, 300));
        if (status !== 200) {
          assert.deepEqual(res.json.data, {});
          return;
        }
        const { itemsLength, ...rest } = expected as Record<string, unknown> & { itemsLength?: number };
        for (const [k, v] of Object.entries(rest)) assert.equal(res.json[k], v, k);
        if (itemsLength !== undefined) assert.equal(res.json.items.length, itemsLength);
      });
    }

    it('pages do not overlap and together cover every record', async () => {
      const p1 = await t.client().collection('many').getList(1, 400, { sort: 'n' });
      const p2 = await t.client().collection('many').getList(2, 400, { sort: 'n' });
      const p3 = await t.client().collection('many').getList(3, 400, { sort: 'n' });
      const all = [...p1.items, ...p2.items, ...p3.items].map((r) => r.n);
      assert.deepEqual(all, Array.from({ length: 1100 }, (_, i) => i));
      assert.equal(p1.totalPages, 3);
    });

    it('the SDK getFullList walks every page', async () => {
      assert.equal((await t.client().collection('many').getFullList({ batch: 500 })).length, 1100);
    });
  });

  describe('skipTotal', () => {
    for (const v of ['1', 'true', 't', 'TRUE']) {
      it(`skipTotal=${v} gives totalItems and totalPages -1 and still returns items`, async () => {
        const res = await request(t, 'GET', `/api/collections/books/records?skipTotal=${v}`);
        assert.equal(res.status, 200);
        assert.equal(res.json.totalItems, -1);
        assert.equal(res.json.totalPages, -1);
        assert.equal(res.json.items.length, 4);
      });
    }
    it('skipTotal=0 counts', async () => {
      const res = await request(t, 'GET', '/api/collections/books/records?skipTotal=0&perPage=3');
      assert.equal(res.json.totalItems, 4);
      assert.equal(res.json.totalPages, 2);
    });
    it('skipTotal=maybe is refused with 400', async () => {
      assert.equal((await request(t, 'GET', '/api/collections/books/records?skipTotal=maybe')).status, 400);
    });
    it('the count reflects the filter', async () => {
      const res = await request(t, 'GET', `/api/collections/books/records?perPage=1&filter=${encodeURIComponent('pages >= 100')}`);
      assert.equal(res.json.totalItems, 3);
      assert.equal(res.json.totalPages, 3);
    });
  });

  describe('sort', () => {
    const cases: Array<[string, string[]]> = [
      ['pages,title', ['alphabet', 'Alpha_one', 'Gamma%', 'beta']],
      ['+pages,+title', ['alphabet', 'Alpha_one', 'Gamma%', 'beta']],
      ['-pages,-title', ['beta', 'Gamma%', 'Alpha_one', 'alphabet']],
      ['-pages,title', ['Gamma%', 'beta', 'Alpha_one', 'alphabet']],
      ['@rowid', ['Alpha_one', 'beta', 'Gamma%', 'alphabet']],
      ['-@rowid', ['alphabet', 'Gamma%', 'beta', 'Alpha_one']],
      ['author.name,title', ['alphabet', 'Alpha_one', 'beta', 'Gamma%']],
      ['-author.name', ['Gamma%', 'beta', 'Alpha_one', 'alphabet']],
      ['-published', ['alphabet', 'Alpha_one', 'beta', 'Gamma%']],
      ['-available,pages', ['Alpha_one', 'Gamma%', 'alphabet', 'beta']],
    ];
    for (const [sort, expected] of cases) {
      it(`sort=${sort}`, async () => {
        const res = await request(t, 'GET', `/api/collections/books/records?sort=${encodeURIComponent(sort)}`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json.items.map((r: any) => r.title), expected);
      });
    }

    it('sort=@random returns every record exactly once', async () => {
      const res = await request(t, 'GET', '/api/collections/books/records?sort=@random');
      assert.equal(res.status, 200);
      assert.deepEqual(res.json.items.map((r: any) => r.title).sort(), ['Alpha_one', 'Gamma%', 'alphabet', 'beta']);
    });

    it('sort=@random over 1100 rows is not the insertion order', async () => {
      const res = await request(t, 'GET', '/api/collections/many/records?sort=@random&perPage=50');
      const ns = res.json.items.map((r: any) => r.n);
      assert.notDeepEqual(ns, Array.from({ length: 50 }, (_, i) => i));
    });

    const bad = ['nope', '-nope', 'author.nope', 'coauthors.name', 'title;drop', Array(9).fill('title').join(',')];
    for (const sort of bad) {
      it(`sort=${sort.slice(0, 40)} is refused with 400`, async () => {
        const res = await request(t, 'GET', `/api/collections/books/records?sort=${encodeURIComponent(sort)}`);
        assert.equal(res.status, 400, res.text);
        assert.deepEqual(res.json.data, {});
      });
    }
  });

  describe('filter operators', () => {
    const cases: Array<[string, string[]]> = [
      ["title = 'beta'", ['beta']],
      ["title != 'beta'", ['Alpha_one', 'Gamma%', 'alphabet']],
      ["'beta' = title", ['beta']],
      ["title ~ 'ALPHA'", ['Alpha_one', 'alphabet']],
      ["title ~ 'a_o'", ['Alpha_one']],
      ["title ~ 'G_mma'", []],
      ["title ~ 'a%'", ['Alpha_one', 'alphabet']],
      ["title ~ '%a'", ['beta']],
      ["title ~ 'mma\\%'", ['Gamma%']],
      ["title !~ 'alpha'", ['beta', 'Gamma%']],
      ['pages < 100', ['alphabet']],
      ['pages <= 100', ['Alpha_one', 'alphabet']],
      ['pages > 100', ['beta', 'Gamma%']],
      ['pages >= 250', ['beta', 'Gamma%']],
      ['pages = 250.0', ['beta', 'Gamma%']],
      ['available = true', ['Alpha_one', 'Gamma%']],
      ['available = false', ['beta', 'alphabet']],
      ["tags:each ?= 'x'", ['Alpha_one', 'alphabet']],
      ["tags:each = 'y'", ['beta']],
      ["tags:each != 'x'", ['beta', 'Gamma%']],
      ['tags:length = 2', ['Alpha_one']],
      ['tags:length = 0', ['Gamma%']],
      ['coauthors:length > 1', ['Alpha_one', 'alphabet']],
      ["author.name = 'Bob'", ['beta']],
      ["author.mentor.name = 'Ann'", ['beta']],
      ["coauthors.name ?= 'Ann'", ['Gamma%', 'alphabet']],
      ["coauthors.name = 'Ann'", ['Gamma%']],
      ['coauthors.rank ?> 1', ['Alpha_one', 'alphabet']],
      ["author = ''", ['alphabet']],
      ['author = null', ['alphabet']],
      ["author != ''", ['Alpha_one', 'beta', 'Gamma%']],
      ['author != null', ['Alpha_one', 'beta', 'Gamma%']],
      ["published = ''", ['Gamma%']],
      ['published = null', ['Gamma%']],
      ["published != ''", ['Alpha_one', 'beta', 'alphabet']],
      ["published >= '2024-01-01'", ['Alpha_one', 'alphabet']],
      ["published < '2024-01-15 10:00:00.001Z' && published != ''", ['Alpha_one', 'beta']],
      ["published > '2024-01-15 10:00:00.000Z'", ['alphabet']],
      ["published < @now && published != ''", ['Alpha_one', 'beta', 'alphabet']],
      ['published > @now', []],
      ["meta.k = 'v'", ['Alpha_one']],
      ['meta.n > 0', ['Alpha_one']],
      ['meta.1 = 2', ['alphabet']],
      ['reviews_via_book.stars ?> 4', ['Alpha_one']],
      ['reviews_via_book.stars ?>= 3', ['Alpha_one', 'beta']],
      ["title = 'beta' || title = 'alphabet' && pages > 1000", ['beta']],
      ["(title = 'beta' || title = 'alphabet') && pages < 1000", ['beta', 'alphabet']],
      ["title = \"beta\" // trailing comment", ['beta']],
      ["title:lower = 'alpha_one'", ['Alpha_one']],
      ["strftime('%Y', published) = '2024'", ['Alpha_one']],
    ];
    for (const [filter, expected] of cases) {
      it(`filter ${filter}`, async () => {
        assert.deepEqual(await titles(filter), expected);
      });
    }

    const bad = ["title ~", "nope = 1", "title = 'x' &&", "title = 'unterminated", "author.title = 'x'", "pages === 1", "@today = 1", 'x'.repeat(3501)];
    for (const filter of bad) {
      it(`filter ${filter.slice(0, 30)} is refused with 400 and data {}`, async () => {
        const res = await request(t, 'GET', `/api/collections/books/records?filter=${encodeURIComponent(filter)}`);
        assert.equal(res.status, 400, res.text);
        assert.deepEqual(res.json.data, {});
      });
    }

    it('a filter built with the SDK pb.filter() placeholders handles quotes safely', async () => {
      const pb = t.client();
      const found = await pb.collection('books').getFullList({ filter: pb.filter('title = {:t} || title = {:q}', { t: 'beta', q: "it's \"quoted\"" }) });
      assert.deepEqual(found.map((r) => r.title), ['beta']);
    });
  });

  describe('expand', () => {
    it('expands a single relation to an object; a record without the relation gets an empty expand', async () => {
      const list = await t.client().collection('books').getFullList({ expand: 'author', sort: '@rowid' });
      assert.equal(list[0].expand?.author?.name, 'Ann');
      assert.equal(list[0].expand?.author?.collectionName, 'authors');
      assert.equal(list[1].expand?.author?.name, 'Bob');
      assert.equal(list[3].author, '');
      assert.equal(list[3].expand?.author, undefined);
    });

    it('expands a multiple relation to an array in stored order', async () => {
      const r = await t.client().collection('books').getOne(b.Alpha_one, { expand: 'coauthors' });
      assert.deepEqual(r.expand?.coauthors.map((x: any) => x.name), ['Bob', 'Cid']);
      const r2 = await t.client().collection('books').getOne(b.alphabet, { expand: 'coauthors' });
      assert.deepEqual(r2.expand?.coauthors.map((x: any) => x.name), ['Ann', 'Bob']);
    });

    it('expands nested paths and several paths at once', async () => {
      const r = await t.client().collection('books').getOne(b.beta, { expand: 'author.mentor, coauthors,reviews_via_book' });
      assert.equal(r.expand?.author?.name, 'Bob');
      assert.equal(r.expand?.author?.expand?.mentor?.name, 'Ann');
      assert.deepEqual(r.expand?.reviews_via_book.map((x: any) => x.stars), [4]);
    });

    it('expands a back-relation to an array of the referencing records', async () => {
      const r = await t.client().collection('books').getOne(b.Alpha_one, { expand: 'reviews_via_book' });
      assert.deepEqual(r.expand?.reviews_via_book.map((x: any) => x.stars).sort(), [3, 5]);
      assert.ok(r.expand?.reviews_via_book.every((x: any) => x.book === b.Alpha_one));
      const none = await t.client().collection('books').getOne(b['Gamma%'], { expand: 'reviews_via_book' });
      assert.equal(none.expand?.reviews_via_book, undefined);
    });

    it('expands from the back side and forward again (reviews → book → author)', async () => {
      const list = await t.client().collection('reviews').getFullList({ expand: 'book.author', sort: '-stars' });
      assert.deepEqual(list.map((r) => r.expand?.book?.expand?.author?.name), ['Ann', 'Bob', 'Ann']);
    });

    it('an unknown expand path is ignored, the request still succeeds', async () => {
      const res = await request(t, 'GET', `/api/collections/books/records/${b.beta}?expand=nope,title,author`);
      assert.equal(res.status, 200);
      assert.equal(res.json.expand?.nope, undefined);
      assert.equal(res.json.expand?.title, undefined);
      assert.equal(res.json.expand?.author?.name, 'Bob');
    });

    it('expansion stops at 6 levels', async () => {
      // A mentor chain of 8 authors: c7 → c6 → … → c0.
      let prev = '';
      const chain: string[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await t.admin.collection('authors').create({ name: `c${i}`, mentor: prev });
        chain.push(r.id);
        prev = r.id;
      }
      const r = await t.client().collection('authors').getOne(chain[7], { expand: Array(8).fill('mentor').join('.') });
      let depth = 0;
      let node: any = r;
      while (node.expand?.mentor) {
        node = node.expand.mentor;
        depth++;
      }
      assert.equal(depth, 6);
      assert.equal(node.name, 'c1');
    });

    it('create and update responses honour expand', async () => {
      const pb = t.client();
      const created = await pb.collection('books').create({ title: 'temp', author: a.cid }, { expand: 'author' });
      assert.equal(created.expand?.author?.name, 'Cid');
      const updated = await pb.collection('books').update(created.id, { author: a.ann }, { expand: 'author.mentor' });
      assert.equal(updated.expand?.author?.name, 'Ann');
      await pb.collection('books').delete(created.id);
    });
  });

  describe('fields', () => {
    it('fields=id,title keeps only those keys in each item and keeps the envelope', async () => {
      const res = await request(t, 'GET', '/api/collections/books/records?fields=id,title&sort=@rowid');
      assert.deepEqual(Object.keys(res.json).sort(), ['items', 'page', 'perPage', 'totalItems', 'totalPages']);
      assert.deepEqual(res.json.items[0], { id: b.Alpha_one, title: 'Alpha_one' });
    });

    it('fields=*,expand.author.name keeps every key and only name inside the expanded author', async () => {
      const res = await request(t, 'GET', `/api/collections/books/records/${b.beta}?expand=author&fields=${encodeURIComponent('*,expand.author.name')}`);
      assert.equal(res.json.title, 'beta');
      assert.equal(res.json.pages, 250);
      assert.deepEqual(res.json.expand, { author: { name: 'Bob' } });
    });

    it('fields=title,expand.coauthors.name projects inside expanded arrays', async () => {
      const res = await request(t, 'GET', `/api/collections/books/records/${b.Alpha_one}?expand=coauthors&fields=${encodeURIComponent('title,expand.coauthors.name')}`);
      assert.deepEqual(res.json, { title: 'Alpha_one', expand: { coauthors: [{ name: 'Bob' }, { name: 'Cid' }] } });
    });

    it('fields=body:excerpt(8,true) strips HTML and truncates with an ellipsis', async () => {
      const res = await request(t, 'GET', `/api/collections/books/records/${b.Alpha_one}?fields=${encodeURIComponent('id,body:excerpt(8,true)')}`);
      assert.deepEqual(res.json, { id: b.Alpha_one, body: 'Hello wo...' });
    });

    it('fields=body:excerpt(100) leaves a short text whole and without ellipsis', async () => {
      const res = await request(t, 'GET', `/api/collections/books/records/${b.Alpha_one}?fields=${encodeURIComponent('body:excerpt(100,true)')}`);
      assert.deepEqual(res.json, { body: 'Hello world of books' });
      const res2 = await request(t, 'GET', `/api/collections/books/records/${b.Alpha_one}?fields=${encodeURIComponent('title:excerpt(3)')}`);
      assert.deepEqual(res2.json, { title: 'Alp' });
    });

    it('the SDK fields option works on getList and on auth responses', async () => {
      const list = await t.client().collection('books').getList(1, 2, { fields: 'title', sort: '@rowid' });
      assert.deepEqual(list.items, [{ title: 'Alpha_one' }, { title: 'beta' }]);
      const pb = t.client();
      await pb.collection('users').create({ email: 'f@example.com', password: 'password123', passwordConfirm: 'password123' });
      const auth = await pb.collection('users').authWithPassword('f@example.com', 'password123', { fields: 'token,record.email' });
      assert.equal(typeof auth.token, 'string');
      assert.deepEqual(auth.record, { email: 'f@example.com' });
    });

    it('an invalid modifier in fields is refused with 400', async () => {
      const res = await request(t, 'GET', `/api/collections/books/records?fields=${encodeURIComponent('title:nope(1)')}`);
      assert.equal(res.status, 400);
      const res2 = await request(t, 'GET', `/api/collections/books/records?fields=${encodeURIComponent('title:excerpt(0)')}`);
      assert.equal(res2.status, 400);
    });
  });

  it('unknown query parameters are ignored', async () => {
    const res = await request(t, 'GET', '/api/collections/books/records?whatever=1&foo=bar');
    assert.equal(res.status, 200);
    assert.equal(res.json.totalItems, 4);
  });

  it('a filter on an unknown collection is a 404, not a 400', async () => {
    const e = await sdkError(t.client().collection('nope').getList(1, 1, { filter: 'nope = 1' }));
    assert.equal(e.status, 404);
  });
}),
);
