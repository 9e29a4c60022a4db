import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectField } from './select-field.ts';
import { makeField, settingsCtx, valueCtx } from './field-test-context.ts';

const single = makeField(selectField, { values: ['a', 'b', 'c'], maxSelect: 1 });
const multi = makeField(selectField, { values: ['a', 'b', 'c'], maxSelect: 2 });

test('select prepareValue (spec §3.5.1)', () => {
  const cases: Array<[unknown, unknown, unknown]> = [
    // raw, single, multiple
    ['a', 'a', ['a']],
    ['', '', []],
    [null, '', []],
    [['a', 'b'], 'b', ['a', 'b']],
    [['a', '', 'a', 'b', 'a'], 'b', ['a', 'b']],
    ['["a","b"]', 'b', ['a', 'b']],
    ['[1,2]', '[1,2]', ['[1,2]']],
    ['[not json', '[not json', ['[not json']],
    [[1, true], 'true', ['1', 'true']],
    [5, '5', ['5']],
    [{ a: 1 }, '', []],
  ];
  for (const [raw, s, m] of cases) {
    assert.deepEqual(selectField.prepareValue(single, raw), s, `single ${JSON.stringify(raw)}`);
    assert.deepEqual(selectField.prepareValue(multi, raw), m, `multi ${JSON.stringify(raw)}`);
  }
});

test('select validateValue', () => {
  const cases: Array<{ name: string; field?: object; value: unknown; want?: object }> = [
    { name: 'empty optional', value: '' },
    { name: 'empty required', field: { required: true }, value: [], want: { code: 'validation_required', message: 'Cannot be blank.' } },
    { name: 'valid single', value: 'a' },
    { name: 'invalid value', value: 'z', want: { code: 'validation_invalid_value', message: 'Invalid value z.', params: { value: 'z' } } },
    { name: 'too many for single', value: ['a', 'b'], want: { code: 'validation_too_many_values', message: 'Select no more than 1.', params: { maxSelect: 1 } } },
    { name: 'too many for multi', field: { maxSelect: 2 }, value: ['a', 'b', 'c'], want: { code: 'validation_too_many_values', message: 'Select no more than 2.', params: { maxSelect: 2 } } },
    { name: 'maxSelect 0 is single', field: { maxSelect: 0 }, value: ['a', 'b'], want: { code: 'validation_too_many_values', message: 'Select no more than 1.', params: { maxSelect: 1 } } },
    { name: 'non-list', value: 5, want: { code: 'validation_unsupported_value_type', message: 'Invalid or unsupported value type.' } },
  ];
  for (const c of cases) assert.deepEqual(selectField.validateValue({ ...single, ...c.field }, c.value, valueCtx()), c.want, c.name);
});

test('select validateSettings', () => {
  const cases: Array<{ name: string; options: Record<string, unknown>; want?: object }> = [
    { name: 'ok', options: { values: ['a', 'b'], maxSelect: 2 } },
    { name: 'no values', options: { values: [] }, want: { values: { code: 'validation_required', message: 'Cannot be blank.' } } },
    { name: 'maxSelect above values', options: { values: ['a', 'b'], maxSelect: 3 }, want: { maxSelect: { code: 'validation_max_less_equal_than_required', message: 'Must be no greater than 2.', params: { threshold: 2 } } } },
    { name: 'negative maxSelect', options: { values: ['a'], maxSelect: -1 }, want: { maxSelect: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 0.', params: { threshold: 0 } } } },
    { name: 'non-string values', options: { values: [1] }, want: { values: { code: 'validation_unsupported_value_type', message: 'Invalid or unsupported value type.' } } },
  ];
  for (const c of cases) assert.deepEqual(selectField.validateSettings(makeField(selectField, c.options), settingsCtx()), c.want, c.name);
});

test('select modifiers (spec §3.5.2)', () => {
  const m = selectField.applyModifier!;
  assert.deepEqual(m(multi, 'append', ['a'], 'b'), ['a', 'b']);
  assert.deepEqual(m(multi, 'append', ['a'], ['a', 'b']), ['a', 'b']);
  assert.deepEqual(m(multi, 'prepend', ['a'], ['b', 'c']), ['b', 'c', 'a']);
  assert.deepEqual(m(multi, 'remove', ['a', 'b', 'c'], '["a","c"]'), ['b']);
  assert.deepEqual(m(multi, 'remove', [], 'x'), []);
  // Single fields keep the last resulting value.
  assert.equal(m(single, 'append', 'a', 'b'), 'b');
  assert.equal(m(single, 'prepend', 'a', 'b'), 'a');
  assert.equal(m(single, 'prepend', '', 'b'), 'b');
  assert.equal(m(single, 'remove', 'a', 'a'), '');
  assert.deepEqual(selectField.modifiers, ['append', 'prepend', 'remove']);
});

test('select storage: text for single, JSON array for multiple', () => {
  assert.equal(selectField.columnKind(single), 'text');
  assert.equal(selectField.columnKind(multi), 'json');
  assert.equal(selectField.isMultiple(multi), true);
  assert.deepEqual(selectField.zeroValue(multi), []);
  assert.equal(selectField.zeroValue(single), '');
  assert.equal(selectField.toDriver(single, 'a'), 'a');
  assert.equal(selectField.toDriver(multi, ['a', 'b']), '["a","b"]');
  assert.equal(selectField.toDriver(multi, []), '[]');
  const reads: Array<[unknown, unknown, unknown]> = [
    ['a', 'a', ['a']],
    ['["a","b"]', 'b', ['a', 'b']],
    ['', '', []],
    [null, '', []],
    ['[broken', '[broken', []],
    ['"a"', '"a"', ['a']],
    [12, '12', ['12']],
  ];
  for (const [raw, s, m] of reads) {
    assert.deepEqual(selectField.fromDriver(single, raw as never), s, `single ${JSON.stringify(raw)}`);
    assert.deepEqual(selectField.fromDriver(multi, raw as never), m, `multi ${JSON.stringify(raw)}`);
  }
});
