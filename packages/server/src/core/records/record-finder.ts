/**
 * Reading records by id: `findRecordById` returns undefined when there is none.
 * @module
 */
import type { Executor, Row, SqlDialect } from '../../storage/types.ts';
import type { CollectionModel } from '../collections/collection.ts';
import { rowToRecord, type RecordData } from './record.ts';

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
