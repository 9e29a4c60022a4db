/**
 * The SQL console's read on SQLite (Database.readRawSql): one statement on a connection of its
 * own, opened read-only and closed afterwards, behind an authorizer that admits reading only.
 * Synchronous, like node:sqlite: SqliteDatabase runs it in a worker thread
 * (sqlite-raw-read-worker.ts) so that a long query does not stall the server.
 * @module
 */
import { constants, DatabaseSync, type StatementSync } from 'node:sqlite';
import { assertOneStatement, SQL_WRITE_KEYWORDS, sqlLeadingKeyword } from '../../tools/sql-leading-keyword.ts';
import type { RawColumn, RawReadResult } from '../types.ts';

export interface SqliteRawReadRequest {
  path: string;
  sql: string;
  maxRows: number;
  busyTimeoutMs: number;
}

/** Pragmas that take an argument and still only describe something (their table-valued forms). */
const DESCRIBING_PRAGMAS = new Set(['table_info', 'table_xinfo', 'table_list', 'index_list', 'index_info', 'index_xinfo', 'foreign_key_list', 'foreign_key_check', 'integrity_check', 'quick_check']);
/** Pragmas that act even without an argument. */
const ACTING_PRAGMAS = new Set(['wal_checkpoint', 'optimize', 'incremental_vacuum', 'shrink_memory']);

/** The write keywords as a sentence's list: `INSERT, CREATE, … or MERGE`. */
const WRITE_KEYWORDS_TEXT = [...SQL_WRITE_KEYWORDS].join(', ').replace(/, (?=[A-Z]+$)/, ' or ');

/** Authorizer action codes by number, for error messages (`CREATE_TEMP_TABLE`, `ATTACH`…). */
const ACTION_NAMES = new Map<number, string>(
  Object.entries(constants)
    .filter(([key]) => key.startsWith('SQLITE_') && !key.startsWith('SQLITE_CHANGESET') && !['SQLITE_OK', 'SQLITE_DENY', 'SQLITE_IGNORE'].includes(key))
    .map(([key, code]) => [code as number, key.slice('SQLITE_'.length)]),
);

const utf8 = new TextDecoder();

/**
 * What a read may do: read tables, call functions, and run pragmas that describe. Everything
 * else (ATTACH, which would open other files; temp tables, which even a read-only connection
 * may create; transaction control; pragmas that change settings) is refused at prepare time.
 */
function authorize(action: number, arg1: string | null, arg2: string | null): boolean {
  switch (action) {
    case constants.SQLITE_SELECT:
    case constants.SQLITE_READ:
    case constants.SQLITE_FUNCTION:
    case constants.SQLITE_RECURSIVE:
      return true;
    case constants.SQLITE_PRAGMA: {
      const name = (arg1 ?? '').toLowerCase();
      return arg2 === null ? !ACTING_PRAGMAS.has(name) : DESCRIBING_PRAGMAS.has(name);
    }
    default:
      return false;
  }
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  // Mirrors PocketBase apis/sql.go, which scans every value into a string: a blob's bytes as text.
  if (value instanceof Uint8Array) return utf8.decode(value);
  return String(value);
}

/** Columns with their declared types; NOT NULL is looked up for columns that come from a table. */
function describeColumns(db: DatabaseSync, stmt: StatementSync): RawColumn[] {
  const notNull = new Map<string, Set<string>>();
  const notNullColumns = (database: string, table: string): Set<string> => {
    const key = `${database}\u0000${table}`;
    let set = notNull.get(key);
    if (!set) {
      const rows = db.prepare('SELECT name FROM pragma_table_xinfo(?, ?) WHERE "notnull"').all(table, database) as Array<{ name: string }>;
      set = new Set(rows.map((r) => r.name));
      notNull.set(key, set);
    }
    return set;
  };
  return stmt.columns().map((c) => ({
    name: c.name,
    // Upper-cased like PocketBase's driver reports declared types; expressions have none.
    type: (c.type ?? '').toUpperCase(),
    nullable: !(c.table !== null && c.column !== null && c.database !== null && notNullColumns(c.database, c.table).has(c.column)),
  }));
}

/** Runs one read-only statement; throws the engine's error, or a clear one for what is refused. */
export function sqliteRawRead(request: SqliteRawReadRequest): RawReadResult {
  // VACUUM INTO writes a copy of the database to any path, even from a read-only connection, and
  // the authorizer is not asked about it.
  if (sqlLeadingKeyword(request.sql) === 'VACUUM') throw new Error('VACUUM cannot run as a read query.');
  const db = new DatabaseSync(request.path, { readOnly: true, enableForeignKeyConstraints: false });
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(request.busyTimeoutMs)}`);
    let refused: string | undefined;
    db.setAuthorizer((action, arg1, arg2) => {
      if (authorize(action, arg1, arg2)) return constants.SQLITE_OK;
      refused ??= [ACTION_NAMES.get(action) ?? String(action), arg1].filter(Boolean).join(' ');
      return constants.SQLITE_DENY;
    });
    let stmt: StatementSync;
    try {
      stmt = db.prepare(request.sql);
    } catch (err) {
      if (refused) throw new Error(`not authorized: a read query cannot ${refused}; statements that write start with ${WRITE_KEYWORDS_TEXT}.`, { cause: err });
      throw err;
    }
    // SQLite compiles the first statement only; what follows it must be blank.
    assertOneStatement(request.sql, stmt.sourceSQL);
    stmt.setReturnArrays(true);
    // Exact text for integers beyond 2^53.
    stmt.setReadBigInts(true);
    const rows: Array<Array<string | null>> = [];
    const iterator = stmt.iterate() as Iterator<unknown[]>;
    while (rows.length < request.maxRows) {
      const next = iterator.next();
      if (next.done) break;
      rows.push(next.value.map(text));
    }
    iterator.return?.();
    return { columns: describeColumns(db, stmt), rows };
  } finally {
    db.close();
  }
}
