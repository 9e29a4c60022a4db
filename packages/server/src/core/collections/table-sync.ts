/**
 * Applies a collection definition to its table as real DDL, inside the caller's transaction
 * (spec §5.3): a field id kept across a save keeps its column (a new name renames it), removed
 * ids drop their column, new ids add one, and switching a select/relation/file between single
 * and multiple converts the stored values. Indexes are dropped and rebuilt around the change,
 * so a column inside an index can be renamed or dropped.
 * @module
 */
import type { Executor, SqlDialect } from '../../storage/types.ts';
import { ValidationError, fieldError } from '../errors.ts';
import { fieldTypeOf } from '../fields/registry.ts';
import type { CollectionModel, FieldModel } from './collection.ts';
import { buildIndexSql, parseIndex } from './collection-indexes.ts';

function columnSql(dialect: SqlDialect, field: FieldModel): string {
  if (field.name === 'id') return `${dialect.quote('id')} ${dialect.primaryKeyDefinition()}`;
  return `${dialect.quote(field.name)} ${dialect.columnDefinition(fieldTypeOf(field).columnKind(field))}`;
}

async function dropIndexes(db: Executor, dialect: SqlDialect, collection: CollectionModel): Promise<void> {
  for (const sql of collection.indexes) {
    const idx = parseIndex(sql);
    if (idx) await db.exec(`DROP INDEX IF EXISTS ${dialect.quote(idx.name)}`);
  }
}

async function createIndexes(db: Executor, dialect: SqlDialect, collection: CollectionModel): Promise<void> {
  for (const [i, sql] of collection.indexes.entries()) {
    const idx = parseIndex(sql);
    if (!idx) continue; // validation rejected it already
    const names = collection.fields.map((f) => f.name);
    const local = { ...idx, columns: dialect.indexExpression(idx.columns, names, 'columns'), where: dialect.indexExpression(idx.where, names, 'where') };
    try {
      await db.exec(buildIndexSql(local, collection.name, dialect.quote.bind(dialect)));
    } catch (err) {
      const unique = dialect.uniqueViolation(err) !== undefined || /UNIQUE/i.test(String((err as Error).message));
      // Existing rows that break a new unique index, or an expression SQL cannot index:
      // refuse the whole change with a clear reason.
      throw new ValidationError('Failed to save collection.', {
        indexes: {
          [String(i)]: fieldError(
            unique ? 'validation_not_unique' : 'validation_invalid_index_expression',
            unique ? 'The existing records violate this unique index.' : `Invalid index expression: ${(err as Error).message}`,
          ),
        },
      });
    }
  }
}

/** Creates the table (or view) of a new collection. */
export async function createCollectionTable(db: Executor, dialect: SqlDialect, collection: CollectionModel): Promise<void> {
  if (collection.type === 'view') {
    await db.exec(`CREATE VIEW ${dialect.quote(collection.name)} AS ${collection.viewQuery}`);
    return;
  }
  const columns = [...collection.fields.map((f) => columnSql(dialect, f)), ...dialect.hiddenColumns];
  await db.exec(`CREATE TABLE ${dialect.quote(collection.name)} (${columns.join(', ')})`);
  await createIndexes(db, dialect, collection);
}

/** Drops the table (or view) of a deleted collection. */
export async function dropCollectionTable(db: Executor, dialect: SqlDialect, collection: CollectionModel): Promise<void> {
  await db.exec(`DROP ${collection.type === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${dialect.quote(collection.name)}`);
}

/** Brings the table of `before` in line with `after`. */
export async function updateCollectionTable(db: Executor, dialect: SqlDialect, before: CollectionModel, after: CollectionModel): Promise<void> {
  const q = dialect.quote.bind(dialect);
  if (after.type === 'view') {
    await db.exec(`DROP VIEW IF EXISTS ${q(before.name)}`);
    await db.exec(`CREATE VIEW ${q(after.name)} AS ${after.viewQuery}`);
    return;
  }
  await dropIndexes(db, dialect, before);
  if (before.name !== after.name) {
    // A rename that only changes case needs a detour: SQLite treats the names as equal.
    if (before.name.toLowerCase() === after.name.toLowerCase()) {
      await db.exec(`ALTER TABLE ${q(before.name)} RENAME TO ${q(`${after.name}_basalt_tmp`)}`);
      await db.exec(`ALTER TABLE ${q(`${after.name}_basalt_tmp`)} RENAME TO ${q(after.name)}`);
    } else {
      await db.exec(`ALTER TABLE ${q(before.name)} RENAME TO ${q(after.name)}`);
    }
  }
  const table = q(after.name);
  const oldById = new Map(before.fields.map((f) => [f.id, f]));
  const newIds = new Set(after.fields.map((f) => f.id));

  for (const old of before.fields) {
    if (!newIds.has(old.id) && old.name !== 'id') await db.exec(`ALTER TABLE ${table} DROP COLUMN ${q(old.name)}`);
  }
  // Two-phase rename through temporary names, so swapping two field names cannot collide.
  const renamed = after.fields.filter((f) => oldById.has(f.id) && oldById.get(f.id)!.name !== f.name);
  for (const f of renamed) await db.exec(`ALTER TABLE ${table} RENAME COLUMN ${q(oldById.get(f.id)!.name)} TO ${q(`${f.id}_basalt_tmp`)}`);
  for (const f of renamed) await db.exec(`ALTER TABLE ${table} RENAME COLUMN ${q(`${f.id}_basalt_tmp`)} TO ${q(f.name)}`);

  for (const f of after.fields) {
    const old = oldById.get(f.id);
    if (!old) {
      await db.exec(`ALTER TABLE ${table} ADD COLUMN ${columnSql(dialect, f)}`);
      continue;
    }
    const type = fieldTypeOf(f);
    const wasMultiple = fieldTypeOf(old).isMultiple(old);
    const isMultiple = type.isMultiple(f);
    if (wasMultiple === isMultiple) continue;
    await convertCardinality(db, dialect, after.name, f, isMultiple);
  }
  await createIndexes(db, dialect, after);
}

/**
 * single → multiple: `v` becomes `["v"]`, `''` becomes `[]`; multiple → single keeps the last
 * element (spec §5.3). Values are rewritten row by row through the field type, so the same code
 * serves every dialect.
 */
async function convertCardinality(db: Executor, dialect: SqlDialect, table: string, field: FieldModel, toMultiple: boolean): Promise<void> {
  const type = fieldTypeOf(field);
  const q = dialect.quote.bind(dialect);
  const rows = await db.all<{ id: string; v: string | null }>(`SELECT ${q('id')} AS id, ${q(field.name)} AS v FROM ${q(table)}`);
  for (const row of rows) {
    let list: string[];
    try {
      const parsed = row.v == null || row.v === '' ? [] : JSON.parse(String(row.v));
      list = Array.isArray(parsed) ? parsed.map(String) : [String(parsed)];
    } catch {
      list = [String(row.v)];
    }
    const value = toMultiple ? list : (list.at(-1) ?? '');
    await db.run(`UPDATE ${q(table)} SET ${q(field.name)} = ? WHERE ${q('id')} = ?`, [type.toDriver(field, value), row.id]);
  }
}
