/**
 * The write path shared by create, update and batch: resolving body keys and their modifiers
 * into record values (spec §3.5.2), validating every field, and the INSERT/UPDATE itself with
 * unique violations turned into `validation_not_unique` errors.
 * @module
 */
import { hashPassword } from '../../auth/password.ts';
import { sendWrite, type Executor, type SqlValue } from '../../storage/types.ts';
import { nowDateTime } from '../../tools/datetime.ts';
import { generateFromPattern } from '../../tools/pattern-generator.ts';
import type { CollectionLookup, CollectionModel, FieldModel } from '../collections/collection.ts';
import { findField } from '../collections/collection.ts';
import { ValidationError, fieldError, type FieldErrors } from '../errors.ts';
import type { FieldModifier } from '../fields/field.ts';
import { fieldTypeOf } from '../fields/registry.ts';
import type { App } from '../app.ts';
import { parseIndex } from '../collections/collection-indexes.ts';
import { isAllowedContentType } from '../../files/content-type.ts';
import { fileMaxSize } from '../fields/file-field.ts';
import { fileNames, type PreparedUpload, type PreparedUploads } from './record-files.ts';
import { recordToDriver, type RecordData } from './record.ts';

/** Body keys that are never fields. */
const IGNORED_KEYS = new Set(['expand', 'collectionId', 'collectionName']);
/** Extra keys of auth collection forms (spec §3.5.5). */
export const AUTH_FORM_KEYS = new Set(['passwordConfirm', 'oldPassword']);

/** The outcome of applying a body to a record. */
export interface AppliedBody {
  data: RecordData;
  /** Plain passwords submitted, by field name; hashed at write time. */
  passwords: Map<string, string>;
  /** Field names whose value was submitted (after modifiers). */
  changed: Set<string>;
  /** The resolved body as `@request.body` sees it. */
  resolvedBody: Record<string, unknown>;
  errors: FieldErrors;
  /** Uploads given a place in a file value, by stored filename (written only if still there at save). */
  newFiles: Map<string, PreparedUpload>;
}

function parseKey(collection: CollectionModel, key: string): { field: FieldModel; modifier?: FieldModifier } | undefined {
  let name = key;
  let modifier: FieldModifier | undefined;
  if (key.endsWith(':autogenerate')) {
    name = key.slice(0, -':autogenerate'.length);
    modifier = 'autogenerate';
  } else if (key.endsWith('+')) {
    name = key.slice(0, -1);
    modifier = 'append';
  } else if (key.startsWith('+')) {
    name = key.slice(1);
    modifier = 'prepend';
  } else if (key.endsWith('-')) {
    name = key.slice(0, -1);
    modifier = 'remove';
  }
  const field = findField(collection, name);
  return field ? { field, modifier } : undefined;
}

/**
 * Applies `body` over `base` (zero values on create, the stored record on update).
 * Keys are applied by increasing length, so `field` comes before `field+` (spec §3.5.2).
 * Uploads join their key's step (spec §3.5.4): under `field` they follow the names sent as text
 * under the same key (replacing the value when there are none); under `field+`/`+field` they are
 * appended/prepended to the value so far.
 */
export function applyBody(
  collection: CollectionModel,
  base: RecordData,
  body: Record<string, unknown>,
  options: { isSuperuser: boolean; isNew: boolean; uploads?: PreparedUploads },
): AppliedBody {
  const data: RecordData = { ...base };
  const passwords = new Map<string, string>();
  const changed = new Set<string>();
  const errors: FieldErrors = {};
  const newFiles = new Map<string, PreparedUpload>();
  const uploads = options.uploads;
  const allKeys = uploads?.size ? new Set([...Object.keys(body), ...uploads.keys()]) : Object.keys(body);
  const keys = [...allKeys].sort((a, b) => a.length - b.length);
  for (const key of keys) {
    if (IGNORED_KEYS.has(key)) continue;
    const parsed = parseKey(collection, key);
    if (!parsed) continue;
    const { field, modifier } = parsed;
    const type = fieldTypeOf(field);
    if (field.type === 'autodate') continue;
    if (field.hidden && !options.isSuperuser && field.type !== 'password') continue;
    if (field.type === 'password') {
      if (modifier) continue;
      const plain = body[key];
      passwords.set(field.name, typeof plain === 'string' ? plain : plain == null ? '' : String(plain));
      changed.add(field.name);
      continue;
    }
    if (field.name === 'id' && !options.isNew) {
      if (modifier === undefined && body[key] !== undefined && String(body[key]) !== data.id) errors.id = fieldError('validation_pk_change', 'The record primary key cannot be changed.');
      continue;
    }
    const uploaded = field.type === 'file' && modifier !== 'remove' ? uploads?.get(key) : undefined;
    if (uploaded) {
      for (const u of uploaded) newFiles.set(u.filename, u);
      const names = uploaded.map((u) => u.filename);
      const sent = key in body ? fileNames(type.prepareValue(field, body[key])) : [];
      if (modifier === undefined) data[field.name] = type.prepareValue(field, [...sent, ...names]);
      else data[field.name] = type.applyModifier!(field, modifier, data[field.name], modifier === 'prepend' ? [...names, ...sent] : [...sent, ...names]);
    } else if (modifier) {
      if (!type.applyModifier || (type.modifiers && !type.modifiers.includes(modifier))) continue;
      data[field.name] = type.applyModifier(field, modifier, data[field.name], body[key]);
    } else {
      data[field.name] = type.prepareValue(field, body[key]);
    }
    changed.add(field.name);
  }
  const resolvedBody: Record<string, unknown> = {};
  for (const name of changed) resolvedBody[name] = passwords.has(name) ? passwords.get(name) : data[name];
  for (const key of AUTH_FORM_KEYS) if (collection.type === 'auth' && key in body) resolvedBody[key] = body[key];
  return { data, passwords, changed, resolvedBody, errors, newFiles };
}

/** Zero values of every field, plus generated values (id, autogenerate patterns) for a new record. */
export function newRecordData(collection: CollectionModel): RecordData {
  const data: RecordData = {};
  for (const f of collection.fields) data[f.name] = fieldTypeOf(f).zeroValue(f);
  return data;
}

/** Fills values a new record generates: empty autogenerate text fields (id, tokenKey…). */
export function fillGenerated(collection: CollectionModel, data: RecordData): void {
  for (const f of collection.fields) {
    if (f.type === 'text' && typeof f.autogeneratePattern === 'string' && f.autogeneratePattern !== '' && (data[f.name] === '' || data[f.name] == null)) {
      data[f.name] = generateFromPattern(f.autogeneratePattern);
    }
  }
}

/** Sets autodate fields for an insert or update. */
export function touchAutodates(collection: CollectionModel, data: RecordData, isNew: boolean): void {
  const now = nowDateTime();
  for (const f of collection.fields) {
    if (f.type !== 'autodate') continue;
    if ((isNew && f.onCreate) || (!isNew && f.onUpdate)) data[f.name] = now;
  }
}

/** Validates the record's values; plain passwords are validated instead of their hashes. */
export async function validateRecord(
  app: App,
  db: Executor,
  collection: CollectionModel,
  applied: AppliedBody,
  isNew: boolean,
  original?: RecordData,
): Promise<FieldErrors> {
  const errors: FieldErrors = { ...applied.errors };
  const lookup: CollectionLookup = app.collections;
  for (const f of collection.fields) {
    if (errors[f.name]) continue;
    const type = fieldTypeOf(f);
    if (f.type === 'password') {
      const plain = applied.passwords.get(f.name);
      if (plain !== undefined) {
        const e = await type.validateValue(f, plain, { collection, collections: lookup, db, dialect: app.db.dialect, record: applied.data, isNew });
        if (e) errors[f.name] = e;
      } else if (isNew && f.required) {
        errors[f.name] = fieldError('validation_required', 'Cannot be blank.');
      }
      continue;
    }
    if (f.type === 'file') {
      const e = await validateFileValue(app, db, collection, f, applied, isNew, original);
      if (e) errors[f.name] = e;
      continue;
    }
    // Unchanged relations are not re-checked: existence needs a query per field, and deletes
    // keep references consistent through the cascade in record-delete.
    if (!isNew && !applied.changed.has(f.name) && f.type === 'relation') continue;
    const e = await type.validateValue(f, applied.data[f.name], { collection, collections: lookup, db, dialect: app.db.dialect, record: applied.data, isNew });
    if (e) errors[f.name] = e;
  }
  return errors;
}

/**
 * A file value may only hold names the record already has or names of this request's uploads
 * (clients cannot point at arbitrary stored objects, spec §3.5.4); each new upload must fit the
 * field's `maxSize` and, when set, its `mimeTypes` (checked against the sniffed type).
 */
async function validateFileValue(app: App, db: Executor, collection: CollectionModel, f: FieldModel, applied: AppliedBody, isNew: boolean, original?: RecordData): Promise<FieldErrors[string] | undefined> {
  const names = fileNames(applied.data[f.name]);
  const known = new Set(fileNames(original?.[f.name]));
  const unknown = names.filter((n) => !known.has(n) && !applied.newFiles.has(n));
  if (unknown.length) return fieldError('validation_invalid_file', `Invalid new files: ${unknown.join(', ')}.`, { invalidFiles: unknown });
  const e = await fieldTypeOf(f).validateValue(f, applied.data[f.name], { collection, collections: app.collections, db, dialect: app.db.dialect, record: applied.data, isNew });
  if (e) return e;
  const maxSize = fileMaxSize(f);
  const mimeTypes = Array.isArray(f.mimeTypes) ? f.mimeTypes.map(String).filter(Boolean) : [];
  for (const name of names) {
    const upload = applied.newFiles.get(name);
    if (!upload || known.has(name)) continue;
    if (upload.upload.size > maxSize) {
      return fieldError('validation_file_size_limit', `Failed to upload ${upload.upload.name || name} - the maximum allowed file size is ${maxSize} bytes.`, { file: upload.upload.name || name, maxSize });
    }
    if (mimeTypes.length && !isAllowedContentType(upload.contentType, mimeTypes)) {
      return fieldError('validation_invalid_mime_type', `"${upload.upload.name || name}" mime type must be one of: ${mimeTypes.join(', ')}.`, { file: upload.upload.name || name, mimeTypes });
    }
  }
  return undefined;
}

/** Hashes of plain passwords computed before the transaction, by field name. */
export type PrehashedPasswords = ReadonlyMap<string, { plain: string; hash: string }>;

/**
 * Hashes the plain passwords in `body` ahead of the transaction: a hash takes tens of
 * milliseconds, and on SQLite the transaction holds the single writer lock.
 */
export async function prehashPasswords(collection: CollectionModel, body: Record<string, unknown>): Promise<PrehashedPasswords> {
  const out = new Map<string, { plain: string; hash: string }>();
  for (const f of collection.fields) {
    const plain = body[f.name];
    // Within the longest password any field accepts (71 chars); longer ones fail validation.
    if (f.type === 'password' && typeof plain === 'string' && plain !== '' && plain.length <= 255) out.set(f.name, { plain, hash: await hashPassword(plain) });
  }
  return out;
}

async function hashPasswords(applied: AppliedBody, prehashed?: PrehashedPasswords): Promise<void> {
  for (const [name, plain] of applied.passwords) {
    const ready = prehashed?.get(name);
    applied.data[name] = ready && ready.plain === plain ? ready.hash : await hashPassword(plain);
  }
}

/** Translates a unique-constraint failure into a field error, or rethrows. */
/** A unique-constraint failure of a record write as the validation error clients get; other errors as they are. */
function explainWriteError(app: App, collection: CollectionModel, err: unknown, message: string): unknown {
  const violation = app.db.dialect.uniqueViolation(err);
  if (!violation) return err;
  const errors: FieldErrors = {};
  const fromIndex = violation.index ? collection.indexes.map(parseIndex).find((i) => i?.name === violation.index)?.columnNames : undefined;
  const columns = violation.columns.length ? violation.columns : fromIndex?.length ? fromIndex : ['id'];
  for (const col of columns) {
    const f = findField(collection, col);
    errors[f?.name ?? col] = fieldError('validation_not_unique', 'Value must be unique.');
  }
  return new ValidationError(message, errors, { cause: err });
}

/**
 * Sends a record write. Where the engine pipelines, nothing waits for its answer: it travels
 * with COMMIT, and a failure (a unique index) fails the transaction (see sendWrite).
 */
function write(app: App, db: Executor, collection: CollectionModel, sql: string, params: SqlValue[], message: string): Promise<void> {
  return sendWrite(db, sql, params, (err) => explainWriteError(app, collection, err, message));
}

/** Inserts a new record (passwords hashed). */
export async function insertRecord(app: App, db: Executor, collection: CollectionModel, applied: AppliedBody, prehashed?: PrehashedPasswords): Promise<void> {
  await hashPasswords(applied, prehashed);
  const q = app.db.dialect.quote.bind(app.db.dialect);
  const values = recordToDriver(collection, applied.data);
  const names = [...values.keys()];
  await write(app, db, collection, `INSERT INTO ${q(collection.name)} (${names.map(q).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`, [...values.values()], 'Failed to create record.');
}

/** Writes every column of an existing record (passwords hashed). */
export async function updateRecordRow(app: App, db: Executor, collection: CollectionModel, applied: AppliedBody, prehashed?: PrehashedPasswords): Promise<void> {
  await hashPasswords(applied, prehashed);
  const q = app.db.dialect.quote.bind(app.db.dialect);
  const values = recordToDriver(collection, applied.data);
  values.delete('id');
  const names = [...values.keys()];
  if (!names.length) return;
  await write(app, db, collection, `UPDATE ${q(collection.name)} SET ${names.map((n) => `${q(n)} = ?`).join(', ')} WHERE ${q('id')} = ?`, [...values.values(), String(applied.data.id)], 'Failed to update record.');
}
