/**
 * The `bool` field (spec §5.4). Mirrors PocketBase core/field_bool.go.
 * @module
 */
import type { FieldType } from './field.ts';
import { boolOption, commonSettingsErrors, requiredError, unsupportedTypeError } from './field-helpers.ts';

/** Submitted values that read as true (spec §3.5.1); everything else is false. */
const TRUE_VALUES = new Set<unknown>([true, 1, '1', 't', 'true', 'TRUE', 'True']);

/**
 * Lenient boolean coercion of spec §3.5.1.
 * Note: PocketBase's `cast.ToBool` also takes `"T"` and every non-zero number as true; we follow
 * the spec's closed list.
 */
export function toBool(raw: unknown): boolean {
  return TRUE_VALUES.has(raw);
}

/** The `bool` field type. Stored as 1/0. */
export const boolField: FieldType = {
  type: 'bool',

  defaultOptions() {
    return { required: false, help: '' };
  },

  columnKind() {
    return 'bool';
  },

  isMultiple() {
    return false;
  },

  zeroValue() {
    return false;
  },

  prepareValue(_field, raw) {
    return toBool(raw);
  },

  validateValue(field, value) {
    if (typeof value !== 'boolean') return unsupportedTypeError();
    // Required means "not the zero value", so a required bool must be true.
    return boolOption(field, 'required') && !value ? requiredError() : undefined;
  },

  validateSettings(field) {
    return commonSettingsErrors(field).result();
  },

  toDriver(_field, value) {
    return toBool(value) ? 1 : 0;
  },

  fromDriver(_field, raw) {
    const v: unknown = raw;
    return v === 1 || v === 1n || v === true || v === '1' || v === 'true' || v === 'TRUE';
  },
};
