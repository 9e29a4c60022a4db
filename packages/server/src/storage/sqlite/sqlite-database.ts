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
import { Worker } from 'node:worker_threads';
import { ServiceUnavailableError } from '../../core/errors.ts';
import { assertOneStatement } from '../../tools/sql-leading-keyword.ts';
import type { Database, Executor, RawReadOptions, RawReadResult, RawWriteOptions, Row, SqlValue, TransactionOptions } from '../types.ts';

/** Which database's transaction the current async context runs in. */
const activeTransaction = new AsyncLocalStorage<object>();
import { SqliteDialect } from './sqlite-dialect.ts';
import type { SqliteRawReadRequest } from './sqlite-raw-read.ts';

/** How many prepared statements each connection keeps. */
export const STATEMENT_CACHE_SIZE = 500;

/**
 * Most SQL console reads running at once; one more fails with ServiceUnavailableError. One that
 * timed out counts until SQLite finishes it: node:sqlite cannot interrupt a statement, so its
 * thread runs on.
 */
export const MAX_RAW_READS = 2;

/** The worker that runs a console read, as a .ts source or as built .js beside this module. */
const RAW_READ_WORKER = new URL(`./sqlite-raw-read-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

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

/**
 * Rows per INSERT of appendRows, largest first; the last must be 1. Multi-row statements cost a
 * row a third less than one statement per row, and a few fixed sizes keep the statement cache
 * small.
 */
const APPEND_CHUNKS = [50, 10, 1];

/** Opens (creating if needed) the SQLite database at `path`. */
export class SqliteDatabase implements Database {
  readonly dialect = new SqliteDialect();
  readonly #writer: Connection;
  readonly #reader: Connection;
  readonly #lock = new Lock();
  readonly #busyTimeout: number;
  #closed = false;
  readonly #path: string;
  readonly #rawReads = new Set<Worker>();

  constructor(path: string, options: SqliteOptions = {}) {
    this.#path = path;
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

  async appendRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    if (rows.length === 0) return;
    const q = this.dialect.quote.bind(this.dialect);
    const head = `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES `;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    await this.transaction(async (tx) => {
      let i = 0;
      for (const size of APPEND_CHUNKS) {
        const sql = head + Array(size).fill(tuple).join(', ');
        for (; i + size <= rows.length; i += size) await tx.run(sql, rows.slice(i, i + size).flat());
      }
    });
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

  /**
   * Runs in a worker thread on a read-only connection of its own (sqlite-raw-read.ts), so a long
   * query leaves the event loop free and its timeout can answer the caller. The timeout cannot
   * stop the query itself (node:sqlite has no interrupt): its thread runs on until it ends.
   */
  async readRawSql(dangerousSql: string, options: RawReadOptions): Promise<RawReadResult> {
    if (this.#closed) throw new TypeError('The database is closed.');
    if (this.#reader === this.#writer) throw new Error('Raw reads need a database file; this database is in memory.');
    // Busy, not refused: the same 503 PostgreSQL's raw read gets when no pooled connection frees.
    if (this.#rawReads.size >= MAX_RAW_READS) {
      throw new ServiceUnavailableError(`The database is busy: ${MAX_RAW_READS} SQL console reads are still running (one that timed out runs on until SQLite finishes it). Try again shortly.`);
    }
    const request: SqliteRawReadRequest = { path: this.#path, sql: dangerousSql, maxRows: options.maxRows, busyTimeoutMs: this.#busyTimeout };
    const worker = new Worker(RAW_READ_WORKER, { workerData: request });
    // A query left running after its timeout must not keep the process alive.
    worker.unref();
    this.#rawReads.add(worker);
    worker.once('exit', () => this.#rawReads.delete(worker));
    return new Promise<RawReadResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`canceling statement: it ran longer than ${options.timeoutMs} ms (SQLite cannot interrupt it: it runs on in the background until it ends)`));
        void worker.terminate();
      }, options.timeoutMs);
      const settle = (fn: () => void) => {
        clearTimeout(timer);
        fn();
      };
      worker.once('message', (m: { result?: RawReadResult; error?: string }) => settle(() => (m.error === undefined ? resolve(m.result!) : reject(new Error(m.error)))));
      worker.once('error', (err) => settle(() => reject(err)));
      worker.once('exit', (code) => settle(() => reject(new Error(`the query's thread stopped (exit code ${code})`))));
    });
  }

  async writeRawSql(dangerousSql: string, options: RawWriteOptions): Promise<{ affectedRows: number }> {
    return this.transaction(
      async (tx) => {
        const raw = this.#writer.raw;
        const stmt = raw.prepare(dangerousSql);
        // SQLite compiles the first statement only; what follows it must be blank.
        assertOneStatement(dangerousSql, stmt.sourceSQL);
        const totalChanges = async () => (await tx.get<{ n: number }>('SELECT total_changes() AS n'))!.n;
        const before = await totalChanges();
        const { changes } = stmt.run();
        // After DDL, run() still reports the last INSERT/UPDATE/DELETE's count: `changes` belongs
        // to this statement only when the connection's running total moved.
        const affectedRows = (await totalChanges()) === before ? 0 : Number(changes);
        // A temporary table, view or trigger would outlive the transaction on the writer connection
        // and shadow the real table of its name for every later write; rolling back removes it.
        if (await tx.get('SELECT 1 AS found FROM temp.sqlite_master LIMIT 1')) throw new Error('Temporary tables, views and triggers cannot be created from the SQL console.');
        await options.beforeCommit?.(tx);
        return { affectedRows };
      },
      { onCommit: options.onCommit },
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    for (const worker of this.#rawReads) void worker.terminate();
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
