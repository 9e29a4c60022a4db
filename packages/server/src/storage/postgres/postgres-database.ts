/**
 * PostgreSQL storage on the `pg` driver.
 *
 * A bounded pool of connections: reads outside transactions borrow one for a single statement;
 * `transaction()` holds one for BEGIN … COMMIT (READ COMMITTED; rows about to be rewritten are
 * locked with `SELECT … FOR UPDATE`, see SqlDialect.lockRows). When every connection stays busy
 * longer than `acquireTimeoutMs`, a caller gets `ServiceUnavailableError` (503) instead of
 * waiting forever. `schema` (created when missing) is put first on every connection's
 * search_path, so one database can hold several Basalt instances, e.g. one per test run.
 *
 * Basalt's SQL uses `?` placeholders; they are rewritten to `$1…$n` here (never inside quoted
 * strings, identifiers or comments).
 * @module
 */
import pg from 'pg';
import { BasaltError, ServiceUnavailableError, WriteConflictError } from '../../core/errors.ts';
import { MULTIPLE_STATEMENTS_MESSAGE, sqlLeadingKeyword } from '../../tools/sql-leading-keyword.ts';
import { LruCache } from '../../tools/lru-cache.ts';
import { copyIn } from './copy-in.ts';
import type { Database, Executor, RawColumn, RawReadOptions, RawReadResult, RawWriteOptions, Row, SqlValue, TransactionOptions } from '../types.ts';
import { PostgresDialect } from './postgres-dialect.ts';
import { FUNCTIONS_SQL, FUNCTIONS_VERSION } from './postgres-functions.ts';
import { sendImplicitTransaction } from './implicit-transaction.ts';

/** Default most connections one Basalt process opens. */
export const DEFAULT_POOL_SIZE = 10;
/** Default milliseconds a statement waits for a free connection before failing with 503. */
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 10_000;
/** How many rewritten SQL texts are remembered. */
export const PLACEHOLDER_CACHE_SIZE = 1000;
/** Most statements one connection prepares by name; beyond it, statements run unnamed. */
export const PREPARED_PER_CONNECTION = 256;
/** Most distinct SQL texts this process gives a statement name to. */
export const MAX_STATEMENT_NAMES = 10_000;

export interface PostgresOptions {
  /** `postgres://user:pass@host:5432/dbname` (libpq URL; `?sslmode=…` etc. are honoured). */
  url: string;
  /** Schema to use (created when missing); default: the server's search_path. */
  schema?: string;
  /** Pool size (default 10). */
  maxConnections?: number;
  /** Milliseconds to wait for a free connection (default 10 000). */
  acquireTimeoutMs?: number;
  /** Milliseconds one statement may run (default: no limit). */
  statementTimeoutMs?: number;
}

// Values come back as the SQLite driver returns them: 64-bit integers (COUNT(*)) and numerics as
// numbers, JSON as its text, dates as text. Booleans stay booleans (field types accept both).
const IDENTITY = (v: string) => v;
const TYPES = {
  getTypeParser(oid: number, format?: string) {
    switch (oid) {
      case 20: // int8
      case 1700: // numeric
        return (v: string) => Number(v);
      case 114: // json
      case 3802: // jsonb
      case 1082: // date
      case 1114: // timestamp
      case 1184: // timestamptz
        return IDENTITY;
      default:
        return pg.types.getTypeParser(oid, format as 'text');
    }
  },
} as pg.CustomTypesConfig;

/** Rewrites `?` placeholders to `$n`, skipping quoted text, quoted identifiers and comments. */
function numberPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === '?') {
      out += `${sql.slice(start, i)}$${++n}`;
      start = i + 1;
    } else if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      i = end < 0 ? sql.length : end; // a doubled quote just closes and reopens
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
    }
  }
  return out + sql.slice(start);
}

/** A statement as sent: its text with `$n` placeholders, and its name once it has one. */
interface SqlText {
  text: string;
  name: string | undefined;
}

/** Texts by Basalt SQL: one lookup per statement on the hot path. */
const sqlTexts = new LruCache<SqlText>(PLACEHOLDER_CACHE_SIZE);
/** Statement names by text. Never reused for another text: connections keep what they prepared. */
const statementNames = new Map<string, string>();

function sqlText(sql: string): SqlText {
  return sqlTexts.through(sql, () => {
    const text = numberPlaceholders(sql);
    return { text, name: statementNames.get(text) };
  });
}

// PostgreSQL text cannot hold U+0000, which SQLite stores and clients may send. Text is
// escaped on the way in and unescaped on the way out, with a character from a private-use plane
// as escape: U+0000 → ESC '0', ESC → ESC '1'. Equality, and so uniqueness, stay exact.
const ESC = '\u{F0000}';

function escapeText(s: string): string {
  return s.indexOf('\u0000') < 0 && s.indexOf(ESC) < 0 ? s : s.replace(/[\u0000\u{F0000}]/gu, (c) => (c === ESC ? `${ESC}1` : `${ESC}0`));
}

function unescapeText(s: string): string {
  return s.replace(/\u{F0000}([01])/gu, (_, d: string) => (d === '0' ? '\u0000' : ESC));
}

function decodeRows<T>(rows: T[]): T[] {
  for (const row of rows as Record<string, unknown>[]) {
    for (const key in row) {
      const v = row[key];
      if (typeof v === 'string' && v.includes(ESC)) row[key] = unescapeText(v);
    }
  }
  return rows;
}

function bind(params: readonly SqlValue[] | undefined): unknown[] {
  if (!params || params.length === 0) return [];
  return params.map((v) => (typeof v === 'string' ? escapeText(v) : v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v));
}

/** What a pooled connection has prepared, and under which schema generation. */
interface ConnectionState {
  generation: number;
  prepared: Set<string>;
}
const connectionStates = new WeakMap<pg.PoolClient, ConnectionState>();
/**
 * Connections whose socket failed or ended. Their statements then fail with errors that carry no
 * code ("Connection terminated unexpectedly"), which only this tells apart from a bug's error.
 */
const lostConnections = new WeakSet<pg.PoolClient>();

/**
 * The query for `sql` on `client`: with parameters, a named (server-side prepared) statement, so
 * PostgreSQL parses and plans each distinct text once per connection instead of on every call,
 * as a hand-written `pg` server would. Unnamed when `named` is false (after DDL in the same
 * transaction) or when the connection or the process has prepared its share.
 */
function statement(client: pg.PoolClient, sql: string, params: readonly SqlValue[] | undefined, named: boolean): pg.QueryConfig {
  const entry = sqlText(sql);
  const text = entry.text;
  const values = bind(params);
  const state = named && values.length > 0 ? connectionStates.get(client) : undefined;
  if (!state) return { text, values };
  let name = entry.name;
  if (name === undefined) {
    name = statementNames.get(text);
    if (name === undefined) {
      if (statementNames.size >= MAX_STATEMENT_NAMES) return { text, values };
      name = `basalt_${statementNames.size.toString(36)}`;
      statementNames.set(text, name);
    }
    entry.name = name;
  }
  if (!state.prepared.has(name)) {
    if (state.prepared.size >= PREPARED_PER_CONNECTION) return { text, values };
    state.prepared.add(name);
  }
  return { name, text, values };
}

/** pg's Query as it is constructed from a text (its typings know only the config form). */
const TextQuery = pg.Query as unknown as new (text: string, values: unknown[] | undefined, callback: (err: Error | null, result: pg.QueryResult) => void) => pg.Query & { name?: string };

/**
 * Runs `statement(client, sql, params, named)`. The pg Query is made here from the text: given a
 * config object, pg's client.query first copies it property descriptor by property descriptor,
 * which cost more per statement than everything else Basalt does to send it.
 */
function execute(client: pg.PoolClient, sql: string, params: readonly SqlValue[] | undefined, named: boolean): Promise<pg.QueryResult> {
  const { name, text, values } = statement(client, sql, params, named);
  return new Promise((resolve, reject) => {
    const query = new TextQuery(text, values, (err, result) => (err ? reject(err) : resolve(result)));
    if (name !== undefined) query.name = name;
    client.query(query);
  });
}

/**
 * PostgreSQL refuses to run a prepared `SELECT *` whose table gained or lost columns since it was
 * prepared (DDL by another process, or a transaction that raced a schema change).
 */
function isStalePlan(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '0A000' && /cached plan must not change result type/.test(e.message ?? '');
}

type Corkable = { cork(): void; uncork(): void };
const corked = new WeakSet<Corkable>();

/**
 * Holds the connection's writes until the current run of synchronous code and promise
 * callbacks ends, so statements sent one after the other without waiting (pipelined) leave in
 * one write instead of one system call each.
 */
function corkUntilNextTick(client: pg.PoolClient): void {
  const socket = (client as unknown as { connection?: { stream?: Corkable } }).connection?.stream;
  if (!socket || corked.has(socket) || typeof socket.cork !== 'function') return;
  corked.add(socket);
  socket.cork();
  process.nextTick(() => {
    corked.delete(socket);
    socket.uncork();
  });
}

/** True for a statement that only reads (a locking read still only locks). */
const READ_ONLY = /^\s*SELECT\b/i;

/** A statement sent with Executor.defer, and what explains its failure. */
interface Deferred {
  answer: Promise<unknown>;
  explain: ((error: unknown) => unknown) | undefined;
}

/** A deferred statement not sent yet (TxExecutor). */
interface Unsent {
  sql: string;
  params: readonly SqlValue[] | undefined;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A connection borrowed for one transaction. The connection pipelines: a statement is sent
 * without waiting for the answers to earlier ones, so BEGIN travels with the first statement,
 * and deferred statements (Executor.defer) with the statements after them and with COMMIT.
 *
 * Nothing is sent before a statement needs an answer: a transaction made only of deferred
 * statements (a create: the definition check and the INSERT) goes out at commit as one implicit
 * transaction, without BEGIN and COMMIT (implicit-transaction.ts).
 */
class TxExecutor implements Executor {
  readonly #client: pg.PoolClient;
  readonly #onDdl: () => void;
  /** BEGIN's answer, once sent; settled once it arrived. */
  #begin: Promise<unknown> | undefined;
  #beginConfirmed = false;
  /** Deferred statements held back while nothing has been sent (see the class comment). */
  #unsent: Unsent[] = [];
  /**
   * Statements held until BEGIN is confirmed, in order. Once one is held, every later one is
   * too, so statements always reach the server in the order they were issued.
   */
  #held: Array<() => void> | undefined;
  /** Whether a statement that writes was sent before BEGIN was confirmed. */
  #writeBeforeBegin = false;
  #deferred: Deferred[] = [];
  /** False after DDL in this transaction: statements prepared earlier may describe old columns. */
  #named = true;
  constructor(client: pg.PoolClient, onDdl: () => void) {
    this.#client = client;
    this.#onDdl = onDdl;
  }

  /** Sends BEGIN, then the deferred statements held back so far; once only. */
  #open(): Promise<unknown> {
    if (this.#begin) return this.#begin;
    corkUntilNextTick(this.#client);
    const begin = this.#client.query('BEGIN');
    this.#begin = begin;
    begin.then(
      () => {
        this.#beginConfirmed = true;
        const held = this.#held ?? [];
        this.#held = undefined;
        corkUntilNextTick(this.#client);
        for (const send of held) send();
      },
      () => {
        // Held statements were never sent; each rejects with BEGIN's error via #hold.
        this.#held = undefined;
      },
    );
    const unsent = this.#unsent;
    this.#unsent = [];
    for (const u of unsent) this.#send(u.sql, u.params).then(u.resolve, u.reject);
    return begin;
  }

  #query(sql: string, params: readonly SqlValue[] | undefined): Promise<pg.QueryResult> {
    corkUntilNextTick(this.#client);
    return execute(this.#client, sql, params, this.#named);
  }

  #hold(sql: string, params: readonly SqlValue[] | undefined): Promise<pg.QueryResult> {
    const begin = this.#open();
    return new Promise((resolve, reject) => {
      (this.#held ??= []).push(() => this.#query(sql, params).then(resolve, reject));
      begin.catch(reject);
    });
  }

  #send(sql: string, params: readonly SqlValue[] | undefined): Promise<pg.QueryResult> {
    const begin = this.#open();
    if (this.#beginConfirmed) return this.#query(sql, params);
    // Note: had BEGIN failed, what was sent with it ran outside any transaction. Reads are
    // harmless; at most one write may travel before BEGIN is confirmed, so a failure there can
    // never leave some statements of a transaction applied and others not (one statement is
    // atomic by itself), only an error after a single committed statement, as when the answer
    // to a COMMIT is lost.
    if (this.#held || (this.#writeBeforeBegin && !READ_ONLY.test(sql))) return this.#hold(sql, params);
    if (!READ_ONLY.test(sql)) this.#writeBeforeBegin = true;
    const pending = this.#query(sql, params);
    pending.catch(() => {});
    // BEGIN's failure explains everything sent with it.
    return begin.then(() => pending);
  }

  async all<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return decodeRows((await this.#send(sql, params)).rows as T[]);
  }
  async get<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return decodeRows((await this.#send(sql, params)).rows as T[])[0];
  }
  async run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return { changes: (await this.#send(sql, params)).rowCount ?? 0 };
  }
  async exec(sql: string): Promise<void> {
    this.#open();
    await this.settle();
    this.#named = false;
    this.#onDdl();
    await this.#client.query(sql);
  }
  /**
   * Runs `send` on the connection itself once everything before it has settled (writeRawSql).
   * Like exec, later statements go unprepared: ones this connection prepared earlier may
   * describe what the raw statement changed.
   */
  async raw<R>(send: (client: pg.PoolClient) => Promise<R>): Promise<R> {
    this.#open();
    await this.settle();
    this.#named = false;
    return send(this.#client);
  }
  defer(sql: string, params?: readonly SqlValue[], explain?: (error: unknown) => unknown): void {
    const answer = this.#begin ? this.#send(sql, params) : new Promise<void>((resolve, reject) => this.#unsent.push({ sql, params, resolve, reject }));
    answer.catch(() => {});
    this.#deferred.push({ answer, explain });
  }

  /**
   * Sends COMMIT behind every statement sent or held so far: while statements wait for BEGIN's
   * answer, COMMIT waits with them (sent at once, it would commit without them, and they would
   * then run outside any transaction). When nothing was sent yet, the deferred statements go out
   * as one implicit transaction instead, and when there are none, there is nothing to commit.
   */
  commit(): Promise<{ command: string }> {
    if (!this.#begin) {
      const unsent = this.#unsent;
      this.#unsent = [];
      if (!unsent.length) return Promise.resolve({ command: 'COMMIT' });
      try {
        corkUntilNextTick(this.#client);
        return sendImplicitTransaction(
          this.#client,
          unsent.map((u) => ({ ...statement(this.#client, u.sql, u.params, this.#named), resolve: u.resolve, reject: u.reject })),
        );
      } catch (err) {
        // Whoever waits for these statements must hear of it (settle would wait forever).
        for (const u of unsent) u.reject(err);
        return Promise.reject(err);
      }
    }
    return this.#held ? this.#hold('COMMIT', undefined) : this.#query('COMMIT', undefined);
  }

  /** Ends a transaction that will not commit; what was never sent needs no rollback. */
  async rollback(): Promise<void> {
    this.#dropUnsent();
    if (this.#begin) await this.#client.query('ROLLBACK');
  }

  /** Deferred statements held back and never sent: they neither ran nor failed. */
  #dropUnsent(): void {
    for (const u of this.#unsent) u.resolve();
    this.#unsent = [];
  }

  /** Waits for BEGIN and every deferred statement so far; rejects with the first failure, explained. */
  async settle(): Promise<void> {
    const deferred = this.#deferred;
    this.#deferred = [];
    if (this.#unsent.length) this.#open();
    if (this.#begin) await this.#begin;
    const failure = await firstFailure(deferred);
    if (failure) throw failure.error;
  }

  /**
   * After a failure: the error of a failed deferred statement that no `settle` reported (or of
   * BEGIN), which explains it best.
   */
  async causeOfFailure(): Promise<unknown> {
    this.#dropUnsent();
    try {
      await this.#begin;
    } catch (err) {
      return err;
    }
    return (await firstFailure(this.#deferred))?.error;
  }
}

/** The first of `deferred` (in the order sent) that failed, with its explained error. */
async function firstFailure(deferred: readonly Deferred[]): Promise<{ error: unknown } | undefined> {
  const outcomes = await Promise.allSettled(deferred.map((d) => d.answer));
  const i = outcomes.findIndex((o) => o.status === 'rejected');
  if (i < 0) return undefined;
  const error = (outcomes[i] as PromiseRejectedResult).reason;
  return { error: deferred[i].explain ? deferred[i].explain!(error) : error };
}

/** Connection-level failures that mean "the database is not there right now". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300']);

/** True for a driver error that may leave the connection unusable (no SQLSTATE, or a connection-level one). */
function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return !code || UNAVAILABLE_CODES.has(code);
}

/** A PostgreSQL database handle; create it with `PostgresDatabase.open`. */
export class PostgresDatabase implements Database {
  readonly dialect = new PostgresDialect();
  readonly #pool: pg.Pool;
  readonly #max: number;
  readonly #acquireTimeoutMs: number;
  readonly schema: string | undefined;
  #closed = false;
  /** Bumped after every transaction that ran DDL: connections that prepared statements before are replaced. */
  #generation = 0;

  private constructor(pool: pg.Pool, options: PostgresOptions) {
    this.#pool = pool;
    this.#max = options.maxConnections ?? DEFAULT_POOL_SIZE;
    this.#acquireTimeoutMs = options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS;
    this.schema = options.schema;
  }

  /**
   * Connects, checks the server answers, creates the schema when given and missing, and
   * installs Basalt's SQL helper functions. Errors carry a one-line explanation.
   */
  static async open(options: PostgresOptions): Promise<PostgresDatabase> {
    const max = options.maxConnections ?? DEFAULT_POOL_SIZE;
    if (!Number.isInteger(max) || max < 1) throw new TypeError(`Invalid PostgreSQL pool size ${max}: expected a positive integer.`);
    if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) throw new TypeError(`Invalid PostgreSQL schema name ${JSON.stringify(options.schema)}.`);
    try {
      const url = new URL(options.url);
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new TypeError('not a postgres:// URL');
    } catch {
      throw new TypeError(`Invalid PostgreSQL URL ${JSON.stringify(redact(options.url))}: expected postgres://user:password@host:5432/dbname.`);
    }
    const config: pg.PoolConfig = {
      connectionString: options.url,
      max,
      connectionTimeoutMillis: options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      types: TYPES,
      application_name: 'basalt',
      // Statements on one connection go out without waiting for earlier answers (TxExecutor).
      pipeline: true,
    };
    const settings: string[] = [];
    if (options.schema) settings.push(`-c search_path=${options.schema}`);
    if (options.statementTimeoutMs) settings.push(`-c statement_timeout=${Math.trunc(options.statementTimeoutMs)}`);
    if (settings.length) config.options = settings.join(' ');
    const pool = new pg.Pool(config);
    // An idle connection that dies (server restart) must not crash the process.
    pool.on('error', () => {});
    const db = new PostgresDatabase(pool, options);
    try {
      const client = await pool.connect().catch((err: unknown) => {
        throw new Error(`cannot connect to PostgreSQL at ${describeTarget(options.url)}: ${connectMessage(err)}`, { cause: err });
      });
      try {
        if (options.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
        await installFunctions(client);
      } catch (err) {
        throw new Error(`PostgreSQL at ${describeTarget(options.url)} refused setup: ${(err as Error).message}${(err as { code?: string }).code === '42501' ? ' (the user needs CREATE privilege on the database or schema)' : ''}`, { cause: err });
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return db;
  }

  async #acquire(): Promise<pg.PoolClient> {
    if (this.#closed) throw new TypeError('The database is closed.');
    for (;;) {
      let client: pg.PoolClient;
      try {
        client = await this.#pool.connect();
      } catch (err) {
        throw this.#unavailable(err);
      }
      const state = connectionStates.get(client);
      if (!state) {
        // A connection lost while checked out (pg_terminate_backend, a server restart) emits
        // 'error' on its client, which pg-pool listens to only while the client is idle: unheard,
        // it would crash the process. The statements waiting on it fail with that error anyway.
        client.on('error', () => lostConnections.add(client));
        client.on('end', () => lostConnections.add(client));
        connectionStates.set(client, { generation: this.#generation, prepared: new Set() });
        return client;
      }
      if (state.generation === this.#generation || state.prepared.size === 0) {
        state.generation = this.#generation;
        return client;
      }
      // Its prepared statements may predate a schema change: close it, a new one replaces it.
      client.release(true);
    }
  }

  /** `lost`: the error is known to be a connection failure, even without a connection-level code. */
  #unavailable(err: unknown, lost = false): unknown {
    const message = (err as Error)?.message ?? '';
    if (/timeout exceeded when trying to connect/.test(message)) {
      return new ServiceUnavailableError(`The database is busy: all ${this.#max} connections stayed in use for ${this.#acquireTimeoutMs} ms. Try again shortly.`, { cause: err });
    }
    const code = (err as { code?: string })?.code;
    if (lost || (code && UNAVAILABLE_CODES.has(code))) return new ServiceUnavailableError('The database is unreachable. Try again shortly.', { cause: err });
    // A deadlock victim or a serialization failure: the whole transaction was rolled back.
    if (code === '40P01' || code === '40001') return new WriteConflictError({ cause: err });
    // Note: only a transaction that raced a schema change of its collection gets here (reads
    // outside transactions retry unprepared); nothing was written, so the client may retry.
    if (isStalePlan(err)) return new ServiceUnavailableError('The collection changed while the request ran. Try again.', { cause: err });
    return err;
  }

  async #query(sql: string, params?: readonly SqlValue[], named = true): Promise<pg.QueryResult> {
    const client = await this.#acquire();
    let broken: Error | undefined;
    try {
      return await execute(client, sql, params, named);
    } catch (err) {
      if (isConnectionFailure(err) || isStalePlan(err)) broken = err as Error;
      if (!(named && isStalePlan(err))) throw this.#unavailable(err, lostConnections.has(client));
    } finally {
      client.release(broken);
    }
    // A statement prepared before another process changed the table: its connection is closed
    // (above); run the statement once more, unprepared, on another one.
    return this.#query(sql, params, false);
  }

  async appendRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    if (rows.length === 0) return;
    const q = this.dialect.quote.bind(this.dialect);
    // Its own connection, never a transaction's: nothing may be pipelined behind a COPY.
    const client = await this.#acquire();
    let broken: Error | undefined;
    try {
      await copyIn(client, `COPY ${q(table)} (${columns.map(q).join(', ')}) FROM STDIN`, rows);
    } catch (err) {
      if (isConnectionFailure(err)) broken = err as Error;
      throw this.#unavailable(err, lostConnections.has(client));
    } finally {
      client.release(broken);
    }
  }

  async all<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return decodeRows((await this.#query(sql, params)).rows as T[]);
  }
  async get<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return decodeRows((await this.#query(sql, params)).rows as T[])[0];
  }
  async run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return { changes: (await this.#query(sql, params)).rowCount ?? 0 };
  }
  async exec(sql: string): Promise<void> {
    await this.transaction((tx) => tx.exec(sql));
  }

  transaction<T>(fn: (tx: Executor) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.#transaction(fn, options);
  }

  /**
   * `raw`: `fn` also sends a raw statement (writeRawSql, through TxExecutor.raw). Its connection is then
   * closed afterwards rather than pooled, and `raw.ddl` says the statement may have changed columns.
   */
  async #transaction<T>(fn: (tx: TxExecutor) => Promise<T>, options?: TransactionOptions, raw?: { ddl: boolean }): Promise<T> {
    const client = await this.#acquire();
    let broken: Error | undefined;
    let ddl = raw?.ddl ?? false;
    try {
      const tx = new TxExecutor(client, () => (ddl = true));
      let commit: Promise<{ command: string }> | undefined;
      try {
        const result = await fn(tx);
        // COMMIT goes out right behind any deferred statement still in flight (usually in the
        // same write): when one failed, the database has aborted the transaction and answers
        // this COMMIT with ROLLBACK, so nothing is applied.
        commit = tx.commit();
        commit.catch(() => {});
        await tx.settle();
        const answer = await commit;
        if (answer.command !== 'COMMIT') {
          // A statement failed and `fn` carried on without it: nothing was applied.
          throw new Error('The transaction was rolled back by the database: one of its statements failed.');
        }
        options?.onCommit?.();
        return result;
      } catch (err) {
        const cause = (await tx.causeOfFailure()) ?? err;
        try {
          // A sent COMMIT ended the transaction either way (committed, or rolled back on failure).
          if (commit) await commit.catch((e: unknown) => (isConnectionFailure(e) ? Promise.reject(e) : undefined));
          else await tx.rollback();
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
        throw cause;
      }
    } catch (err) {
      const code = (err as { code?: string })?.code;
      // Basalt's own errors (a validation failure) stay what they are even if the connection went too.
      const lost = lostConnections.has(client) && !(err instanceof BasaltError);
      if (lost || (code && UNAVAILABLE_CODES.has(code)) || isStalePlan(err)) broken ??= err as Error;
      throw this.#unavailable(err, lost);
    } finally {
      // After DDL (committed or not), connections that prepared statements are replaced on next use.
      if (ddl) this.#generation++;
      client.release(broken ?? raw !== undefined);
    }
  }

  /**
   * Runs in a READ ONLY transaction on a connection that is closed afterwards, so whatever
   * session state the statement sets (SET, advisory locks, temporary tables) dies with it. A query
   * a cursor can hold is fetched through one: no more than `maxRows` rows leave the server.
   */
  async readRawSql(dangerousSql: string, options: RawReadOptions): Promise<RawReadResult> {
    const client = await this.#acquire();
    try {
      await client.query('BEGIN READ ONLY');
      await limitStatementTime(client, options.timeoutMs);
      let result: pg.QueryResult<unknown[]>;
      try {
        result = CURSOR_KEYWORDS.has(sqlLeadingKeyword(dangerousSql)) ? await fetchThroughCursor(client, dangerousSql, options.maxRows) : await client.query(rawStatement(dangerousSql));
      } catch (err) {
        // A lost connection is the database's absence (503), as for every other statement, not
        // the query's fault.
        throw isConnectionFailure(err) ? this.#unavailable(err, lostConnections.has(client)) : rawStatementError(err);
      }
      return {
        columns: await describeColumns(client, result.fields ?? []),
        rows: result.rows.slice(0, options.maxRows).map((row) => row.map((v) => (typeof v === 'string' && v.includes(ESC) ? unescapeText(v) : (v as string | null)))),
      };
    } finally {
      client.release(true);
    }
  }

  /**
   * Runs in a transaction like any other write (so a lost connection is a ServiceUnavailableError,
   * a deadlock a WriteConflictError), with `statement_timeout` set for that transaction alone.
   * The connection is closed afterwards, not pooled: a temporary table the statement created
   * would shadow the real table of that name for the connection's next user.
   */
  async writeRawSql(dangerousSql: string, options: RawWriteOptions): Promise<{ affectedRows: number }> {
    return this.#transaction(
      async (tx) => {
        // The statement goes out as typed (rows as arrays), after BEGIN.
        const result = await tx.raw(async (client) => {
          await limitStatementTime(client, options.timeoutMs);
          try {
            return await client.query(rawStatement(dangerousSql));
          } catch (err) {
            throw rawStatementError(err);
          }
        });
        await options.beforeCommit?.(tx);
        return { affectedRows: result.rowCount ?? 0 };
      },
      { onCommit: options.onCommit },
      // Statements other connections prepared may describe tables this statement changed.
      { ddl: DDL_KEYWORDS.has(sqlLeadingKeyword(dangerousSql)) },
    );
  }

  /** Drops the schema this handle was opened with, and everything in it (tests). */
  async dropSchema(): Promise<void> {
    if (!this.schema) return;
    await this.#query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/** Leading keywords of the statements `DECLARE … CURSOR FOR` accepts. */
const CURSOR_KEYWORDS = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', '(']);
/** Leading keywords of statements that can change the columns of a table. */
const DDL_KEYWORDS = new Set(['CREATE', 'DROP', 'ALTER']);

/** Every value of a raw statement's result as the server's text. */
const RAW_TEXT = { getTypeParser: () => IDENTITY } as unknown as pg.CustomTypesConfig;

/**
 * A raw statement: sent as typed (no `?` rewriting), with the extended protocol, which runs one
 * statement only: the server refuses a text holding more.
 */
function rawStatement(text: string): pg.QueryArrayConfig {
  // `queryMode` is pg's (8.11+), not yet in its type definitions.
  const config = { text, values: [], queryMode: 'extended', rowMode: 'array', types: RAW_TEXT };
  return config as pg.QueryArrayConfig;
}

function rawStatementError(err: unknown): unknown {
  const e = err as { code?: string; message?: string };
  if (e?.code === '42601' && /multiple commands/.test(e.message ?? '')) return new Error(MULTIPLE_STATEMENTS_MESSAGE, { cause: err });
  return err;
}

/**
 * Runs a query through a cursor and fetches its first `maxRows` rows. A statement DECLARE does
 * not take (`WITH … DELETE`, a WITH holding a DELETE) runs as it is instead, so its error is the
 * engine's own (a read-only transaction refusing the DELETE), not one about the cursor.
 */
async function fetchThroughCursor(client: pg.PoolClient, sql: string, maxRows: number): Promise<pg.QueryResult<unknown[]>> {
  await client.query('SAVEPOINT basalt_cursor');
  try {
    await client.query(rawStatement(`DECLARE basalt_sql NO SCROLL CURSOR FOR ${sql}`));
  } catch (err) {
    // 42601: not a query DECLARE takes; 0A000: a data-modifying WITH.
    const code = (err as { code?: string }).code;
    if (code !== '42601' && code !== '0A000') throw err;
    await client.query('ROLLBACK TO SAVEPOINT basalt_cursor');
    return client.query(rawStatement(sql));
  }
  return client.query(rawStatement(`FETCH FORWARD ${Math.trunc(maxRows)} FROM basalt_sql`));
}

/**
 * Sets the transaction's statement timeout with a query: the transaction then has its snapshot,
 * so a statement that follows cannot switch a READ ONLY transaction to READ WRITE (PostgreSQL
 * allows that only before the first query).
 */
async function limitStatementTime(client: pg.PoolClient, ms: number): Promise<void> {
  await client.query("SELECT set_config('statement_timeout', $1, true)", [String(Math.trunc(ms))]);
}

/**
 * Columns of a raw result: the type name from pg_type (upper-cased, as Go's drivers report it);
 * NOT NULL known only for a column read straight from a table.
 */
async function describeColumns(client: pg.PoolClient, fields: readonly pg.FieldDef[]): Promise<RawColumn[]> {
  if (fields.length === 0) return [];
  const types = await client.query<{ oid: number; typname: string }>('SELECT oid::int8 AS oid, typname FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])', [[...new Set(fields.map((f) => f.dataTypeID))]]);
  const typeNames = new Map(types.rows.map((r) => [r.oid, r.typname.toUpperCase()]));
  const tables = [...new Set(fields.filter((f) => f.tableID !== 0).map((f) => f.tableID))];
  const notNull = new Set<string>();
  if (tables.length > 0) {
    const attrs = await client.query<{ rel: number; num: number }>('SELECT attrelid::int8 AS rel, attnum::int8 AS num FROM pg_catalog.pg_attribute WHERE attrelid = ANY($1::oid[]) AND attnum > 0 AND attnotnull', [tables]);
    for (const a of attrs.rows) notNull.add(`${a.rel}:${a.num}`);
  }
  return fields.map((f) => ({ name: f.name, type: typeNames.get(f.dataTypeID) ?? '', nullable: !notNull.has(`${f.tableID}:${f.columnID}`) }));
}

async function installFunctions(client: pg.PoolClient): Promise<void> {
  // Serialise installers (several processes may start at once on one schema), and skip the work
  // when this schema already has this version.
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('basalt_functions:' || current_schema()))`);
    const r = await client.query<{ v: string | null }>(
      `SELECT obj_description(p.oid, 'pg_proc') AS v FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = current_schema() AND p.proname = 'basalt_strftime'`,
    );
    if (r.rows[0]?.v !== `basalt functions v${FUNCTIONS_VERSION}`) {
      await client.query(FUNCTIONS_SQL);
      await client.query(`COMMENT ON FUNCTION basalt_strftime(text, text, text[]) IS 'basalt functions v${FUNCTIONS_VERSION}'`);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return redact(url);
  }
}

function connectMessage(err: unknown): string {
  const e = err as { code?: string; message?: string };
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running and listening on that port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case '28P01':
    case '28000':
      return `authentication failed (${e.message})`;
    case '3D000':
      return `${e.message} (create it first, e.g. createdb)`;
    default:
      return e?.message || String(err);
  }
}
