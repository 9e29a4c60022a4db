/**
 * Reads the start of a SQL text the way both engines tokenise it: whitespace, `--` line comments
 * and `/* … *\/` block comments separate tokens, and a `;` ends an (empty) statement. Used by the
 * SQL console to route a statement to its read or write path; it is no parser, so it decides
 * only where a statement runs, never whether it may write (the engines enforce that).
 * @module
 */

/**
 * Leading keywords of the statements the SQL console runs as writes: PocketBase's list
 * (apis/sql.go), plus PostgreSQL's TRUNCATE and MERGE (a READ ONLY transaction refuses them).
 * The one list: the console routes by it, and SQLite's refusal of a write sent as a read quotes it.
 */
export const SQL_WRITE_KEYWORDS: ReadonlySet<string> = new Set(['INSERT', 'CREATE', 'UPDATE', 'DELETE', 'DROP', 'DETACH', 'ALTER', 'REPLACE', 'TRUNCATE', 'MERGE']);

/** Index of the first character at or after `from` that is not whitespace, a comment or `;`. */
function skipBlank(sql: string, from: number): number {
  let i = from;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === ';' || /\s/.test(ch)) {
      i++;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      // Note: unterminated, it runs to the end of the text (SQLite); PostgreSQL's nesting of
      // block comments is not followed, which at worst routes a statement to the other path.
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else {
      break;
    }
  }
  return i;
}

/**
 * The first keyword of `sql`, upper-cased (`SELECT`, `WITH`, `INSERT` …); `''` when the text
 * holds no statement; otherwise the first character that starts no word (`(` for a
 * parenthesised query).
 */
export function sqlLeadingKeyword(sql: string): string {
  const i = skipBlank(sql, 0);
  const word = /^[A-Za-z_]+/.exec(sql.slice(i, i + 64));
  return word ? word[0].toUpperCase() : sql.slice(i, i + 1);
}

/** True when `sql` holds nothing but whitespace, comments and semicolons. */
export function isBlankSql(sql: string): boolean {
  return skipBlank(sql, 0) >= sql.length;
}

/** Message of the error a raw statement fails with when its text holds several statements. */
export const MULTIPLE_STATEMENTS_MESSAGE = 'The query holds more than one statement; the SQL console runs one statement at a time.';

/**
 * Throws unless `sql` is the one statement an engine compiled from it (`compiled`, the text it
 * consumed, such as SQLite's `sourceSQL`) followed only by whitespace, comments or semicolons.
 */
export function assertOneStatement(sql: string, compiled: string): void {
  if (!sql.startsWith(compiled) || !isBlankSql(sql.slice(compiled.length))) throw new Error(MULTIPLE_STATEMENTS_MESSAGE);
}
