/**
 * The `autodate` field (spec §5.4): a datetime the server sets to "now" when a record is
 * inserted (`onCreate`) and/or updated (`onUpdate`); never settable through the API. It has no
 * `required` or `help`. Mirrors PocketBase core/field_autodate.go.
 * @module
 */
import { fieldError, type FieldError } from '../errors.ts';
import type { FieldModel } from '../collections/collection.ts';
import type { FieldType } from './field.ts';
import { nowDateTime, parseDateTime } from '../../tools/datetime.ts';
import { SettingsErrors, boolOption, unsupportedTypeError, DATE_VALUE } from './field-helpers.ts';
import { datetimeFromDriver } from './date-field.ts';

/**
 * The value an autodate field takes on this save: `now` when the record is new and the field
 * has `onCreate`, or when it is updated and the field has `onUpdate`; otherwise undefined (keep
 * the current value).
 *
 * @example
 * const v = autodateValueOnSave(field, isNew);
 * if (v !== undefined) record[field.name] = v;
 */
export function autodateValueOnSave(field: FieldModel, isNew: boolean, now: string = nowDateTime()): string | undefined {
  return (isNew ? boolOption(field, 'onCreate') : boolOption(field, 'onUpdate')) ? now : undefined;
}

function checkFlag(field: FieldModel, name: 'onCreate' | 'onUpdate', other: 'onCreate' | 'onUpdate', previous: FieldModel | undefined): FieldError | undefined {
  const v = field[name];
  if (v !== undefined && typeof v !== 'boolean') return unsupportedTypeError();
  // System autodate fields (created/updated of system collections) keep their behaviour.
  if (field.system && previous && boolOption(previous, name) !== boolOption(field, name)) {
    return fieldError('validation_values_mismatch', "Values don't match.");
  }
  if (!boolOption(field, name) && !boolOption(field, other)) return fieldError('validation_required', 'Either onCreate or onUpdate must be enabled.');
  return undefined;
}

/** The `autodate` field type. */
export const autodateField: FieldType = {
  type: 'autodate',
  ...DATE_VALUE,

  defaultOptions() {
    return { onCreate: false, onUpdate: false };
  },

  validateValue() {
    // Set by the server, never by a client: there is nothing to validate.
    return undefined;
  },

  validateSettings(field, ctx) {
    const errors = new SettingsErrors();
    errors.add('onCreate', checkFlag(field, 'onCreate', 'onUpdate', ctx.previous));
    errors.add('onUpdate', checkFlag(field, 'onUpdate', 'onCreate', ctx.previous));
    return errors.result();
  },

  toDriver(_field, value) {
    return parseDateTime(value);
  },

  fromDriver(_field, raw) {
    return datetimeFromDriver(raw);
  },
};
