/**
 * Helpers shared by the field types: the lenient coercions of spec §3.5.1 (mirroring the
 * `spf13/cast` and `tools/list` conversions PocketBase uses), option readers, the validation
 * errors of spec §2.4, settings checks in the style of ozzo-validation, and pattern compiling.
 * @module
 */
import { fieldError, type FieldError, type FieldErrors } from '../errors.ts';
import type { FieldModel } from '../collections/collection.ts';
import type { ColumnKind, SqlValue } from '../../storage/types.ts';
import { parseDateTime } from '../../tools/datetime.ts';

/** Upper bound of every numeric field option (spec §5.4): 2^53 − 1. */
export const MAX_SAFE_OPTION = Number.MAX_SAFE_INTEGER;

/** Longest `help` text a field may have (spec §5.4). */
export const MAX_HELP_LENGTH = 300;

// ---------------------------------------------------------------------------------------------
// Coercion

const utf8 = new TextDecoder();

/**
 * Formats a number as Go's `strconv.FormatFloat(f, 'f', -1, 64)` does: the shortest decimal that
 * round-trips, never in exponent form (`1e21` → `"1000000000000000000000"`).
 */
export function formatDecimal(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (Object.is(n, -0)) return '0';
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', expText] = m;
  const digits = lead + frac;
  const exp = Number(expText);
  if (exp >= 0) {
    const intLen = 1 + exp;
    return sign + (digits.length <= intLen ? digits.padEnd(intLen, '0') : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`);
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/**
 * Converts any input to a string as `cast.ToString` does (spec §3.5.1): `null` → `""`, numbers
 * → decimal text, booleans → `"true"`/`"false"`, bytes → UTF-8 text, arrays/objects → `""`.
 */
export function toText(raw: unknown): string {
  switch (typeof raw) {
    case 'string':
      return raw;
    case 'number':
      return formatDecimal(raw);
    case 'bigint':
      return raw.toString();
    case 'boolean':
      return raw ? 'true' : 'false';
  }
  if (raw instanceof Uint8Array) return utf8.decode(raw);
  return '';
}

const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)(?:inf|infinity)$/i;

/**
 * Converts any input to a float as `cast.ToFloat64` does (spec §3.5.1): numeric strings parse
 * like Go's `strconv.ParseFloat` (no surrounding spaces; `"NaN"`/`"Inf"` accepted, so
 * validation can reject them), out-of-range or unparsable strings, `null` and objects give 0,
 * `true` gives 1.
 */
export function toFloat(raw: unknown): number {
  switch (typeof raw) {
    case 'number':
      // + 0 turns -0 into 0: Go has no negative zero to store or print.
      return raw + 0;
    case 'bigint':
      return Number(raw);
    case 'boolean':
      return raw ? 1 : 0;
    case 'string': {
      if (DECIMAL_FLOAT.test(raw)) {
        const n = Number(raw);
        // ParseFloat reports overflow as an error, and cast turns errors into 0.
        return Number.isFinite(n) ? n + 0 : 0;
      }
      const inf = INFINITY.exec(raw);
      if (inf) return inf[1] === '-' ? -Infinity : Infinity;
      if (/^nan$/i.test(raw)) return Number.NaN;
      return 0;
    }
  }
  return 0;
}

/**
 * Converts any input to a list of distinct non-empty strings, as PocketBase's
 * `list.ToUniqueStringSlice` does (spec §3.5.1): a string holding a JSON array of strings is
 * decoded, any other string is one element, array elements are converted with {@link toText},
 * numbers and booleans become one element, anything else gives `[]`.
 */
export function toUniqueStrings(raw: unknown): string[] {
  let list: string[] = [];
  if (typeof raw === 'string') {
    if (raw === '') return [];
    list = [raw];
    if (raw.includes('[')) {
      try {
        const parsed: unknown = JSON.parse(raw);
        // Go decodes into []string, so only an array of strings counts as a JSON list.
        if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string')) list = parsed;
      } catch {
        // Not JSON: the whole string is the single element.
      }
    }
  } else if (Array.isArray(raw)) {
    list = raw.map(toText);
  } else if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') {
    list = [toText(raw)];
  }
  return [...new Set(list.filter((v) => v !== ''))];
}

/** Single fields keep the last value, multiple fields the whole list (spec §3.5.1). */
export function listToRecordValue(list: readonly string[], multiple: boolean): string | string[] {
  return multiple ? [...list] : (list.at(-1) ?? '');
}

/** Decodes a stored text or blob column to a string (`null` → `""`). */
export function driverText(raw: SqlValue | undefined): string {
  if (raw == null) return '';
  if (raw instanceof Uint8Array) return utf8.decode(raw);
  return typeof raw === 'number' ? formatDecimal(raw) : String(raw);
}

/**
 * Reads a stored list column. Multiple fields store a JSON array; a plain string (a value stored
 * while the field was single) is wrapped, and text that starts like an array but is not valid
 * JSON reads as `[]`. Single fields store a plain string, read with the same rules as
 * `prepareValue`, so a JSON array of strings (stored while the field was multiple) yields its
 * last element, as PocketBase does when it loads the column.
 */
export function driverList(raw: SqlValue | undefined, multiple: boolean): string | string[] {
  const text = driverText(raw);
  if (!multiple) return listToRecordValue(toUniqueStrings(text), false);
  const trimmed = text.trim();
  let list: string[];
  if (trimmed === '') list = [];
  else if (trimmed.startsWith('[') || trimmed.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      list = Array.isArray(parsed) ? parsed.map(toText) : [toText(parsed)];
    } catch {
      list = trimmed.startsWith('[') ? [] : [text];
    }
  } else list = [text];
  return [...new Set(list.filter((v) => v !== ''))];
}

/** Writes a list value: a JSON array for multiple fields, the last element for single ones. */
export function listToDriver(value: unknown, multiple: boolean): string {
  const list = toUniqueStrings(value);
  return multiple ? JSON.stringify(list) : (list.at(-1) ?? '');
}

/** The list modifiers of select, relation and file fields (spec §3.5.2). */
export function applyListModifier(current: unknown, modifier: string, raw: unknown, multiple: boolean): string | string[] {
  const now = toUniqueStrings(current);
  const given = toUniqueStrings(raw);
  let next: string[];
  switch (modifier) {
    case 'append':
      next = [...now, ...given];
      break;
    case 'prepend':
      next = [...given, ...now];
      break;
    case 'remove': {
      const drop = new Set(given);
      next = now.filter((v) => !drop.has(v));
      break;
    }
    default:
      next = now;
  }
  return listToRecordValue([...new Set(next)], multiple);
}

// ---------------------------------------------------------------------------------------------
// Options

/** A numeric option, or `fallback` when it is absent or not a number. */
export function numberOption(field: FieldModel, name: string, fallback = 0): number {
  const v = field[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** A nullable numeric option (`number.min`/`max`): `undefined` when unset. */
export function optionalNumberOption(field: FieldModel, name: string): number | undefined {
  const v = field[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A string option, or `""` when it is absent or not a string. */
export function stringOption(field: FieldModel, name: string): string {
  const v = field[name];
  return typeof v === 'string' ? v : '';
}

/** A boolean option: true only when it is exactly `true`. */
export function boolOption(field: FieldModel, name: string): boolean {
  return field[name] === true;
}

/** A list-of-strings option (`values`, `onlyDomains`…), non-strings dropped; `[]` when absent. */
export function stringListOption(field: FieldModel, name: string): string[] {
  const v = field[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** True when select/relation/file `field` holds a list (`maxSelect > 1`). */
export function isMultiSelect(field: FieldModel): boolean {
  return numberOption(field, 'maxSelect') > 1;
}

// ---------------------------------------------------------------------------------------------
// Errors (spec §2.4)

/** `validation_required`: the value is the zero value of a required field. */
export function requiredError(): FieldError {
  return fieldError('validation_required', 'Cannot be blank.');
}

/** `validation_unsupported_value_type`: the value (or option) has the wrong JSON type. */
export function unsupportedTypeError(): FieldError {
  return fieldError('validation_unsupported_value_type', 'Invalid or unsupported value type.');
}

/** ozzo's `Min` rule error, used for options below their lower bound. */
export function minThresholdError(threshold: number): FieldError {
  return fieldError('validation_min_greater_equal_than_required', `Must be no less than ${formatDecimal(threshold)}.`, { threshold });
}

/** ozzo's `Max` rule error, used for options above their upper bound. */
export function maxThresholdError(threshold: number): FieldError {
  return fieldError('validation_max_less_equal_than_required', `Must be no greater than ${formatDecimal(threshold)}.`, { threshold });
}

// ---------------------------------------------------------------------------------------------
// Settings checks, in the manner of ozzo-validation rules

/** Collects settings errors keyed by option name; the first error of a key wins. */
export class SettingsErrors {
  readonly #errors: FieldErrors = {};

  /** Records `error` under `option` unless that option already has one. */
  add(option: string, error: FieldError | FieldErrors | undefined): void {
    if (error && !(option in this.#errors)) this.#errors[option] = error;
  }

  has(option: string): boolean {
    return option in this.#errors;
  }

  result(): FieldErrors | undefined {
    return Object.keys(this.#errors).length ? this.#errors : undefined;
  }
}

/**
 * Checks an integer option: its type, then `min ≤ value ≤ max`. Like ozzo's threshold rules,
 * a zero value skips the bounds (`max: 0` means "default", not "less than min").
 */
export function checkIntOption(field: FieldModel, name: string, min: number, max: number = MAX_SAFE_OPTION): FieldError | undefined {
  const v = field[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) return unsupportedTypeError();
  if (v === 0) return undefined;
  if (v < min) return minThresholdError(min);
  if (v > max) return maxThresholdError(max);
  return undefined;
}

/** `help` is at most {@link MAX_HELP_LENGTH} characters (UI only). */
export function checkHelp(field: FieldModel): FieldError | undefined {
  const v = field.help;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return unsupportedTypeError();
  if ([...v].length > MAX_HELP_LENGTH) {
    return fieldError('validation_length_too_long', `The length must be no more than ${MAX_HELP_LENGTH}.`, { max: MAX_HELP_LENGTH });
  }
  return undefined;
}

/** `required` must be a boolean when present. */
export function checkBool(field: FieldModel, name: string): FieldError | undefined {
  const v = field[name];
  return v === undefined || typeof v === 'boolean' ? undefined : unsupportedTypeError();
}

/** The checks every type with `required` and `help` shares. */
export function commonSettingsErrors(field: FieldModel): SettingsErrors {
  const errors = new SettingsErrors();
  errors.add('required', checkBool(field, 'required'));
  errors.add('help', checkHelp(field));
  return errors;
}

const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{1,63}|xn--[a-z0-9]{1,59})$/i;

/** True for a DNS domain name, as ozzo's `is.Domain` accepts it (at least two labels). */
export function isDomain(value: string): boolean {
  return value.length <= 255 && DOMAIN.test(value);
}

/**
 * `onlyDomains` and `exceptDomains` of email and url fields: mutually exclusive (the other one
 * must be blank), each entry a valid domain (errors keyed by entry index).
 */
export function checkDomainLists(field: FieldModel, errors: SettingsErrors): void {
  const only = field.onlyDomains;
  const except = field.exceptDomains;
  const lengthOf = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  const check = (name: string, value: unknown, otherLength: number) => {
    if (value === undefined || value === null) return;
    if (!Array.isArray(value)) return errors.add(name, unsupportedTypeError());
    if (otherLength > 0 && value.length > 0) return errors.add(name, fieldError('validation_empty', 'Must be blank.'));
    const nested: FieldErrors = {};
    value.forEach((d, i) => {
      if (typeof d !== 'string' || !isDomain(d)) nested[String(i)] = fieldError('validation_is_domain', 'Must be a valid domain.');
    });
    if (Object.keys(nested).length) errors.add(name, nested);
  };
  check('exceptDomains', except, lengthOf(only));
  check('onlyDomains', only, lengthOf(except));
}

// ---------------------------------------------------------------------------------------------
// Patterns

/** How many compiled field patterns are cached. */
export const PATTERN_CACHE_SIZE = 500;
const patternCache = new Map<string, RegExp | Error>();

/**
 * Rewrites the RE2 (Go `regexp`) constructs JavaScript lacks: a leading flag group `(?is)`
 * becomes regex flags, `(?P<name>` becomes `(?<name>`, `\A` and `\z` become `^` and `$`
 * (JavaScript's `$` without the `m` flag is end of input), and POSIX classes `[:alpha:]`
 * inside brackets expand to ranges.
 */
function re2ToJs(pattern: string): { source: string; flags: string } {
  let flags = '';
  let src = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    if (lead[1].includes('U')) throw new SyntaxError('The ungreedy flag (?U) is not supported.');
    flags = [...new Set(lead[1])].join('');
    src = src.slice(lead[0].length);
  }
  const posix: Record<string, string> = {
    alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
    digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ',
    upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
  };
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const next = src[i + 1] ?? '';
      if (!inClass && next === 'A') out += '^';
      else if (!inClass && next === 'z') out += '$';
      else out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        const name = end > 0 ? src.slice(i + 2, end) : '';
        if (posix[name]) {
          out += posix[name];
          i = end + 1;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` or `^]` right after the opening bracket is a literal in RE2.
      if (src[i + 1] === '^') out += src[++i];
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    out += c;
  }
  return { source: out, flags };
}

/**
 * Compiles a field `pattern` (RE2 syntax, as PocketBase's Go `regexp`) to a JavaScript RegExp,
 * unanchored unless the pattern anchors itself. Compiles with the `u` flag so a pattern counts
 * code points as Go does; a pattern only legacy mode accepts (such as `\@`, an escape RE2
 * allows for any punctuation) is compiled without it. Returns the compile error instead of
 * throwing. Results are cached.
 *
 * Warning: JavaScript regexes backtrack where RE2 does not, so a pathological pattern set by an
 * administrator can be slow on long values; text values are at most 5000 characters by default.
 */
export function compileFieldPattern(pattern: string): RegExp | Error {
  const cached = patternCache.get(pattern);
  if (cached) return cached;
  let result: RegExp | Error;
  try {
    const { source, flags } = re2ToJs(pattern);
    try {
      result = new RegExp(source, `${flags}u`);
    } catch {
      result = new RegExp(source, flags);
    }
  } catch (err) {
    result = err instanceof Error ? err : new SyntaxError(String(err));
  }
  if (patternCache.size >= PATTERN_CACHE_SIZE) patternCache.delete(patternCache.keys().next().value as string);
  patternCache.set(pattern, result);
  return result;
}

/** Settings check for a regex option: `validation_invalid_regex` with the compile error. */
export function checkRegexOption(field: FieldModel, name: string): FieldError | undefined {
  const v = field[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return unsupportedTypeError();
  const compiled = compileFieldPattern(v);
  return compiled instanceof Error ? fieldError('validation_invalid_regex', compiled.message) : undefined;
}

/** True when `value` matches `pattern`; an uncompilable pattern matches nothing (as Go's MatchString). */
export function matchesPattern(pattern: string, value: string): boolean {
  const re = compileFieldPattern(pattern);
  if (re instanceof Error) return false;
  re.lastIndex = 0;
  return re.test(value);
}

/** Counts Unicode code points, as Go's `len([]rune(s))`. */
export function charLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** Storage and coercion shared by the single-valued text types (text, email, url, editor). */
export const TEXT_VALUE = {
  columnKind: (): ColumnKind => 'text',
  isMultiple: (): boolean => false,
  zeroValue: (): string => '',
  prepareValue: (_field: FieldModel, raw: unknown): string => toText(raw),
  toDriver: (_field: FieldModel, value: unknown): SqlValue => toText(value),
  fromDriver: (_field: FieldModel, raw: SqlValue | undefined): string => driverText(raw),
};

/** Storage, coercion and modifiers shared by the list types (select, relation, file). */
export const LIST_VALUE = {
  modifiers: ['append', 'prepend', 'remove'] as const,
  columnKind: (field: FieldModel): ColumnKind => (isMultiSelect(field) ? 'json' : 'text'),
  isMultiple: (field: FieldModel): boolean => isMultiSelect(field),
  zeroValue: (field: FieldModel): string | string[] => (isMultiSelect(field) ? [] : ''),
  prepareValue: (field: FieldModel, raw: unknown): string | string[] => listToRecordValue(toUniqueStrings(raw), isMultiSelect(field)),
  toDriver: (field: FieldModel, value: unknown): SqlValue => listToDriver(value, isMultiSelect(field)),
  fromDriver: (field: FieldModel, raw: SqlValue | undefined): string | string[] => driverList(raw, isMultiSelect(field)),
  applyModifier: (field: FieldModel, modifier: string, current: unknown, raw: unknown): string | string[] => applyListModifier(current, modifier, raw, isMultiSelect(field)),
};

/** Whether `domain` passes the field's `onlyDomains` / `exceptDomains` lists (exact match). */
export function isDomainAllowed(field: FieldModel, domain: string): boolean {
  const only = stringListOption(field, 'onlyDomains');
  const except = stringListOption(field, 'exceptDomains');
  return !((only.length > 0 && !only.includes(domain)) || (except.length > 0 && except.includes(domain)));
}

/** Storage and coercion shared by the datetime types (date, autodate). */
export const DATE_VALUE = {
  columnKind: (): ColumnKind => 'datetime',
  isMultiple: (): boolean => false,
  zeroValue: (): string => '',
  prepareValue: (_field: FieldModel, raw: unknown): string => parseDateTime(raw),
};
