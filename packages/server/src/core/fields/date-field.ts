/**
 * The `date` field (spec §5.4): a datetime string in PocketBase's layout, `""` when unset.
 * Mirrors PocketBase core/field_date.go.
 * @module
 */
import { fieldError, type FieldError } from '../errors.ts';
import type { FieldModel } from '../collections/collection.ts';
import type { SqlValue } from '../../storage/types.ts';
import type { FieldType } from './field.ts';
import { parseDateTime } from '../../tools/datetime.ts';
import { boolOption, commonSettingsErrors, driverText, requiredError, unsupportedTypeError, DATE_VALUE } from './field-helpers.ts';

const PB_LAYOUT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A stored datetime as a record value: PocketBase's layout, `""` when unset or unreadable. */
export function datetimeFromDriver(raw: SqlValue | undefined): string {
  const text = driverText(raw);
  // Values Basalt wrote are already in the layout; only foreign data needs parsing.
  return text === '' || PB_LAYOUT.test(text) ? text : parseDateTime(text);
}

/** A datetime option (`min`/`max`) in the layout, `""` when unset or invalid. */
function dateOption(field: FieldModel, name: 'min' | 'max'): string {
  const v = field[name];
  return typeof v === 'string' ? parseDateTime(v) : '';
}

function checkDateOption(field: FieldModel, name: 'min' | 'max'): FieldError | undefined {
  const v = field[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || parseDateTime(v) === '') return fieldError('validation_date_invalid', 'Must be a valid date.');
  return undefined;
}

/** The `date` field type. */
export const dateField: FieldType = {
  type: 'date',
  ...DATE_VALUE,

  defaultOptions() {
    return { required: false, help: '', min: '', max: '' };
  },

  validateValue(field, value) {
    if (typeof value !== 'string') return unsupportedTypeError();
    if (value === '') return boolOption(field, 'required') ? requiredError() : undefined;
    // The layout is fixed-width UTC, so string order is time order.
    const normalized = parseDateTime(value);
    if (normalized === '') return fieldError('validation_date_invalid', 'Must be a valid date.');
    const min = dateOption(field, 'min');
    if (min !== '' && normalized < min) return fieldError('validation_min_greater_equal_than_required', `Must be no less than ${min}.`, { threshold: min });
    const max = dateOption(field, 'max');
    if (max !== '' && normalized > max) return fieldError('validation_max_less_equal_than_required', `Must be no greater than ${max}.`, { threshold: max });
    return undefined;
  },

  validateSettings(field) {
    const errors = commonSettingsErrors(field);
    errors.add('min', checkDateOption(field, 'min'));
    errors.add('max', checkDateOption(field, 'max'));
    const min = dateOption(field, 'min');
    const max = dateOption(field, 'max');
    if (min !== '' && max !== '' && min > max) {
      // PocketBase checks each bound against the [min, max] range, so both report.
      const outOfRange = fieldError('validation_date_out_of_range', 'The date is out of range.');
      errors.add('min', outOfRange);
      errors.add('max', outOfRange);
    }
    return errors.result();
  },

  toDriver(_field, value) {
    return parseDateTime(value);
  },

  fromDriver(_field, raw) {
    return datetimeFromDriver(raw);
  },
};
