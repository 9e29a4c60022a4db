/**
 * Updates a record (spec §3.6): modifiers resolve against the stored values, then the update rule
 * is checked against the stored row with `@request.body` holding the submitted values.
 * @module
 */
import { BadRequestError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { validateAuthRecordUpdate } from '../records/auth-record.ts';
import { enrichRecords } from '../records/record-enrich.ts';
import { findRecordById } from '../records/record-finder.ts';
import { storedRowSatisfies } from '../records/record-rules.ts';
import { applyBody, touchAutodates, updateRecordRow, validateRecord } from '../records/record-save.ts';
import { collectionOrThrow, inTransaction, isSuperuser, type OperationContext } from './context.ts';
import type { WriteOptions } from './record-create.ts';

export async function recordUpdate(
  ctx: OperationContext,
  collectionIdOrName: string,
  id: string,
  body: Record<string, unknown>,
  options: WriteOptions = {},
): Promise<Record<string, unknown>> {
  const collection = collectionOrThrow(ctx, collectionIdOrName);
  if (collection.type === 'view') throw new BadRequestError('Unsupported collection type.');
  const superuser = isSuperuser(ctx);
  if (!superuser && collection.updateRule === null) throw new ForbiddenError('Only superusers can perform this action.');

  return inTransaction(ctx, async (txCtx) => {
    const tx = txCtx.tx;
    const original = await findRecordById(tx, ctx.app.db.dialect, collection, id, 'update');
    if (!original) throw new NotFoundError();
    const applied = applyBody(collection, original, body, { isSuperuser: superuser, isNew: false });
    if (!superuser && !(await storedRowSatisfies(ctx, tx, collection, collection.updateRule ?? '', id, applied.resolvedBody))) throw new NotFoundError();
    if (collection.type === 'auth') {
      const authErrors = await validateAuthRecordUpdate(ctx, tx, collection, original, applied, body);
      if (Object.keys(authErrors).length) throw new ValidationError('Failed to update record.', authErrors);
    }
    const errors = await validateRecord(ctx.app, tx, collection, applied, false, original);
    if (Object.keys(errors).length) throw new ValidationError('Failed to update record.', errors);
    touchAutodates(collection, applied.data, false);
    await ctx.app.events.onRecordUpdate.trigger({ collection, record: applied.data, tx }, () => updateRecordRow(ctx.app, tx, collection, applied));
    txCtx.afterCommit.push(() => ctx.app.events.onRecordAfterUpdateSuccess.trigger({ collection, record: applied.data }));
    const [json] = await enrichRecords(ctx, tx, collection, [applied.data], { expand: options.expand });
    return json;
  });
}
