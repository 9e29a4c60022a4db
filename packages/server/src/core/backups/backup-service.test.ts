import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import { BadRequestError, ServiceUnavailableError } from '../errors.ts';
import { isRefusedDataError } from './backup-service.ts';

/** What node:sqlite throws for `sql` run after `setup` on a fresh in-memory database. */
function sqliteError(setup: string, sql: string): unknown {
  const db = new DatabaseSync(':memory:');
  try {
    db.exec(setup);
    db.exec(sql);
  } catch (err) {
    return err;
  } finally {
    db.close();
  }
  throw new Error(`expected ${sql} to fail`);
}

/** An error shaped as pg's DatabaseError (`code` is the SQLSTATE). */
const pgError = (code: string) => Object.assign(new Error(`pg error ${code}`), { severity: 'ERROR', code });
/** An error shaped as Node's system errors. */
const systemError = (code: string) => Object.assign(new Error(`${code}: failed`), { code, errno: -1, syscall: 'write' });

describe('isRefusedDataError', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['PostgreSQL 22P02 invalid_text_representation (not JSON for a json column)', pgError('22P02'), true],
    ['PostgreSQL 22001 string_data_right_truncation', pgError('22001'), true],
    ['PostgreSQL 23505 unique_violation', pgError('23505'), true],
    ['PostgreSQL 23502 not_null_violation', pgError('23502'), true],
    ['PostgreSQL 42P01 undefined_table', pgError('42P01'), false],
    ['PostgreSQL 53100 disk_full', pgError('53100'), false],
    ['PostgreSQL 57P01 admin_shutdown', pgError('57P01'), false],
    ['PostgreSQL 40P01 deadlock_detected', pgError('40P01'), false],
    ['Node ENOSPC', systemError('ENOSPC'), false],
    ['Node EACCES', systemError('EACCES'), false],
    ['Node ECONNRESET', systemError('ECONNRESET'), false],
    ['SQLite UNIQUE constraint (extended code 2067)', sqliteError('CREATE TABLE t (a UNIQUE); INSERT INTO t VALUES (1)', 'INSERT INTO t VALUES (1)'), true],
    ['SQLite NOT NULL constraint (extended code 1299)', sqliteError('CREATE TABLE t (a NOT NULL)', 'INSERT INTO t VALUES (NULL)'), true],
    ['SQLite CHECK constraint', sqliteError('CREATE TABLE t (a CHECK (a > 0))', 'INSERT INTO t VALUES (0)'), true],
    ['SQLite datatype mismatch (20)', sqliteError('CREATE TABLE t (a INTEGER PRIMARY KEY)', "INSERT INTO t VALUES ('x')"), true],
    ['SQLite string or blob too big (18)', { code: 'ERR_SQLITE_ERROR', errcode: 18, errstr: 'string or blob too big' }, true],
    ['SQLite no such table (1)', sqliteError('', 'INSERT INTO missing VALUES (1)'), false],
    ['SQLite disk full (13)', { code: 'ERR_SQLITE_ERROR', errcode: 13, errstr: 'database or disk is full' }, false],
    ['SQLite I/O error (extended code 778, low byte 10)', { code: 'ERR_SQLITE_ERROR', errcode: 778, errstr: 'disk I/O error' }, false],
    ['SQLite error without a numeric errcode', { code: 'ERR_SQLITE_ERROR', errcode: '19' }, false],
    ["Basalt's own 400", new BadRequestError('refused'), false],
    ["Basalt's own 503 (a lost connection)", new ServiceUnavailableError(), false],
    ['an error without a code', new Error('boom'), false],
    ['a thrown string', '23505', false],
    ['null', null, false],
  ];
  for (const [name, err, refused] of cases) {
    it(`${name} → ${refused}`, () => assert.equal(isRefusedDataError(err), refused));
  }

  it('the SQLite cases above are real node:sqlite errors with the codes they are named after', () => {
    const unique = sqliteError('CREATE TABLE t (a UNIQUE); INSERT INTO t VALUES (1)', 'INSERT INTO t VALUES (1)') as { code: unknown; errcode: unknown };
    assert.deepEqual([unique.code, unique.errcode], ['ERR_SQLITE_ERROR', 2067]);
    const mismatch = sqliteError('CREATE TABLE t (a INTEGER PRIMARY KEY)', "INSERT INTO t VALUES ('x')") as { errcode: unknown };
    assert.equal(mismatch.errcode, 20);
  });
});
