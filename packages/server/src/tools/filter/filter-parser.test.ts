import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FILTER_CACHE_SIZE,
  MAX_FILTER_COMPARISONS,
  MAX_FILTER_GROUP_DEPTH,
  MAX_FILTER_LENGTH,
  parseFilter,
  parseIdentifier,
} from './filter-parser.ts';
import { FILTER_OPERATORS, printFilter, type FilterExpression, type FilterNode, type OperandNode } from './filter-ast.ts';
import { FilterSyntaxError } from './filter-syntax-error.ts';

/** Drops positions so trees can be compared structurally. */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'position') out[k] = strip(v);
    return out;
  }
  return value;
}

const id = (name: string) => {
  const path = name.split('.');
  const last = path[path.length - 1];
  const c = last.indexOf(':');
  let modifier: string | null = null;
  if (c >= 0) {
    modifier = last.slice(c + 1);
    path[path.length - 1] = last.slice(0, c);
  }
  return { kind: 'identifier', name, path, modifier };
};
const text = (value: string) => ({ kind: 'text', value });
const num = (raw: string) => ({ kind: 'number', value: Number(raw), raw });
const cmp = (left: unknown, operator: string, right: unknown) => ({ kind: 'comparison', left, operator, right });
const a = cmp(id('a'), '=', num('1'));
const b = cmp(id('b'), '=', num('2'));
const c = cmp(id('c'), '=', num('3'));

describe('parseFilter: valid input', () => {
  const cases: Array<[string, unknown]> = [
    ['a = 1', a],
    ['  a=1  ', a],
    ["title ~ 'abc'", cmp(id('title'), '~', text('abc'))],
    ['title != "x"', cmp(id('title'), '!=', text('x'))],
    ["'abc' = title", cmp(text('abc'), '=', id('title'))],
    ['n >= -4.5', cmp(id('n'), '>=', num('-4.5'))],
    ['n ?<= 0', cmp(id('n'), '?<=', num('0'))],
    ['x ?!~ "a"', cmp(id('x'), '?!~', text('a'))],
    ['a = 1 && b = 2', { kind: 'and', operands: [a, b] }],
    ['a = 1 || b = 2 && c = 3', { kind: 'or', operands: [a, { kind: 'and', operands: [b, c] }] }],
    ['a = 1 && b = 2 || c = 3', { kind: 'or', operands: [{ kind: 'and', operands: [a, b] }, c] }],
    ['(a = 1 || b = 2) && c = 3', { kind: 'and', operands: [{ kind: 'group', expression: { kind: 'or', operands: [a, b] } }, c] }],
    ['((a = 1))', { kind: 'group', expression: { kind: 'group', expression: a } }],
    ['() && a = 1', a],
    ['a = 1 || ()', a],
    ['()', { kind: 'empty' }],
    ['(())', { kind: 'empty' }],
    ['@request.auth.id != ""', cmp(id('@request.auth.id'), '!=', text(''))],
    ['tags:each ?= "news"', cmp(id('tags:each'), '?=', text('news'))],
    ['@collection.users:u.name = 1', cmp(id('@collection.users:u.name'), '=', num('1'))],
    ['#x = _y', cmp(id('#x'), '=', id('_y'))],
    ['geoDistance(loc.lon, loc.lat, 1, 2) < 25', cmp({ kind: 'call', name: 'geoDistance', args: [id('loc.lon'), id('loc.lat'), num('1'), num('2')] }, '<', num('25'))],
    ["strftime('%Y', created) = \"2026\"", cmp({ kind: 'call', name: 'strftime', args: [text('%Y'), id('created')] }, '=', text('2026'))],
    ['f() = 1', cmp({ kind: 'call', name: 'f', args: [] }, '=', num('1'))],
    ['f(g(h(1))) = 1', cmp({ kind: 'call', name: 'f', args: [{ kind: 'call', name: 'g', args: [{ kind: 'call', name: 'h', args: [num('1')] }] }] }, '=', num('1'))],
    ['a = 1 // trailing comment', a],
    ['// lead\na = 1', a],
    ['a\t=\n1', a],
    // Escapes (see FilterTokenizer#text).
    ["t = 'it\\'s'", cmp(id('t'), '=', text("it's"))],
    ["t = 'a\\b\\\"c'", cmp(id('t'), '=', text('a\\b\\"c'))],
    ['t = "say \\"hi\\""', cmp(id('t'), '=', text('say "hi"'))],
    ['t = "a\\nb\\u00e9\\\\"', cmp(id('t'), '=', text('a\nb\u00e9\\'))],
    ['t = "50\\%"', cmp(id('t'), '=', text('50\\%'))],
    ['t = "it\\\'s"', cmp(id('t'), '=', text("it's"))],
    ['t = "multi\nline // not a comment"', cmp(id('t'), '=', text('multi\nline // not a comment'))],
    ['t = "ünïcødé 🎉"', cmp(id('t'), '=', text('ünïcødé 🎉'))],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => {
      assert.deepEqual(strip(parseFilter(input)), expected);
    });
  }

  it('records positions', () => {
    const node = parseFilter('  title = "x"') as { position: number; right: { position: number } };
    assert.equal(node.position, 2);
    assert.equal(node.right.position, 10);
  });

  it('returns frozen trees', () => {
    const node = parseFilter('a = 1 && b = 2');
    assert.ok(Object.isFrozen(node));
    assert.throws(() => {
      (node as { kind: string }).kind = 'or';
    }, TypeError);
  });

  it('caches per input string, and a stream of one-off filters does not evict a repeated one', () => {
    parseFilter('cached = 1');
    const cached = parseFilter('cached = 1');
    assert.equal(parseFilter('cached = 1'), cached);
    for (let i = 0; i < FILTER_CACHE_SIZE + 5; i++) parseFilter(`x${i} = 1`);
    assert.equal(parseFilter('cached = 1'), cached);
    // Seen once in the loop (a colliding key may have taken its sighting): at the latest the next parse admits it.
    parseFilter('x3 = 1');
    const admitted = parseFilter('x3 = 1');
    assert.equal(parseFilter('x3 = 1'), admitted);
  });
});

describe('parseFilter: invalid input', () => {
  const cases: Array<[string, number, RegExp?]> = [
    ['', 0, /Expected an expression at position 0, found end of input/],
    ['   ', 3, /Expected an expression/],
    ['a', 1, /Expected an operator .* at position 1, found end of input/],
    ['title foo', 6, /Expected an operator \(=, !=, ~.*\) at position 6, found "foo"\./],
    ['a = ', 4, /Expected an operand/],
    ['a == 1', 3, /Expected an operand .* found "="/],
    ['a = 1 &&', 8, /Expected an operand/],
    ['a = 1 b = 2', 6, /Expected a join/],
    ['a = 1 & b = 2', 6, /Expected a join \(&& or \|\|\)/],
    ['(a = 1', 6, /Expected a join \(&&, \|\|\) or "\)"/],
    ['a = 1)', 5, /Expected a join \(&&, \|\|\) or the end/],
    ['a = "abc', 8, /Expected a closing " at position 8 \(text starts at position 4\)/],
    ["a = 'x\\'", 8, /closing '/],
    ['a = 1.', 6, /Expected a digit after "\."/],
    ['a = .5', 4, /Unexpected character "\."/],
    ['a = -', 5, /Expected a digit/],
    ['a. = 1', 0, /cannot end with/],
    ['a: = 1', 0, /cannot end with/],
    ['@ = 1', 0, /lone/],
    ['_ = 1', 0, /lone/],
    ['a = 1\r\n', 5, /Unexpected character "\\r"/],
    ['a ? 1', 2, /Expected an operator/],
    ['a ! 1', 2, /Expected an operator/],
    ['a = 1 $', 6, /Unexpected character "\$"/],
    ['f(1 = 2', 4, /Expected "," or "\)"/],
    ['f(1,) = 2', 4, /Expected a function argument/],
    ['f(g(h(i(1)))) = 1', 6, /levels of function calls/],
    ['a = 1 / 2', 6, /Unexpected character "\/"/],
    ['(a = 1) (b = 2)', 8, /Expected a join/],
  ];
  for (const [input, position, message] of cases) {
    it(JSON.stringify(input), () => {
      assert.throws(
        () => parseFilter(input),
        (err: unknown) => {
          assert.ok(err instanceof FilterSyntaxError, String(err));
          assert.equal(err.position, position, err.message);
          if (message) assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it('rejects filters over MAX_FILTER_LENGTH', () => {
    const input = `a = "${'x'.repeat(MAX_FILTER_LENGTH)}"`;
    assert.throws(() => parseFilter(input), (e: unknown) => e instanceof FilterSyntaxError && e.position === MAX_FILTER_LENGTH);
  });

  it('rejects more than MAX_FILTER_COMPARISONS comparisons, counting inside groups', () => {
    const ok = Array.from({ length: MAX_FILTER_COMPARISONS }, () => '(a=1)').join('&&');
    assert.doesNotThrow(() => parseFilter(ok));
    assert.throws(() => parseFilter(`${ok}&&a=1`), /Too many comparisons/);
  });

  it('rejects nesting deeper than MAX_FILTER_GROUP_DEPTH without blowing the stack', () => {
    const ok = `${'('.repeat(MAX_FILTER_GROUP_DEPTH)}a=1${')'.repeat(MAX_FILTER_GROUP_DEPTH)}`;
    assert.doesNotThrow(() => parseFilter(ok));
    assert.throws(() => parseFilter(`(${ok})`), (e: unknown) => e instanceof FilterSyntaxError && e.position === MAX_FILTER_GROUP_DEPTH);
    assert.throws(() => parseFilter('('.repeat(3000)), FilterSyntaxError);
  });
});

describe('parseIdentifier', () => {
  it('parses one identifier', () => {
    assert.deepEqual(strip(parseIdentifier('author.name')), id('author.name'));
  });
  it('rejects anything else', () => {
    assert.throws(() => parseIdentifier('a b'), FilterSyntaxError);
    assert.throws(() => parseIdentifier('"a"'), FilterSyntaxError);
    assert.throws(() => parseIdentifier('f(1)'), FilterSyntaxError);
  });
});

describe('parseFilter: properties', () => {
  it('throws nothing but FilterSyntaxError on arbitrary strings', () => {
    const alphabet = fc.constantFrom(...'ab_@#.:()\'"\\ \t\n\r=!~<>?&|,-019/%'.split(''), 'é', '\u0000', '🎉');
    const filterish = fc.array(alphabet, { maxLength: 60 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }), filterish), (input) => {
        try {
          parseFilter(input);
        } catch (err) {
          if (!(err instanceof FilterSyntaxError)) throw err;
          assert.ok(err.position >= 0 && err.position <= input.length, `position ${err.position} out of range`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips printed trees', () => {
    const letter = fc.constantFrom(...'abcxyzABZ'.split(''));
    const word = fc.tuple(letter, fc.array(fc.constantFrom(...'abz09_'.split('')), { maxLength: 5 })).map(([h, t]) => h + t.join(''));
    const identifier = fc
      .tuple(fc.constantFrom('', '@', '_'), fc.array(word, { minLength: 1, maxLength: 3 }), fc.option(word, { nil: undefined }))
      .map(([prefix, segs, mod]) => {
        const name = prefix + segs.join('.') + (mod ? `:${mod}` : '');
        return parseIdentifier(name) as OperandNode;
      });
    const number = fc
      .tuple(fc.boolean(), fc.nat(99999), fc.option(fc.nat(999), { nil: undefined }))
      .map(([neg, int, frac]): OperandNode => {
        const raw = `${neg ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}`;
        return { kind: 'number', value: Number(raw), raw, position: 0 };
      });
    const textNode = fc.string({ unit: 'binary', maxLength: 12 }).map((value): OperandNode => ({ kind: 'text', value, position: 0 }));
    const simple = fc.oneof(identifier, number, textNode);
    const call = fc
      .tuple(word, fc.array(fc.oneof(simple, fc.tuple(word, fc.array(simple, { maxLength: 2 })).map(([name, args]): OperandNode => ({ kind: 'call', name, args, position: 0 }))), { maxLength: 3 }))
      .map(([name, args]): OperandNode => ({ kind: 'call', name, args, position: 0 }));
    const operand = fc.oneof({ weight: 5, arbitrary: simple }, { weight: 1, arbitrary: call });
    const comparison = fc
      .tuple(operand, fc.constantFrom(...FILTER_OPERATORS), operand)
      .map(([left, operator, right]): FilterExpression => ({ kind: 'comparison', left, operator, right, position: 0 }));

    const tree = fc.letrec<{ expr: FilterExpression; item: FilterExpression; and: FilterExpression; or: FilterExpression }>((tie) => ({
      item: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        comparison,
        tie('expr').map((expression): FilterExpression => ({ kind: 'group', expression, position: 0 })),
      ),
      and: fc.array(tie('item'), { minLength: 2, maxLength: 3 }).map((operands): FilterExpression => ({ kind: 'and', operands })),
      or: fc.array(fc.oneof(tie('item'), tie('and')), { minLength: 2, maxLength: 3 }).map((operands): FilterExpression => ({ kind: 'or', operands })),
      expr: fc.oneof({ depthSize: 'small' }, tie('item'), tie('and'), tie('or')),
    })).expr;

    fc.assert(
      fc.property(tree, (node: FilterNode) => {
        const printed = printFilter(node);
        if (printed.length > MAX_FILTER_LENGTH) return;
        assert.deepEqual(strip(parseFilter(printed)), strip(node), printed);
      }),
      { numRuns: 1000 },
    );
  });
});
