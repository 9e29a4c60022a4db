import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_EDITOR_MAX_SIZE, editorField } from './editor-field.ts';
import { makeField, settingsCtx, valueCtx } from './field-test-context.ts';

test('editor validateValue: byte size', () => {
  const cases: Array<{ name: string; options?: Record<string, unknown>; value: unknown; want?: object }> = [
    { name: 'empty optional', value: '' },
    { name: 'empty required', options: { required: true }, value: '', want: { code: 'validation_required', message: 'Cannot be blank.' } },
    { name: 'within', options: { maxSize: 4 }, value: 'abcd' },
    { name: 'bytes not chars', options: { maxSize: 4 }, value: 'ééé', want: { code: 'validation_content_size_limit', message: 'The maximum allowed content size is 4 bytes.', params: { maxSize: 4 } } },
    { name: 'default 5 MiB', value: 'a'.repeat(DEFAULT_EDITOR_MAX_SIZE) },
    { name: 'over default', value: 'a'.repeat(DEFAULT_EDITOR_MAX_SIZE + 1), want: { code: 'validation_content_size_limit', message: `The maximum allowed content size is ${DEFAULT_EDITOR_MAX_SIZE} bytes.`, params: { maxSize: DEFAULT_EDITOR_MAX_SIZE } } },
  ];
  for (const c of cases) assert.deepEqual(editorField.validateValue(makeField(editorField, c.options), c.value, valueCtx()), c.want, c.name);
});

test('editor validateSettings and storage', () => {
  const f = makeField(editorField);
  assert.equal(editorField.validateSettings(f, settingsCtx()), undefined);
  assert.deepEqual(editorField.validateSettings(makeField(editorField, { maxSize: -1 }), settingsCtx()), { maxSize: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 0.', params: { threshold: 0 } } });
  assert.equal(editorField.prepareValue(f, '<p>x</p>'), '<p>x</p>');
  assert.equal(editorField.fromDriver(f, editorField.toDriver(f, '<p>é</p>')), '<p>é</p>');
});
