import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SqliteDatabase } from '../../storage/sqlite/sqlite-database.ts';
import type { FieldModel } from '../collections/collection.ts';
import { BUILTIN_FIELD_TYPES } from './index.ts';
import { fieldTypeNames, fieldTypeOf, findFieldType } from './registry.ts';
import { makeField, settingsCtx } from './field-test-context.ts';

const SPEC_TYPES = ['text', 'number', 'bool', 'email', 'url', 'editor', 'date', 'autodate', 'select', 'file', 'relation', 'json', 'geoPoint', 'password'];

/** Every type, plus the multiple variants of the list types. */
function allFields(): FieldModel[] {
  const fields: FieldModel[] = [];
  for (const type of BUILTIN_FIELD_TYPES) {
    fields.push(makeField(type, { name: `${type.type}_single`, values: ['a', 'b'], collectionId: 'x', onCreate: true }));
    if (['select', 'relation', 'file'].includes(type.type)) fields.push(makeField(type, { name: `${type.type}_multi`, maxSelect: 5, values: ['a', 'b'], collectionId: 'x' }));
  }
  return fields;
}

test('importing index.ts registers every type of spec §5.4', () => {
  assert.deepEqual([...fieldTypeNames()].sort(), [...SPEC_TYPES].sort());
  for (const name of SPEC_TYPES) assert.equal(findFieldType(name)?.type, name);
  assert.equal(fieldTypeOf(makeField(findFieldType('text')!)).type, 'text');
});

test('default options: required and help on every type but autodate', () => {
  for (const type of BUILTIN_FIELD_TYPES) {
    const options = type.defaultOptions();
    if (type.type === 'autodate') assert.ok(!('required' in options) && !('help' in options));
    else assert.deepEqual([options.required, options.help], [false, ''], type.type);
    // Defaults are valid settings where no option is required.
    if (!['select', 'relation', 'autodate'].includes(type.type)) assert.equal(type.validateSettings(makeField(type), settingsCtx()), undefined, type.type);
  }
});

test('the zero value is what prepareValue makes of null, and round-trips through the driver', () => {
  for (const field of allFields()) {
    const type = fieldTypeOf(field);
    const zero = type.zeroValue(field);
    if (field.type !== 'json') assert.deepEqual(type.prepareValue(field, null), zero, field.name);
    assert.deepEqual(type.fromDriver(field, type.toDriver(field, zero)), zero, field.name);
  }
});

test('property: prepareValue never throws for any JSON input, on every type', () => {
  const fields = allFields();
  fc.assert(
    fc.property(fc.jsonValue(), (raw) => {
      for (const field of fields) fieldTypeOf(field).prepareValue(field, raw);
    }),
    { numRuns: 300 },
  );
});

test('property: prepareValue never throws for JSON text either (form values)', () => {
  const fields = allFields();
  fc.assert(
    fc.property(fc.oneof(fc.json(), fc.string()), (raw) => {
      for (const field of fields) fieldTypeOf(field).prepareValue(field, raw);
    }),
    { numRuns: 300 },
  );
});

test('property: fromDriver(toDriver(prepareValue(x))) equals prepareValue(x)', () => {
  const fields = allFields();
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), fc.json(), fc.string()), (raw) => {
      for (const field of fields) {
        const type = fieldTypeOf(field);
        const value = type.prepareValue(field, raw);
        // Non-finite numbers (from "NaN"/"Inf" strings) fail validation and are never stored.
        if (typeof value === 'number' && !Number.isFinite(value)) continue;
        if (isAmbiguousSingle(field, value)) continue;
        assert.deepEqual(type.fromDriver(field, type.toDriver(field, value)), value, `${field.name} ${JSON.stringify(raw)}`);
      }
    }),
    { numRuns: 300 },
  );
});

/**
 * A single select/relation/file value that is itself JSON text of a string array (from input
 * like `['["x"]']`) reads back as that array's last element: PocketBase has the same ambiguity,
 * as it loads the column with the coercion used for input.
 */
function isAmbiguousSingle(field: FieldModel, value: unknown): boolean {
  if (typeof value !== 'string' || !value.includes('[') || !['select', 'relation', 'file'].includes(field.type)) return false;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) && parsed.every((v) => typeof v === 'string');
  } catch {
    return false;
  }
}

/** True when `v` holds an integer beyond 2^53 − 1 (see the note in the SQLite property). */
function hasUnsafeInteger(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && !Number.isSafeInteger(v);
  if (Array.isArray(v)) return v.some(hasUnsafeInteger);
  if (v && typeof v === 'object') return Object.values(v).some(hasUnsafeInteger);
  return false;
}

test('property: values survive a real SQLite column of each kind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-fields-'));
  const db = new SqliteDatabase(join(dir, 'data.db'));
  try {
    const fields = allFields();
    const q = db.dialect.quote.bind(db.dialect);
    const columns = fields.map((f) => `${q(f.name)} ${db.dialect.columnDefinition(fieldTypeOf(f).columnKind(f))}`);
    await db.exec(`CREATE TABLE ${q('t')} (${q('id')} ${db.dialect.primaryKeyDefinition()}, ${columns.join(', ')})`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.json(), fc.string()), async (raw) => {
        const values = fields.map((f) => fieldTypeOf(f).prepareValue(f, raw));
        // Note: node:sqlite throws when it reads an integer beyond 2^53 − 1 from a NUMERIC or
        // JSON (NUMERIC affinity) column unless the connection sets readBigInts; skipped here
        // and reported to the storage owner.
        if (values.some((v) => hasUnsafeInteger(v) || (typeof v === 'number' && !Number.isFinite(v)))) return;
        await db.run(`DELETE FROM ${q('t')}`);
        await db.run(
          `INSERT INTO ${q('t')} (${q('id')}, ${fields.map((f) => q(f.name)).join(', ')}) VALUES (?, ${fields.map(() => '?').join(', ')})`,
          ['r1', ...fields.map((f, i) => fieldTypeOf(f).toDriver(f, values[i]))],
        );
        const row = (await db.get<Record<string, never>>(`SELECT * FROM ${q('t')}`))!;
        fields.forEach((f, i) => isAmbiguousSingle(f, values[i]) || assert.deepEqual(fieldTypeOf(f).fromDriver(f, row[f.name]), values[i], `${f.name} ${JSON.stringify(raw)}`));
      }),
      { numRuns: 150 },
    );
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
