/**
 * The `json` field (spec §5.4): any JSON value, `null` when unset. Mirrors PocketBase
 * core/field_json.go.
 * @module
 */
import { fieldError } from '../errors.ts';
import type { FieldModel } from '../collections/collection.ts';
import type { FieldType } from './field.ts';
import { boolOption, checkIntOption, commonSettingsErrors, driverText, numberOption, requiredError } from './field-helpers.ts';

/** Effective `maxSize` of a json field whose `maxSize` is 0: 1 MiB. */
export const DEFAULT_JSON_MAX_SIZE = 1024 * 1024;

/** Serialised values that count as blank for `required` (spec §5.4). */
const BLANK_JSON = new Set(['null', '""', '[]', '{}']);

/** The byte limit of a json field. */
export function jsonMaxSize(field: FieldModel): number {
  return numberOption(field, 'maxSize') || DEFAULT_JSON_MAX_SIZE;
}

/**
 * Normalises a submitted value (spec §3.5.1). A string is taken as JSON when it is `null`,
 * `true`, `false`, or valid JSON starting with a digit, `-`, `"`, `[` or `{`, so form fields can
 * carry JSON; any other string (`""` too) is the JSON string itself. Other values pass through a
 * JSON round-trip (`undefined` → `null`); values that cannot be serialised become `null`.
 */
export function toJsonValue(raw: unknown): unknown {
  if (typeof raw === 'string') {
    if (raw === 'null') return null;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    if (/^[0-9\-"[{]/.test(raw)) {
      try {
        return JSON.parse(raw, reviveNumber);
      } catch {
        return raw;
      }
    }
    return raw;
  }
  if (raw === undefined || raw === null) return null;
  try {
    const text = JSON.stringify(raw);
    return text === undefined ? null : JSON.parse(text, reviveNumber);
  } catch {
    return null;
  }
}

/**
 * JSON.parse reviver: -0 becomes 0 and numbers beyond float64 (`1e400`) become `null`, the
 * values `JSON.stringify` would write anyway, so a prepared value survives storage unchanged.
 */
function reviveNumber(_key: string, v: unknown): unknown {
  if (typeof v !== 'number') return v;
  return Number.isFinite(v) ? v + 0 : null;
}

/** The compact JSON text of a record value, or undefined when it is not serialisable. */
function serialize(value: unknown): string | undefined {
  try {
    return JSON.stringify(value === undefined ? null : value);
  } catch {
    return undefined;
  }
}

/** The `json` field type. Stored as JSON text, NULL for `null`. */
export const jsonField: FieldType = {
  type: 'json',

  defaultOptions() {
    return { required: false, help: '', maxSize: 0 };
  },

  columnKind() {
    return 'json';
  },

  isMultiple() {
    return false;
  },

  zeroValue() {
    return null;
  },

  prepareValue(_field, raw) {
    return toJsonValue(raw);
  },

  validateValue(field, value) {
    const text = serialize(value);
    if (text === undefined) return fieldError('validation_invalid_json', 'Must be a valid json value.');
    const maxSize = jsonMaxSize(field);
    if (Buffer.byteLength(text, 'utf8') > maxSize) {
      return fieldError('validation_json_size_limit', `The maximum allowed JSON size is ${maxSize} bytes.`, { maxSize });
    }
    if (boolOption(field, 'required') && BLANK_JSON.has(text)) return requiredError();
    return undefined;
  },

  validateSettings(field) {
    const errors = commonSettingsErrors(field);
    errors.add('maxSize', checkIntOption(field, 'maxSize', 0));
    return errors.result();
  },

  toDriver(_field, value) {
    if (value === null || value === undefined) return null;
    return serialize(value) ?? null;
  },

  fromDriver(_field, raw) {
    if (raw === null || raw === undefined) return null;
    // A column declared JSON has NUMERIC affinity in SQLite, so stored `12` reads back as a number.
    if (typeof raw === 'number') return raw;
    if (typeof raw === 'bigint') return Number(raw);
    const text = driverText(raw);
    try {
      return JSON.parse(text, reviveNumber);
    } catch {
      // Text that is not JSON (written by other tools) reads as the string it is.
      return text;
    }
  },
};
