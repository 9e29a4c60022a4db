/**
 * Reading records by id: `findRecordById` returns undefined when there is none.
 * @module
 */
import type { Executor, Row, SqlDialect } from '../../storage/types.ts';
import type { CollectionModel } from '../collections/collection.ts';
import { rowToRecord, type RecordData } from './record.ts';
import { ROW_ALIAS } from './record-rules.ts';

const selectLists = new WeakMap<SqlDialect, WeakMap<CollectionModel, string>>();

/**
 * The select list of a record: each field's column, qualified by ROW_ALIAS. The list and view
 * reads use it rather than `*`: PostgreSQL tables also hold the hidden `_rowid`, which `*` sends
 * and the driver parses on every row (a tenth of the client CPU of a 20-row list). A column list
 * fails where the cached definition is behind a schema change made by another process, so those
 * reads run under withCurrentDefinitions; reads inside transactions (where a failure aborts the
 * transaction) keep `*`.
 */
export function recordColumns(dialect: SqlDialect, collection: CollectionModel): string {
  let byCollection = selectLists.get(dialect);
  if (!byCollection) selectLists.set(dialect, (byCollection = new WeakMap()));
  let list = byCollection.get(collection);
  if (list === undefined) byCollection.set(collection, (list = collection.fields.map((f) => `${ROW_ALIAS}.${dialect.quote(f.name)}`).join(', ')));
  return list;
}

/**
 * The record with `id`, or undefined. Inside a transaction, `lock: 'update'` keeps the row from
 * changing until commit (read-modify-write without lost updates, see Database.transaction).
 */
export async function findRecordById(db: Executor, dialect: SqlDialect, collection: CollectionModel, id: unknown, lock?: 'update'): Promise<RecordData | undefined> {
  if (typeof id !== 'string' || id === '' || id.length > 255) return undefined;
  const q = dialect.quote.bind(dialect);
  const suffix = lock && collection.type !== 'view' ? dialect.lockRows(lock) : '';
  const row = await db.get<Row>(`SELECT * FROM ${q(collection.name)} WHERE ${q('id')} = ?${suffix}`, [id]);
  return row ? rowToRecord(collection, row) : undefined;
}
