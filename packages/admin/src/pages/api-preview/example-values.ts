/**
 * Realistic sample values for a collection's fields, so the API preview can show request bodies
 * and responses that look like the user's own data. Deterministic (no randomness, no clock) so
 * the page does not flicker and the unit test (test/unit-example-values.test.ts) can pin values.
 * @module
 */

/** The parts of a collection field (spec §5.4) the generator reads. */
export interface FieldLike {
  name: string;
  type: string;
  system?: boolean;
  hidden?: boolean;
  required?: boolean;
  primaryKey?: boolean;
  min?: number | string | null;
  max?: number | string | null;
  onlyInt?: boolean;
  values?: string[];
  maxSelect?: number;
  minSelect?: number;
  onlyDomains?: string[] | null;
  mimeTypes?: string[];
  collectionId?: string;
  onCreate?: boolean;
  onUpdate?: boolean;
  pattern?: string;
}

/** The parts of a collection (spec §5.2) the API preview reads. */
export interface CollectionLike {
  id: string;
  name: string;
  type: string;
  fields: FieldLike[];
  listRule?: string | null;
  viewRule?: string | null;
  createRule?: string | null;
  updateRule?: string | null;
  deleteRule?: string | null;
  authRule?: string | null;
  manageRule?: string | null;
  passwordAuth?: { enabled?: boolean; identityFields?: string[] };
  otp?: { enabled?: boolean };
  mfa?: { enabled?: boolean };
  oauth2?: { enabled?: boolean; providers?: Array<{ name: string }> };
}

export const EXAMPLE_DATETIME = '2026-03-01 09:15:02.381Z';
export const EXAMPLE_RECORD_ID = 'k3b9x0m2qp7r1ze';
const RELATED_IDS = ['u8x2m1k9q0c3bdf', 'a7c0n4v2p9w1e5t'];

/** An example plain password long enough for the auth collections' default minimum (8). */
export const EXAMPLE_PASSWORD = 'example-password-123';

export function isMultiple(field: FieldLike): boolean {
  return (field.maxSelect ?? 0) > 1;
}

/** Text by field name: what a person would expect a field called that to hold. */
const TEXT_BY_NAME: ReadonlyArray<readonly [RegExp, string]> = [
  [/user(name)?$/i, 'ann_example'],
  [/(^|_)(first_?)?name$|^name$|fullname/i, 'Ann Example'],
  [/title|subject|heading/i, 'Hello world'],
  [/slug/i, 'hello-world'],
  [/phone|mobile/i, '+1 555 0100'],
  [/colou?r/i, '#2f5fd0'],
  [/city/i, 'Sofia'],
  [/country/i, 'BG'],
  [/(desc|content|body|text|summary|note|comment|bio|message)/i, 'Lorem ipsum dolor sit amet.'],
];

function exampleText(field: FieldLike): string {
  if (field.primaryKey) return fitLength(EXAMPLE_RECORD_ID, field);
  const found = TEXT_BY_NAME.find(([re]) => re.test(field.name));
  return fitLength(found ? found[1] : 'Lorem ipsum', field);
}

/** Trims or pads a sample so it passes the field's min/max length. */
function fitLength(text: string, field: FieldLike): string {
  const min = typeof field.min === 'number' ? field.min : 0;
  const max = typeof field.max === 'number' && field.max > 0 ? field.max : Infinity;
  let out = text;
  while (out.length < min) out += text;
  return out.slice(0, Math.min(max, Math.max(min, out.length)));
}

function exampleNumber(field: FieldLike): number {
  const min = typeof field.min === 'number' ? field.min : undefined;
  const max = typeof field.max === 'number' ? field.max : undefined;
  let n = /price|amount|cost|total/i.test(field.name) && !field.onlyInt ? 19.99 : 42;
  if (/^lat/i.test(field.name)) n = 42.69;
  if (/^(lon|lng)/i.test(field.name)) n = 23.32;
  if (min !== undefined && max !== undefined) n = (min + max) / 2;
  else if (min !== undefined && n < min) n = min;
  else if (max !== undefined && n > max) n = max;
  return field.onlyInt ? Math.round(n) : n;
}

function domainOf(field: FieldLike, fallback: string): string {
  return field.onlyDomains?.length ? field.onlyDomains[0] : fallback;
}

function fileExtension(field: FieldLike): string {
  const mime = field.mimeTypes?.[0] ?? 'image/jpeg';
  const known: Record<string, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'image/svg+xml': 'svg', 'text/plain': 'txt', 'application/json': 'json' };
  return known[mime] ?? (mime.startsWith('image/') ? 'jpg' : 'bin');
}

function many<T>(field: FieldLike, items: T[]): T | T[] {
  if (!isMultiple(field)) return items[0];
  return items.slice(0, Math.max(1, Math.min(items.length, field.maxSelect ?? items.length)));
}

/**
 * A sample value of `field` as it appears in a record's JSON (spec §3.1). For `file` fields that
 * is the stored file name; for `password` it is the plain value a client would send.
 */
export function exampleValue(field: FieldLike): unknown {
  switch (field.type) {
    case 'text':
      return exampleText(field);
    case 'number':
      return exampleNumber(field);
    case 'bool':
      return true;
    case 'email':
      return `ann@${domainOf(field, 'example.com')}`;
    case 'url':
      return `https://${domainOf(field, 'example.com')}/hello`;
    case 'editor':
      return '<p>Hello <strong>world</strong></p>';
    case 'date':
    case 'autodate':
      return typeof field.min === 'string' && field.min ? field.min : EXAMPLE_DATETIME;
    case 'select':
      return many(field, field.values?.length ? field.values : ['option']);
    case 'file': {
      const ext = fileExtension(field);
      return many(field, [`photo_0w7k2j1xqa.${ext}`, `scan_9p3m5t7c2d.${ext}`]);
    }
    case 'relation':
      return many(field, RELATED_IDS);
    case 'json':
      return { source: 'import', tags: ['a', 'b'] };
    case 'geoPoint':
      return { lon: 23.32, lat: 42.69 };
    case 'password':
      return EXAMPLE_PASSWORD;
    default:
      return '';
  }
}

/** Fields a record's JSON never contains (spec §3.1: password and tokenKey are never serialised). */
function isNeverSerialised(collection: CollectionLike, field: FieldLike): boolean {
  return field.type === 'password' || (collection.type === 'auth' && field.name === 'tokenKey');
}

/**
 * A sample record as the API returns it: `id`, `collectionId`, `collectionName`, then the
 * visible fields in collection order. Hidden fields are included only for superusers.
 */
export function exampleRecord(collection: CollectionLike, opts: { superuser?: boolean } = {}): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  const id = collection.fields.find((f) => f.name === 'id');
  record.id = id ? exampleValue(id) : EXAMPLE_RECORD_ID;
  record.collectionId = collection.id;
  record.collectionName = collection.name;
  for (const f of collection.fields) {
    if (f.name === 'id' || isNeverSerialised(collection, f)) continue;
    if (f.hidden && !opts.superuser) continue;
    record[f.name] = exampleValue(f);
  }
  return record;
}

/** Fields a client may send on create/update: not autodate, not the auth token key. */
export function writableFields(collection: CollectionLike): FieldLike[] {
  return collection.fields.filter((f) => f.type !== 'autodate' && !(collection.type === 'auth' && f.name === 'tokenKey'));
}

/**
 * A sample create body: every writable field except `id` (generated when omitted); auth
 * collections add `passwordConfirm` next to `password` (spec §3.5.5). Files are left out
 * because they need multipart; the caller says so next to the example.
 */
export function exampleCreateBody(collection: CollectionLike): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of writableFields(collection)) {
    if (f.name === 'id' || f.type === 'file') continue;
    if (collection.type === 'auth' && f.name === 'verified') continue;
    body[f.name] = exampleValue(f);
    if (f.type === 'password' && collection.type === 'auth' && f.name === 'password') body.passwordConfirm = EXAMPLE_PASSWORD;
  }
  return body;
}

/** A short human description of the JSON type a field takes, e.g. `Array<String>` or `Number (integer)`. */
export function describeType(field: FieldLike): string {
  const multi = isMultiple(field);
  switch (field.type) {
    case 'text':
      return 'String';
    case 'number':
      return field.onlyInt ? 'Number (integer)' : 'Number';
    case 'bool':
      return 'Boolean';
    case 'email':
      return 'String (email)';
    case 'url':
      return 'String (URL)';
    case 'editor':
      return 'String (HTML)';
    case 'date':
      return 'String (datetime, e.g. 2026-03-01 09:15:02.381Z)';
    case 'autodate':
      return 'String (datetime, set by the server)';
    case 'select':
      return multi ? 'Array<String>' : 'String';
    case 'file':
      return multi ? 'Array<File> (multipart)' : 'File (multipart)';
    case 'relation':
      return multi ? 'Array<String> (record ids)' : 'String (record id)';
    case 'json':
      return 'JSON (any value)';
    case 'geoPoint':
      return 'Object {"lon": Number, "lat": Number}';
    case 'password':
      return 'String';
    default:
      return field.type;
  }
}

/** The field's constraints in words: length bounds, allowed values, pattern, size. */
export function describeConstraints(field: FieldLike): string[] {
  const notes: string[] = [];
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const min = num(field.min);
  const max = num(field.max);
  if (field.type === 'text' || field.type === 'password') {
    if (min) notes.push(`min ${min} chars`);
    if (max) notes.push(`max ${max} chars`);
    if (field.pattern) notes.push(`pattern ${field.pattern}`);
  }
  if (field.type === 'number') {
    if (min !== undefined) notes.push(`≥ ${min}`);
    if (max !== undefined) notes.push(`≤ ${max}`);
  }
  if (field.type === 'select' && field.values?.length) notes.push(`one of ${field.values.join(', ')}`);
  if ((field.type === 'select' || field.type === 'relation' || field.type === 'file') && isMultiple(field)) notes.push(`at most ${field.maxSelect}`);
  if (field.type === 'relation' && field.collectionId) notes.push(`ids from collection ${field.collectionId}`);
  if (field.type === 'file' && field.mimeTypes?.length) notes.push(`types ${field.mimeTypes.join(', ')}`);
  if ((field.type === 'email' || field.type === 'url') && field.onlyDomains?.length) notes.push(`domains ${field.onlyDomains.join(', ')}`);
  if (field.type === 'date') {
    if (typeof field.min === 'string' && field.min) notes.push(`from ${field.min}`);
    if (typeof field.max === 'string' && field.max) notes.push(`until ${field.max}`);
  }
  return notes;
}
