import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFieldPattern, driverList, formatDecimal, matchesPattern, toUniqueStrings } from './field-helpers.ts';

test('formatDecimal writes numbers without exponents, like Go', () => {
  const cases: Array<[number, string]> = [
    [0, '0'], [-0, '0'], [12, '12'], [-1.25, '-1.25'], [1e21, '1000000000000000000000'], [1.5e22, '15000000000000000000000'],
    [1e-7, '0.0000001'], [-2.5e-8, '-0.000000025'], [Number.NaN, 'NaN'], [Infinity, '+Inf'], [-Infinity, '-Inf'],
  ];
  for (const [n, want] of cases) assert.equal(formatDecimal(n), want, String(n));
});

test('toUniqueStrings mirrors list.ToUniqueStringSlice', () => {
  const cases: Array<[unknown, string[]]> = [
    ['a', ['a']], ['', []], ['["a","b","a"]', ['a', 'b']], ['[1]', ['[1]']], ['[x', ['[x']],
    [['a', '', 'b', 'a'], ['a', 'b']], [[1, null, { a: 1 }], ['1']], [2.5, ['2.5']], [null, []], [{}, []],
  ];
  for (const [raw, want] of cases) assert.deepEqual(toUniqueStrings(raw), want, JSON.stringify(raw));
});

test('driverList tolerates the other cardinality and bad JSON', () => {
  assert.deepEqual(driverList('a', true), ['a']);
  assert.deepEqual(driverList('[bad', true), []);
  assert.deepEqual(driverList('["a","a",""]', true), ['a']);
  assert.deepEqual(driverList(null, true), []);
  assert.equal(driverList('["a","b"]', false), 'b');
  assert.equal(driverList('[]', false), '');
  assert.equal(driverList(new TextEncoder().encode('x'), false), 'x');
});

test('compileFieldPattern accepts RE2 syntax JavaScript lacks', () => {
  const cases: Array<[string, string, boolean]> = [
    ['(?i)^abc$', 'ABC', true],
    ['(?s)^a.b$', 'a\nb', true],
    ['\\Aab\\z', 'ab', true],
    ['\\Aab\\z', 'xab', false],
    ['^[[:digit:]]+$', '123', true],
    ['^[[:alpha:]_]+$', 'ab_c', true],
    ['^[[:alpha:]]+$', 'ab1', false],
    ['(?P<y>\\d{4})', '2026', true],
    ['^[]a]+$', ']a]', true],
    ['^[^]a]+$', 'bc', true],
    ['^\\@x$', '@x', true],
    ['^.$', '😀', true],
  ];
  for (const [pattern, value, want] of cases) assert.equal(matchesPattern(pattern, value), want, `${pattern} ~ ${value}`);
  assert.ok(compileFieldPattern('[') instanceof Error);
  assert.ok(compileFieldPattern('(?U)a') instanceof Error);
  assert.equal(compileFieldPattern('abc'), compileFieldPattern('abc'), 'cached');
});
