import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_JSON_MAX_SIZE, jsonField } from './json-field.ts';
import { makeField, settingsCtx, valueCtx } from './field-test-context.ts';

test('json prepareValue string rules (spec §3.5.1)', () => {
  const f = makeField(jsonField);
  const cases: Array<[unknown, unknown]> = [
    ['', ''],
    ['null', null],
    ['true', true],
    ['false', false],
    ['12', 12],
    ['-1.5', -1.5],
    ['"quoted"', 'quoted'],
    ['[1,"a"]', [1, 'a']],
    ['{"a":1}', { a: 1 }],
    ['{broken', '{broken'],
    ['hello', 'hello'],
    [' 12', ' 12'],
    ['True', 'True'],
    ['12abc', '12abc'],
    [null, null],
    [undefined, null],
    [5, 5],
    [{ a: [1, { b: null }] }, { a: [1, { b: null }] }],
    [[], []],
  ];
  for (const [raw, want] of cases) assert.deepEqual(jsonField.prepareValue(f, raw), want, JSON.stringify(raw));
  assert.equal(jsonField.prepareValue(f, 10n), null);
});

test('json validateValue', () => {
  const cases: Array<{ name: string; options?: Record<string, unknown>; value: unknown; want?: object }> = [
    { name: 'null optional', value: null },
    ...['null', '""', '[]', '{}'].map((t) => ({ name: `required ${t}`, options: { required: true }, value: JSON.parse(t), want: { code: 'validation_required', message: 'Cannot be blank.' } })),
    { name: 'required 0 is set', options: { required: true }, value: 0 },
    { name: 'required false is set', options: { required: true }, value: false },
    { name: 'size limit', options: { maxSize: 5 }, value: 'abcd', want: { code: 'validation_json_size_limit', message: 'The maximum allowed JSON size is 5 bytes.', params: { maxSize: 5 } } },
    { name: 'size exact', options: { maxSize: 6 }, value: 'abcd' },
    { name: 'default limit', value: 'a'.repeat(DEFAULT_JSON_MAX_SIZE), want: { code: 'validation_json_size_limit', message: `The maximum allowed JSON size is ${DEFAULT_JSON_MAX_SIZE} bytes.`, params: { maxSize: DEFAULT_JSON_MAX_SIZE } } },
    { name: 'not serialisable', value: { a: 1n }, want: { code: 'validation_invalid_json', message: 'Must be a valid json value.' } },
  ];
  for (const c of cases) assert.deepEqual(jsonField.validateValue(makeField(jsonField, c.options), c.value, valueCtx()), c.want, c.name);
});

test('json validateSettings', () => {
  assert.equal(jsonField.validateSettings(makeField(jsonField, { maxSize: 100 }), settingsCtx()), undefined);
  assert.deepEqual(jsonField.validateSettings(makeField(jsonField, { maxSize: -1 }), settingsCtx()), { maxSize: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 0.', params: { threshold: 0 } } });
});

test('json driver values', () => {
  const f = makeField(jsonField);
  assert.equal(jsonField.toDriver(f, null), null);
  assert.equal(jsonField.toDriver(f, { a: 1 }), '{"a":1}');
  assert.equal(jsonField.toDriver(f, ''), '""');
  for (const v of [null, 0, 'x', '', [1, 2], { a: { b: [true] } }, false]) assert.deepEqual(jsonField.fromDriver(f, jsonField.toDriver(f, v)), v);
  // SQLite's JSON columns have NUMERIC affinity: stored numbers come back as numbers.
  assert.equal(jsonField.fromDriver(f, 12), 12);
  assert.equal(jsonField.fromDriver(f, 'not json'), 'not json');
  assert.equal(jsonField.columnKind(f), 'json');
  assert.equal(jsonField.zeroValue(f), null);
});
