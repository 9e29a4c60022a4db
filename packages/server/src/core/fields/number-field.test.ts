import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numberField } from './number-field.ts';
import { makeField, settingsCtx, valueCtx } from './field-test-context.ts';

test('number prepareValue converts to float (spec §3.5.1)', () => {
  const f = makeField(numberField);
  const cases: Array<[unknown, number]> = [
    [12, 12],
    ['12.5', 12.5],
    ['-3', -3],
    ['+4', 4],
    ['1e3', 1000],
    ['.5', 0.5],
    ['abc', 0],
    ['', 0],
    [' 12', 0],
    ['1e400', 0],
    [null, 0],
    [undefined, 0],
    [true, 1],
    [false, 0],
    [[1], 0],
    [{}, 0],
  ];
  for (const [raw, want] of cases) assert.equal(numberField.prepareValue(f, raw), want, JSON.stringify(raw));
  assert.ok(Number.isNaN(numberField.prepareValue(f, 'NaN')));
  assert.equal(numberField.prepareValue(f, 'Inf'), Infinity);
  assert.equal(numberField.prepareValue(f, '-infinity'), -Infinity);
});

test('number validateValue: codes, messages and params', () => {
  const cases: Array<{ name: string; options?: Record<string, unknown>; value: unknown; want?: object }> = [
    { name: 'zero optional', value: 0 },
    { name: 'zero required', options: { required: true }, value: 0, want: { code: 'validation_required', message: 'Cannot be blank.' } },
    { name: 'zero skips min', options: { min: 5 }, value: 0 },
    { name: 'zero skips onlyInt and max', options: { onlyInt: true, max: -1 }, value: 0 },
    { name: 'NaN', value: Number.NaN, want: { code: 'validation_not_a_number', message: 'The submitted number is not properly formatted.' } },
    { name: 'Infinity', value: Infinity, want: { code: 'validation_not_a_number', message: 'The submitted number is not properly formatted.' } },
    { name: 'decimal with onlyInt', options: { onlyInt: true }, value: 1.5, want: { code: 'validation_only_int_constraint', message: 'Decimal numbers are not allowed.' } },
    { name: 'integer with onlyInt', options: { onlyInt: true }, value: 2 },
    { name: 'below min', options: { min: 5 }, value: 4, want: { code: 'validation_min_number_constraint', message: 'Must be greater or equal than 5.', params: { min: 5 } } },
    { name: 'min inclusive', options: { min: 5 }, value: 5 },
    { name: 'above max', options: { max: 2.5 }, value: 3, want: { code: 'validation_max_number_constraint', message: 'Must be less or equal than 2.5.', params: { max: 2.5 } } },
    { name: 'max inclusive', options: { max: 2.5 }, value: 2.5 },
    { name: 'null bounds', options: { min: null, max: null }, value: -1e9 },
    { name: 'non-number', value: '1', want: { code: 'validation_unsupported_value_type', message: 'Invalid or unsupported value type.' } },
  ];
  for (const c of cases) assert.deepEqual(numberField.validateValue(makeField(numberField, c.options), c.value, valueCtx()), c.want, c.name);
});

test('number validateSettings', () => {
  const cases: Array<{ name: string; options: Record<string, unknown>; want?: object }> = [
    { name: 'defaults', options: {} },
    { name: 'max below min', options: { min: 5, max: 1 }, want: { max: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 5.', params: { threshold: 5 } } } },
    { name: 'onlyInt with decimal bounds', options: { onlyInt: true, min: 1.5, max: 2.5 }, want: { min: { code: 'validation_only_int_constraint', message: 'Decimal numbers are not allowed.' }, max: { code: 'validation_only_int_constraint', message: 'Decimal numbers are not allowed.' } } },
    { name: 'string bound', options: { min: '1' }, want: { min: { code: 'validation_unsupported_value_type', message: 'Invalid or unsupported value type.' } } },
  ];
  for (const c of cases) assert.deepEqual(numberField.validateSettings(makeField(numberField, c.options), settingsCtx()), c.want, c.name);
});

test('number modifiers add and subtract (spec §3.5.2)', () => {
  const f = makeField(numberField);
  assert.equal(numberField.applyModifier!(f, 'append', 0, 4), 4);
  assert.equal(numberField.applyModifier!(f, 'remove', 4, '1'), 3);
  assert.equal(numberField.applyModifier!(f, 'append', 1.5, 'x'), 1.5);
  assert.equal(numberField.applyModifier!(f, 'prepend', 7, 1), 7);
  assert.deepEqual(numberField.modifiers, ['append', 'remove']);
});

test('number driver round-trip', () => {
  const f = makeField(numberField);
  for (const v of [0, 1, -2.5, 1e300, Number.MAX_SAFE_INTEGER]) assert.equal(numberField.fromDriver(f, numberField.toDriver(f, v)), v);
  assert.equal(numberField.toDriver(f, Number.NaN), 0);
  assert.equal(numberField.fromDriver(f, 12n), 12);
  assert.equal(numberField.fromDriver(f, '3.5'), 3.5);
  assert.equal(numberField.fromDriver(f, null), 0);
  assert.equal(numberField.columnKind(f), 'number');
  assert.equal(numberField.zeroValue(f), 0);
});
