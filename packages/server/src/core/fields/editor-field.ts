/**
 * The `editor` field (spec §5.4): rich-text HTML, stored as given (no server-side sanitising).
 * Mirrors PocketBase core/field_editor.go.
 * @module
 */
import { fieldError } from '../errors.ts';
import type { FieldModel } from '../collections/collection.ts';
import type { FieldType } from './field.ts';
import {
  boolOption,
  checkBool,
  checkIntOption,
  commonSettingsErrors,
  numberOption,
  requiredError,
  unsupportedTypeError,
  TEXT_VALUE,
} from './field-helpers.ts';

/** Effective `maxSize` of an editor field whose `maxSize` is 0: 5 MiB. */
export const DEFAULT_EDITOR_MAX_SIZE = 5 * 1024 * 1024;

/** The byte limit of an editor field. */
export function editorMaxSize(field: FieldModel): number {
  return numberOption(field, 'maxSize') || DEFAULT_EDITOR_MAX_SIZE;
}

/** The `editor` field type. */
export const editorField: FieldType = {
  type: 'editor',
  ...TEXT_VALUE,

  defaultOptions() {
    return { required: false, help: '', maxSize: 0, convertURLs: false };
  },

  validateValue(field, value) {
    if (typeof value !== 'string') return unsupportedTypeError();
    if (value === '') return boolOption(field, 'required') ? requiredError() : undefined;
    const maxSize = editorMaxSize(field);
    if (Buffer.byteLength(value, 'utf8') > maxSize) {
      return fieldError('validation_content_size_limit', `The maximum allowed content size is ${maxSize} bytes.`, { maxSize });
    }
    return undefined;
  },

  validateSettings(field) {
    const errors = commonSettingsErrors(field);
    errors.add('maxSize', checkIntOption(field, 'maxSize', 0));
    errors.add('convertURLs', checkBool(field, 'convertURLs'));
    return errors.result();
  },

};
