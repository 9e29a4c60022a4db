import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase } from '../../storage/sqlite/sqlite-database.ts';
import { textField } from './text-field.ts';
import { makeCollection, makeField, settingsCtx, valueCtx } from './field-test-context.ts';

test('text prepareValue coerces like cast.ToString (spec §3.5.1)', () => {
  const f = makeField(textField);
  const cases: Array<[unknown, string]> = [
    ['abc', 'abc'],
    ['', ''],
    [null, ''],
    [undefined, ''],
    [12, '12'],
    [12.5, '12.5'],
    [-0.25, '-0.25'],
    [1e21, '1000000000000000000000'],
    [1e-7, '0.0000001'],
    [true, 'true'],
    [false, 'false'],
    [[1, 2], ''],
    [{ a: 1 }, ''],
    [new TextEncoder().encode('hé'), 'hé'],
  ];
  for (const [raw, want] of cases) assert.equal(textField.prepareValue(f, raw), want, JSON.stringify(raw));
});

test('text validateValue: codes, messages and params', async () => {
  const cases: Array<{ name: string; options?: Record<string, unknown>; value: unknown; want?: object }> = [
    { name: 'empty optional', value: '' },
    { name: 'empty required', options: { required: true }, value: '', want: { code: 'validation_required', message: 'Cannot be blank.' } },
    { name: 'empty skips min', options: { min: 3 }, value: '' },
    { name: 'too short', options: { min: 3 }, value: 'ab', want: { code: 'validation_min_text_constraint', message: 'Must be at least 3 character(s).', params: { min: 3 } } },
    { name: 'min counts code points', options: { min: 3 }, value: '😀😀😀' },
    { name: 'too long', options: { max: 2 }, value: 'abc', want: { code: 'validation_max_text_constraint', message: 'Must be no more than 2 character(s).', params: { max: 2 } } },
    { name: 'max 0 means 5000', value: 'a'.repeat(5000) },
    { name: 'over 5000', value: 'a'.repeat(5001), want: { code: 'validation_max_text_constraint', message: 'Must be no more than 5000 character(s).', params: { max: 5000 } } },
    { name: 'pattern is unanchored', options: { pattern: '\\d+' }, value: 'ab12cd' },
    { name: 'pattern mismatch', options: { pattern: '^\\d+$' }, value: 'ab12', want: { code: 'validation_invalid_format', message: 'Invalid value format.' } },
    { name: 'RE2 leading flags', options: { pattern: '(?i)^abc$' }, value: 'ABC' },
    { name: 'invalid pattern matches nothing', options: { pattern: '[' }, value: 'x', want: { code: 'validation_invalid_format', message: 'Invalid value format.' } },
    { name: 'non-string', value: 5, want: { code: 'validation_unsupported_value_type', message: 'Invalid or unsupported value type.' } },
    { name: 'pk required', options: { primaryKey: true }, value: '', want: { code: 'validation_required', message: 'Cannot be blank.' } },
    { name: 'custom pk forbids chars', options: { primaryKey: true, pattern: '' }, value: 'a.b', want: { code: 'validation_forbidden_pk_character', message: "'.' is not a valid primary key character.", params: { ch: '.' } } },
    { name: 'custom pk reserved', options: { primaryKey: true, pattern: '^\\w+$' }, value: 'com1', want: { code: 'validation_reserved_pk', message: "The primary key 'COM1' is reserved and cannot be used.", params: { reserved: 'COM1' } } },
    { name: 'default pk pattern skips extra checks', options: { primaryKey: true, pattern: '^[a-z0-9]+$' }, value: 'con' },
  ];
  for (const c of cases) {
    const f = makeField(textField, c.options);
    const ctx = valueCtx({ isNew: false });
    assert.deepEqual(await textField.validateValue(f, c.value, ctx), c.want, c.name);
  }
});

test('text primary key cannot change on update', async () => {
  const f = makeField(textField, { name: 'id', primaryKey: true, required: true, pattern: '^[a-z0-9]+$' });
  const ctx = valueCtx({ isNew: false, previousRecord: { id: 'abc' } });
  assert.deepEqual(await textField.validateValue(f, 'xyz', ctx), { code: 'validation_pk_change', message: 'The record primary key cannot be changed.' });
  // An unchanged stored id is never re-validated (it may predate the current options).
  assert.equal(await textField.validateValue(makeField(textField, { name: 'id', primaryKey: true, min: 15 }), 'abc', ctx), undefined);
});

test('text custom-pattern primary key must be unique case-insensitively', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-text-'));
  const db = new SqliteDatabase(join(dir, 'data.db'));
  try {
    await db.exec('CREATE TABLE `test` (`id` TEXT PRIMARY KEY NOT NULL)');
    await db.run('INSERT INTO `test` (`id`) VALUES (?)', ['Abc']);
    const f = makeField(textField, { name: 'id', primaryKey: true, required: true, pattern: '^\\w+$' });
    const ctx = valueCtx({ db, dialect: db.dialect, collection: makeCollection({ name: 'test' }), isNew: true });
    assert.deepEqual(await textField.validateValue(f, 'aBC', ctx), { code: 'validation_pk_invalid', message: 'The record primary key is invalid or already exists.' });
    assert.equal(await textField.validateValue(f, 'other', ctx), undefined);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('text validateSettings', () => {
  const cases: Array<{ name: string; options: Record<string, unknown>; want?: object }> = [
    { name: 'defaults', options: {} },
    { name: 'negative min', options: { min: -1 }, want: { min: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 0.', params: { threshold: 0 } } } },
    { name: 'max below min', options: { min: 5, max: 3 }, want: { max: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 5.', params: { threshold: 5 } } } },
    { name: 'max 0 with min', options: { min: 5, max: 0 } },
    { name: 'beyond 2^53-1', options: { max: 2 ** 53 }, want: { max: { code: 'validation_max_less_equal_than_required', message: 'Must be no greater than 9007199254740991.', params: { threshold: 9007199254740991 } } } },
    { name: 'fractional', options: { min: 1.5 }, want: { min: { code: 'validation_unsupported_value_type', message: 'Invalid or unsupported value type.' } } },
    { name: 'invalid regex', options: { pattern: '[a-' } },
    { name: 'help too long', options: { help: 'x'.repeat(301) }, want: { help: { code: 'validation_length_too_long', message: 'The length must be no more than 300.', params: { max: 300 } } } },
    {
      name: 'pk rules',
      options: { name: 'slug', primaryKey: true, pattern: '', hidden: true, required: false },
      want: {
        name: { code: 'validation_in_invalid', message: 'The primary key must be named "id".' },
        pattern: { code: 'validation_required', message: 'Cannot be blank.' },
        hidden: { code: 'validation_empty', message: 'Must be blank.' },
        required: { code: 'validation_required', message: 'Cannot be blank.' },
      },
    },
    { name: 'valid autogenerate', options: { autogeneratePattern: '[a-z]{5}', min: 5, max: 5 } },
    { name: 'autogenerate producing invalid values', options: { autogeneratePattern: '[a-z]{3}', min: 5 } },
    { name: 'autogenerate not generatable', options: { autogeneratePattern: '(?=a)b' } },
  ];
  for (const c of cases) {
    const got = textField.validateSettings(makeField(textField, c.options), settingsCtx());
    if (c.name === 'invalid regex') {
      assert.equal((got?.pattern as { code: string }).code, 'validation_invalid_regex');
      assert.match((got?.pattern as { message: string }).message, /^Invalid regular expression/);
      continue;
    }
    if (c.name === 'autogenerate producing invalid values') {
      assert.equal((got?.autogeneratePattern as { code: string }).code, 'validation_invalid_autogenerate_pattern_value', c.name);
      assert.match((got?.autogeneratePattern as { message: string }).message, /^The provided autogenerate pattern could produce invalid field values, ex\.: "[a-z]{3}"$/);
      continue;
    }
    if (c.name === 'autogenerate not generatable') {
      assert.equal((got?.autogeneratePattern as { code: string }).code, 'validation_invalid_autogenerate_pattern', c.name);
      continue;
    }
    assert.deepEqual(got, c.want, c.name);
  }
});

test('text: only one primary key per collection', () => {
  const a = makeField(textField, { name: 'id', primaryKey: true, required: true, pattern: '^[a-z0-9]+$' });
  const b = makeField(textField, { id: 'text2', name: 'id2', primaryKey: true });
  const got = textField.validateSettings(a, settingsCtx({ collection: makeCollection({ fields: [a, b] }) }));
  assert.deepEqual(got?.primaryKey, { code: 'validation_unsupported_composite_pk', message: 'Composite PKs are not supported and the collection must have only 1 PK.' });
});

test('text :autogenerate modifier appends a generated value to the submitted prefix', () => {
  const f = makeField(textField, { autogeneratePattern: '[0-9]{4}' });
  assert.match(String(textField.applyModifier!(f, 'autogenerate', 'old', 'inv-')), /^inv-\d{4}$/);
  assert.match(String(textField.applyModifier!(f, 'autogenerate', 'old', null)), /^\d{4}$/);
  assert.equal(textField.applyModifier!(makeField(textField), 'autogenerate', 'old', 'x'), 'x');
  assert.deepEqual(textField.modifiers, ['autogenerate']);
});

test('text driver round-trip', () => {
  const f = makeField(textField);
  for (const v of ['', 'abc', 'héllo 😀']) assert.equal(textField.fromDriver(f, textField.toDriver(f, v)), v);
  assert.equal(textField.fromDriver(f, null), '');
  assert.equal(textField.fromDriver(f, undefined), '');
  assert.equal(textField.columnKind(f), 'text');
  assert.equal(textField.zeroValue(f), '');
  assert.equal(textField.isMultiple(f), false);
});
