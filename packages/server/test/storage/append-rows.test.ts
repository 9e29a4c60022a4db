/**
 * Database.appendRows on each engine (COPY on PostgreSQL, chunked INSERTs on SQLite): values
 * arrive exactly as given, whatever characters they hold, and a batch is stored whole or not at
 * all, leaving the database usable afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database, SqlValue } from '../../src/storage/types.ts';
import { forEachDialect, openTestDatabase } from '../helpers/test-server.ts';

/** Text that COPY's text format must escape or could misread, and text that needs nothing. */
const AWKWARD = ['tab\there', 'line\nbreak', 'carriage\rreturn', 'back\\slash', '\\N', '\\.', 'ends with backslash\\', '', 'plain', 'ÉCOLE 😀 ∑', '{"a":"b\\"c","n":[1,2]}', '\\\\t literal'];

forEachDialect((dialect) =>
  describe('Database.appendRows', () => {
    let db: Database;
    let dispose: () => Promise<void>;
    const q = (name: string) => db.dialect.quote(name);

    before(async () => {
      ({ db, dispose } = await openTestDatabase(dialect));
      const d = db.dialect;
      await db.exec(`CREATE TABLE ${q('appended')} (${q('id')} ${d.primaryKeyDefinition()}, ${q('t')} ${d.columnDefinition('text')}, ${q('n')} ${d.columnDefinition('number')}, ${q('j')} ${d.columnDefinition('json')})`);
    });
    after(() => dispose());

    async function stored(): Promise<Array<{ id: string; t: string; n: number; j: string | null }>> {
      const rows = await db.all<{ id: string; t: string; n: number | string; j: string | null }>(`SELECT ${q('id')} AS id, ${q('t')} AS t, ${q('n')} AS n, ${q('j')} AS j FROM ${q('appended')} ORDER BY ${q('id')}`);
      return rows.map((r) => ({ ...r, n: Number(r.n) }));
    }

    it('stores every value exactly, across all the batch sizes a large append is cut into', async () => {
      // 123 rows: on SQLite two 50-row, two 10-row and three 1-row statements.
      const rows: SqlValue[][] = [];
      for (let i = 0; i < 123; i++) rows.push([`r${String(i).padStart(3, '0')}`, AWKWARD[i % AWKWARD.length], i % 2 ? -i / 4 : i * 1e6, i % 5 === 0 ? null : AWKWARD[(i + 3) % AWKWARD.length]]);
      await db.appendRows('appended', ['id', 't', 'n', 'j'], rows);
      assert.deepEqual(
        await stored(),
        rows.map(([id, t, n, j]) => ({ id, t, n, j })),
      );
      await db.run(`DELETE FROM ${q('appended')}`);
    });

    it('does nothing for no rows', async () => {
      await db.appendRows('appended', ['id', 't'], []);
      assert.deepEqual(await stored(), []);
    });

    it('stores nothing of a batch that a row breaks, and the database keeps working', async () => {
      await db.appendRows('appended', ['id', 't'], [['kept', 'before']]);
      // The duplicate key is the batch's last row: its first rows must not remain either.
      for (let attempt = 0; attempt < 8; attempt++) {
        await assert.rejects(db.appendRows('appended', ['id', 't'], [['new1', 'a'], ['new2', 'b'], ['kept', 'duplicate']]));
      }
      assert.deepEqual((await stored()).map((r) => [r.id, r.t]), [['kept', 'before']]);
      // Every pooled connection that saw a failure still answers, and appends again.
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => db.get<{ v: number | string }>(`SELECT ${i} AS v`)));
      assert.deepEqual(answers.map((a) => Number(a?.v)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      await db.appendRows('appended', ['id', 't'], [['after', 'ok']]);
      assert.deepEqual((await stored()).map((r) => r.id), ['after', 'kept']);
      await db.run(`DELETE FROM ${q('appended')}`);
    });

    it('quotes the table and column names it is given', async () => {
      // Valid only quoted: reserved words, and upper case that PostgreSQL would fold.
      await db.exec(`CREATE TABLE ${q('Order')} (${q('select')} ${db.dialect.columnDefinition('text')}, ${q('From')} ${db.dialect.columnDefinition('text')})`);
      await db.appendRows('Order', ['select', 'From'], [['a', 'b']]);
      assert.deepEqual((await db.all<{ s: string; f: string }>(`SELECT ${q('select')} AS s, ${q('From')} AS f FROM ${q('Order')}`)).map((r) => [r.s, r.f]), [['a', 'b']]);
      await assert.rejects(db.appendRows('appended; DROP TABLE appended', ['id'], [['x']]));
      await assert.rejects(db.appendRows('appended', ['id) SELECT 1; --'], [['x']]));
      assert.deepEqual(await stored(), []);
    });

    if (dialect === 'postgres') {
      it('writes bytes as bytea', async () => {
        await db.exec(`CREATE TABLE ${q('appended_bytes')} (${q('id')} TEXT PRIMARY KEY, ${q('b')} BYTEA)`);
        const bytes = Uint8Array.from([0, 9, 10, 13, 92, 255]);
        await db.appendRows('appended_bytes', ['id', 'b'], [['x', bytes.subarray(1)], ['y', bytes]]);
        const rows = await db.all<{ id: string; hex: string }>(`SELECT ${q('id')} AS id, encode(${q('b')}, 'hex') AS hex FROM ${q('appended_bytes')} ORDER BY 1`);
        assert.deepEqual(rows, [
          { id: 'x', hex: '090a0d5cff' },
          { id: 'y', hex: '00090a0d5cff' },
        ]);
      });
    }
  }),
);
