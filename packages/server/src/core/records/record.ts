/**
 * Records in memory: a plain object of record values keyed by field name, read from and written
 * to rows through each field type's driver conversions, and serialised for clients with
 * PocketBase's visibility rules (spec §3.1).
 * @module
 */
import type { Row, SqlValue } from '../../storage/types.ts';
import type { CollectionModel, FieldModel } from '../collections/collection.ts';
import type { FieldType } from '../fields/field.ts';
import { fieldTypeOf } from '../fields/registry.ts';

/** Field name → record value. */
export type RecordData = Record<string, unknown>;

type Decoder = readonly [name: string, field: FieldModel, type: FieldType];
const decoders = new WeakMap<CollectionModel, Decoder[]>();

/** Reads a row into record values. */
export function rowToRecord(collection: CollectionModel, row: Row): RecordData {
  // Field types are looked up once per collection definition (models are replaced, never mutated).
  let list = decoders.get(collection);
  if (!list) decoders.set(collection, (list = collection.fields.map((f) => [f.name, f, fieldTypeOf(f)] as const)));
  const data: RecordData = {};
  for (const [name, field, type] of list) data[name] = type.fromDriver(field, row[name]);
  return data;
}

/** Driver values of `names` (default: every field). */
export function recordToDriver(collection: CollectionModel, data: RecordData, names?: readonly string[]): Map<string, SqlValue> {
  const out = new Map<string, SqlValue>();
  for (const f of collection.fields) {
    if (names && !names.includes(f.name)) continue;
    out.set(f.name, fieldTypeOf(f).toDriver(f, data[f.name]));
  }
  return out;
}

/** What the requester may see of a record beyond its public fields. */
export interface RecordVisibility {
  /** Superusers see hidden fields and every email. */
  isSuperuser: boolean;
  /** Show `email` even when `emailVisibility` is false (self, managers, auth responses). */
  showEmail: boolean;
}

/** Client JSON of a record: synthetic keys first, then visible fields in collection order. */
export function serializeRecord(collection: CollectionModel, data: RecordData, visibility: RecordVisibility): Record<string, unknown> {
  // Key order as in the spec's examples: id, collectionId, collectionName, then the fields.
  const out: Record<string, unknown> = { id: data.id, collectionId: collection.id, collectionName: collection.name };
  const isAuth = collection.type === 'auth';
  for (const f of collection.fields) {
    if (f.name === 'id') continue;
    if (f.type === 'password') continue;
    if (isAuth && f.name === 'tokenKey') continue;
    if (f.hidden && !visibility.isSuperuser) continue;
    if (isAuth && f.name === 'email' && !visibility.isSuperuser && !visibility.showEmail && data.emailVisibility !== true) continue;
    out[f.name] = data[f.name];
  }
  return out;
}
