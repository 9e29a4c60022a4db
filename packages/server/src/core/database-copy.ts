/**
 * Copies a whole Basalt database into another, empty one, across engines (SQLite → PostgreSQL is
 * what `basalt migrate` does). Engine-neutral: it sees only the storage contract, so the tables
 * are created the way Basalt itself creates them (table-sync, with each dialect's column types,
 * hidden columns and indexes) and rows go through the drivers' normal value binding.
 *
 * All or nothing: everything is written in one target transaction, and the row counts of every
 * table are compared inside it, so a failure or a mismatch leaves the target as it was. The
 * source is read inside one transaction too, so the copy is a consistent snapshot (on SQLite this
 * holds the write lock: writers of a server still running on it wait).
 * @module
 */
import type { Database, Executor, Row, SqlValue } from '../storage/types.ts';
import { createInternalTables } from './app.ts';
import type { CollectionModel } from './collections/collection.ts';
import { readStoredCollections } from './collections/collection-store.ts';
import { orderForCreation } from './collections/collection-view-sources.ts';
import { createCollectionTable, dropCollectionTable } from './collections/table-sync.ts';
import './fields/index.ts';

/** Default rows per INSERT statement (fewer when a table has many columns). */
export const DEFAULT_COPY_BATCH_SIZE = 500;
/** Most bound values in one INSERT: below SQLite's 32 766 and PostgreSQL's 65 535. */
export const MAX_BOUND_VALUES = 30_000;

/** Basalt's internal tables that every instance has; others (auth, …) are found by name. */
const CORE_TABLES = ['_collections', '_params'];

/**
 * Basalt's internal tables in `tables` (a source's): the core ones first, then every other table
 * whose name starts with `_` and is not a collection's (their DDL is createInternalTables').
 */
function internalTables(tables: readonly string[], collectionNames: ReadonlySet<string>): string[] {
  const others = tables.filter((t) => t.startsWith('_') && !CORE_TABLES.includes(t) && !collectionNames.has(t)).sort();
  return [...CORE_TABLES.filter((t) => tables.includes(t)), ...others];
}

/** What a table of the copy holds. */
export type CopiedTableKind = 'internal' | CollectionModel['type'];

/** Rows of one table in the source and in the target after the copy. */
export interface CopiedTableCount {
  table: string;
  kind: CopiedTableKind;
  source: number;
  target: number;
}

/** Progress of the row copy of one table; reported after each batch (and once at 0). */
export interface CopyProgress {
  table: string;
  kind: CopiedTableKind;
  copied: number;
  total: number;
}

export interface CopyOptions {
  /**
   * Replace an earlier Basalt instance in the target: its collection tables, `_collections` and
   * `_params` are dropped first (in the same transaction). Other tables are left alone.
   * Without it, a target holding any table or view is refused.
   */
  replace?: boolean;
  /** Rows per INSERT (default DEFAULT_COPY_BATCH_SIZE). */
  batchSize?: number;
  /** Called as rows are copied. */
  onProgress?(progress: CopyProgress): void;
  /** Called with a short description of each step ("creating 12 tables", …). */
  onStep?(step: string): void;
  /** Runs inside the target transaction once the copy is checked, just before COMMIT. */
  beforeCommit?(tx: Executor): Promise<void>;
  /** Runs synchronously right after the target transaction commits (TransactionOptions.onCommit). */
  onCommit?(): void;
}

export interface CopyReport {
  /** Every copied table and view with its row counts (all equal: a mismatch throws). */
  tables: CopiedTableCount[];
  /** Source tables that are not Basalt's and were not copied. */
  skipped: string[];
  /** Rows copied in all. */
  rows: number;
}

/** The copy was refused or failed before anything was committed; the target is unchanged. */
export class DatabaseCopyError extends Error {
  /** Counts per table when the final check found a mismatch. */
  readonly tables: CopiedTableCount[] | undefined;
  constructor(message: string, options?: { cause?: unknown; tables?: CopiedTableCount[] }) {
    super(message, options);
    this.name = 'DatabaseCopyError';
    this.tables = options?.tables;
  }
}

interface Plan {
  table: string;
  kind: CopiedTableKind;
  /** Read in pages by insertion order (collection tables); internal tables are read at once. */
  paged: boolean;
}

/**
 * Copies every collection (definitions, tables, indexes, rows), the settings and the internal
 * tables of `source` into `target`, then checks the row count of every table.
 *
 * Guarantees: the target is either a complete copy (committed) or unchanged (a thrown
 * DatabaseCopyError or driver error). Rows keep their insertion order, so `@rowid` order and
 * unsorted lists read the same afterwards. Values go through the drivers unchanged; booleans are
 * bound as 1/0, which both engines store in a BOOLEAN column. Secrets sealed with
 * BASALT_ENCRYPTION_KEY are copied still sealed: the copy never opens them and needs no key.
 * Does not: copy uploaded files (they are not in the database), or translate the SQL of view
 * collections; a `viewQuery` the target engine cannot run fails the copy, naming the view.
 *
 * @example
 * const report = await copyDatabase(sqlite, postgres, { onProgress: (p) => console.error(p.table, p.copied, p.total) });
 */
export async function copyDatabase(source: Database, target: Database, options: CopyOptions = {}): Promise<CopyReport> {
  const batchSize = options.batchSize ?? DEFAULT_COPY_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`Invalid batch size ${batchSize}: expected a positive integer.`);
  const step = options.onStep ?? (() => {});

  return source.transaction(async (src) => {
    // PostgreSQL transactions are READ COMMITTED: without this, tables read one after the other
    // could show a write committed in between (a backup of a live server must be a snapshot).
    if (source.dialect.name === 'postgres') await src.run('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const sourceTables = await source.dialect.listTables(src);
    if (!sourceTables.includes('_collections')) throw new DatabaseCopyError('the source holds no Basalt data (it has no _collections table)');
    // Secrets stay sealed: the `_collections` rows are copied as they are, and the copy needs no key.
    const collections = orderForCreation(await readStoredCollections(src, source.dialect));
    const collectionNames = new Set(collections.map((c) => c.name));
    const internal = internalTables(sourceTables, collectionNames);

    return target.transaction(async (tgt) => {
      await prepareTarget(tgt, target, new Set([...internal, ...collectionNames]), internal, options.replace === true, step);
      step(`creating ${collections.length} collection tables and views`);
      await createInternalTables(tgt, target.dialect);
      // Internal tables this version of Basalt does not create in the target are not copied.
      const targetTables = new Set(await target.dialect.listTables(tgt));
      const copiedInternal = internal.filter((t) => targetTables.has(t));
      const skipped = sourceTables.filter((t) => !collectionNames.has(t) && !copiedInternal.includes(t));
      const plans: Plan[] = [
        ...copiedInternal.map((table) => ({ table, kind: 'internal' as const, paged: false })),
        ...collections.map((c) => ({ table: c.name, kind: c.type, paged: c.type !== 'view' })),
      ];
      for (const c of collections) {
        try {
          await createCollectionTable(tgt, target.dialect, c);
        } catch (err) {
          const why = (err as Error).message;
          throw new DatabaseCopyError(
            c.type === 'view'
              ? `the view collection ${c.name} cannot be created on ${target.dialect.name}: ${why} (its viewQuery is SQL for ${source.dialect.name}; change it there first)`
              : `the table of collection ${c.name} cannot be created on ${target.dialect.name}: ${why}`,
            { cause: err },
          );
        }
      }

      const counts = new Map<string, number>();
      for (const p of plans) counts.set(p.table, await countRows(src, source, p.table));
      let rows = 0;
      for (const p of plans) {
        if (p.kind === 'view') continue;
        rows += await copyRows(src, source, tgt, target, p, counts.get(p.table)!, batchSize, options.onProgress);
      }

      step('verifying row counts');
      const tables: CopiedTableCount[] = [];
      for (const p of plans) tables.push({ table: p.table, kind: p.kind, source: counts.get(p.table)!, target: await countRows(tgt, target, p.table) });
      const wrong = tables.filter((t) => t.source !== t.target);
      if (wrong.length) {
        throw new DatabaseCopyError(`row counts differ after the copy in ${wrong.map((t) => `${t.table} (${t.source} in the source, ${t.target} in the target)`).join(', ')}; nothing was committed`, { tables });
      }
      await options.beforeCommit?.(tgt);
      step('committing');
      return { tables, skipped, rows };
    }, { onCommit: options.onCommit });
  });
}

/** Refuses a non-empty target, or (replace) drops an earlier Basalt instance from it. */
async function prepareTarget(tgt: Executor, target: Database, names: Set<string>, internal: readonly string[], replace: boolean, step: (s: string) => void): Promise<void> {
  let existing = await target.dialect.listTables(tgt);
  if (existing.length === 0) return;
  if (!replace) {
    const shown = existing.slice(0, 5).join(', ') + (existing.length > 5 ? ', …' : '');
    throw new DatabaseCopyError(`the target is not empty: it has ${existing.length} table${existing.length > 1 ? 's' : ''} or view${existing.length > 1 ? 's' : ''} (${shown}); use an empty database or schema, or --force to replace an earlier Basalt instance there`);
  }
  if (existing.includes('_collections')) {
    step('dropping the earlier Basalt instance in the target');
    const old = await readStoredCollections(tgt, target.dialect);
    // Views first, in reverse creation order: an engine may refuse to drop what a view reads.
    for (const c of orderForCreation(old).reverse()) {
      if (existing.includes(c.name)) await dropCollectionTable(tgt, target.dialect, c);
    }
    const q = target.dialect.quote.bind(target.dialect);
    for (const t of internal) if (existing.includes(t)) await tgt.exec(`DROP TABLE ${q(t)}`);
    existing = await target.dialect.listTables(tgt);
  }
  const lower = new Set([...names].map((n) => n.toLowerCase()));
  const clash = existing.filter((t) => lower.has(t.toLowerCase()));
  if (clash.length) throw new DatabaseCopyError(`the target already has tables that are not part of a Basalt instance and clash with the source: ${clash.join(', ')}; drop them or use another database or schema`);
}

async function countRows(db: Executor, owner: Database, table: string): Promise<number> {
  const r = await db.get<{ n: number | bigint }>(`SELECT COUNT(*) AS n FROM ${owner.dialect.quote(table)}`);
  return Number(r?.n ?? 0);
}

/** Binds a value read from one engine for the other: booleans as 1/0, the rest unchanged. */
function portable(v: unknown): SqlValue {
  return typeof v === 'boolean' ? (v ? 1 : 0) : (v as SqlValue);
}

const PAGE_KEY = 'basalt_copy_rowid';

async function copyRows(src: Executor, source: Database, tgt: Executor, target: Database, plan: Plan, total: number, batchSize: number, onProgress: CopyOptions['onProgress']): Promise<number> {
  const sq = source.dialect.quote.bind(source.dialect);
  const tq = target.dialect.quote.bind(target.dialect);
  const columns = await source.dialect.listColumns(src, plan.table);
  const targetColumns = new Set(await target.dialect.listColumns(tgt, plan.table));
  const missing = columns.filter((c) => !targetColumns.has(c));
  if (missing.length) {
    // A column the collection definition does not know (an edit outside Basalt): never drop data silently.
    throw new DatabaseCopyError(`the source table ${plan.table} has column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} that its collection definition does not have`);
  }
  const perInsert = Math.max(1, Math.min(batchSize, Math.floor(MAX_BOUND_VALUES / Math.max(1, columns.length))));
  const insert = (n: number) =>
    `INSERT INTO ${tq(plan.table)} (${columns.map(tq).join(', ')}) VALUES ${Array.from({ length: n }, () => `(${columns.map(() => '?').join(', ')})`).join(', ')}`;
  const fullInsert = insert(perInsert);
  const selectList = columns.map((c) => `${sq(c)} AS ${sq(c)}`).join(', ');

  let copied = 0;
  onProgress?.({ table: plan.table, kind: plan.kind, copied, total });
  const write = async (rows: Row[]) => {
    for (let i = 0; i < rows.length; i += perInsert) {
      const chunk = rows.slice(i, i + perInsert);
      const params: SqlValue[] = [];
      for (const row of chunk) for (const c of columns) params.push(portable(row[c]));
      await tgt.run(chunk.length === perInsert ? fullInsert : insert(chunk.length), params);
      copied += chunk.length;
      onProgress?.({ table: plan.table, kind: plan.kind, copied, total });
    }
  };

  if (!plan.paged) {
    await write(await src.all<Row>(`SELECT ${selectList} FROM ${sq(plan.table)}`));
    return copied;
  }
  // Keyset pages in insertion order: the target's own insertion order (PostgreSQL's hidden
  // _rowid, SQLite's rowid) then follows the source's.
  const rowid = source.dialect.rowidOrder;
  const page = `SELECT ${rowid} AS ${sq(PAGE_KEY)}, ${selectList} FROM ${sq(plan.table)} WHERE ${rowid} > ? ORDER BY ${rowid} LIMIT ?`;
  let after: SqlValue = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows: Row[] = await src.all<Row>(page, [after, perInsert * 4]);
    if (rows.length === 0) break;
    await write(rows);
    after = rows[rows.length - 1][PAGE_KEY];
  }
  return copied;
}
