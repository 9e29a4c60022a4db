/**
 * The dialect seam, engine by engine: every SqlDialect fragment must give the same answers on
 * SQLite and PostgreSQL (spec §4.4, §4.9, §4.13). The same assertions run against each engine;
 * where the engines differ natively, the expected value is SQLite's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database, SqlDialect } from '../../src/storage/types.ts';
import { forEachDialect, openTestDatabase } from '../helpers/test-server.ts';

forEachDialect((dialect) =>
  describe('dialect conformance', () => {
    let db: Database;
    let d: SqlDialect;
    let dispose: () => Promise<void>;
    const rows = [
      { id: 'r1', t: 'Hello World', n: 10, b: 1, j: '{"a":{"b":[1,"x",true,null,2.5]},"s":"str","n":7}', nul: 'x' },
      { id: 'r2', t: '', n: 9, b: 0, j: 'not json', nul: null },
      { id: 'r3', t: 'a_b 100% \\ ÉCOLE', n: -1.5, b: 0, j: '["a","b"]', nul: '' },
      { id: 'r4', t: 'B', n: 0, b: 1, j: null, nul: null },
    ];

    before(async () => {
      ({ db, dispose } = await openTestDatabase(dialect));
      d = db.dialect;
      const q = d.quote.bind(d);
      await db.exec(
        `CREATE TABLE ${q('conf')} (${q('id')} ${d.primaryKeyDefinition()}, ${q('t')} ${d.columnDefinition('text')}, ${q('n')} ${d.columnDefinition('number')}, ` +
          `${q('b')} ${d.columnDefinition('bool')}, ${q('j')} ${d.columnDefinition('json')}, ${q('nul')} ${d.columnDefinition('json')}${d.hiddenColumns.map((c) => `, ${c}`).join('')})`,
      );
      for (const r of rows) {
        await db.run(`INSERT INTO ${q('conf')} (${q('id')}, ${q('t')}, ${q('n')}, ${q('b')}, ${q('j')}, ${q('nul')}) VALUES (?, ?, ?, ?, ?, ?)`, [r.id, r.t, r.n, r.b, r.j, r.nul]);
      }
    });
    after(() => dispose());

    /** Ids of rows where `where` holds, in id order. */
    async function ids(where: string, params: unknown[] = []): Promise<string[]> {
      const q = d.quote.bind(d);
      const found = await db.all<{ id: string }>(`SELECT ${q('id')} AS id FROM ${q('conf')} c WHERE ${where} ORDER BY ${q('id')}`, params as never[]);
      return found.map((r) => r.id);
    }
    async function value(expr: string, id: string, params: unknown[] = []): Promise<unknown> {
      const q = d.quote.bind(d);
      const row = await db.get<{ v: unknown }>(`SELECT ${expr} AS v FROM ${q('conf')} c WHERE ${q('id')} = ?`, [...params, id] as never[]);
      return row?.v;
    }
    const col = (name: string) => `c.${d.quote(name)}`;

    it('NULL and empty text compare equal through coalesceText', async () => {
      assert.deepEqual(await ids(`${d.coalesceText(col('nul'))} = ''`), ['r2', 'r3', 'r4']);
      assert.deepEqual(await ids(`${d.coalesceText(col('nul'))} = ${d.coalesceText('?')}`, [null]), ['r2', 'r3', 'r4']);
      assert.deepEqual(await ids(d.isDistinctFrom(d.coalesceText(col('nul')), d.coalesceText(col('t')))), ['r1', 'r3', 'r4']);
      assert.deepEqual(await ids(d.isNotDistinctFrom(col('nul'), 'NULL')), ['r2', 'r4']);
    });

    it('booleans bind as 1/0, compare with TRUE and read back as text 1/0', async () => {
      assert.deepEqual(await ids(`${col('b')} = ?`, [1]), ['r1', 'r4']);
      assert.deepEqual(await ids(`${col('b')} = TRUE`), ['r1', 'r4']);
      assert.deepEqual(await ids(`${d.coalesceText(col('b'))} = ${d.coalesceText('?')}`, [0]), ['r2', 'r3']);
      const raw = await value(col('b'), 'r1');
      assert.ok(raw === 1 || raw === true, `stored bool reads back as ${String(raw)}`);
    });

    it('numbers compare numerically with bound numbers and text that is a number', async () => {
      assert.deepEqual(await ids(`${col('n')} > ?`, [9]), ['r1']);
      assert.deepEqual(await ids(`${col('n')} = ?`, ['9']), ['r2']);
      assert.deepEqual(await ids(`${d.numeric('?')} > ${d.numeric('?')}`, [10, 9]), ['r1', 'r2', 'r3', 'r4']);
      assert.deepEqual(await ids(`${d.numeric(col('n'))} = ${d.numeric('?')}`, ['abc']), []);
      assert.equal(String(await value(d.coalesceText(col('n')), 'r3')), '-1.5');
    });

    it('text ordering is by code point, NULLs first ascending and last descending', async () => {
      const q = d.quote.bind(d);
      const asc = await db.all<{ id: string }>(`SELECT ${q('id')} AS id FROM ${q('conf')} c ORDER BY ${d.orderItem(col('t'), false)}`);
      assert.deepEqual(asc.map((r) => r.id), ['r2', 'r4', 'r1', 'r3']);
      const nullsAsc = await db.all<{ id: string }>(`SELECT ${q('id')} AS id FROM ${q('conf')} c ORDER BY ${d.orderItem(col('nul'), false)}, ${q('id')}`);
      assert.deepEqual(nullsAsc.map((r) => r.id), ['r2', 'r4', 'r3', 'r1']);
      const nullsDesc = await db.all<{ id: string }>(`SELECT ${q('id')} AS id FROM ${q('conf')} c ORDER BY ${d.orderItem(col('nul'), true)}, ${q('id')}`);
      assert.deepEqual(nullsDesc.map((r) => r.id), ['r1', 'r3', 'r2', 'r4']);
      const rowid = await db.all<{ id: string }>(`SELECT ${q('id')} AS id FROM ${q('conf')} c ORDER BY ${d.orderItem(`c.${d.rowidOrder}`, true)}`);
      assert.deepEqual(rowid.map((r) => r.id), ['r4', 'r3', 'r2', 'r1']);
    });

    it('LIKE folds ASCII case only and honours the \\ escape', async () => {
      assert.deepEqual(await ids(d.like(col('t'), '?'), ['%o w%']), ['r1']);
      assert.deepEqual(await ids(d.like(col('t'), '?'), ['%HELLO%']), ['r1']);
      assert.deepEqual(await ids(d.like(col('t'), '?'), ['%école%']), []);
      assert.deepEqual(await ids(d.like(col('t'), '?'), ['%ÉCOLE%']), ['r3']);
      assert.deepEqual(await ids(d.like(col('t'), '?'), ['a\\_b%']), ['r3']);
      assert.deepEqual(await ids(d.like(col('t'), '?'), ['a\\_c%']), []);
      assert.deepEqual(await ids(d.like(col('t'), '?'), ['%100\\%%']), ['r3']);
      assert.deepEqual(await ids(d.like(col('t'), '?'), ['%\\\\%']), ['r3']);
      assert.deepEqual(await ids(d.like(col('n'), '?'), ['%1.5%']), ['r3']);
      assert.equal(await value(d.lower('?'), 'r1', ['ÀBC']), 'Àbc');
    });

    it('jsonExtract reads scalars, and invalid JSON as NULL', async () => {
      assert.equal(await value(d.jsonExtract(col('j'), ['s']), 'r1'), 'str');
      assert.equal(Number(await value(d.jsonExtract(col('j'), ['n']), 'r1')), 7);
      assert.equal(Number(await value(d.jsonExtract(col('j'), ['a', 'b', '0']), 'r1')), 1);
      assert.equal(await value(d.jsonExtract(col('j'), ['a', 'b', '1']), 'r1'), 'x');
      assert.equal(Number(await value(d.jsonExtract(col('j'), ['a', 'b', '2']), 'r1')), 1);
      assert.equal(await value(d.jsonExtract(col('j'), ['a', 'b', '3']), 'r1'), null);
      assert.equal(await value(d.jsonExtract(col('j'), ['missing']), 'r1'), null);
      assert.equal(await value(d.jsonExtract(col('j'), ['s']), 'r2'), null);
      assert.equal(await value(d.jsonExtract(col('j'), ['s']), 'r4'), null);
      assert.deepEqual(await ids(`${d.numeric(d.jsonExtract(col('j'), ['n']))} > ${d.numeric('?')}`, [6]), ['r1']);
      assert.deepEqual(await ids(d.isNotDistinctFrom(d.jsonExtract(col('j'), ['a', 'b', '2']), '?'), [1]), ['r1']);
    });

    it('jsonArrayLength: arrays count elements, other text counts as one, empty as zero', async () => {
      const lengths: Record<string, number> = {};
      for (const r of rows) lengths[r.id] = Number(await value(d.jsonArrayLength(col('j')), r.id));
      assert.deepEqual(lengths, { r1: 1, r2: 1, r3: 2, r4: 0 });
    });

    it('jsonEach: array elements, a non-array value as one element', async () => {
      const q = d.quote.bind(d);
      const each = async (id: string) =>
        (await db.all<{ v: unknown }>(`SELECT je.value AS v FROM ${q('conf')} c JOIN ${d.jsonEach(col('j'), 'je')} ON 1=1 WHERE c.${q('id')} = ?`, [id])).map((r) => r.v);
      assert.deepEqual(await each('r3'), ['a', 'b']);
      assert.deepEqual(await each('r2'), ['not json']);
      assert.deepEqual(await each('r4'), [null]);
      assert.deepEqual(await ids(`? IN (SELECT je.value FROM ${d.jsonEach(col('j'), 'je')})`, ['b']), ['r3']);
    });

    it('strftime follows SQLite for the common directives and modifiers', async () => {
      const cases: Array<[string, string, string[], string | null]> = [
        ['%Y-%m-%d %H:%M:%S', '2024-03-05 07:08:09.123Z', [], '2024-03-05 07:08:09'],
        ['%f', '2024-03-05 07:08:09.123Z', [], '09.123'],
        ['%j %w %s', '2024-03-05 07:08:09Z', [], '065 2 1709622489'],
        ['%Y-%m', '2024-01-31 10:00:00', ['+1 month'], '2024-03-02'.slice(0, 7)],
        ['%Y-%m-%d', '2024-01-31 10:00:00', ['+1 month'], '2024-03-02'],
        ['%Y-%m-%d %H:%M', '2024-01-31 10:00:00', ['start of month', '-1 day'], '2023-12-31 00:00'],
        ['%Y-%m-%d', '2024-05-15', ['start of year'], '2024-01-01'],
        ['%Y-%m-%d', '2024-05-15', ['weekday 0'], '2024-05-19'],
        ['%H:%M', '2024-05-15T23:30:00', ['+90 minutes'], '01:00'],
        ['%Y-%m-%d %H:%M:%S', '1700000000', ['unixepoch'], '2023-11-14 22:13:20'],
        ['%Y-%m-%d', '2460000.5', [], '2023-02-25'],
        ['%Y', 'not a date', [], null],
        ['%Y', '2024-05-15', ['+1 fortnight'], null],
        ['%%Y', '2024-05-15', [], '%Y'],
      ];
      for (const [format, time, modifiers, expected] of cases) {
        const got = await value(d.strftime('?', '?', modifiers.map(() => '?')), 'r1', [format, time, ...modifiers]);
        assert.equal(got, expected, `strftime(${[format, time, ...modifiers].join(', ')})`);
      }
      const year = await value(d.strftime('?', '?', []), 'r1', ['%Y', 'now']);
      assert.equal(year, String(new Date().getUTCFullYear()));
    });

    it('geoDistance is the spherical law of cosines in km', async () => {
      // Fragments may repeat an argument, so literals rather than placeholders here.
      const km = Number(await value(d.geoDistance('23.3219', '42.6977', '24.7453', '42.1354'), 'r1'));
      assert.ok(Math.abs(km - 132.2) < 1, `Sofia–Plovdiv ${km} km`);
      assert.equal(Number(await value(d.geoDistance(col('n'), '20', col('n'), '20'), 'r1')), 0);
    });

    it('a unique violation is recognised and names its column or index', async () => {
      const q = d.quote.bind(d);
      await db.exec(`CREATE UNIQUE INDEX ${q('idx_conf_t')} ON ${q('conf')} (${d.indexExpression('`t`', ['id', 't'])})`);
      let caught: unknown;
      try {
        await db.run(`INSERT INTO ${q('conf')} (${q('id')}, ${q('t')}) VALUES (?, ?)`, ['r5', 'B']);
      } catch (err) {
        caught = err;
      }
      const v = d.uniqueViolation(caught);
      assert.ok(v, `not recognised: ${String(caught)}`);
      assert.ok(v.columns.includes('t') || v.index === 'idx_conf_t', JSON.stringify(v));
      assert.equal(d.uniqueViolation(new Error('other')), undefined);
      let pk: unknown;
      try {
        await db.run(`INSERT INTO ${q('conf')} (${q('id')}, ${q('t')}) VALUES (?, ?)`, ['r1', 'fresh']);
      } catch (err) {
        pk = err;
      }
      assert.deepEqual(d.uniqueViolation(pk)?.columns, ['id']);
    });

    it('a case-insensitive (COLLATE NOCASE) unique index refuses values differing only in case', async () => {
      const q = d.quote.bind(d);
      await db.exec(`CREATE UNIQUE INDEX ${q('idx_conf_nul')} ON ${q('conf')} (${d.indexExpression('nul COLLATE NOCASE', ['id', 'nul'])}) WHERE ${d.indexExpression("`nul` != ''", ['id', 'nul'])}`);
      await db.run(`UPDATE ${q('conf')} SET ${q('nul')} = ? WHERE ${q('id')} = ?`, ['Mixed', 'r2']);
      let caught: unknown;
      try {
        await db.run(`UPDATE ${q('conf')} SET ${q('nul')} = ? WHERE ${q('id')} = ?`, ['mIXED', 'r4']);
      } catch (err) {
        caught = err;
      }
      assert.ok(d.uniqueViolation(caught), `not refused: ${String(caught)}`);
    });

    it('text holding U+0000 is stored and read back exactly, and found by equality', async () => {
      const q = d.quote.bind(d);
      const text = 'a\u0000b\u{F0000}c';
      await db.run(`UPDATE ${q('conf')} SET ${q('t')} = ? WHERE ${q('id')} = ?`, [text, 'r4']);
      assert.equal(await value(col('t'), 'r4'), text);
      assert.deepEqual(await ids(`${col('t')} = ?`, [text]), ['r4']);
      await db.run(`UPDATE ${q('conf')} SET ${q('t')} = ? WHERE ${q('id')} = ?`, ['B', 'r4']);
    });

    it('listTables and listColumns see the table and only its own columns', async () => {
      assert.ok((await d.listTables(db)).includes('conf'));
      assert.deepEqual(await d.listColumns(db, 'conf'), ['id', 't', 'n', 'b', 'j', 'nul']);
    });

    it('a transaction commits whole or not at all', async () => {
      const q = d.quote.bind(d);
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run(`UPDATE ${q('conf')} SET ${q('n')} = ? WHERE ${q('id')} = ?`, [999, 'r1']);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await value(col('n'), 'r1'), 10);
      await db.transaction(async (tx) => {
        await tx.run(`UPDATE ${q('conf')} SET ${q('n')} = ? WHERE ${q('id')} = ?`, [11, 'r1']);
      });
      assert.equal(await value(col('n'), 'r1'), 11);
      await db.run(`UPDATE ${q('conf')} SET ${q('n')} = ? WHERE ${q('id')} = ?`, [10, 'r1']);
    });
  }),
);
