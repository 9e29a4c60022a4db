/**
 * The SQL console (spec §10.7, `POST /api/sql`, SDK `pb.sql.run(query)`): superusers run one SQL
 * statement against the database. A statement that starts with a write keyword runs in a write
 * transaction and reports the rows it changed; anything else runs read-only and returns up to
 * {@link MAX_SQL_ROWS} rows as text. Mirrors PocketBase apis/sql.go; the engine-specific parts
 * live in Database.readRawSql / writeRawSql, and docs/sql-console.md describes the differences.
 *
 * Raw SQL goes around Basalt: no record hooks run and no realtime events are sent for the rows it
 * changes (PocketBase does the same). What the App caches from tables is the exception: after
 * every write the collection definitions and the settings are read back inside its transaction
 * and replace the caches when it commits, and a write that leaves them unreadable (or the
 * settings invalid) is rolled back (core/raw-write-reload.ts).
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { RawColumn } from '../../storage/types.ts';
import { SQL_WRITE_KEYWORDS, sqlLeadingKeyword } from '../../tools/sql-leading-keyword.ts';
import { BadRequestError, BasaltError, fieldError, ValidationError } from '../errors.ts';
import { charLength } from '../fields/field-helpers.ts';
import { REDACTED, withLoggedMessage } from '../logs/log-redaction.ts';
import { rawWriteReload, RawWriteReloadError } from '../raw-write-reload.ts';
import { requireSuperuser, type OperationContext } from './context.ts';

/** Longest query accepted, in characters (code points). */
export const MAX_SQL_QUERY_LENGTH = 5000;
/** Most rows a read returns; the rest are never fetched. */
export const MAX_SQL_ROWS = 1000;
/**
 * How long one statement may run: enforced by PostgreSQL; on SQLite a read's caller gets its
 * answer then, but the query runs on to its end, and a write cannot be stopped at all.
 */
export const SQL_TIMEOUT_MS = 3 * 60 * 1000;

/** The console's answer, in PocketBase's shape. */
export interface SqlConsoleResult {
  /** Milliseconds the statement took (whole, as PocketBase reports it). */
  execTime: number;
  /** Rows a write inserted, updated or deleted; 0 for reads and DDL. */
  affectedRows: number;
  /** Result columns of a read; empty for a write. */
  columns: RawColumn[];
  /** Result rows of a read, each value as text or null; empty for a write. */
  rows: Array<Array<string | null>>;
}

function validQuery(value: unknown): string {
  // Mirrors PocketBase's form: JSON null binds as "", any other non-string fails to bind.
  if (value === undefined || value === null || value === '') {
    throw new ValidationError('An error occurred while validating the submitted data.', { query: fieldError('validation_required', 'Cannot be blank.') });
  }
  if (typeof value !== 'string') throw new BadRequestError('An error occurred while loading the submitted data.');
  if (charLength(value) > MAX_SQL_QUERY_LENGTH) {
    // ozzo-validation's Length(0, max) reports "too long", not "out of range".
    throw new ValidationError('An error occurred while validating the submitted data.', {
      query: fieldError('validation_length_too_long', `The length must be no more than ${MAX_SQL_QUERY_LENGTH}.`, { min: 0, max: MAX_SQL_QUERY_LENGTH }),
    });
  }
  return value;
}

/**
 * Mirrors PocketBase apis/sql.go: every failure of the statement is a 400 quoting the engine. The
 * engine's message can quote the statement (`near "…": syntax error`, `invalid input syntax for
 * type integer: "…"`), so the request log keeps only the engine's error code, or `logged` when
 * the caller knows a text of the failure that quotes nothing.
 */
function failed(cause: unknown, logged = `${REDACTED}${loggedCode(cause)}`): BadRequestError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const err = new BadRequestError(`Failed to execute query. Raw error:\n${message}`, { cause });
  return withLoggedMessage(err, `Failed to execute query. Raw error: ${logged}`);
}

/**
 * The engine's code of an error, which never quotes the statement: PostgreSQL's SQLSTATE, or the
 * text of SQLite's result code (on writes: a read's error comes back from its worker as text).
 */
function loggedCode(cause: unknown): string {
  const { code, errstr } = (typeof cause === 'object' && cause !== null ? cause : {}) as { code?: unknown; errstr?: unknown };
  if (typeof errstr === 'string') return ` (${errstr})`;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return ` (SQLSTATE ${code})`;
  return '';
}

/**
 * Runs `body.query` for a superuser. Throws 401/403 for anyone else, a ValidationError for a
 * missing or too long query, and BadRequestError `Failed to execute query. Raw error: …` when
 * the engine refuses or fails the statement (a ServiceUnavailableError when the database is busy,
 * with no connection free or, on SQLite, too many reads still running, or the connection is lost).
 */
export async function sqlConsole(ctx: OperationContext, body: Record<string, unknown>): Promise<SqlConsoleResult> {
  requireSuperuser(ctx);
  const query = validQuery(body.query);
  const keyword = sqlLeadingKeyword(query);
  if (keyword === '') throw failed('empty query');
  const started = performance.now();
  const execTime = () => Math.trunc(performance.now() - started);
  try {
    if (SQL_WRITE_KEYWORDS.has(keyword)) {
      // Any write may have changed (or dropped) `_collections` or `_params`.
      const { affectedRows } = await ctx.app.db.writeRawSql(query, { timeoutMs: SQL_TIMEOUT_MS, ...rawWriteReload(ctx.app) });
      return { execTime: execTime(), affectedRows, columns: [], rows: [] };
    }
    const { columns, rows } = await ctx.app.db.readRawSql(query, { maxRows: MAX_SQL_ROWS, timeoutMs: SQL_TIMEOUT_MS });
    return { execTime: execTime(), affectedRows: 0, columns, rows };
  } catch (err) {
    // Basalt's own refusals keep their status (503 when the database is busy, or the connection
    // is lost).
    if (err instanceof BasaltError) throw err;
    // Its reason leaves out what could quote the data: the log keeps it, as a restore's does.
    if (err instanceof RawWriteReloadError) throw failed(new Error(`the statement was rolled back: ${err.message}`, { cause: err }), `the statement was rolled back: ${err.reason}`);
    throw failed(err);
  }
}
