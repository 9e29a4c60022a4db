/**
 * Parsing of the `indexes` entries of collection JSON (raw `CREATE [UNIQUE] INDEX` statements).
 * Indexes are rebuilt from the parsed parts rather than executed as submitted, so a statement can
 * never smuggle a second one in.
 * @module
 */
import type { CollectionModel } from './collection.ts';

export interface ParsedIndex {
  unique: boolean;
  name: string;
  table: string;
  /** Column list or expressions between the parentheses, as written. */
  columns: string;
  /** Column names when every item is a plain (optionally quoted) column. */
  columnNames: string[];
  where: string;
}

const INDEX = /^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?[`"'[]?(\w+)[`"'\]]?\s+ON\s+[`"'[]?(\w*)[`"'\]]?\s*\(([\s\S]+)\)\s*(?:WHERE\s+([\s\S]+?))?\s*;?\s*$/i;
const PLAIN_COLUMN = /^[`"'[]?(\w+)[`"'\]]?(?:\s+COLLATE\s+\w+)?(?:\s+(?:ASC|DESC))?$/i;

/** Parses one index statement; undefined when it is not a valid, safe CREATE INDEX. */
export function parseIndex(sql: string): ParsedIndex | undefined {
  if (typeof sql !== 'string' || sql.length > 5000) return undefined;
  const m = INDEX.exec(sql);
  if (!m) return undefined;
  const columns = m[4].trim();
  const where = (m[5] ?? '').trim();
  // No statement separators or comments anywhere in the parts we splice back together.
  if (/;|--|\/\*/.test(columns) || /;|--|\/\*/.test(where)) return undefined;
  if (!balanced(columns) || !balanced(where)) return undefined;
  const items = splitTopLevel(columns);
  if (items.length === 0 || items.some((i) => i.trim() === '')) return undefined;
  const columnNames: string[] = [];
  for (const item of items) {
    const c = PLAIN_COLUMN.exec(item.trim());
    if (c) columnNames.push(c[1]);
  }
  return {
    unique: Boolean(m[1]),
    name: m[2],
    table: m[3],
    columns,
    columnNames: columnNames.length === items.length ? columnNames : [],
    where,
  };
}

/** Rebuilds the statement for `table` (the collection's current name). */
export function buildIndexSql(index: ParsedIndex, table: string, quote: (id: string) => string): string {
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quote(index.name)} ON ${quote(table)} (${index.columns})${index.where ? ` WHERE ${index.where}` : ''}`;
}

/** Normalised text of the statement as it is stored in collection JSON. */
export function formatIndex(index: ParsedIndex, table: string): string {
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX \`${index.name}\` ON \`${table}\` (${index.columns})${index.where ? ` WHERE ${index.where}` : ''}`;
}

function balanced(s: string): boolean {
  let depth = 0;
  let quote = '';
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0 && quote === '';
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** True when `field` has a single-column unique index in `c`. */
export function hasUniqueIndex(c: CollectionModel, field: string): boolean {
  return c.indexes.some((s) => {
    const idx = parseIndex(s);
    return idx?.unique && idx.columnNames.length === 1 && idx.columnNames[0].toLowerCase() === field.toLowerCase();
  });
}
