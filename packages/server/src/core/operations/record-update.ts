/**
 * Updates a record (spec §3.6): modifiers resolve against the stored values, then the update rule
 * is checked against the stored row with `@request.body` holding the submitted values.
 * @module
 */
import { verifyPassword } from '../../auth/password.ts';
import { BadRequestError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { validateAuthRecordUpdate } from '../records/auth-record.ts';
import { enrichRecords } from '../records/record-enrich.ts';
import { findRecordById } from '../records/record-finder.ts';
import { storedRowSatisfies } from '../records/record-rules.ts';
import { prepareUploads, saveRecordFiles } from '../records/record-files.ts';
import { applyBody, prehashPasswords, touchAutodates, updateRecordRow, validateRecord } from '../records/record-save.ts';
import type { CollectionModel } from '../collections/collection.ts';
import { collectionForWrite, collectionOrThrow, inTransaction, isSuperuser, reader, type OperationContext } from './context.ts';
import type { WriteOptions } from './record-create.ts';

/** The checks of an update that need no data (spec §3.6). */
function checkUpdatable(ctx: OperationContext, collection: CollectionModel): CollectionModel {
  if (collection.type === 'view') throw new BadRequestError('Unsupported collection type.');
  if (!isSuperuser(ctx) && collection.updateRule === null) throw new ForbiddenError('Only superusers can perform this action.');
  return collection;
}

export async function recordUpdate(
  ctx: OperationContext,
  collectionIdOrName: string,
  id: string,
  body: Record<string, unknown>,
  options: WriteOptions = {},
): Promise<Record<string, unknown>> {
  const outer = checkUpdatable(ctx, collectionOrThrow(ctx, collectionIdOrName));
  const superuser = isSuperuser(ctx);
  // Slow password work happens before the transaction (it would hold the writer lock): hashing
  // the new password, and checking the old one against the hash stored now. Inside, the old
  // password only counts if that hash is still the stored one.
  const prehashed = await prehashPasswords(outer, body);
  const uploads = await prepareUploads(outer, options.files);
  let verifiedOldPasswordHash: string | undefined;
  if (outer.type === 'auth' && typeof body.password === 'string' && typeof body.oldPassword === 'string' && body.oldPassword !== '') {
    const current = await findRecordById(reader(ctx), ctx.app.db.dialect, outer, id);
    const hash = String(current?.password ?? '');
    if (current && (await verifyPassword(body.oldPassword, hash))) verifiedOldPasswordHash = hash;
  }

  return inTransaction(ctx, async (txCtx) => {
    const tx = txCtx.tx;
    const collection = checkUpdatable(ctx, await collectionForWrite(txCtx, collectionIdOrName));
    const original = await findRecordById(tx, ctx.app.db.dialect, collection, id, 'update');
    if (!original) throw new NotFoundError();
    const applied = applyBody(collection, original, body, { isSuperuser: superuser, isNew: false, uploads });
    if (!superuser && !(await storedRowSatisfies(ctx, tx, collection, collection.updateRule ?? '', id, applied.resolvedBody))) throw new NotFoundError();
    if (collection.type === 'auth') {
      const authErrors = await validateAuthRecordUpdate(ctx, tx, collection, original, applied, body, verifiedOldPasswordHash);
      if (Object.keys(authErrors).length) throw new ValidationError('Failed to update record.', authErrors);
    }
    const errors = await validateRecord(ctx.app, tx, collection, applied, false, original);
    if (Object.keys(errors).length) throw new ValidationError('Failed to update record.', errors);
    touchAutodates(collection, applied.data, false);
    await saveRecordFiles(ctx.app, txCtx, collection, applied.data, applied.newFiles, original);
    await ctx.app.events.onRecordUpdate.trigger({ collection, record: applied.data, tx }, () => updateRecordRow(ctx.app, tx, collection, applied, prehashed));
    txCtx.afterCommit.push(() => ctx.app.events.onRecordAfterUpdateSuccess.trigger({ collection, record: applied.data }));
    const [json] = await enrichRecords(ctx, tx, collection, [applied.data], { expand: options.expand });
    return json;
  });
}
