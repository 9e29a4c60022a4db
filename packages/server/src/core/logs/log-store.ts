/**
 * The log store contract (spec §10.2) and its one implementation over the storage contract: a
 * `_logs` table in whatever Database it is given. The CLI gives SQLite instances a database of
 * their own (`auxiliary.db`), so log writes never wait for the data writer; PostgreSQL instances
 * keep `_logs` beside their data, since nodes share nothing else, in an unlogged table: a
 * request's entry is not worth a write-ahead log record, and a crash may lose the log.
 * @module
 */
import type { Database, SqlValue } from '../../storage/types.ts';

/** slog levels, as PocketBase stores them. */
export const LOG_LEVEL = Object.freeze({ debug: -4, info: 0, warn: 4, error: 8 });

/** One stored entry, as the API returns it. */
export interface LogEntry {
  id: string;
  created: string;
  updated: string;
  level: number;
  message: string;
  data: Record<string, unknown>;
}

/** An entry on its way to the store: `data` already serialised. */
export interface NewLogRow {
  id: string;
  created: string;
  level: number;
  message: string;
  data: string;
}

/** A compiled WHERE/ORDER BY fragment over the log table aliased {@link LOG_ALIAS}. */
export interface LogSqlFragment {
  sql: string;
  params: SqlValue[];
}

export interface LogListQuery {
  where?: LogSqlFragment;
  orderBy?: LogSqlFragment;
  limit: number;
  offset: number;
}

/** The table's columns, in the order rows are read and inserted. */
const LOG_COLUMNS = ['id', 'created', 'level', 'message', 'data'];

/** Alias of the log table in the queries the store runs; compiled filters refer to it. */
export const LOG_ALIAS = '_l';

/**
 * Where log entries live. Implementations must accept fragments compiled for their `database`'s
 * dialect, and never interpolate anything else into SQL.
 */
export interface LogStore {
  readonly database: Database;
  /** Creates the table and indexes when missing. */
  init(): Promise<void>;
  /** Inserts the rows in one transaction. */
  insert(rows: readonly NewLogRow[]): Promise<void>;
  list(query: LogListQuery): Promise<LogEntry[]>;
  count(where?: LogSqlFragment): Promise<number>;
  /** Entries per hour (`date` is the hour, in the datetime layout), oldest first. */
  stats(where?: LogSqlFragment): Promise<Array<{ total: number; date: string }>>;
  findById(id: string): Promise<LogEntry | undefined>;
  /** Removes entries created before `created` (datetime layout); returns how many. */
  deleteOlderThan(created: string): Promise<number>;
  deleteAll(): Promise<void>;
}

/** A {@link LogStore} over a `_logs` table of `database`. */
export class SqlLogStore implements LogStore {
  readonly database: Database;
  readonly #table: string;
  readonly #columns: string;

  constructor(database: Database) {
    this.database = database;
    const q = database.dialect.quote.bind(database.dialect);
    this.#table = q('_logs');
    this.#columns = LOG_COLUMNS.map((c) => `${LOG_ALIAS}.${q(c)}`).join(', ');
  }

  async init(): Promise<void> {
    try {
      await this.#create();
    } catch {
      // Another node created the table at the same moment (PostgreSQL's IF NOT EXISTS is not
      // atomic between sessions); a second attempt finds it. A real problem fails again.
      await this.#create();
    }
  }

  async #create(): Promise<void> {
    const d = this.database.dialect;
    const q = d.quote.bind(d);
    await this.database.exec(
      `CREATE ${d.expendableTable}TABLE IF NOT EXISTS ${this.#table} (${q('id')} ${d.primaryKeyDefinition()}, ${q('level')} ${d.columnDefinition('number')}, ${q('message')} ${d.columnDefinition('text')}, ${q('data')} ${d.columnDefinition('json')}, ${q('created')} ${d.columnDefinition('datetime')});
       CREATE INDEX IF NOT EXISTS ${q('_logs_created_idx')} ON ${this.#table} (${q('created')})`,
    );
  }

  async insert(rows: readonly NewLogRow[]): Promise<void> {
    await this.database.appendRows('_logs', LOG_COLUMNS, rows.map((r) => [r.id, r.created, r.level, r.message, r.data]));
  }

  async list(query: LogListQuery): Promise<LogEntry[]> {
    const where = query.where ? ` WHERE ${query.where.sql}` : '';
    const order = query.orderBy?.sql ? ` ORDER BY ${query.orderBy.sql}` : '';
    const rows = await this.database.all<StoredRow>(`SELECT ${this.#columns} FROM ${this.#table} ${LOG_ALIAS}${where}${order} LIMIT ? OFFSET ?`, [
      ...(query.where?.params ?? []),
      ...(query.orderBy?.params ?? []),
      query.limit,
      query.offset,
    ]);
    return rows.map(toEntry);
  }

  async count(where?: LogSqlFragment): Promise<number> {
    const row = await this.database.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${this.#table} ${LOG_ALIAS}${where ? ` WHERE ${where.sql}` : ''}`, where?.params ?? []);
    return Number(row?.n ?? 0);
  }

  async stats(where?: LogSqlFragment): Promise<Array<{ total: number; date: string }>> {
    const hour = `substr(${LOG_ALIAS}.${this.database.dialect.quote('created')}, 1, 13)`;
    const rows = await this.database.all<{ hour: string; n: number | string }>(
      `SELECT ${hour} AS hour, COUNT(*) AS n FROM ${this.#table} ${LOG_ALIAS}${where ? ` WHERE ${where.sql}` : ''} GROUP BY ${hour} ORDER BY ${hour}`,
      where?.params ?? [],
    );
    return rows.map((r) => ({ total: Number(r.n), date: `${r.hour}:00:00.000Z` }));
  }

  async findById(id: string): Promise<LogEntry | undefined> {
    const row = await this.database.get<StoredRow>(`SELECT ${this.#columns} FROM ${this.#table} ${LOG_ALIAS} WHERE ${LOG_ALIAS}.${this.database.dialect.quote('id')} = ?`, [id]);
    return row ? toEntry(row) : undefined;
  }

  async deleteOlderThan(created: string): Promise<number> {
    const r = await this.database.run(`DELETE FROM ${this.#table} WHERE ${this.database.dialect.quote('created')} < ?`, [created]);
    return r.changes;
  }

  async deleteAll(): Promise<void> {
    await this.database.run(`DELETE FROM ${this.#table}`);
  }
}

interface StoredRow {
  id: string;
  created: string;
  level: number | string;
  message: string;
  data: string | null;
}

function toEntry(row: StoredRow): LogEntry {
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = row.data ? JSON.parse(row.data) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
  } catch {
    // A row written by something else: show it without data rather than failing the list.
  }
  return { id: row.id, created: row.created, updated: row.created, level: Number(row.level), message: row.message, data };
}
