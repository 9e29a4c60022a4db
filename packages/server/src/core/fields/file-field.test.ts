import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileField } from './file-field.ts';
import { makeField, settingsCtx, valueCtx } from './field-test-context.ts';

const single = makeField(fileField);
const multi = makeField(fileField, { maxSelect: 3 });

test('file prepareValue and storage', () => {
  assert.equal(fileField.prepareValue(single, ['a.png', 'b.png']), 'b.png');
  assert.deepEqual(fileField.prepareValue(multi, 'a.png'), ['a.png']);
  assert.deepEqual(fileField.prepareValue(multi, null), []);
  assert.equal(fileField.columnKind(single), 'text');
  assert.equal(fileField.columnKind(multi), 'json');
  assert.deepEqual(fileField.fromDriver(multi, fileField.toDriver(multi, ['a.png', 'b.png'])), ['a.png', 'b.png']);
  assert.equal(fileField.fromDriver(single, fileField.toDriver(single, 'a.png')), 'a.png');
});

test('file validateValue', () => {
  const cases: Array<{ name: string; field: object; value: unknown; want?: object }> = [
    { name: 'empty optional', field: multi, value: [] },
    { name: 'empty required', field: { ...single, required: true }, value: '', want: { code: 'validation_required', message: 'Cannot be blank.' } },
    { name: 'within', field: multi, value: ['a.png', 'b.png', 'c.png'] },
    { name: 'too many', field: multi, value: ['a', 'b', 'c', 'd'], want: { code: 'validation_too_many_files', message: 'The maximum allowed files is 3.', params: { maxSelect: 3 } } },
    { name: 'bad name', field: multi, value: ['../etc/passwd'], want: { code: 'validation_invalid_file', message: 'Invalid new files: ../etc/passwd.', params: { invalidFiles: ['../etc/passwd'] } } },
  ];
  for (const c of cases) assert.deepEqual(fileField.validateValue(c.field as never, c.value, valueCtx()), c.want, c.name);
});

test('file validateSettings', () => {
  assert.equal(fileField.validateSettings(makeField(fileField, { thumbs: ['100x100', '0x50t', '50x0b', '10x10f'], mimeTypes: ['image/png'] }), settingsCtx()), undefined);
  assert.deepEqual(fileField.validateSettings(makeField(fileField, { thumbs: ['0x0', '10x10z', 'abc', '0x0f'] }), settingsCtx()), {
    thumbs: {
      '0': { code: 'validation_not_in_invalid', message: 'Must not be in list.' },
      '1': { code: 'validation_match_invalid', message: 'Must be in a valid format.' },
      '2': { code: 'validation_match_invalid', message: 'Must be in a valid format.' },
      '3': { code: 'validation_not_in_invalid', message: 'Must not be in list.' },
    },
  });
  assert.deepEqual(fileField.validateSettings(makeField(fileField, { maxSelect: -1, maxSize: -5 }), settingsCtx()), {
    maxSelect: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 0.', params: { threshold: 0 } },
    maxSize: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 0.', params: { threshold: 0 } },
  });
});

test('file modifiers', () => {
  assert.deepEqual(fileField.applyModifier!(multi, 'append', ['a'], ['b']), ['a', 'b']);
  assert.deepEqual(fileField.applyModifier!(multi, 'prepend', ['a'], 'b'), ['b', 'a']);
  assert.deepEqual(fileField.applyModifier!(multi, 'remove', ['a', 'b'], ['a']), ['b']);
  assert.equal(fileField.applyModifier!(single, 'remove', 'a', 'a'), '');
});
