import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyProjection,
  isListEnvelope,
  MAX_FIELDS_PARAM_LENGTH,
  MAX_FIELDS_PATH_DEPTH,
  MAX_FIELDS_PATHS,
  parseFieldsParam,
  ProjectionError,
  projectListEnvelope,
} from './fields-projection.ts';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

const record = () =>
  deepFreeze({
    id: 'r1',
    collectionName: 'posts',
    title: 'Hello',
    body: '<p>Hello <b>big</b> world</p>',
    tags: ['a', 'b'],
    expand: {
      author: { id: 'u1', name: 'Ann', email: 'a@x.io', bio: '<p>Long bio here</p>' },
      comments: [
        { id: 'c1', text: 'first', expand: { user: { id: 'u2', name: 'Bob' } } },
        { id: 'c2', text: 'second' },
      ],
    },
  });

describe('parseFieldsParam', () => {
  it('parses paths, star and modifiers; commas inside parentheses do not split', () => {
    const projection = parseFieldsParam(' id , expand.author.name,body:excerpt(100, true),*,title:excerpt( 5 )');
    assert.deepEqual(projection.paths, [
      { segments: ['id'], modifier: null },
      { segments: ['expand', 'author', 'name'], modifier: null },
      { segments: ['body'], modifier: { name: 'excerpt', maxLength: 100, withEllipsis: true } },
      { segments: ['*'], modifier: null },
      { segments: ['title'], modifier: { name: 'excerpt', maxLength: 5, withEllipsis: false } },
    ]);
  });

  it('accepts the boolean spellings for withEllipsis, and quoted arguments', () => {
    for (const [arg, expected] of [['true', true], ['TRUE', true], ['1', true], ['t', true], ['false', false], ['0', false], ['f', false], ['"true"', true]] as const) {
      const [path] = parseFieldsParam(`b:excerpt(10,${arg})`).paths;
      assert.equal(path.modifier?.withEllipsis, expected, arg);
    }
  });

  it('ignores blank items and yields the identity projection for an empty value', () => {
    assert.deepEqual(parseFieldsParam('').paths, []);
    assert.deepEqual(parseFieldsParam(' , ,').paths, []);
    assert.deepEqual(parseFieldsParam('a,,b,').paths.map((p) => p.segments), [['a'], ['b']]);
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['unknown modifier', 'title:upper(1)', /Unknown field modifier "upper"/],
    ['modifier without parentheses', 'title:excerpt', /Invalid modifier/],
    ['excerpt without arguments', 'title:excerpt()', /expects 1 or 2 arguments/],
    ['excerpt with three arguments', 'title:excerpt(1,true,3)', /expects 1 or 2 arguments/],
    ['excerpt with zero length', 'title:excerpt(0)', /positive integer/],
    ['excerpt with negative length', 'title:excerpt(-1)', /positive integer/],
    ['excerpt with non-integer length', 'title:excerpt(1.5)', /positive integer/],
    ['excerpt with non-boolean ellipsis', 'title:excerpt(10,yes)', /must be a boolean/],
    ['unbalanced (', 'title:excerpt(10', /Unbalanced/],
    ['unbalanced )', 'title)', /Unbalanced/],
    ['nested parentheses', 'a:excerpt((1))', /Nested/],
    ['empty segment', 'expand..name', /Empty segment/],
    ['leading dot', '.name', /Empty segment/],
    ['trailing dot', 'name.', /Empty segment/],
    ['star in the middle', '*.name', /must be the last segment/],
    ['modifier without path', ':excerpt(10)', /Missing field path/],
    ['parenthesis in a path', 'a(b),c', /Unexpected parenthesis/],
    ['too long', 'a'.repeat(MAX_FIELDS_PARAM_LENGTH + 1), /at most 2048 characters/],
    ['too many paths', Array.from({ length: MAX_FIELDS_PATHS + 1 }, (_, i) => `f${i}`).join(','), /at most 200 paths/],
    ['too deep', Array.from({ length: MAX_FIELDS_PATH_DEPTH + 1 }, () => 'a').join('.'), /deeper than 32/],
  ];
  for (const [name, raw, message] of invalid) {
    it(`rejects ${name}`, () => {
      assert.throws(() => parseFieldsParam(raw), (err: unknown) => err instanceof ProjectionError && message.test(err.message));
    });
  }

  it('throws nothing but ProjectionError on arbitrary input', () => {
    const fieldsish = fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(',', '.', '*', ':', '(', ')', 'excerpt(', 'excerpt(10,true)', ':excerpt(3)')), { maxLength: 20 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fieldsish), (raw) => {
        try {
          parseFieldsParam(raw);
        } catch (err) {
          assert.ok(err instanceof ProjectionError, String(err));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('applyProjection', () => {
  const cases: Array<[string, string, unknown]> = [
    ['top-level keys', 'id,title', { id: 'r1', title: 'Hello' }],
    ['unknown keys are simply absent', 'id,nope', { id: 'r1' }],
    ['a nested path narrows the parent', 'id,expand.author.name', { id: 'r1', expand: { author: { name: 'Ann' } } }],
    [
      '* keeps every key not targeted deeper (spec example)',
      '*,expand.author.name',
      { id: 'r1', collectionName: 'posts', title: 'Hello', body: '<p>Hello <b>big</b> world</p>', tags: ['a', 'b'], expand: { author: { name: 'Ann' } } },
    ],
    ['a nested * keeps a whole level', 'expand.author.*', { expand: { author: { id: 'u1', name: 'Ann', email: 'a@x.io', bio: '<p>Long bio here</p>' } } }],
    [
      'arrays of objects are projected element-wise',
      'expand.comments.id,expand.comments.expand.user.name',
      { expand: { comments: [{ id: 'c1', expand: { user: { name: 'Bob' } } }, { id: 'c2' }] } },
    ],
    ['arrays of scalars are kept as they are', 'tags', { tags: ['a', 'b'] }],
    ['a path through a scalar keeps the scalar', 'title.x', { title: 'Hello' }],
    ['excerpt applies to strings', 'id,body:excerpt(9,true)', { id: 'r1', body: 'Hello big...' }],
    ['excerpt ignores non-strings', 'tags:excerpt(1),expand:excerpt(1)', { tags: ['a', 'b'], expand: record().expand }],
    ['excerpt deep in the tree', 'expand.author.bio:excerpt(4)', { expand: { author: { bio: 'Long' } } }],
    ['a whole key wins over a deeper path', 'expand,expand.author.name', { expand: record().expand }],
    ['later duplicates win', 'title:excerpt(2),title', { title: 'Hello' }],
    [
      '* with a modifier applies it to the keys it keeps',
      '*:excerpt(3),title,expand.author.id',
      { id: 'r1', collectionName: 'pos', title: 'Hello', body: 'Hel', tags: ['a', 'b'], expand: { author: { id: 'u1' } } },
    ],
  ];
  for (const [name, fields, expected] of cases) {
    it(name, () => {
      const input = record();
      assert.deepEqual(applyProjection(input, parseFieldsParam(fields)), expected);
    });
  }

  it('returns the value itself for the identity projection', () => {
    const input = record();
    assert.equal(applyProjection(input, parseFieldsParam('')), input);
  });

  it('projects top-level arrays element-wise, passing non-objects through', () => {
    const result = applyProjection(deepFreeze([{ id: 1, x: 2 }, 'text', [{ id: 3, x: 4 }], null]), parseFieldsParam('id'));
    assert.deepEqual(result, [{ id: 1 }, 'text', [{ id: 3, x: 4 }], null]);
  });

  it('leaves scalars unchanged', () => {
    for (const value of ['s', 1, null, undefined, true]) assert.equal(applyProjection(value, parseFieldsParam('id')), value);
  });

  it('projects objects with toJSON as what they serialise to', () => {
    const model = { toJSON: () => ({ id: 'm', secret: 'x' }) };
    assert.deepEqual(applyProjection({ item: model }, parseFieldsParam('item.id')), { item: { id: 'm' } });
    const date = new Date('2024-01-01T00:00:00Z');
    assert.deepEqual(applyProjection({ created: date }, parseFieldsParam('created')), { created: date });
  });

  it('keeps a __proto__ key an own property', () => {
    const input = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    const result = applyProjection(input, parseFieldsParam('*')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(result), ['__proto__', 'a']);
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
  });

  it('never mutates its input and never throws on arbitrary values', () => {
    const fieldsArb = fc.constantFrom('id', '*', 'a.b', 'a.*,b', '*,a.b.c', 'a:excerpt(3,true)', '*:excerpt(2)', 'a,a.b', 'x.y.z');
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true }), fieldsArb, (value, fields) => {
        const before = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
        applyProjection(deepFreeze(value), parseFieldsParam(fields));
        assert.equal(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v)), before);
      }),
      { numRuns: 1000 },
    );
  });

  it('is idempotent on JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('id', '*', 'a.b', 'a.*,b', '*,a.b.c', 'a:excerpt(3,true)'), (value, fields) => {
        const projection = parseFieldsParam(fields);
        const once = applyProjection(value, projection);
        assert.deepEqual(applyProjection(once, projection), once);
      }),
    );
  });
});

describe('projectListEnvelope', () => {
  it('keeps the envelope and projects each item', () => {
    const envelope = deepFreeze({ page: 2, perPage: 30, totalItems: 31, totalPages: 2, items: [record(), record()] });
    const result = projectListEnvelope(envelope, parseFieldsParam('id,expand.author.name'));
    assert.deepEqual(result, {
      page: 2,
      perPage: 30,
      totalItems: 31,
      totalPages: 2,
      items: [
        { id: 'r1', expand: { author: { name: 'Ann' } } },
        { id: 'r1', expand: { author: { name: 'Ann' } } },
      ],
    });
  });

  it('does not let paths select envelope keys', () => {
    const envelope = { page: 1, perPage: 30, totalItems: 1, totalPages: 1, items: [{ id: 'a', page: 'x' }] };
    assert.deepEqual(projectListEnvelope(envelope, parseFieldsParam('page')), { page: 1, perPage: 30, totalItems: 1, totalPages: 1, items: [{ page: 'x' }] });
  });

  it('returns the envelope itself for the identity projection', () => {
    const envelope = { page: 1, perPage: 30, totalItems: 0, totalPages: 0, items: [] };
    assert.equal(projectListEnvelope(envelope, parseFieldsParam('')), envelope);
  });

  it('recognises list envelopes', () => {
    assert.equal(isListEnvelope({ page: 1, perPage: 30, totalItems: 0, totalPages: 0, items: [] }), true);
    assert.equal(isListEnvelope({ items: [] }), false);
    assert.equal(isListEnvelope([]), false);
    assert.equal(isListEnvelope(null), false);
  });
});
