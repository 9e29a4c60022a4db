/**
 * The `email` field (spec §5.4). Mirrors PocketBase core/field_email.go.
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

/** Longest email address accepted (RFC 5321 §4.5.3.1.3 path limit minus the brackets). */
export const MAX_EMAIL_LENGTH = 254;

// The WHATWG "valid e-mail address" grammar, widened to Unicode letters and digits as Go's
// govalidator (used by PocketBase through ozzo's is.EmailFormat) accepts internationalised
// addresses.
const LOCAL = /^[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]{1,64}$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** True when `value` looks like an email address (format only; no DNS lookup). */
export function isEmailFormat(value: string): boolean {
  if (value.length > MAX_EMAIL_LENGTH) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  const labels = domain.split('.');
  return labels.every((l) => DOMAIN_LABEL.test(l));
}

/** The `email` field type. */
export const emailField: FieldType = {
  type: 'email',
  ...TEXT_VALUE,

  defaultOptions() {
    return { required: false, help: '', exceptDomains: null, onlyDomains: null };
  },

  validateValue(field, value) {
    if (typeof value !== 'string') return unsupportedTypeError();
    if (value === '') return boolOption(field, 'required') ? requiredError() : undefined;
    if (!isEmailFormat(value)) return fieldError('validation_is_email', 'Must be a valid email address.');
    // Exact match on the part after the last `@`, as PocketBase does.
    const domain = value.slice(value.lastIndexOf('@') + 1);
    if (!isDomainAllowed(field, domain)) return fieldError('validation_email_domain_not_allowed', 'Email domain is not allowed.');
    return undefined;
  },

  validateSettings(field) {
    const errors = commonSettingsErrors(field);
    checkDomainLists(field, errors);
    return errors.result();
  },

};
