/**
 * Turns submitted collection JSON into a complete CollectionModel (create, PATCH merge, import),
 * filling defaults the way PocketBase does: generated ids, type options under each field, the
 * system fields and indexes of auth collections, and write-only secrets kept when omitted.
 * Shape problems are reported as ValidationError; semantic checks live in collection-validator.ts.
 * @module
 */
import { nowDateTime } from '../../tools/datetime.ts';
import { collectionIdFor, fieldIdFor } from '../../tools/ids.ts';
import { ValidationError } from '../errors.ts';
import { findFieldType } from '../fields/registry.ts';
import { hasUniqueIndex, parseIndex } from './collection-indexes.ts';
import {
  authSystemFields,
  authSystemIndexes,
  defaultAuthOptions,
  idField,
  newTokenSecret,
} from './collection-defaults.ts';
import type { AuthOptions, CollectionLookup, CollectionModel, CollectionType, FieldModel, TokenConfig } from './collection.ts';
import { RULE_NAMES } from './collection.ts';

const TOKEN_KEYS = ['authToken', 'passwordResetToken', 'emailChangeToken', 'verificationToken', 'fileToken'] as const;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge for option objects: objects merge, everything else (arrays included) replaces. */
function mergeDeep<T>(base: T, patch: unknown): T {
  if (!isObject(base) || !isObject(patch)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = isObject(out[k]) && isObject(v) ? mergeDeep(out[k], v) : v;
  return out as T;
}

/** Fills a submitted field with its type's defaults; keeps unknown keys out. */
export function normalizeField(raw: unknown, previous?: FieldModel): FieldModel {
  const input = isObject(raw) ? raw : {};
  const type = typeof input.type === 'string' ? input.type : (previous?.type ?? '');
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  const ft = findFieldType(type);
  const defaults = ft ? ft.defaultOptions() : {};
  const field: FieldModel = {
    id: typeof input.id === 'string' && input.id !== '' ? input.id : '',
    name,
    type,
    system: Boolean(input.system ?? previous?.system ?? false),
    hidden: Boolean(input.hidden ?? false),
    presentable: Boolean(input.presentable ?? false),
  };
  const kept = previous && previous.type === type ? previous : {};
  for (const key of Object.keys(defaults)) field[key] = key in input ? input[key] : key in kept ? (kept as Record<string, unknown>)[key] : defaults[key];
  return field;
}

function readRule(input: Record<string, unknown>, key: string, fallback: string | null): string | null {
  if (!(key in input)) return fallback;
  const v = input[key];
  if (v === null) return null;
  return typeof v === 'string' ? v : String(v);
}

/**
 * Builds the model to save.
 * - create (`existing` undefined): every default is filled.
 * - update/import (`existing` given): submitted top-level keys replace the current ones, and
 *   `fields`, when present, replaces the whole list (spec §5.5).
 */
export function buildCollection(raw: unknown, existing: CollectionModel | undefined, lookup: CollectionLookup): CollectionModel {
  if (!isObject(raw)) throw new ValidationError(existing ? 'Failed to update collection.' : 'Failed to create collection.', {});
  const input = raw;
  const now = nowDateTime();
  const type: CollectionType = existing?.type ?? (input.type === 'auth' || input.type === 'view' ? input.type : 'base');
  // An unknown type, or (on update) a different one, is kept so validation reports it (spec §5.3).
  const typeError = input.type !== undefined && (existing ? input.type !== existing.type : input.type !== 'base' && input.type !== 'auth' && input.type !== 'view');
  const name = typeof input.name === 'string' ? input.name.trim() : (existing?.name ?? '');

  let id = existing?.id ?? (typeof input.id === 'string' && input.id !== '' ? input.id : '');
  if (!id) {
    const base = collectionIdFor(type, name);
    id = base;
    for (let n = 2; lookup.find(id) && lookup.find(id)!.id === id; n++) id = `${base}${n}`;
  }

  const c: CollectionModel = {
    id,
    name,
    type,
    system: existing?.system ?? false,
    listRule: readRule(input, 'listRule', existing ? existing.listRule : null),
    viewRule: readRule(input, 'viewRule', existing ? existing.viewRule : null),
    createRule: readRule(input, 'createRule', existing ? existing.createRule : null),
    updateRule: readRule(input, 'updateRule', existing ? existing.updateRule : null),
    deleteRule: readRule(input, 'deleteRule', existing ? existing.deleteRule : null),
    fields: [],
    indexes: Array.isArray(input.indexes) ? input.indexes.map((i) => (typeof i === 'string' ? i : '')) : [...(existing?.indexes ?? [])],
    created: existing?.created ?? now,
    updated: now,
  };
  if (typeError) (c as { type: string }).type = String(input.type);

  // Fields: matched to existing ones by id; a field without id inherits the id of an existing
  // field with the same name and type (what PocketBase's import does, and harmless on PATCH).
  const previousById = new Map((existing?.fields ?? []).map((f) => [f.id, f]));
  const rawFields = Array.isArray(input.fields) ? input.fields : undefined;
  if (rawFields) {
    c.fields = rawFields.map((rf) => {
      const rid = isObject(rf) && typeof rf.id === 'string' ? rf.id : '';
      let prev = rid ? previousById.get(rid) : undefined;
      if (!rid && isObject(rf)) {
        const match = existing?.fields.find((f) => f.name.toLowerCase() === String(rf.name ?? '').toLowerCase() && f.type === rf.type);
        if (match) prev = match;
      }
      const f = normalizeField(rf, prev);
      if (!f.id && prev) f.id = prev.id;
      if (prev?.system) f.system = true;
      return f;
    });
  } else {
    c.fields = existing ? existing.fields.map((f) => ({ ...f })) : [];
  }

  if (type === 'view') {
    c.viewQuery = typeof input.viewQuery === 'string' ? input.viewQuery : (existing?.viewQuery ?? '');
  } else {
    ensureSystemFields(c);
  }
  assignFieldIds(c.fields);

  if (type === 'auth') applyAuthOptions(c, input, existing);
  for (const key of RULE_NAMES) if (c[key] !== null && typeof c[key] !== 'string') c[key] = null;
  return c;
}

/** Adds missing system fields: `id` for base/auth, the auth fields for auth collections. */
function ensureSystemFields(c: CollectionModel): void {
  const has = (name: string) => c.fields.some((f) => f.name === name);
  if (!has('id')) c.fields.unshift(idField());
  if (c.type === 'auth') {
    const missing = authSystemFields().filter((f) => !has(f.name));
    const idIndex = c.fields.findIndex((f) => f.name === 'id');
    c.fields.splice(idIndex + 1, 0, ...missing);
    for (const f of c.fields) {
      const sys = authSystemFields().find((s) => s.name === f.name);
      if (sys && f.type === sys.type) {
        f.system = true;
        if (f.name === 'password' || f.name === 'tokenKey') f.hidden = true;
        if (f.name === 'email') f.hidden = false;
      }
    }
  }
  const id = c.fields.find((f) => f.name === 'id');
  if (id && id.type === 'text') {
    id.system = true;
    id.primaryKey = true;
    id.required = true;
    id.hidden = false;
  }
}

/** Generates `<type><crc32(name)>` ids for fields without one, de-duplicated with a suffix. */
function assignFieldIds(fields: FieldModel[]): void {
  const used = new Set(fields.filter((f) => f.id).map((f) => f.id));
  for (const f of fields) {
    if (f.id) continue;
    const base = fieldIdFor(f.type, f.name);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}${n}`;
    f.id = id;
    used.add(id);
  }
}

function applyAuthOptions(c: CollectionModel, input: Record<string, unknown>, existing: CollectionModel | undefined): void {
  const defaults = defaultAuthOptions();
  const current: Record<string, unknown> = existing ? { ...defaults, ...pickAuth(existing) } : { ...defaults };
  for (const key of Object.keys(defaults) as (keyof AuthOptions)[]) {
    if (!(key in input)) continue;
    const value = input[key];
    if (key === 'authRule' || key === 'manageRule') {
      current[key] = value === null ? null : typeof value === 'string' ? value : String(value);
    } else if (key === 'oauth2' && isObject(value)) {
      const merged = mergeDeep(current.oauth2 as Record<string, unknown>, { ...value, providers: undefined });
      if (Array.isArray(value.providers)) {
        const old = ((current.oauth2 as AuthOptions['oauth2']).providers ?? []) as Array<Record<string, unknown>>;
        // clientSecret is write-only: an omitted one keeps the stored value.
        merged.providers = value.providers.map((p) => {
          if (!isObject(p)) return p;
          const prev = old.find((o) => o.name === p.name);
          return p.clientSecret === undefined && prev ? { ...p, clientSecret: prev.clientSecret } : p;
        });
      } else {
        merged.providers = (current.oauth2 as AuthOptions['oauth2']).providers;
      }
      current.oauth2 = merged;
    } else {
      current[key] = mergeDeep(current[key], value);
    }
  }
  // Secrets: generated when missing; an explicit new one replaces the old.
  for (const key of TOKEN_KEYS) {
    const t = (isObject(current[key]) ? current[key] : {}) as Partial<TokenConfig>;
    current[key] = { duration: t.duration, secret: typeof t.secret === 'string' && t.secret !== '' ? t.secret : newTokenSecret() };
  }
  // Changing authRule invalidates issued auth tokens (spec §5.2).
  if (existing && existing.authRule !== current.authRule) {
    current.authToken = { ...(current.authToken as TokenConfig), secret: newTokenSecret() };
  }
  Object.assign(c, current);
  // Mapped fields naming no field of the collection are cleared (spec §5.2).
  const mapped = (c as CollectionModel & AuthOptions).oauth2?.mappedFields;
  if (isObject(mapped)) {
    const names = new Set(c.fields.map((f) => f.name));
    (c as CollectionModel & AuthOptions).oauth2.mappedFields = Object.fromEntries(
      (['id', 'name', 'username', 'avatarURL'] as const).map((k) => [k, typeof mapped[k] === 'string' && names.has(mapped[k]) ? mapped[k] : '']),
    ) as AuthOptions['oauth2']['mappedFields'];
  }
  if (!existing || !('indexes' in input)) {
    // One unique index per column is enough, whatever its name (the scaffold's `idx_email_`).
    for (const sql of authSystemIndexes(c.id, c.name)) {
      if (!hasUniqueIndex(c, parseIndex(sql)!.columnNames[0])) c.indexes.push(sql);
    }
  }
  if (c.name === '_superusers' || existing?.name === '_superusers') {
    const o = c as CollectionModel & AuthOptions;
    o.oauth2 = { ...o.oauth2, enabled: false, providers: [] };
    o.passwordAuth = { ...o.passwordAuth, enabled: true };
    if (o.otp.enabled) o.mfa = { ...o.mfa, enabled: true };
  }
}

function pickAuth(c: CollectionModel): Partial<AuthOptions> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(defaultAuthOptions())) if ((c as unknown as Record<string, unknown>)[key] !== undefined) out[key] = (c as unknown as Record<string, unknown>)[key];
  return out as Partial<AuthOptions>;
}

/** Collection JSON for clients: write-only secrets removed. */
export function publicCollection(c: CollectionModel): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  if (c.type === 'auth') {
    for (const key of TOKEN_KEYS) {
      const t = c[key];
      if (t) out[key] = { duration: t.duration };
    }
    if (c.oauth2) {
      out.oauth2 = { ...c.oauth2, providers: c.oauth2.providers.map(({ clientSecret: _s, ...rest }) => rest) };
    }
  }
  if (c.type !== 'view') delete out.viewQuery;
  return out;
}
