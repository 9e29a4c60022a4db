/**
 * Which collections a view collection reads, found in its `viewQuery` (FROM and JOIN items), so
 * that deleting a collection a view still reads is refused and views are created after what they
 * read (the SQLite → PostgreSQL copy). The same answer on every engine: PostgreSQL tracks view
 * dependencies itself, SQLite does not.
 * @module
 */
import { sqlTableReferences } from '../../tools/sql-table-references.ts';
import type { CollectionModel } from './collection.ts';

/** Collections (tables and views) among `collections` that `view`'s query reads. */
export function viewSources(view: CollectionModel, collections: readonly CollectionModel[]): CollectionModel[] {
  if (view.type !== 'view' || !view.viewQuery) return [];
  const names = new Set(sqlTableReferences(view.viewQuery).map((n) => n.toLowerCase()));
  return collections.filter((c) => c.id !== view.id && names.has(c.name.toLowerCase()));
}

/** View collections among `collections` whose query reads `target`. */
export function viewsReading(target: CollectionModel, collections: readonly CollectionModel[]): CollectionModel[] {
  return collections.filter((c) => c.type === 'view' && c.id !== target.id && viewSources(c, collections).some((s) => s.id === target.id));
}

/**
 * `collections` ordered so that each view comes after everything it reads: tables first (in
 * their given order), then views. A cycle (impossible in a working database) keeps the given
 * order for the views involved.
 */
export function orderForCreation(collections: readonly CollectionModel[]): CollectionModel[] {
  const out = collections.filter((c) => c.type !== 'view');
  const pending = collections.filter((c) => c.type === 'view');
  while (pending.length) {
    const ready = pending.findIndex((v) => viewSources(v, collections).every((s) => out.includes(s) || !pending.includes(s)));
    out.push(...pending.splice(ready < 0 ? 0 : ready, 1));
  }
  return out;
}
