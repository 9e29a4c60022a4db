/**
 * The `number` field (spec §5.4): a float64. Mirrors PocketBase core/field_number.go, with the
 * messages of spec §2.4.
 * @module
 */
import { fieldError } from '../errors.ts';
import type { FieldModel } from '../collections/collection.ts';
import type { FieldType } from './field.ts';
import {
  boolOption,
  commonSettingsErrors,
  formatDecimal,
  minThresholdError,
  optionalNumberOption,
  requiredError,
  toFloat,
  unsupportedTypeError,
  type SettingsErrors,
} from './field-helpers.ts';

function checkBoundOption(field: FieldModel, name: 'min' | 'max', errors: SettingsErrors): void {
  const v = field[name];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isFinite(v)) return errors.add(name, unsupportedTypeError());
  if (boolOption(field, 'onlyInt') && !Number.isInteger(v)) {
    errors.add(name, fieldError('validation_only_int_constraint', 'Decimal numbers are not allowed.'));
  }
}

/** The `number` field type. Stored in a numeric column. */
export const numberField: FieldType = {
  type: 'number',
  modifiers: ['append', 'remove'],

  defaultOptions() {
    return { required: false, help: '', min: null, max: null, onlyInt: false };
  },

  columnKind() {
    return 'number';
  },

  isMultiple() {
    return false;
  },

  zeroValue() {
    return 0;
  },

  prepareValue(_field, raw) {
    return toFloat(raw);
  },

  validateValue(field, value) {
    if (typeof value !== 'number') return unsupportedTypeError();
    if (!Number.isFinite(value)) return fieldError('validation_not_a_number', 'The submitted number is not properly formatted.');
    // Zero skips every other check (spec §5.4, Appendix B.3): it only fails `required`.
    if (value === 0) return boolOption(field, 'required') ? requiredError() : undefined;
    if (boolOption(field, 'onlyInt') && !Number.isInteger(value)) return fieldError('validation_only_int_constraint', 'Decimal numbers are not allowed.');
    const min = optionalNumberOption(field, 'min');
    if (min !== undefined && value < min) return fieldError('validation_min_number_constraint', `Must be greater or equal than ${formatDecimal(min)}.`, { min });
    const max = optionalNumberOption(field, 'max');
    if (max !== undefined && value > max) return fieldError('validation_max_number_constraint', `Must be less or equal than ${formatDecimal(max)}.`, { max });
    return undefined;
  },

  validateSettings(field) {
    const errors = commonSettingsErrors(field);
    errors.add('onlyInt', field.onlyInt === undefined || typeof field.onlyInt === 'boolean' ? undefined : unsupportedTypeError());
    checkBoundOption(field, 'min', errors);
    checkBoundOption(field, 'max', errors);
    const min = optionalNumberOption(field, 'min');
    const max = optionalNumberOption(field, 'max');
    if (min !== undefined && max !== undefined && max < min) errors.add('max', minThresholdError(min));
    return errors.result();
  },

  toDriver(_field, value) {
    const n = toFloat(value);
    // NaN/±Inf never pass validation; bind 0 rather than something the NOT NULL column rejects.
    return Number.isFinite(n) ? n + 0 : 0;
  },

  fromDriver(_field, raw) {
    if (typeof raw === 'number') return raw;
    if (typeof raw === 'bigint') return Number(raw);
    if (typeof raw === 'string') return toFloat(raw.trim());
    return 0;
  },

  applyModifier(_field, modifier, current, raw) {
    // `field+` adds and `field-` subtracts (spec §3.5.2).
    if (modifier === 'append') return toFloat(current) + toFloat(raw);
    if (modifier === 'remove') return toFloat(current) - toFloat(raw);
    return toFloat(current);
  },
};
