/**
 * The `select` field (spec §5.4): one value (`maxSelect` ≤ 1) or a list of values from the
 * field's `values`. Mirrors PocketBase core/field_select.go.
 * @module
 */
import { fieldError } from '../errors.ts';
import type { FieldType } from './field.ts';
import {
  boolOption,
  commonSettingsErrors,
  maxThresholdError,
  minThresholdError,
  numberOption,
  requiredError,
  stringListOption,
  toUniqueStrings,
  unsupportedTypeError,
  LIST_VALUE,
} from './field-helpers.ts';

/** The `select` field type. Single: text column; multiple: JSON array column. */
export const selectField: FieldType = {
  type: 'select',
  ...LIST_VALUE,
  defaultOptions() {
    return { required: false, help: '', values: [], maxSelect: 0 };
  },

  validateValue(field, value) {
    if (typeof value !== 'string' && !Array.isArray(value)) return unsupportedTypeError();
    const list = toUniqueStrings(value);
    if (list.length === 0) return boolOption(field, 'required') ? requiredError() : undefined;
    const maxSelect = Math.max(numberOption(field, 'maxSelect'), 1);
    if (list.length > maxSelect) return fieldError('validation_too_many_values', `Select no more than ${maxSelect}.`, { maxSelect });
    const allowed = stringListOption(field, 'values');
    const invalid = list.find((v) => !allowed.includes(v));
    if (invalid !== undefined) return fieldError('validation_invalid_value', `Invalid value ${invalid}.`, { value: invalid });
    return undefined;
  },

  validateSettings(field) {
    const errors = commonSettingsErrors(field);
    const values = field.values;
    if (values !== undefined && values !== null && (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))) {
      errors.add('values', unsupportedTypeError());
    } else if (!Array.isArray(values) || values.length === 0) {
      errors.add('values', requiredError());
    }
    const maxSelect = field.maxSelect;
    if (maxSelect !== undefined) {
      const limit = Math.max(Array.isArray(values) ? values.length : 0, 1);
      if (typeof maxSelect !== 'number' || !Number.isInteger(maxSelect)) errors.add('maxSelect', unsupportedTypeError());
      else if (maxSelect < 0) errors.add('maxSelect', minThresholdError(0));
      else if (maxSelect > limit) errors.add('maxSelect', maxThresholdError(limit));
    }
    return errors.result();
  },
};
