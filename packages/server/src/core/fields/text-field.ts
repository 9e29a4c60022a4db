/**
 * The `text` field (spec §5.4): a string, also used for the `id` primary key (§5.4.1).
 * Mirrors PocketBase core/field_text.go.
 * @module
 */
import { fieldError, type FieldError } from '../errors.ts';
import type { FieldModel } from '../collections/collection.ts';
import type { FieldType, ValueValidationContext } from './field.ts';
import { generateFromPattern } from '../../tools/pattern-generator.ts';
import {
  boolOption,
  charLength,
  checkIntOption,
  checkRegexOption,
  commonSettingsErrors,
  matchesPattern,
  numberOption,
  requiredError,
  stringOption,
  toText,
  unsupportedTypeError,
  TEXT_VALUE,
} from './field-helpers.ts';

/** Effective `max` of a text field whose `max` is 0 (spec §5.4). */
export const DEFAULT_TEXT_MAX_LENGTH = 5000;

/** The default `pattern` of the `id` field; other patterns get the extra primary-key checks. */
export const DEFAULT_ID_PATTERN = '^[a-z0-9]+$';

/** Characters a custom-pattern primary key may not contain (spec §5.4.1): they break file paths. */
export const FORBIDDEN_PK_CHARACTERS: readonly string[] = ['.', '/', '\\', '|', '"', "'", '`', '<', '>', ':', '?', '*', '%', '$', '\0', '\t', '\n', '\r', ' '];

/** Windows device names a custom-pattern primary key may not equal (case-insensitive). */
export const RESERVED_PKS: readonly string[] = [
  'CON', 'PRN', 'AUX', 'NUL',
  'COM1', 'COM2', 'COM3', 'COM4', 'COM5', 'COM6', 'COM7', 'COM8', 'COM9',
  'LPT1', 'LPT2', 'LPT3', 'LPT4', 'LPT5', 'LPT6', 'LPT7', 'LPT8', 'LPT9',
];

/** How many sample values the settings check draws from an `autogeneratePattern`. */
const AUTOGENERATE_SAMPLES = 10;

/**
 * Validates a plain text value against the field's options, without database checks: required
 * (or primary key) ⇒ non-empty; empty values skip the rest; length in code points within
 * [`min`, `max` or 5000]; `pattern`; and for custom-pattern primary keys the forbidden characters
 * and reserved names.
 */
export function validateTextValue(field: FieldModel, value: string): FieldError | undefined {
  const primaryKey = boolOption(field, 'primaryKey');
  if (value === '') return boolOption(field, 'required') || primaryKey ? requiredError() : undefined;
  const length = charLength(value);
  const min = numberOption(field, 'min');
  if (min > 0 && length < min) return fieldError('validation_min_text_constraint', `Must be at least ${min} character(s).`, { min });
  const max = numberOption(field, 'max') || DEFAULT_TEXT_MAX_LENGTH;
  if (max > 0 && length > max) return fieldError('validation_max_text_constraint', `Must be no more than ${max} character(s).`, { max });
  const pattern = stringOption(field, 'pattern');
  if (pattern !== '' && !matchesPattern(pattern, value)) return fieldError('validation_invalid_format', 'Invalid value format.');
  if (primaryKey && pattern !== DEFAULT_ID_PATTERN) {
    for (const ch of FORBIDDEN_PK_CHARACTERS) {
      if (value.includes(ch)) return fieldError('validation_forbidden_pk_character', `'${ch}' is not a valid primary key character.`, { ch });
    }
    const reserved = RESERVED_PKS.find((r) => r.toLowerCase() === value.toLowerCase());
    if (reserved) return fieldError('validation_reserved_pk', `The primary key '${reserved}' is reserved and cannot be used.`, { reserved });
  }
  return undefined;
}

/**
 * A fresh value from the field's `autogeneratePattern`, or `""` when it has none. The record
 * layer calls this for new records whose value is empty. Throws TypeError for a pattern the
 * generator cannot handle (settings validation rejects those on collection save).
 */
export function autogenerateTextValue(field: FieldModel): string {
  const pattern = stringOption(field, 'autogeneratePattern');
  return pattern === '' ? '' : generateFromPattern(pattern);
}

function checkAutogeneratePattern(field: FieldModel): FieldError | undefined {
  const pattern = stringOption(field, 'autogeneratePattern');
  if (pattern === '') return undefined;
  for (let i = 0; i < AUTOGENERATE_SAMPLES; i++) {
    let sample: string;
    try {
      sample = generateFromPattern(pattern);
    } catch (err) {
      return fieldError('validation_invalid_autogenerate_pattern', (err as Error).message);
    }
    // Loosely checks that generated values satisfy the other options (as PocketBase does).
    if (validateTextValue(field, sample)) {
      return fieldError(
        'validation_invalid_autogenerate_pattern_value',
        `The provided autogenerate pattern could produce invalid field values, ex.: ${JSON.stringify(sample)}`,
      );
    }
  }
  return undefined;
}

/** The `text` field type. */
export const textField: FieldType = {
  type: 'text',
  ...TEXT_VALUE,
  modifiers: ['autogenerate'],

  defaultOptions() {
    return { required: false, help: '', min: 0, max: 0, pattern: '', autogeneratePattern: '', primaryKey: false };
  },

  async validateValue(field, value, ctx: ValueValidationContext) {
    if (typeof value !== 'string') return unsupportedTypeError();
    if (boolOption(field, 'primaryKey')) {
      if (!ctx.isNew && ctx.previousRecord) {
        const old = toText(ctx.previousRecord[field.name]);
        if (old !== value) return fieldError('validation_pk_change', 'The record primary key cannot be changed.');
        // Stored ids may come from imports that predate the current options; never re-check them.
        if (old !== '') return undefined;
      } else if (ctx.isNew && value !== '' && stringOption(field, 'pattern') !== DEFAULT_ID_PATTERN) {
        // A custom pattern may allow upper case; ids double as directory names on
        // case-insensitive file systems, so they must be unique regardless of case.
        const q = ctx.dialect.quote.bind(ctx.dialect);
        const id = q('id');
        const hit = await ctx.db.get(
          `SELECT 1 AS hit FROM ${q(ctx.collection.name)} WHERE ${ctx.dialect.lower(id)} = ${ctx.dialect.lower('?')} LIMIT 1`,
          [value],
        );
        if (hit) return fieldError('validation_pk_invalid', 'The record primary key is invalid or already exists.');
      }
    }
    return validateTextValue(field, value);
  },

  validateSettings(field, ctx) {
    const errors = commonSettingsErrors(field);
    const primaryKey = boolOption(field, 'primaryKey');
    if (primaryKey && field.name !== 'id') errors.add('name', fieldError('validation_in_invalid', 'The primary key must be named "id".'));
    errors.add('primaryKey', (() => {
      if (!primaryKey) return undefined;
      const count = ctx.collection.fields.filter((f) => f.type === 'text' && f.primaryKey === true).length;
      return count > 1 ? fieldError('validation_unsupported_composite_pk', 'Composite PKs are not supported and the collection must have only 1 PK.') : undefined;
    })());
    errors.add('min', checkIntOption(field, 'min', 0));
    errors.add('max', checkIntOption(field, 'max', Math.max(0, numberOption(field, 'min'))));
    if (primaryKey && stringOption(field, 'pattern') === '') errors.add('pattern', requiredError());
    errors.add('pattern', checkRegexOption(field, 'pattern'));
    if (primaryKey && field.hidden) errors.add('hidden', fieldError('validation_empty', 'Must be blank.'));
    if (primaryKey && !boolOption(field, 'required')) errors.add('required', requiredError());
    errors.add('autogeneratePattern', checkRegexOption(field, 'autogeneratePattern') ?? checkAutogeneratePattern(field));
    return errors.result();
  },

  applyModifier(field, modifier, current, raw) {
    if (modifier !== 'autogenerate') return current;
    // `field:autogenerate` = submitted prefix + generated value (spec §3.5.2). Like PocketBase,
    // a pattern that cannot generate leaves just the prefix; validation reports the rest.
    let generated = '';
    try {
      generated = autogenerateTextValue(field);
    } catch {
      generated = '';
    }
    return toText(raw) + generated;
  },
};
