import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boolField } from './bool-field.ts';
import { makeField, settingsCtx, valueCtx } from './field-test-context.ts';

test('bool prepareValue (spec §3.5.1)', () => {
  const f = makeField(boolField);
  for (const raw of [true, 1, '1', 't', 'true', 'TRUE', 'True']) assert.equal(boolField.prepareValue(f, raw), true, JSON.stringify(raw));
  for (const raw of [false, 0, 2, '0', 'f', 'false', 'yes', 'on', '', null, undefined, [], {}, 'T']) {
    assert.equal(boolField.prepareValue(f, raw), false, JSON.stringify(raw));
  }
});

test('bool validateValue', () => {
  assert.equal(boolField.validateValue(makeField(boolField), false, valueCtx()), undefined);
  assert.equal(boolField.validateValue(makeField(boolField, { required: true }), true, valueCtx()), undefined);
  assert.deepEqual(boolField.validateValue(makeField(boolField, { required: true }), false, valueCtx()), { code: 'validation_required', message: 'Cannot be blank.' });
  assert.deepEqual(boolField.validateValue(makeField(boolField), 'true', valueCtx()), { code: 'validation_unsupported_value_type', message: 'Invalid or unsupported value type.' });
});

test('bool validateSettings', () => {
  assert.equal(boolField.validateSettings(makeField(boolField), settingsCtx()), undefined);
  assert.deepEqual(boolField.validateSettings(makeField(boolField, { required: 'yes' }), settingsCtx()), { required: { code: 'validation_unsupported_value_type', message: 'Invalid or unsupported value type.' } });
});

test('bool driver values', () => {
  const f = makeField(boolField);
  assert.equal(boolField.toDriver(f, true), 1);
  assert.equal(boolField.toDriver(f, false), 0);
  for (const raw of [1, 1n, '1', 'true']) assert.equal(boolField.fromDriver(f, raw as never), true);
  for (const raw of [0, 0n, '0', 'false', null, undefined]) assert.equal(boolField.fromDriver(f, raw as never), false);
  assert.equal(boolField.columnKind(f), 'bool');
  assert.equal(boolField.zeroValue(f), false);
});
