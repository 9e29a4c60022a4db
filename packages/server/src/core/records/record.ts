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

/** Reads a row into record values. */
export function rowToRecord(collection: CollectionModel, row: Row): RecordData {
  return codecOf(collection).decode(row);
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
  return codecOf(collection).serialize(data, visibility.isSuperuser, visibility.showEmail);
}

interface Codec {
  decode(row: Row): RecordData;
  serialize(data: RecordData, isSuperuser: boolean, showEmail: boolean): Record<string, unknown>;
}

/** Codecs by collection definition (models are replaced on change, never mutated). */
const codecs = new WeakMap<CollectionModel, Codec>();

function codecOf(collection: CollectionModel): Codec {
  let codec = codecs.get(collection);
  if (!codec) codecs.set(collection, (codec = compileCodec(collection)));
  return codec;
}

/** Names that can be written as a quoted key of an object literal and mean an own property. */
const PLAIN_NAME = /^\w+$/;

/**
 * A collection's row decoder and serialiser as straight-line code, one function per definition.
 * A loop over the fields does a keyed load and store per field whose property names and object
 * shapes differ from collection to collection, so V8's caches for them go megamorphic: on a
 * 20-row list that loop cost twice the rest of the conversion. Generated code names each
 * property in its own access site, which stays monomorphic. Names and ids enter the source only
 * as JSON string literals (valid JS string literals); names are also validated as `\w+` on save,
 * and any other name is refused here.
 */
function compileCodec(collection: CollectionModel): Codec {
  const fields = collection.fields;
  const types = fields.map((f) => fieldTypeOf(f));
  const odd = fields.find((f) => !PLAIN_NAME.test(f.name) || f.name === '__proto__');
  if (odd) throw new TypeError(`Invalid field name ${JSON.stringify(odd.name)} in collection ${collection.name}.`);
  const key = JSON.stringify;
  const decodeSource = `return { ${fields.map((f, i) => `${key(f.name)}: t${i}.fromDriver(f${i}, row[${key(f.name)}])`).join(', ')} };`;
  const isAuth = collection.type === 'auth';
  const lines = [`const out = { "id": data["id"], "collectionId": ${key(collection.id)}, "collectionName": ${key(collection.name)} };`];
  for (const f of fields) {
    if (f.name === 'id' || f.type === 'password' || (isAuth && f.name === 'tokenKey')) continue;
    const set = `out[${key(f.name)}] = data[${key(f.name)}];`;
    const conditions = [];
    if (f.hidden) conditions.push('isSuperuser');
    if (isAuth && f.name === 'email') conditions.push('(isSuperuser || showEmail || data["emailVisibility"] === true)');
    lines.push(conditions.length ? `if (${conditions.join(' && ')}) ${set}` : set);
  }
  lines.push('return out;');
  const bindings = fields.map((_, i) => `const t${i} = types[${i}], f${i} = fields[${i}];`).join('\n');
  const make = new Function(
    'types',
    'fields',
    `${bindings}\nreturn { decode(row) { ${decodeSource} }, serialize(data, isSuperuser, showEmail) { ${lines.join('\n')} } };`,
  ) as (types: FieldType[], fields: FieldModel[]) => Codec;
  return make(types, fields);
}
