/**
 * The `url` field (spec §5.4). Mirrors PocketBase core/field_url.go.
 * @module
 */
import { fieldError } from '../errors.ts';
import type { FieldType } from './field.ts';
import {
  boolOption,
  checkDomainLists,
  commonSettingsErrors,
  requiredError,
  unsupportedTypeError,
  TEXT_VALUE,
  isDomainAllowed,
} from './field-helpers.ts';

/** Longest URL accepted, in characters (govalidator's limit, used by PocketBase). */
export const MAX_URL_LENGTH = 2083;

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The host of an absolute URL as written (including any port, without user info), or undefined
 * when `value` is not an absolute URL with a host. We take the host from the text rather than
 * from WHATWG `URL.host`, which lower-cases, punycodes and drops default ports, because the
 * domain lists compare against the host as Go's `url.Parse` returns it.
 */
export function urlHost(value: string): string | undefined {
  if (value.length > MAX_URL_LENGTH || /[\s\p{Cc}]/u.test(value)) return undefined;
  const scheme = SCHEME.exec(value);
  if (!scheme) return undefined;
  try {
    if (new URL(value).hostname === '') return undefined;
  } catch {
    return undefined;
  }
  const rest = value.slice(scheme[0].length);
  const authority = rest.split(/[/?#]/, 1)[0];
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host === '' ? undefined : host;
}

/** The `url` field type. */
export const urlField: FieldType = {
  type: 'url',
  ...TEXT_VALUE,

  defaultOptions() {
    return { required: false, help: '', exceptDomains: null, onlyDomains: null };
  },

  validateValue(field, value) {
    if (typeof value !== 'string') return unsupportedTypeError();
    if (value === '') return boolOption(field, 'required') ? requiredError() : undefined;
    const host = urlHost(value);
    if (host === undefined) return fieldError('validation_invalid_url', 'Must be a valid url.');
    if (!isDomainAllowed(field, host)) return fieldError('validation_url_domain_not_allowed', 'Url domain is not allowed.');
    return undefined;
  },

  validateSettings(field) {
    const errors = commonSettingsErrors(field);
    checkDomainLists(field, errors);
    return errors.result();
  },

};
