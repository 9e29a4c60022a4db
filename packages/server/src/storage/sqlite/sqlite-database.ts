/**
 * SQLite storage on the built-in `node:sqlite` driver.
 *
 * Two connections share one WAL database file: a writer, used only inside `transaction()` and
 * serialised by an async lock, and a reader for everything else. In WAL mode the reader sees
 * only committed data, so a request never observes another request's open transaction.
 * Durability: `synchronous=FULL` by default, so an acknowledged commit survives a process kill
 * and a power loss; `NORMAL` survives a process kill only (documented in docs/storage.md).
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Database, Executor, Row, SqlValue, TransactionOptions } from '../types.ts';

/** Which database's transaction the current async context runs in. */
const activeTransaction = new AsyncLocalStorage<object>();
import { SqliteDialect } from './sqlite-dialect.ts';

/** How many prepared statements each connection keeps. */
export const STATEMENT_CACHE_SIZE = 500;

export interface SqliteOptions {
  /** `FULL` (default) or `NORMAL`. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Milliseconds a statement waits for a lock held by another process. */
  busyTimeoutMs?: number;
}

class Connection implements Executor {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  get raw(): DatabaseSync {
    return this.#db;
  }

  #prepare(sql: string): StatementSync {
    let stmt = this.#cache.get(sql);
    if (stmt) {
      // Refresh recency so hot statements survive eviction.
      this.#cache.delete(sql);
      this.#cache.set(sql, stmt);
      return stmt;
    }
    stmt = this.#db.prepare(sql);
    if (this.#cache.size >= STATEMENT_CACHE_SIZE) {
      const oldest = this.#cache.keys().next().value as string;
      this.#cache.delete(oldest);
    }
    this.#cache.set(sql, stmt);
    return stmt;
  }

  allSync<T>(sql: string, params: readonly SqlValue[] = []): T[] {
    return this.#prepare(sql).all(...(params as SqlValue[])) as T[];
  }

  async all<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.allSync<T>(sql, params);
  }

  async get<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.#prepare(sql).get(...(params as SqlValue[])) as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const r = this.#prepare(sql).run(...(params as SqlValue[]));
    return { changes: Number(r.changes) };
  }

  async exec(sql: string): Promise<void> {
    this.#db.exec(sql);
    // DDL can change what cached statements compile to; SQLite re-prepares them itself,
    // but statements on dropped tables would only fail later, so start clean.
    this.#cache.clear();
  }

  close(): void {
    this.#cache.clear();
    this.#db.close();
  }
}

/** A simple FIFO async lock. */
class Lock {
  #tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return ready;
  }
}

function open(path: string, options: SqliteOptions): DatabaseSync {
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: false });
  db.exec(`PRAGMA busy_timeout = ${busyTimeout(options)}`);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  db.exec('PRAGMA temp_store = MEMORY');
  db.exec('PRAGMA cache_size = -32000');
  return db;
}

function busyTimeout(options: SqliteOptions): number {
  return Math.trunc(options.busyTimeoutMs ?? 10000);
}

/** Opens (creating if needed) the SQLite database at `path`. */
export class SqliteDatabase implements Database {
  readonly dialect = new SqliteDialect();
  readonly #writer: Connection;
  readonly #reader: Connection;
  readonly #lock = new Lock();
  readonly #busyTimeout: number;
  #closed = false;

  constructor(path: string, options: SqliteOptions = {}) {
    this.#busyTimeout = busyTimeout(options);
    this.#writer = new Connection(open(path, options));
    // An in-memory database cannot be shared by two connections: reads use the writer then.
    this.#reader = path === ':memory:' ? this.#writer : new Connection(open(path, options));
    if (this.#reader !== this.#writer) this.#reader.raw.exec('PRAGMA query_only = ON');
  }

  all<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.#reader.all<T>(sql, params);
  }
  get<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.#reader.get<T>(sql, params);
  }
  /** A write outside an explicit transaction still goes through the writer lock. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.transaction((tx) => tx.run(sql, params));
  }
  exec(sql: string): Promise<void> {
    return this.transaction((tx) => tx.exec(sql));
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (this.#closed) throw new TypeError('The database is closed.');
    // The writer lock is not re-entrant: waiting for it from inside a transaction would hang
    // every writer forever. Fail loudly instead; code inside a transaction uses the tx it got.
    if (activeTransaction.getStore() === this) {
      throw new TypeError('Nested transaction: this code already runs inside a transaction of the same database; use the executor it was given.');
    }
    const release = await this.#lock.acquire();
    try {
      this.#writer.raw.exec('BEGIN IMMEDIATE');
      try {
        const result = await activeTransaction.run(this, () => fn(this.#writer));
        this.#writer.raw.exec('COMMIT');
        options?.onCommit?.();
        return result;
      } catch (err) {
        if (this.#writer.raw.isTransaction) this.#writer.raw.exec('ROLLBACK');
        throw err;
      }
    } finally {
      release();
    }
  }

  async checkpoint(): Promise<void> {
    if (this.#closed) throw new TypeError('The database is closed.');
    const release = await this.#lock.acquire();
    const raw = this.#writer.raw;
    // A waiting checkpoint would block the event loop (node:sqlite is synchronous) for as long
    // as a reader on another connection keeps an older snapshot: it must not wait at all.
    raw.exec('PRAGMA busy_timeout = 0');
    try {
      raw.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      raw.exec(`PRAGMA busy_timeout = ${this.#busyTimeout}`);
      release();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Wait for the running writer to finish.
    const release = await this.#lock.acquire();
    this.#closed = true;
    try {
      if (this.#reader !== this.#writer) this.#reader.close();
      this.#writer.raw.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      this.#writer.close();
    } finally {
      release();
    }
  }
}
