/**
 * The `file` field (spec §5.4, §3.5.4): stored filenames, one (`maxSelect` ≤ 1) or a list.
 * This type handles values that are names of stored files; uploads are handled by the record
 * layer (spec §3.5.4). Mirrors PocketBase core/field_file.go.
 * @module
 */
import { fieldError, type FieldErrors } from '../errors.ts';
import type { FieldModel } from '../collections/collection.ts';
import type { FieldType } from './field.ts';
import {
  boolOption,
  checkBool,
  checkIntOption,
  commonSettingsErrors,
  numberOption,
  requiredError,
  toUniqueStrings,
  unsupportedTypeError,
  LIST_VALUE,
} from './field-helpers.ts';

/** Effective `maxSize` of a file field whose `maxSize` is 0: 5 MiB. */
export const DEFAULT_FILE_MAX_SIZE = 5 * 1024 * 1024;

/** Longest stored filename (spec §3.5.4). */
export const MAX_FILENAME_LENGTH = 150;

/** A thumb size: `WxH` with an optional `t`, `b` or `f` crop mode (spec §5.4). */
export const THUMB_SIZE_PATTERN = /^(\d+)x(\d+)(t|b|f)?$/;

const ZERO_THUMBS = new Set(['0x0', '0x0t', '0x0b', '0x0f']);

/** The per-file byte limit of a file field. */
export function fileMaxSize(field: FieldModel): number {
  return numberOption(field, 'maxSize') || DEFAULT_FILE_MAX_SIZE;
}

/** The most files the field holds: `max(maxSelect, 1)`. */
export function fileMaxSelect(field: FieldModel): number {
  return Math.max(numberOption(field, 'maxSelect'), 1);
}

/** True for a name that can be a stored filename: 1–150 chars, no path separators, no dot-only names. */
export function isStoredFilename(name: string): boolean {
  return name.length <= MAX_FILENAME_LENGTH && !/[/\\\0]/.test(name) && name !== '.' && name !== '..';
}

function checkList(field: FieldModel, name: 'mimeTypes' | 'thumbs'): FieldErrors[string] | undefined {
  const v = field[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return fieldError('validation_unsupported_value_type', 'Invalid or unsupported value type.');
  if (name !== 'thumbs') return undefined;
  const nested: FieldErrors = {};
  v.forEach((thumb: string, i) => {
    if (ZERO_THUMBS.has(thumb)) nested[String(i)] = fieldError('validation_not_in_invalid', 'Must not be in list.');
    else if (!THUMB_SIZE_PATTERN.test(thumb)) nested[String(i)] = fieldError('validation_match_invalid', 'Must be in a valid format.');
  });
  return Object.keys(nested).length ? nested : undefined;
}

/** The `file` field type. Single: text column; multiple: JSON array column. */
export const fileField: FieldType = {
  type: 'file',
  ...LIST_VALUE,
  defaultOptions() {
    return { required: false, help: '', maxSelect: 0, maxSize: 0, mimeTypes: [], thumbs: [], protected: false };
  },

  validateValue(field, value) {
    if (typeof value !== 'string' && !Array.isArray(value)) return unsupportedTypeError();
    const files = toUniqueStrings(value);
    if (files.length === 0) return boolOption(field, 'required') ? requiredError() : undefined;
    const maxSelect = fileMaxSelect(field);
    if (files.length > maxSelect) return fieldError('validation_too_many_files', `The maximum allowed files is ${maxSelect}.`, { maxSelect });
    // Whether each name belongs to the record is the record layer's check (it knows the
    // stored value); here a name only has to be a possible stored filename.
    const invalidFiles = files.filter((f) => !isStoredFilename(f));
    if (invalidFiles.length) return fieldError('validation_invalid_file', `Invalid new files: ${invalidFiles.join(', ')}.`, { invalidFiles });
    return undefined;
  },

  validateSettings(field) {
    const errors = commonSettingsErrors(field);
    errors.add('maxSelect', checkIntOption(field, 'maxSelect', 0));
    errors.add('maxSize', checkIntOption(field, 'maxSize', 0));
    errors.add('mimeTypes', checkList(field, 'mimeTypes'));
    errors.add('thumbs', checkList(field, 'thumbs'));
    errors.add('protected', checkBool(field, 'protected'));
    return errors.result();
  },
};
