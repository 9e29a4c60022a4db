/**
 * Deletes a record (spec §3.7) with PocketBase's reference cascade, all in one transaction:
 * references to the deleted id are removed; a reference left empty deletes its record when the
 * field cascades, blocks the delete when the field is required, and is saved reduced otherwise.
 * @module
 */
import type { Row } from '../../storage/types.ts';
import type { CollectionModel } from '../collections/collection.ts';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.ts';
import { fieldTypeOf } from '../fields/registry.ts';
import { deleteRecordFolderAfterCommit } from '../records/record-files.ts';
import { findRecordById } from '../records/record-finder.ts';
import { storedRowSatisfies } from '../records/record-rules.ts';
import { collectionForWrite, collectionOrThrow, inTransaction, isSuperuser, type OperationContext, type TransactionContext } from './context.ts';

/** Guards against reference cycles and runaway cascades. */
export const MAX_CASCADE_DEPTH = 32;

export async function recordDelete(ctx: OperationContext, collectionIdOrName: string, id: string): Promise<void> {
  const check = (c: CollectionModel): CollectionModel => {
    if (c.type === 'view') throw new BadRequestError('Unsupported collection type.');
    if (!isSuperuser(ctx) && c.deleteRule === null) throw new ForbiddenError('Only superusers can perform this action.');
    return c;
  };
  check(collectionOrThrow(ctx, collectionIdOrName));
  const superuser = isSuperuser(ctx);
  await inTransaction(ctx, async (txCtx) => {
    const tx = txCtx.tx;
    const collection = check(await collectionForWrite(txCtx, collectionIdOrName));
    const record = await findRecordById(tx, ctx.app.db.dialect, collection, id, 'update');
    if (!record) throw new NotFoundError();
    if (!superuser && !(await storedRowSatisfies(ctx, tx, collection, collection.deleteRule ?? '', id))) throw new NotFoundError();
    if (collection.name === '_superusers') {
      const q = ctx.app.db.dialect.quote.bind(ctx.app.db.dialect);
      const n = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${q('_superusers')}`);
      if (Number(n?.n ?? 0) <= 1) throw new BadRequestError("You can't delete the only existing superuser.");
    }
    await deleteWithCascade(txCtx, collection, id, new Set(), 0);
  });
}

const REQUIRED_REFERENCE = 'Failed to delete record. Make sure that the record is not part of a required relation reference.';

/** Deletes one record and resolves every reference to it. Also used by truncate. */
export async function deleteWithCascade(ctx: TransactionContext, collection: CollectionModel, id: string, seen: Set<string>, depth: number): Promise<void> {
  const tx = ctx.tx;
  const key = `${collection.id}/${id}`;
  if (seen.has(key)) return;
  seen.add(key);
  if (depth > MAX_CASCADE_DEPTH) throw new BadRequestError('Failed to delete record. The cascade of related deletes is too deep.');
  const dialect = ctx.app.db.dialect;
  const q = dialect.quote.bind(dialect);
  const record = await findRecordById(tx, dialect, collection, id);
  if (!record) return;
  await ctx.app.events.onRecordDelete.trigger({ collection, record, tx }, async () => {
    await tx.run(`DELETE FROM ${q(collection.name)} WHERE ${q('id')} = ?`, [id]);
  });
  ctx.afterCommit.push(() => ctx.app.events.onRecordAfterDeleteSuccess.trigger({ collection, record }));
  deleteRecordFolderAfterCommit(ctx.app, ctx.afterCommit, collection, id);

  for (const other of ctx.app.collections.all()) {
    if (other.type === 'view') continue;
    for (const field of other.fields) {
      if (field.type !== 'relation' || field.collectionId !== collection.id) continue;
      const type = fieldTypeOf(field);
      const multiple = type.isMultiple(field);
      const rows = multiple
        ? await tx.all<Row>(
            `SELECT ${q('id')} AS id, ${q(field.name)} AS v FROM ${q(other.name)} _c WHERE EXISTS (SELECT 1 FROM ${dialect.jsonEach(`_c.${q(field.name)}`, '_je')} WHERE _je.value = ?)`,
            [id],
          )
        : await tx.all<Row>(`SELECT ${q('id')} AS id, ${q(field.name)} AS v FROM ${q(other.name)} WHERE ${q(field.name)} = ?`, [id]);
      for (const row of rows) {
        const current = type.fromDriver(field, row.v);
        const remaining = (Array.isArray(current) ? current : [current]).filter((v) => v !== id && v !== '');
        if (remaining.length === 0 && field.cascadeDelete) {
          await deleteWithCascade(ctx, other, String(row.id), seen, depth + 1);
        } else if (remaining.length === 0 && field.required) {
          throw new BadRequestError(REQUIRED_REFERENCE);
        } else {
          const value = multiple ? remaining : (remaining.at(-1) ?? '');
          await tx.run(`UPDATE ${q(other.name)} SET ${q(field.name)} = ? WHERE ${q('id')} = ?`, [type.toDriver(field, value), String(row.id)]);
        }
      }
    }
  }
  // Auth records take their external auths, MFA sessions, OTPs and origins with them.
  if (collection.type === 'auth') {
    for (const name of ['_externalAuths', '_mfas', '_otps', '_authOrigins']) {
      if (ctx.app.collections.find(name)) {
        await tx.run(`DELETE FROM ${q(name)} WHERE ${q('collectionRef')} = ? AND ${q('recordRef')} = ?`, [collection.id, id]);
      }
    }
  }
}
