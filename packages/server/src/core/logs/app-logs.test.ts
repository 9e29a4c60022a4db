import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteDatabase } from '../../storage/sqlite/sqlite-database.ts';
import { defaultSettings } from '../settings/settings.ts';
import { AppLogs, LOG_FLUSH_BATCH, LOG_FLUSH_INTERVAL_MS, MAX_PENDING_LOGS } from './app-logs.ts';
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

describe('AppLogs ids', () => {
  it('are 15 base-36 characters that sort by time, distinct within a millisecond', async () => {
    const { db, store, logs } = await setup();
    store.open();
    const times = [Date.UTC(2026, 10, 24, 10, 0, 0, 5), Date.UTC(2026, 10, 24, 10, 0, 0, 6), Date.UTC(2027, 0, 1)];
    for (const time of times) for (let i = 0; i < 500; i++) logs.add(0, `GET /t/${time}`, {}, time);
    await logs.flush();
    const rows = await db.all<{ id: string; message: string; created: string }>('SELECT id, message, created FROM _logs ORDER BY id');
    assert.equal(rows.length, 1500);
    assert.equal(new Set(rows.map((r) => r.id)).size, 1500);
    for (const r of rows) assert.match(r.id, /^[0-9a-z]{15}$/);
    // Ordered by id, the entries come in time order: each millisecond's 500 together.
    assert.deepEqual([...new Set(rows.map((r) => r.message))], times.map((t) => `GET /t/${t}`));
    assert.deepEqual([...new Set(rows.map((r) => r.created))], ['2026-11-24 10:00:00.005Z', '2026-11-24 10:00:00.006Z', '2027-01-01 00:00:00.000Z']);
    await db.close();
  });
});

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

  it('entries that arrive during a write wait for a full batch (or the timer), not one small write after another', async () => {
    const db = new SqliteDatabase(':memory:');
    const sizes: number[] = [];
    // A store whose writes take a few turns of the event loop, like a database round trip.
    class SlowStore extends SqlLogStore {
      override async insert(rows: readonly NewLogRow[]): Promise<void> {
        sizes.push(rows.length);
        for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
        return super.insert(rows);
      }
    }
    const settings = defaultSettings().logs;
    const logs = new AppLogs(new SlowStore(db), { settings: () => settings, warn: () => {} });
    await logs.start();
    const total = 5 * LOG_FLUSH_BATCH;
    const started = performance.now();
    // A steady stream: a few entries per turn of the event loop, as requests finish under load.
    for (let i = 0; i < total; i++) {
      logs.add(0, `GET /n/${i}`, { i });
      if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
    }
    const elapsed = performance.now() - started;
    await logs.close();
    const writes = sizes.length;
    // One write per full batch, one per timer tick that passed, and the final flush.
    const allowed = total / LOG_FLUSH_BATCH + Math.ceil(elapsed / LOG_FLUSH_INTERVAL_MS) + 1;
    assert.ok(writes <= allowed, `${writes} writes (sizes ${sizes.join(',')}) for ${total} entries in ${elapsed.toFixed(0)} ms; at most ${allowed} expected`);
    const [{ n }] = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM _logs');
    assert.equal(n, total);
    await db.close();
  });
});
