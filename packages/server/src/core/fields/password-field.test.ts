import { test } from 'node:test';
import assert from 'node:assert/strict';
import { passwordCost, passwordField } from './password-field.ts';
import { makeField, settingsCtx, valueCtx } from './field-test-context.ts';

test('password validateValue checks the plain value', () => {
  const cases: Array<{ name: string; options?: Record<string, unknown>; value: unknown; want?: object }> = [
    { name: 'empty optional', value: '' },
    { name: 'empty required', options: { required: true }, value: '', want: { code: 'validation_required', message: 'Cannot be blank.' } },
    { name: 'too short', options: { min: 8 }, value: '1234567', want: { code: 'validation_min_text_constraint', message: 'Must be at least 8 character(s).', params: { min: 8 } } },
    { name: 'code points', options: { min: 3 }, value: '😀😀😀' },
    { name: 'default max 71', value: 'a'.repeat(71) },
    { name: 'over 71', value: 'a'.repeat(72), want: { code: 'validation_max_text_constraint', message: 'Must be less than 71 character(s).', params: { max: 71 } } },
    { name: 'custom max', options: { max: 10 }, value: 'a'.repeat(11), want: { code: 'validation_max_text_constraint', message: 'Must be less than 10 character(s).', params: { max: 10 } } },
    { name: 'pattern', options: { pattern: '\\d' }, value: 'abcdefgh', want: { code: 'validation_invalid_format', message: 'Invalid value format.' } },
    { name: 'pattern ok', options: { pattern: '\\d' }, value: 'abcdefg1' },
  ];
  for (const c of cases) assert.deepEqual(passwordField.validateValue(makeField(passwordField, c.options), c.value, valueCtx()), c.want, c.name);
});

test('password validateSettings', () => {
  const cases: Array<{ name: string; options: Record<string, unknown>; want?: object }> = [
    { name: 'defaults', options: {} },
    { name: 'auth defaults', options: { min: 8, max: 0, cost: 0 } },
    { name: 'max above 71', options: { max: 72 }, want: { max: { code: 'validation_max_less_equal_than_required', message: 'Must be no greater than 71.', params: { threshold: 71 } } } },
    { name: 'max below min', options: { min: 10, max: 9 }, want: { max: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 10.', params: { threshold: 10 } } } },
    { name: 'cost too low', options: { cost: 3 }, want: { cost: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 4.', params: { threshold: 4 } } } },
    { name: 'cost too high', options: { cost: 32 }, want: { cost: { code: 'validation_max_less_equal_than_required', message: 'Must be no greater than 31.', params: { threshold: 31 } } } },
    { name: 'cost ok', options: { cost: 12 } },
  ];
  for (const c of cases) assert.deepEqual(passwordField.validateSettings(makeField(passwordField, c.options), settingsCtx()), c.want, c.name);
  assert.equal(passwordField.validateSettings(makeField(passwordField, { pattern: '(' }), settingsCtx())?.pattern && true, true);
});

test('password value handling', () => {
  const f = makeField(passwordField);
  assert.equal(passwordField.prepareValue(f, 'secret'), 'secret');
  assert.equal(passwordField.prepareValue(f, 1234), '1234');
  assert.equal(passwordField.prepareValue(f, null), '');
  assert.equal(passwordField.fromDriver(f, passwordField.toDriver(f, '$2a$10$hash')), '$2a$10$hash');
  assert.equal(passwordCost(f), 10);
  assert.equal(passwordCost(makeField(passwordField, { cost: 12 })), 12);
});
