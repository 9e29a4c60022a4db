import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';

describe('SqliteDatabase', () => {
  it('an in-memory database accepts writes and reads them back', async () => {
    const db = new SqliteDatabase(':memory:');
    await db.exec('CREATE TABLE t (v TEXT)');
    await db.run('INSERT INTO t (v) VALUES (?)', ['a']);
    assert.deepEqual((await db.all<{ v: string }>('SELECT v FROM t')).map((r) => r.v), ['a']);
    await db.close();
  });

  it('a nested transaction fails loudly instead of waiting forever for the writer lock', async () => {
    const db = new SqliteDatabase(':memory:');
    await db.exec('CREATE TABLE t (v TEXT)');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (v) VALUES (?)', ['outer']);
        await db.transaction(async (inner) => inner.run('INSERT INTO t (v) VALUES (?)', ['inner']));
      }),
      /Nested transaction/,
    );
    // The outer transaction rolled back, and the lock is free for the next writer.
    assert.deepEqual(await db.all('SELECT v FROM t'), []);
    await db.run('INSERT INTO t (v) VALUES (?)', ['after']);
    assert.deepEqual((await db.all<{ v: string }>('SELECT v FROM t')).map((r) => r.v), ['after']);
    await db.close();
  });

  it('onCommit runs after a commit and not after a rollback', async () => {
    const db = new SqliteDatabase(':memory:');
    const calls: string[] = [];
    await db.transaction(async () => {}, { onCommit: () => calls.push('committed') });
    await assert.rejects(db.transaction(async () => { throw new Error('no'); }, { onCommit: () => calls.push('wrong') }));
    assert.deepEqual(calls, ['committed']);
    await db.close();
  });
});
