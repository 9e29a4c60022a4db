/**
 * The `password` field (spec §5.4): write-only, stored as a bcrypt hash, never serialised.
 * The record value is the plain submitted string until the record layer hashes it; a value read
 * from the database is the hash. Mirrors PocketBase core/field_password.go.
 * @module
 */
import { fieldError } from '../errors.ts';
import type { FieldModel } from '../collections/collection.ts';
import type { FieldType } from './field.ts';
import {
  boolOption,
  charLength,
  checkIntOption,
  checkRegexOption,
  commonSettingsErrors,
  driverText,
  matchesPattern,
  numberOption,
  stringOption,
  requiredError,
  toText,
  unsupportedTypeError,
} from './field-helpers.ts';

/** bcrypt reads at most 72 bytes; PocketBase caps passwords at 71 characters. */
export const MAX_PASSWORD_LENGTH = 71;

/** bcrypt cost used when the field's `cost` is 0. */
export const DEFAULT_BCRYPT_COST = 10;
/** Allowed range of a non-zero `cost` option (bcrypt's own limits). */
export const MIN_BCRYPT_COST = 4;
/** Upper bound of the `cost` option. */
export const MAX_BCRYPT_COST = 31;

/** The bcrypt cost to hash this field's passwords with. */
export function passwordCost(field: FieldModel): number {
  return numberOption(field, 'cost') || DEFAULT_BCRYPT_COST;
}

/** The `password` field type. */
export const passwordField: FieldType = {
  type: 'password',

  defaultOptions() {
    return { required: false, help: '', min: 0, max: 0, pattern: '', cost: 0 };
  },

  columnKind() {
    return 'text';
  },

  isMultiple() {
    return false;
  },

  zeroValue() {
    return '';
  },

  prepareValue(_field, raw) {
    return toText(raw);
  },

  /**
   * Validates a PLAIN submitted password: required ⇒ not `""`, length in code points within
   * [`min`, `max` or 71], `pattern`. Call it only when a new password was submitted (or on
   * create): on update an unchanged password is a stored hash and must not be validated.
   */
  validateValue(field, value) {
    if (typeof value !== 'string') return unsupportedTypeError();
    if (value === '') return boolOption(field, 'required') ? requiredError() : undefined;
    const length = charLength(value);
    const min = numberOption(field, 'min');
    if (length < min) return fieldError('validation_min_text_constraint', `Must be at least ${min} character(s).`, { min });
    const max = numberOption(field, 'max') > 0 ? numberOption(field, 'max') : MAX_PASSWORD_LENGTH;
    if (length > max) return fieldError('validation_max_text_constraint', `Must be less than ${max} character(s).`, { max });
    const pattern = stringOption(field, 'pattern');
    if (pattern !== '' && !matchesPattern(pattern, value)) return fieldError('validation_invalid_format', 'Invalid value format.');
    return undefined;
  },

  validateSettings(field) {
    const errors = commonSettingsErrors(field);
    errors.add('min', checkIntOption(field, 'min', 1, MAX_PASSWORD_LENGTH));
    errors.add('max', checkIntOption(field, 'max', Math.max(0, numberOption(field, 'min')), MAX_PASSWORD_LENGTH));
    errors.add('cost', checkIntOption(field, 'cost', MIN_BCRYPT_COST, MAX_BCRYPT_COST));
    errors.add('pattern', checkRegexOption(field, 'pattern'));
    return errors.result();
  },

  toDriver(_field, value) {
    // The record layer replaces the plain value with its hash before writing.
    return toText(value);
  },

  fromDriver(_field, raw) {
    return driverText(raw);
  },
};
