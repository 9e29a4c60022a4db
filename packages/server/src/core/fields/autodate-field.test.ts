import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autodateField, autodateValueOnSave } from './autodate-field.ts';
import { makeField, settingsCtx, valueCtx } from './field-test-context.ts';

test('autodate has no required/help and accepts any value', () => {
  assert.deepEqual(autodateField.defaultOptions(), { onCreate: false, onUpdate: false });
  const f = makeField(autodateField, { onCreate: true });
  for (const v of ['', 'x', 5, null]) assert.equal(autodateField.validateValue(f, v, valueCtx()), undefined);
  assert.equal(autodateField.prepareValue(f, '2026-01-02'), '2026-01-02 00:00:00.000Z');
  assert.equal(autodateField.zeroValue(f), '');
  assert.equal(autodateField.columnKind(f), 'datetime');
});

test('autodateValueOnSave', () => {
  const now = '2026-03-01 09:15:02.381Z';
  const created = makeField(autodateField, { onCreate: true, onUpdate: false });
  const updated = makeField(autodateField, { onCreate: true, onUpdate: true });
  assert.equal(autodateValueOnSave(created, true, now), now);
  assert.equal(autodateValueOnSave(created, false, now), undefined);
  assert.equal(autodateValueOnSave(updated, false, now), now);
  assert.match(autodateValueOnSave(updated, true)!, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/);
});

test('autodate validateSettings', () => {
  const either = { code: 'validation_required', message: 'Either onCreate or onUpdate must be enabled.' };
  assert.deepEqual(autodateField.validateSettings(makeField(autodateField), settingsCtx()), { onCreate: either, onUpdate: either });
  assert.equal(autodateField.validateSettings(makeField(autodateField, { onUpdate: true }), settingsCtx()), undefined);
  // A system autodate field keeps its flags.
  const previous = makeField(autodateField, { system: true, onCreate: true, onUpdate: false });
  const changed = makeField(autodateField, { system: true, onCreate: true, onUpdate: true });
  assert.deepEqual(autodateField.validateSettings(changed, settingsCtx({ previous })), { onUpdate: { code: 'validation_values_mismatch', message: "Values don't match." } });
  assert.equal(autodateField.validateSettings({ ...changed, system: false }, settingsCtx({ previous })), undefined);
});
