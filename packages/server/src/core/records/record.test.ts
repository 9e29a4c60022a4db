/**
 * rowToRecord and serializeRecord compile per-collection code; these tests hold that code to the
 * rules written out plainly (an oracle), over random definitions, and check that names and ids
 * can never reach the generated source as code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CollectionModel, FieldModel } from '../collections/collection.ts';
import { makeCollection } from '../fields/field-test-context.ts';
import '../fields/index.ts';
import { fieldTypeOf, findFieldType } from '../fields/registry.ts';
import type { Row } from '../../storage/types.ts';
import { rowToRecord, serializeRecord, type RecordData } from './record.ts';

/** Mulberry32: a seeded generator, so a failure names a case that can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = ['text', 'number', 'bool', 'email', 'url', 'editor', 'date', 'autodate', 'select', 'file', 'relation', 'json', 'geoPoint', 'password'];
const RAW_VALUES = [null, undefined, '', 'x', '0', '1', 'true', '12.5', ' 7 ', '["a","b"]', '{"lon":1,"lat":2}', '2024-01-02 03:04:05.678Z', 0, 1, 42.5, true, false];

function field(name: string, type: string, hidden: boolean): FieldModel {
  const t = findFieldType(type);
  assert.ok(t, type);
  return { id: `f_${name}`, name, type, system: false, hidden, presentable: false, ...t.defaultOptions() };
}

function randomCollection(next: () => number, seed: number): CollectionModel {
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const auth = next() < 0.4;
  const fields: FieldModel[] = [field('id', 'text', false)];
  if (auth) {
    fields.push(field('password', 'password', true), field('tokenKey', 'text', true), field('email', 'email', next() < 0.2));
    fields.push(field('emailVisibility', 'bool', false), field('verified', 'bool', false));
  }
  const count = Math.floor(next() * 12);
  for (let i = 0; i < count; i++) fields.push(field(`${pick(['a', 'B', '_', 'n9'])}${i}`, pick(TYPES), next() < 0.25));
  // Field order is part of the JSON; shuffle all but `id`.
  for (let i = fields.length - 1; i > 1; i--) {
    const j = 1 + Math.floor(next() * i);
    [fields[i], fields[j]] = [fields[j]!, fields[i]!];
  }
  return makeCollection({ id: `pbc_${seed}`, name: `c${seed}`, type: auth ? 'auth' : 'base', fields });
}

/** The decoding rule: each field's driver conversion, in field order. */
function oracleRecord(collection: CollectionModel, row: Row): RecordData {
  const out: RecordData = {};
  for (const f of collection.fields) out[f.name] = fieldTypeOf(f).fromDriver(f, row[f.name]);
  return out;
}

/** The visibility rules of spec §3.1, written out plainly. */
function oracleJson(collection: CollectionModel, data: RecordData, isSuperuser: boolean, showEmail: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { id: data.id, collectionId: collection.id, collectionName: collection.name };
  const auth = collection.type === 'auth';
  for (const f of collection.fields) {
    if (f.name === 'id' || f.type === 'password') continue;
    if (auth && f.name === 'tokenKey') continue;
    if (f.hidden && !isSuperuser) continue;
    if (auth && f.name === 'email' && !(isSuperuser || showEmail || data.emailVisibility === true)) continue;
    out[f.name] = data[f.name];
  }
  return out;
}

describe('rowToRecord and serializeRecord', () => {
  it('agree with the plainly written rules over random collections and rows', () => {
    let cases = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const next = random(seed);
      const collection = randomCollection(next, seed);
      for (let r = 0; r < 5; r++) {
        const row: Row = {};
        for (const f of collection.fields) row[f.name] = RAW_VALUES[Math.floor(next() * RAW_VALUES.length)] as Row[string];
        row.id = `id${seed}_${r}`;
        const data = rowToRecord(collection, row);
        const expected = oracleRecord(collection, row);
        assert.deepEqual(data, expected, `seed ${seed}`);
        assert.deepEqual(Object.keys(data), Object.keys(expected), `seed ${seed}: key order`);
        for (const isSuperuser of [false, true]) {
          for (const showEmail of [false, true]) {
            const json = serializeRecord(collection, data, { isSuperuser, showEmail });
            const want = oracleJson(collection, data, isSuperuser, showEmail);
            // JSON text compares values and key order in one go.
            assert.equal(JSON.stringify(json), JSON.stringify(want), `seed ${seed}, superuser ${isSuperuser}, showEmail ${showEmail}`);
            cases++;
          }
        }
      }
    }
    assert.equal(cases, 300 * 5 * 4);
  });

  it('never shows password or tokenKey, shows hidden fields to superusers only, and email by emailVisibility', () => {
    const collection = makeCollection({
      type: 'auth',
      fields: [field('id', 'text', false), field('email', 'email', false), field('emailVisibility', 'bool', false), field('password', 'password', true), field('tokenKey', 'text', true), field('secret', 'text', true), field('name', 'text', false)],
    });
    const data = rowToRecord(collection, { id: 'r1', email: 'a@b.co', emailVisibility: 0, password: 'hash', tokenKey: 'key', secret: 's', name: 'n' });
    assert.deepEqual(Object.keys(serializeRecord(collection, data, { isSuperuser: false, showEmail: false })), ['id', 'collectionId', 'collectionName', 'emailVisibility', 'name']);
    assert.deepEqual(Object.keys(serializeRecord(collection, data, { isSuperuser: false, showEmail: true })), ['id', 'collectionId', 'collectionName', 'email', 'emailVisibility', 'name']);
    assert.deepEqual(Object.keys(serializeRecord(collection, data, { isSuperuser: true, showEmail: false })), ['id', 'collectionId', 'collectionName', 'email', 'emailVisibility', 'secret', 'name']);
    const visible = rowToRecord(collection, { id: 'r1', email: 'a@b.co', emailVisibility: 1, password: 'hash', tokenKey: 'key', secret: 's', name: 'n' });
    assert.equal(serializeRecord(collection, visible, { isSuperuser: false, showEmail: false }).email, 'a@b.co');
  });

  it('carries ids and names as data, never as code', () => {
    const hostile = `x"]; globalThis.pwned = 1; //\u2028'\`\${1}</script>`;
    const collection = makeCollection({ id: hostile, name: `${hostile}!`, fields: [field('id', 'text', false), field('title', 'text', false)] });
    const json = serializeRecord(collection, rowToRecord(collection, { id: 'r1', title: hostile }), { isSuperuser: false, showEmail: false });
    assert.deepEqual(json, { id: 'r1', collectionId: hostile, collectionName: `${hostile}!`, title: hostile });
    assert.equal((globalThis as { pwned?: unknown }).pwned, undefined);
  });

  it('refuses a field name that is not a plain word, and __proto__', () => {
    for (const name of ['a"b', 'a b', '__proto__', '', 'x-1']) {
      const collection = makeCollection({ fields: [field('id', 'text', false), field(name, 'text', false)] });
      assert.throws(() => rowToRecord(collection, { id: 'r1' }), TypeError, name);
    }
  });

  it('follows a replaced definition', () => {
    const before = makeCollection({ fields: [field('id', 'text', false), field('note', 'text', false)] });
    const after: CollectionModel = { ...before, fields: [field('id', 'text', false), field('note', 'text', true)] };
    const row = { id: 'r1', note: 'n' };
    assert.equal(serializeRecord(before, rowToRecord(before, row), { isSuperuser: false, showEmail: false }).note, 'n');
    assert.equal('note' in serializeRecord(after, rowToRecord(after, row), { isSuperuser: false, showEmail: false }), false);
  });
});
