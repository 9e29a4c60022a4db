/**
 * SQLite fragments for the dialect seam. Mirrors the SQL PocketBase emits (json_each,
 * json_extract, ASCII case-insensitive LIKE) so results match it exactly.
 * @module
 */
import type { ColumnKind, Executor, SqlDialect } from '../types.ts';

const IDENTIFIER = /^[\p{L}\p{N}_]{1,255}$/u;

export class SqliteDialect implements SqlDialect {
  readonly name = 'sqlite' as const;
  readonly serializesWriters = true;
  readonly randomOrder = 'RANDOM()';
  readonly rowidOrder = '_rowid_';
  readonly hiddenColumns: readonly string[] = [];

  quote(identifier: string): string {
    // Identifiers come from validated collection and field names; this is the last line of
    // defence against one that slipped through.
    if (!IDENTIFIER.test(identifier)) throw new TypeError(`Unsafe SQL identifier: ${JSON.stringify(identifier)}`);
    return `\`${identifier}\``;
  }

  columnDefinition(kind: ColumnKind): string {
    switch (kind) {
      case 'text':
      case 'datetime':
        return "TEXT DEFAULT '' NOT NULL";
      case 'number':
        // REAL, not NUMERIC: values are float64 as in PocketBase, and node:sqlite cannot read an
        // integer above 2^53 into a JS number (it throws), which NUMERIC affinity would store.
        return 'REAL DEFAULT 0 NOT NULL';
      case 'bool':
        return 'BOOLEAN DEFAULT FALSE NOT NULL';
      case 'json':
        // TEXT affinity keeps JSON text as written (a declared JSON type has NUMERIC affinity,
        // which would turn '123' into an integer).
        return 'TEXT DEFAULT NULL';
    }
  }

  primaryKeyDefinition(): string {
    return 'TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(7)))) NOT NULL';
  }

  indexExpression(sql: string): string {
    return sql;
  }

  lockRows(): string {
    // One writer at a time (BEGIN IMMEDIATE): nothing else can change the rows meanwhile.
    return '';
  }

  readonly expendableTable = '';

  nameLock(): undefined {
    return undefined;
  }

  definitionCheck(): undefined {
    return undefined;
  }

  isChangedDefinition(): boolean {
    return false;
  }

  isMissingSchemaObject(): boolean {
    return false;
  }

  orderItem(expr: string, descending: boolean): string {
    return `${expr} ${descending ? 'DESC' : 'ASC'}`;
  }

  jsonEach(expr: string, alias: string): string {
    return `json_each(CASE WHEN json_valid(${expr}) AND json_type(${expr}) = 'array' THEN ${expr} ELSE json_array(${expr}) END) AS ${alias}`;
  }

  jsonExtract(expr: string, path: readonly string[]): string {
    let p = '$';
    for (const seg of path) {
      if (/^\d+$/.test(seg)) p += `[${seg}]`;
      else if (/^[\p{L}\p{N}_]+$/u.test(seg)) p += `."${seg}"`;
      else throw new TypeError(`Unsafe JSON path segment: ${JSON.stringify(seg)}`);
    }
    // json_extract on invalid JSON raises an error; guard so bad stored text reads as NULL.
    return `(CASE WHEN json_valid(${expr}) THEN JSON_EXTRACT(${expr}, '${p}') ELSE NULL END)`;
  }

  jsonArrayLength(expr: string): string {
    return `(CASE WHEN json_valid(${expr}) AND json_type(${expr}) = 'array' THEN json_array_length(${expr}) ELSE (CASE WHEN COALESCE(${expr}, '') = '' THEN 0 ELSE 1 END) END)`;
  }

  like(left: string, pattern: string): string {
    return `${left} LIKE ${pattern} ESCAPE '\\'`;
  }

  lower(expr: string): string {
    return `LOWER(${expr})`;
  }

  geoDistance(lonA: string, latA: string, lonB: string, latB: string): string {
    // Spherical law of cosines, Earth radius 6371 km (as PocketBase). The clamp keeps acos
    // defined when rounding pushes the cosine a hair beyond ±1.
    return `(6371 * acos(min(1, max(-1, cos(radians(${latA})) * cos(radians(${latB})) * cos(radians(${lonB}) - radians(${lonA})) + sin(radians(${latA})) * sin(radians(${latB}))))))`;
  }

  coalesceText(expr: string): string {
    return `COALESCE(${expr}, '')`;
  }

  numeric(expr: string): string {
    return expr;
  }

  isNotDistinctFrom(left: string, right: string): string {
    return `(${left} IS ${right})`;
  }

  isDistinctFrom(left: string, right: string): string {
    return `(${left} IS NOT ${right})`;
  }

  strftime(format: string, time: string, modifiers: readonly string[]): string {
    return `strftime(${[format, time, ...modifiers].join(', ')})`;
  }

  uniqueViolation(error: unknown): { columns: string[]; index?: string } | undefined {
    const e = error as { errcode?: number; message?: string };
    // 2067 = SQLITE_CONSTRAINT_UNIQUE, 1555 = SQLITE_CONSTRAINT_PRIMARYKEY
    if (e?.errcode !== 2067 && e?.errcode !== 1555) return undefined;
    const message = e.message ?? '';
    const index = /constraint failed: index '([^']+)'/.exec(message);
    if (index) return { columns: [], index: index[1] };
    const m = /constraint failed: (.*)$/.exec(message);
    const columns = m ? m[1].split(',').map((s) => s.trim().split('.').pop() ?? '') : [];
    return { columns };
  }

  async optimize(db: Executor): Promise<void> {
    // Analyses only the tables whose statistics are missing or stale (sqlite.org/lang_analyze.html).
    await db.exec('PRAGMA optimize');
  }

  async listTables(db: Executor): Promise<string[]> {
    const rows = await db.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%'");
    return rows.map((r) => r.name);
  }

  async listColumns(db: Executor, table: string): Promise<string[]> {
    const rows = await db.all<{ name: string }>('SELECT name FROM pragma_table_info(?)', [table]);
    return rows.map((r) => r.name);
  }
}
