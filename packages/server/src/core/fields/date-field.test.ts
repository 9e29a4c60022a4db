import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dateField } from './date-field.ts';
import { makeField, settingsCtx, valueCtx } from './field-test-context.ts';

test('date prepareValue parses the accepted layouts (spec §3.5.1)', () => {
  const f = makeField(dateField);
  const cases: Array<[unknown, string]> = [
    ['2026-03-01 09:15:02.381Z', '2026-03-01 09:15:02.381Z'],
    ['2026-03-01T09:15:02Z', '2026-03-01 09:15:02.000Z'],
    ['2026-03-01T11:15:02+02:00', '2026-03-01 09:15:02.000Z'],
    ['2026-03-01', '2026-03-01 00:00:00.000Z'],
    [0, '1970-01-01 00:00:00.000Z'],
    ['not a date', ''],
    ['2026-02-31', ''],
    [null, ''],
    [true, ''],
  ];
  for (const [raw, want] of cases) assert.equal(dateField.prepareValue(f, raw), want, JSON.stringify(raw));
});

test('date validateValue', () => {
  const range = { min: '2026-01-01 00:00:00.000Z', max: '2026-12-31' };
  const cases: Array<{ name: string; options?: Record<string, unknown>; value: unknown; want?: object }> = [
    { name: 'empty optional', value: '' },
    { name: 'empty required', options: { required: true }, value: '', want: { code: 'validation_required', message: 'Cannot be blank.' } },
    { name: 'within', options: range, value: '2026-06-01 00:00:00.000Z' },
    { name: 'min inclusive', options: range, value: '2026-01-01 00:00:00.000Z' },
    { name: 'before min', options: range, value: '2025-12-31 23:59:59.999Z', want: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 2026-01-01 00:00:00.000Z.', params: { threshold: '2026-01-01 00:00:00.000Z' } } },
    { name: 'after max', options: range, value: '2026-12-31 00:00:00.001Z', want: { code: 'validation_max_less_equal_than_required', message: 'Must be no greater than 2026-12-31 00:00:00.000Z.', params: { threshold: '2026-12-31 00:00:00.000Z' } } },
    { name: 'garbage', value: 'x', want: { code: 'validation_date_invalid', message: 'Must be a valid date.' } },
  ];
  for (const c of cases) assert.deepEqual(dateField.validateValue(makeField(dateField, c.options), c.value, valueCtx()), c.want, c.name);
});

test('date validateSettings', () => {
  assert.equal(dateField.validateSettings(makeField(dateField, { min: '2026-01-01', max: '2026-02-01' }), settingsCtx()), undefined);
  assert.deepEqual(dateField.validateSettings(makeField(dateField, { min: 'soon' }), settingsCtx()), { min: { code: 'validation_date_invalid', message: 'Must be a valid date.' } });
  const outOfRange = { code: 'validation_date_out_of_range', message: 'The date is out of range.' };
  assert.deepEqual(dateField.validateSettings(makeField(dateField, { min: '2026-02-01', max: '2026-01-01' }), settingsCtx()), { min: outOfRange, max: outOfRange });
});

test('date driver round-trip normalises foreign layouts', () => {
  const f = makeField(dateField);
  assert.equal(dateField.fromDriver(f, dateField.toDriver(f, '2026-03-01 09:15:02.381Z')), '2026-03-01 09:15:02.381Z');
  assert.equal(dateField.fromDriver(f, '2026-03-01T09:15:02Z'), '2026-03-01 09:15:02.000Z');
  assert.equal(dateField.fromDriver(f, null), '');
  assert.equal(dateField.columnKind(f), 'datetime');
});
