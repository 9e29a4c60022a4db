/**
 * Collection-level validation on save (spec §5.3): names, ids, fields, rules, indexes, auth
 * options. Returns PocketBase-shaped nested field errors; empty when the collection is valid.
 * @module
 */
import { fieldError, type FieldErrors } from '../errors.ts';
import { findFieldType } from '../fields/registry.ts';
import type { AuthCollectionModel, CollectionLookup, CollectionModel } from './collection.ts';
import { RULE_NAMES, findField } from './collection.ts';
import { SUPPORTED_OAUTH2_PROVIDERS } from '../../auth/oauth2/providers.ts';
import { hasUniqueIndex, parseIndex } from './collection-indexes.ts';

const NAME = /^\w+$/;
// Besides PocketBase's reserved names: the names JavaScript objects give special meaning to,
// since record values live in plain objects keyed by field name.
const RESERVED_FIELD_NAMES = new Set(['null', 'true', 'false', '_rowid_', 'collectionid', 'collectionname', 'expand', '__proto__', 'constructor', 'prototype']);
const AUTH_RESERVED_FIELD_NAMES = new Set(['passwordconfirm', 'oldpassword']);
const MAX_TOKEN_DURATION = 94670856;

export interface CollectionValidationContext {
  previous?: CollectionModel;
  collections: CollectionLookup;
  /** Names of every table and view in the database. */
  tables: readonly string[];
  /** Checks a rule expression against the collection; returns the problem, or undefined. */
  checkRule(rule: string, collection: CollectionModel): string | undefined;
}

export function validateCollection(c: CollectionModel, ctx: CollectionValidationContext): FieldErrors {
  const errors: FieldErrors = {};
  const prev = ctx.previous;

  if (!prev) {
    if (!c.id || c.id.length > 100 || !NAME.test(c.id)) errors.id = fieldError('validation_invalid_id', 'Must be 1-100 letters, digits or underscores.');
    else if (ctx.collections.find(c.id)?.id === c.id) errors.id = fieldError('validation_collection_id_exists', 'Collection id already exists.');
  }

  if (!c.name) errors.name = fieldError('validation_required', 'Cannot be blank.');
  else if (c.name.length > 255 || !NAME.test(c.name)) errors.name = fieldError('validation_match_invalid', 'Must be in a valid format.');
  else if (c.name.includes('_via_')) errors.name = fieldError('validation_found_via', 'The value cannot contain "_via_".');
  else if (prev?.system && prev.name !== c.name) errors.name = fieldError('validation_collection_system_name_change', 'System collection name cannot be changed.');
  else {
    const other = ctx.collections.find(c.name);
    const sameName = other && other.id !== c.id && other.name.toLowerCase() === c.name.toLowerCase();
    if (sameName) errors.name = fieldError('validation_collection_name_exists', 'Collection name must be unique (case insensitive).');
    else if (other && other.id !== c.id && other.id === c.name) errors.name = fieldError('validation_collection_name_id_duplicate', 'The name must not match an existing collection id.');
    else {
      // Validation runs before the DDL, so the only table this collection owns is the one under
      // its current name; any other table of the new name (internal, or made through the SQL
      // console) would make the CREATE or RENAME fail. Names compare case-insensitively, as
      // SQLite does, so PostgreSQL refuses the same names.
      // Mirrors PocketBase core/collection_validate.go checkCollectionName (HasTable).
      const lower = c.name.toLowerCase();
      const keepsName = prev?.name.toLowerCase() === lower;
      const sameNamed = ctx.tables.filter((t) => t.toLowerCase() === lower).length;
      if (lower.startsWith('sqlite_') || sameNamed > (keepsName ? 1 : 0)) {
        errors.name = fieldError('validation_collection_name_invalid', "The name shouldn't match with an existing internal table.");
      }
    }
  }

  if (c.type !== 'base' && c.type !== 'auth' && c.type !== 'view') errors.type = fieldError('validation_in_invalid', 'Must be a valid value.');
  else if (prev && prev.type !== c.type) errors.type = fieldError('validation_collection_type_change', 'Collection type cannot be changed.');

  const fieldErrors = validateFields(c, ctx);
  if (Object.keys(fieldErrors).length) errors.fields = fieldErrors;

  for (const key of RULE_NAMES) {
    const rule = c[key];
    if (c.type === 'view' && (key === 'createRule' || key === 'updateRule' || key === 'deleteRule') && rule !== null) {
      errors[key] = fieldError('validation_nil', 'Must be blank.');
      continue;
    }
    if (prev?.system && prev[key] !== rule) {
      errors[key] = fieldError('validation_collection_system_rule_change', 'System collection rules cannot be changed.');
      continue;
    }
    const problem = typeof rule === 'string' && rule.trim() !== '' && !errors.fields ? ctx.checkRule(rule, c) : undefined;
    if (problem) errors[key] = fieldError('validation_invalid_rule', `Invalid rule. Raw error: ${problem}`);
  }

  const indexErrors = validateIndexes(c, ctx);
  if (Object.keys(indexErrors).length) errors.indexes = indexErrors;

  if (c.type === 'view') {
    const q = (c.viewQuery ?? '').trim();
    if (!q) errors.viewQuery = fieldError('validation_required', 'Cannot be blank.');
    else if (!/^select\s/i.test(q) || /;\s*\S/.test(q) || q.length > 5000) errors.viewQuery = fieldError('validation_invalid_view_query', 'The query must be a single SELECT statement.');
    else if (/^select\s+\*\s+from/i.test(q)) errors.viewQuery = fieldError('validation_invalid_view_query', 'SELECT * is not supported; list the columns.');
  }

  if (c.type === 'auth') Object.assign(errors, validateAuthOptions(c as AuthCollectionModel, ctx));
  return errors;
}

function validateFields(c: CollectionModel, ctx: CollectionValidationContext): FieldErrors {
  const errors: FieldErrors = {};
  const prev = ctx.previous;
  if (c.type !== 'view' && c.fields.length === 0) return { fields: fieldError('validation_required', 'Cannot be blank.') } as FieldErrors;
  if (c.type !== 'view') {
    const id = c.fields.find((f) => f.name === 'id');
    if (!id || id.type !== 'text' || !id.primaryKey) errors.id = fieldError('validation_missing_primary_key', 'Missing or invalid "id" primary key field.');
  }
  const seenIds = new Set<string>();
  const seenNames = new Set<string>();
  c.fields.forEach((f, i) => {
    const e: FieldErrors = {};
    const lower = f.name.toLowerCase();
    if (!f.name) e.name = fieldError('validation_required', 'Cannot be blank.');
    else if (f.name.length > 100 || !NAME.test(f.name)) e.name = fieldError('validation_match_invalid', 'Must be in a valid format.');
    else if (RESERVED_FIELD_NAMES.has(lower) || (c.type === 'auth' && AUTH_RESERVED_FIELD_NAMES.has(lower)) || f.name.includes('_via_'))
      e.name = fieldError('validation_reserved_field_name', 'The field name is reserved.', { fieldName: f.name });
    else if (seenNames.has(lower)) e.name = fieldError('validation_duplicated_field_name', `Duplicated or invalid field name ${f.name}.`, { fieldName: f.name });
    seenNames.add(lower);
    if (f.id.length > 100 || !NAME.test(f.id)) e.id = fieldError('validation_match_invalid', 'Must be in a valid format.');
    else if (seenIds.has(f.id)) e.id = fieldError('validation_duplicated_field_id', `Duplicated or invalid field id ${f.id}.`, { fieldId: f.id });
    seenIds.add(f.id);
    const type = findFieldType(f.type);
    if (!type) e.type = fieldError('validation_in_invalid', 'Must be a valid value.');
    const old = prev?.fields.find((p) => p.id === f.id);
    if (old && old.type !== f.type) e.type = fieldError('validation_field_type_change', 'Field type cannot be changed.');
    if (old?.system && old.name !== f.name) e.name = fieldError('validation_system_field_change', 'System field name cannot be changed.');
    if (typeof f.help === 'string' && f.help.length > 300) e.help = fieldError('validation_length_too_long', 'The length must be no more than 300.', { max: 300 });
    if (type && !e.type) {
      const settings = type.validateSettings(f, { collection: c, collections: ctx.collections, previous: old });
      if (settings) Object.assign(e, settings);
    }
    if (Object.keys(e).length) errors[String(i)] = e;
  });
  // System fields can't be removed.
  for (const old of prev?.fields ?? []) {
    if (old.system && !c.fields.some((f) => f.id === old.id)) {
      errors[String(c.fields.length)] = { id: fieldError('validation_system_field_change', `System field ${old.name} cannot be removed.`) };
    }
  }
  return errors;
}

function validateIndexes(c: CollectionModel, ctx: CollectionValidationContext): FieldErrors {
  const errors: FieldErrors = {};
  if (c.type === 'view' && c.indexes.length) return { '0': fieldError('validation_view_indexes', 'View collections cannot have indexes.') };
  const names = new Set<string>();
  c.indexes.forEach((sql, i) => {
    const idx = parseIndex(sql);
    if (!idx) {
      errors[String(i)] = fieldError('validation_invalid_index_expression', 'Invalid CREATE INDEX expression.');
      return;
    }
    const lower = idx.name.toLowerCase();
    if (names.has(lower)) {
      errors[String(i)] = fieldError('validation_duplicated_index_name', 'The index name must be unique.');
      return;
    }
    names.add(lower);
    const elsewhere = ctx.collections.all().some((o) => o.id !== c.id && o.indexes.some((s) => parseIndex(s)?.name.toLowerCase() === lower));
    const isTable = ctx.tables.some((t) => t.toLowerCase() === lower);
    if (elsewhere || isTable) {
      errors[String(i)] = fieldError('validation_existing_index_name', 'Index name is already used.');
      return;
    }
    for (const col of idx.columnNames) {
      if (!findField(c, col)) errors[String(i)] = fieldError('validation_invalid_index_expression', `Unknown column ${col}.`);
    }
  });
  if (c.type === 'auth') {
    for (const required of ['tokenKey', 'email']) {
      const ok = c.indexes.some((s) => {
        const idx = parseIndex(s);
        return idx?.unique && idx.columnNames.length === 1 && idx.columnNames[0] === required;
      });
      if (!ok && c.fields.some((f) => f.name === required)) {
        errors[String(c.indexes.length)] = fieldError('validation_unique_index_required', `The ${required} field must have a unique index.`);
      }
    }
  }
  return errors;
}

function validateAuthOptions(c: AuthCollectionModel, ctx: CollectionValidationContext): FieldErrors {
  const errors: FieldErrors = {};
  if (c.manageRule === '') errors.manageRule = fieldError('validation_nil_or_not_empty_required', 'Cannot be blank.');
  for (const key of ['authRule', 'manageRule'] as const) {
    const rule = c[key];
    const problem = typeof rule === 'string' && rule.trim() !== '' ? ctx.checkRule(rule, c) : undefined;
    if (problem) errors[key] = fieldError('validation_invalid_rule', `Invalid rule. Raw error: ${problem}`);
  }
  for (const key of ['authToken', 'passwordResetToken', 'emailChangeToken', 'verificationToken', 'fileToken'] as const) {
    const t = c[key];
    const e: FieldErrors = {};
    if (typeof t?.duration !== 'number' || !Number.isInteger(t.duration) || t.duration < 10 || t.duration > MAX_TOKEN_DURATION)
      e.duration = fieldError('validation_min_greater_equal_than_required', `Must be an integer between 10 and ${MAX_TOKEN_DURATION}.`);
    if (typeof t?.secret !== 'string' || t.secret.length < 30 || t.secret.length > 255) e.secret = fieldError('validation_length_out_of_range', 'The length must be between 30 and 255.', { min: 30, max: 255 });
    if (Object.keys(e).length) errors[key] = e;
  }
  const pa = c.passwordAuth;
  if (pa?.enabled) {
    if (!Array.isArray(pa.identityFields) || pa.identityFields.length === 0) {
      errors.passwordAuth = { identityFields: fieldError('validation_required', 'Cannot be blank.') };
    } else {
      const missing = pa.identityFields.find((f) => typeof f !== 'string' || !findField(c, f) || !hasUniqueIndex(c, f));
      if (missing !== undefined) errors.passwordAuth = { identityFields: fieldError('validation_missing_unique_constraint', `The identity field ${String(missing)} must exist and have a single-column unique index.`) };
    }
  }
  if (c.mfa?.enabled) {
    const enabled = [c.passwordAuth?.enabled, c.oauth2?.enabled, c.otp?.enabled].filter(Boolean).length;
    if (enabled < 2) errors.mfa = { enabled: fieldError('validation_mfa_not_enough_auths', 'MFA requires at least 2 auth methods to be enabled.') };
    else if (!(c.mfa.duration >= 10 && c.mfa.duration <= 86400)) errors.mfa = { duration: fieldError('validation_min_greater_equal_than_required', 'Must be between 10 and 86400.') };
  }
  if (c.otp?.enabled) {
    const e: FieldErrors = {};
    if (!(c.otp.duration >= 10 && c.otp.duration <= 86400)) e.duration = fieldError('validation_min_greater_equal_than_required', 'Must be between 10 and 86400.');
    if (!(c.otp.length >= 4)) e.length = fieldError('validation_min_greater_equal_than_required', 'Must be no less than 4.', { threshold: 4 });
    if (Object.keys(e).length) errors.otp = e;
  }
  const oauth2 = validateOAuth2Options(c);
  if (Object.keys(oauth2).length) errors.oauth2 = oauth2;
  if (c.authAlert?.enabled && (!c.authAlert.emailTemplate?.subject || !c.authAlert.emailTemplate?.body)) {
    errors.authAlert = { emailTemplate: fieldError('validation_required', 'The template subject and body are required.') };
  }
  for (const key of ['verificationTemplate', 'resetPasswordTemplate', 'confirmEmailChangeTemplate'] as const) {
    const t = c[key];
    if (!t || typeof t.subject !== 'string' || !t.subject || typeof t.body !== 'string' || !t.body) {
      errors[key] = fieldError('validation_required', 'The template subject and body are required.');
    }
  }
  return errors;
}


/** True for an absolute http(s) URL. */
export function isHttpURL(value: string): boolean {
  return URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
}

/** `oauth2.providers[]` (spec §5.2): known, unique names; client id and secret; http(s) URLs. */
function validateOAuth2Options(c: AuthCollectionModel): FieldErrors {
  const o = c.oauth2 as unknown;
  if (typeof o !== 'object' || o === null) return { enabled: fieldError('validation_invalid_value', 'Must be an object.') };
  const { providers } = o as { providers?: unknown };
  if (!Array.isArray(providers)) return { providers: fieldError('validation_invalid_value', 'Must be a list.') };
  const errors: FieldErrors = {};
  const seen = new Set<string>();
  providers.forEach((raw, i) => {
    const e: FieldErrors = {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      errors[String(i)] = fieldError('validation_invalid_value', 'Must be an object.');
      return;
    }
    const p = raw as Record<string, unknown>;
    const name = typeof p.name === 'string' ? p.name : '';
    if (!name) e.name = fieldError('validation_required', 'Cannot be blank.');
    else if (!SUPPORTED_OAUTH2_PROVIDERS.includes(name)) e.name = fieldError('validation_invalid_provider', `Unknown or unsupported OAuth2 provider ${name.slice(0, 100)}.`);
    else if (seen.has(name)) e.name = fieldError('validation_duplicated_provider', `The provider ${name} is already configured.`);
    seen.add(name);
    for (const key of ['clientId', 'clientSecret'] as const) {
      const v = p[key];
      if (typeof v !== 'string' || v.trim() === '') e[key] = fieldError('validation_required', 'Cannot be blank.');
      else if (v.length > 4096) e[key] = fieldError('validation_length_out_of_range', 'The length must be between 1 and 4096.', { min: 1, max: 4096 });
    }
    for (const key of ['authURL', 'tokenURL', 'userInfoURL'] as const) {
      const v = p[key];
      if (v !== undefined && v !== null && v !== '' && (typeof v !== 'string' || !isHttpURL(v))) e[key] = fieldError('validation_is_url', 'Must be a valid http or https URL.');
    }
    if (p.displayName !== undefined && p.displayName !== null && (typeof p.displayName !== 'string' || p.displayName.length > 100)) {
      e.displayName = fieldError('validation_length_out_of_range', 'The length must be between 0 and 100.', { min: 0, max: 100 });
    }
    if (p.pkce !== undefined && p.pkce !== null && typeof p.pkce !== 'boolean') e.pkce = fieldError('validation_invalid_value', 'Must be true, false or null.');
    const extra = p.extra;
    if (extra !== undefined && extra !== null && (typeof extra !== 'object' || Array.isArray(extra))) e.extra = fieldError('validation_invalid_value', 'Must be an object or null.');
    else if (extra && ['issuer', 'jwksURL'].some((k) => { const v = (extra as Record<string, unknown>)[k]; return v !== undefined && v !== '' && (typeof v !== 'string' || !isHttpURL(v)); })) {
      e.extra = fieldError('validation_is_url', 'The issuer and jwksURL must be valid http or https URLs.');
    }
    if (Object.keys(e).length) errors[String(i)] = e;
  });
  return Object.keys(errors).length ? { providers: errors } : {};
}
