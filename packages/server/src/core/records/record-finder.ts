/**
 * Reading records by id. Names say how they fail: `findRecordById` returns undefined,
 * `findRecordByIdOrThrow` throws NotFoundError.
 * @module
 */
import type { Executor, Row, SqlDialect } from '../../storage/types.ts';
import type { CollectionModel } from '../collections/collection.ts';
import { NotFoundError } from '../errors.ts';
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

export async function findRecordByIdOrThrow(db: Executor, dialect: SqlDialect, collection: CollectionModel, id: unknown): Promise<RecordData> {
  const r = await findRecordById(db, dialect, collection, id);
  if (!r) throw new NotFoundError();
  return r;
}

/** Records with the given ids, in no particular order. */
export async function findRecordsByIds(db: Executor, dialect: SqlDialect, collection: CollectionModel, ids: readonly string[], extraWhere?: { sql: string; params: unknown[]; alias: string }): Promise<RecordData[]> {
  if (ids.length === 0) return [];
  const q = dialect.quote.bind(dialect);
  const alias = extraWhere?.alias ?? '_r';
  const out: RecordData[] = [];
  // Chunk to stay far below every engine's bound-parameter limit.
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await db.all<Row>(
      `SELECT ${alias}.* FROM ${q(collection.name)} ${alias} WHERE ${alias}.${q('id')} IN (${chunk.map(() => '?').join(', ')})${extraWhere ? ` AND (${extraWhere.sql})` : ''}`,
      [...chunk, ...((extraWhere?.params ?? []) as never[])],
    );
    for (const row of rows) out.push(rowToRecord(collection, row));
  }
  return out;
}
