/**
 * The storage contract: what core needs from a SQL database, and the dialect seam that holds every
 * difference between engines. Core imports only this file; `cli/` picks the implementation.
 * SQL text is written with `?` placeholders; a driver whose engine numbers its parameters
 * (PostgreSQL) rewrites them. Values are always bound, never spliced into SQL text.
 * @module
 */

export type SqlValue = string | number | bigint | null | Uint8Array;
export type Row = Record<string, SqlValue>;

/** Runs statements. Outside a transaction reads may use a separate read connection. */
export interface Executor {
  all<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Runs one or more statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
  /**
   * Present on transaction executors of engines that pipeline statements (PostgreSQL): sends a
   * statement whose answer the caller does not wait for. Later statements, and COMMIT, go out
   * behind it without waiting; if it fails, the database aborts the transaction, COMMIT turns
   * into a rollback, and the transaction fails with `explain(error)` (default: the error), even
   * when a later statement failed first (that failure is then a consequence of this one).
   * Because the outcome is decided by the database, a deferred statement must carry the whole
   * check: a condition judged in JavaScript on its result would come too late (see
   * SqlDialect.definitionCheck).
   */
  defer?(sql: string, params?: readonly SqlValue[], explain?: (error: unknown) => unknown): void;
  /**
   * With `defer`: waits for every statement deferred so far and rejects with the first failure
   * (explained). A failure it reports is the caller's to handle: the transaction no longer
   * reports it in place of the caller's error. Used where a failure must be attributed to the
   * step that caused it (a batch's sub-request).
   */
  settle?(): Promise<void>;
}

/**
 * Sends a write whose answer the caller does not need: deferred where the executor pipelines
 * (Executor.defer), else run and awaited. Either way a failure fails with `explain(error)`.
 */
export async function sendWrite(db: Executor, sql: string, params: readonly SqlValue[], explain: (error: unknown) => unknown = (e) => e): Promise<void> {
  if (db.defer) return db.defer(sql, params, explain);
  try {
    await db.run(sql, params);
  } catch (err) {
    throw explain(err);
  }
}

export interface TransactionOptions {
  /**
   * Runs synchronously right after COMMIT succeeds, before any other writer can start: the
   * place to publish in-memory state that must change together with the committed data.
   */
  onCommit?: () => void;
}

/** A result column of a raw read (the SQL console): its name, engine type and nullability. */
export interface RawColumn {
  name: string;
  /** The engine's name for the type (SQLite: the declared type, `''` for an expression). */
  type: string;
  /** False only when the column is known to be NOT NULL (a table column declared so). */
  nullable: boolean;
}

/** What a raw read returns: its columns, and its rows with every value as text or null. */
export interface RawReadResult {
  columns: RawColumn[];
  rows: Array<Array<string | null>>;
}

export interface RawReadOptions {
  /** Rows kept; the rest are never fetched. */
  maxRows: number;
  /**
   * Milliseconds after which the read fails. PostgreSQL stops the statement then; SQLite cannot
   * interrupt one, so it runs on to its end, off the event loop.
   */
  timeoutMs: number;
}

export interface RawWriteOptions {
  /** Milliseconds the statement may run, where the engine can stop it (not SQLite). */
  timeoutMs: number;
  /** Runs inside the transaction after the statement; throwing rolls the statement back. */
  beforeCommit?: (tx: Executor) => Promise<void>;
  /** Runs synchronously right after COMMIT (as TransactionOptions.onCommit). */
  onCommit?: () => void;
}

/** A database handle. `transaction` serialises writers and commits whole or not at all. */
export interface Database extends Executor {
  readonly dialect: SqlDialect;
  /**
   * Runs `fn` in a transaction: committed when `fn` resolves, rolled back when it throws.
   * Nested calls with the handed-out executor join the outer transaction. Writers see each
   * other's effects in commit order: rows a transaction rewrites are read with
   * `dialect.lockRows('update')`.
   */
  transaction<T>(fn: (tx: Executor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Adds `rows` (values in `columns` order) to `table` in one atomic write, the cheapest way the
   * engine has: COPY on PostgreSQL, multi-row INSERTs in one transaction on SQLite. For bulk
   * writes to Basalt's own tables, such as the request log; names are quoted here.
   */
  appendRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void>;
  /**
   * Runs one statement of SQL text typed by a superuser (the SQL console, spec §10.7) so that it
   * cannot change the database: on a read-only connection of its own (SQLite) or in a READ ONLY
   * transaction on a connection discarded afterwards (PostgreSQL), so no session state it sets
   * outlives it. The text is sent as typed: no `?` rewriting, no parameters. A text holding more
   * than one statement fails before anything runs (tools/sql-leading-keyword.ts's message).
   * Otherwise rejects with the engine's error.
   */
  readRawSql(dangerousSql: string, options: RawReadOptions): Promise<RawReadResult>;
  /**
   * Runs one statement of SQL text typed by a superuser in a write transaction of its own, under
   * the same single-statement rule, and returns the rows it inserted, updated or deleted (0 for
   * DDL). Nothing above the database learns what it changed.
   */
  writeRawSql(dangerousSql: string, options: RawWriteOptions): Promise<{ affectedRows: number }>;
  /**
   * Present on engines that keep a write-ahead log beside the database file (SQLite): copies the
   * log back into the file and empties it, after the running writer. It never waits for readers
   * (a backup's snapshot may hold them for minutes); a checkpoint they hold up copies what it can.
   */
  checkpoint?(): Promise<void>;
  close(): Promise<void>;
}

/** The kinds of column a field can need; each dialect maps them to its own types. */
export type ColumnKind = 'text' | 'number' | 'bool' | 'json' | 'datetime';

/** Engine differences as capability flags and SQL fragment builders. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Quotes an identifier (table, column, alias). Rejects names that cannot be quoted safely. */
  quote(identifier: string): string;
  /** Column definition (type, default, nullability) for a field column. */
  columnDefinition(kind: ColumnKind): string;
  /** Primary-key text column definition. */
  primaryKeyDefinition(): string;
  /**
   * Column definitions (quoted name and type) every collection table gets besides its fields,
   * e.g. PostgreSQL's insertion-order column behind `rowidOrder`. Never read as record values.
   */
  readonly hiddenColumns: readonly string[];
  /**
   * Rewrites a column list or WHERE clause of a collection index, written in PocketBase's
   * (SQLite's) SQL, for this engine; `columns` are the table's column names. `part` says whether
   * `sql` is the indexed column list (an engine may add ordering so that index scans match
   * `orderItem`'s NULL placement) or the WHERE clause.
   */
  indexExpression(sql: string, columns: readonly string[], part?: 'columns' | 'where'): string;
  /**
   * Suffix for a SELECT inside a transaction that locks the rows it reads until commit
   * (`update`: they are about to be rewritten; `share`: they must not be deleted meanwhile).
   * Empty where writers are serialised anyway (SQLite).
   */
  lockRows(mode: 'update' | 'share'): string;
  /**
   * A statement that takes a lock on a name (bound as its one parameter) until the transaction
   * ends: `shared` locks coexist, `exclusive` waits for and blocks all others. Unlike row locks it
   * writes nothing. `undefined` where writers are serialised anyway (SQLite).
   */
  nameLock(mode: 'shared' | 'exclusive'): string | undefined;
  /**
   * One statement that takes the shared `nameLock` on its first parameter, then fails unless the
   * stored definition of the collection whose id is the second parameter has the `updated` value
   * of the third, reading what committed while the lock was awaited. The failure aborts the
   * transaction and `isChangedDefinition` recognises it, so the check can be deferred ahead of
   * COMMIT (Executor.defer). One statement rather than a lock and a check: each costs the
   * database a round of protocol messages. `undefined` where writers are serialised (SQLite).
   */
  definitionCheck(): string | undefined;
  /** True for the error of a failed `definitionCheck` statement. */
  isChangedDefinition(error: unknown): boolean;
  /**
   * True for an error saying that a table or column a statement names does not exist: where
   * other processes change the schema (PostgreSQL), the cached definitions it was built from are
   * behind. Always false where this process makes every change (SQLite).
   */
  isMissingSchemaObject(error: unknown): boolean;
  /**
   * Goes between `CREATE` and `TABLE` for a table whose rows may be lost in a crash (the request
   * log): PostgreSQL's `UNLOGGED ` (no write-ahead log: far cheaper inserts; emptied after a
   * crash, not replicated). Empty where the engine has no such tables.
   */
  readonly expendableTable: string;
  /**
   * FROM-clause item that yields one row per element of a JSON array held in `expr`; a plain
   * (non-array) text value counts as a one-element array. The element is `<alias>.value`.
   */
  jsonEach(expr: string, alias: string): string;
  /** Expression extracting `path` (keys and numeric indexes) from a JSON value as SQL scalar. */
  jsonExtract(expr: string, path: readonly string[]): string;
  /** Number of elements of a JSON array expression (0 for empty or non-arrays). */
  jsonArrayLength(expr: string): string;
  /** Case-insensitive LIKE with `\` as escape character. */
  like(left: string, pattern: string): string;
  /** Expression for ordering randomly. */
  readonly randomOrder: string;
  /** Expression for physical insertion order. */
  readonly rowidOrder: string;
  /** One ORDER BY item; NULLs sort first ascending and last descending, as in SQLite. */
  orderItem(expr: string, descending: boolean): string;
  /** Lower-cases a text expression. */
  lower(expr: string): string;
  /** Great-circle distance in km between (lon, lat) pairs. */
  geoDistance(lonA: string, latA: string, lonB: string, latB: string): string;
  /**
   * Coerces an expression to text for NULL-vs-'' comparisons; NULL becomes ''. Values compare as
   * SQLite stores them: a boolean is `1`/`0`, a number its shortest decimal form.
   */
  coalesceText(expr: string): string;
  /**
   * A value compared as a number: a bound parameter or a JSON scalar (`jsonExtract`) whose type
   * the engine cannot infer from a column. Text that is not a number reads as NULL where the
   * engine needs a cast; SQLite compares dynamically typed values as they are.
   */
  numeric(expr: string): string;
  /** Null-safe equality: true when both sides are NULL or equal (SQLite `IS`). */
  isNotDistinctFrom(left: string, right: string): string;
  /** Null-safe inequality: the negation of `isNotDistinctFrom` (SQLite `IS NOT`). */
  isDistinctFrom(left: string, right: string): string;
  /**
   * SQLite `strftime` semantics (spec §4.9) over SQL expressions: `format` and `modifiers` are
   * usually bound text; `time` is a datetime expression (`'now'` when the filter gave none).
   */
  strftime(format: string, time: string, modifiers: readonly string[]): string;
  /**
   * True when the database runs one write transaction at a time (SQLite's single writer): a
   * writer then always sees the collection definitions of every earlier commit, and needs no
   * lock on them.
   */
  readonly serializesWriters: boolean;
  /** Detects a unique-constraint violation and names the offending columns or index (if it can). */
  uniqueViolation(error: unknown): { columns: string[]; index?: string } | undefined;
  /**
   * Refreshes the query planner's statistics of this database's tables (SQLite `PRAGMA optimize`,
   * PostgreSQL `ANALYZE` of the current schema's tables). Routine upkeep: the daily
   * `__pbDBOptimize__` job runs it; it may run inside a transaction.
   */
  optimize(db: Executor): Promise<void>;
  /** Lists user tables and views (for name checks and migrations). */
  listTables(db: Executor): Promise<string[]>;
  /** Column names of a table, in order. */
  listColumns(db: Executor, table: string): Promise<string[]>;
}
