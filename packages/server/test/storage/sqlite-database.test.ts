import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
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

  it('checkpoint() empties the WAL, and does not wait for a reader holding an older snapshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basalt-checkpoint-'));
    const path = join(dir, 'data.db');
    const db = new SqliteDatabase(path, { synchronous: 'NORMAL' });
    const reader = new DatabaseSync(path);
    try {
      await db.exec('CREATE TABLE t (v TEXT)');
      for (let i = 0; i < 50; i++) await db.run('INSERT INTO t (v) VALUES (?)', [`row ${i}`]);
      const walSize = () => statSync(`${path}-wal`).size;
      assert.ok(walSize() > 0);
      // Another connection (a backup's snapshot) reads an older state while writes continue.
      reader.exec('BEGIN');
      reader.prepare('SELECT COUNT(*) AS n FROM t').get();
      await db.run('INSERT INTO t (v) VALUES (?)', ['after the snapshot']);
      const started = Date.now();
      await db.checkpoint();
      assert.ok(Date.now() - started < 1000, 'the checkpoint did not wait for the reader');
      assert.ok(walSize() > 0, 'a held-up checkpoint cannot empty the WAL');
      reader.exec('COMMIT');
      await db.checkpoint();
      assert.equal(walSize(), 0);
      assert.equal((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))?.n, 51);
    } finally {
      reader.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
