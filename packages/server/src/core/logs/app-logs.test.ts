import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteDatabase } from '../../storage/sqlite/sqlite-database.ts';
import { defaultSettings } from '../settings/settings.ts';
import { AppLogs, LOG_FLUSH_BATCH, MAX_PENDING_LOGS } from './app-logs.ts';
import { SqlLogStore, type NewLogRow } from './log-store.ts';

/** A real store whose writes wait until `open()` is called, to fill the buffer meanwhile. */
class GatedStore extends SqlLogStore {
  #gate = Promise.withResolvers<void>();
  open(): void {
    this.#gate.resolve();
  }
  override async insert(rows: readonly NewLogRow[]): Promise<void> {
    await this.#gate.promise;
    return super.insert(rows);
  }
}

async function setup() {
  const db = new SqliteDatabase(':memory:');
  const store = new GatedStore(db);
  const warnings: Array<{ message: string; details: Record<string, unknown> }> = [];
  const settings = defaultSettings().logs;
  const logs = new AppLogs(store, { settings: () => settings, warn: (message, details) => warnings.push({ message, details }) });
  await logs.start();
  return { db, store, logs, warnings, settings };
}

describe('AppLogs buffer', () => {
  it('drops the oldest entries past MAX_PENDING_LOGS and says how many', async () => {
    const { db, store, logs, warnings } = await setup();
    const extra = 1500;
    const total = LOG_FLUSH_BATCH + MAX_PENDING_LOGS + extra;
    // The first LOG_FLUSH_BATCH entries start a write that waits; the rest pile up in memory.
    for (let i = 0; i < total; i++) logs.add(0, `GET /n/${i}`, { i });
    store.open();
    await logs.flush();
    assert.deepEqual(warnings.map((w) => [w.message, w.details.dropped]), [['log: the buffer was full, oldest entries were dropped', extra]]);
    const rows = await db.all<{ message: string }>('SELECT message FROM _logs');
    assert.equal(rows.length, LOG_FLUSH_BATCH + MAX_PENDING_LOGS);
    const kept = new Set(rows.map((r) => r.message));
    assert.ok(kept.has('GET /n/0') && kept.has(`GET /n/${LOG_FLUSH_BATCH - 1}`), 'the batch being written is kept');
    assert.ok(!kept.has(`GET /n/${LOG_FLUSH_BATCH}`) && !kept.has(`GET /n/${LOG_FLUSH_BATCH + extra - 1}`), 'the oldest waiting entries are dropped');
    assert.ok(kept.has(`GET /n/${total - 1}`), 'the newest is kept');
    await logs.close();
    await db.close();
  });

  it('close() writes what is pending; nothing is recorded below minLevel or with maxDays 0', async () => {
    const { db, store, logs, settings } = await setup();
    store.open();
    logs.add(0, 'GET /kept', {});
    settings.minLevel = 4;
    logs.add(0, 'GET /below-min-level', {});
    logs.add(8, 'GET /error', {});
    settings.maxDays = 0;
    logs.add(8, 'GET /log-off', {});
    await logs.close();
    const rows = await db.all<{ message: string; level: number }>('SELECT message, level FROM _logs ORDER BY message');
    assert.deepEqual(rows.map((r) => [r.message, r.level]), [['GET /error', 8], ['GET /kept', 0]]);
    await db.close();
  });
});
