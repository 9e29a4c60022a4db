/**
 * Creates a record (spec §3.5). The create rule is evaluated against a virtual row built from
 * the submitted values, inside the same transaction as the insert, so what the rule saw is what
 * gets written.
 * @module
 */
import { BadRequestError, ForbiddenError, ValidationError, fieldError, type FieldErrors } from '../errors.ts';
import { enrichRecords } from '../records/record-enrich.ts';
import { findRecordById } from '../records/record-finder.ts';
import { virtualRowSatisfies } from '../records/record-rules.ts';
import { prepareUploads, saveRecordFiles, type RecordUploads } from '../records/record-files.ts';
import { applyBody, fillGenerated, insertRecord, newRecordData, prehashPasswords, touchAutodates, validateRecord } from '../records/record-save.ts';
import { validateAuthRecordCreate } from '../records/auth-record.ts';
import type { CollectionModel } from '../collections/collection.ts';
import { collectionForWrite, collectionOrThrow, inTransaction, isSuperuser, type OperationContext } from './context.ts';
import { recheckSetupToken, withSetupToken } from './superuser-setup.ts';

export interface WriteOptions {
  expand?: string;
  /** Uploaded files by body key (`documents`, `documents+`, `+documents`), spec §3.5.4. */
  files?: RecordUploads;
}

/** The checks of a create that need no data (spec §3.5 steps 1–4). */
function checkCreatable(ctx: OperationContext, collection: CollectionModel): CollectionModel {
  if (collection.type === 'view') throw new BadRequestError('Unsupported collection type.');
  if (!isSuperuser(ctx) && collection.createRule === null) throw new ForbiddenError('Only superusers can perform this action.');
  return collection;
}

export async function recordCreate(ctx: OperationContext, collectionIdOrName: string, body: Record<string, unknown>, options: WriteOptions = {}): Promise<Record<string, unknown>> {
  // The first superuser may be created with the first-run setup token (superuser-setup.ts).
  ctx = await withSetupToken(ctx, collectionIdOrName);
  const outer = checkCreatable(ctx, collectionOrThrow(ctx, collectionIdOrName));
  const prehashed = await prehashPasswords(outer, body);
  const superuser = isSuperuser(ctx);
  // Sniffing reads each upload: done before the transaction, which on SQLite holds the writer.
  const uploads = await prepareUploads(outer, options.files);

  return inTransaction(ctx, async (txCtx) => {
    const tx = txCtx.tx;
    await recheckSetupToken(txCtx);
    // Resolved again under the transaction: a schema change that committed while this request
    // waited for the writer must be seen (see CollectionStore.apply).
    const collection = checkCreatable(ctx, await collectionForWrite(txCtx, collectionIdOrName));
    const base = newRecordData(collection);
    const applied = applyBody(collection, base, body, { isSuperuser: superuser, isNew: true, uploads });
    fillGenerated(collection, applied.data);
    touchAutodates(collection, applied.data, true);
    if (collection.name === '_superusers') applied.data.verified = true;

    if (!superuser && collection.createRule && collection.createRule.trim() !== '') {
      const ok = await virtualRowSatisfies(ctx, tx, collection, collection.createRule, applied.data, applied.resolvedBody);
      if (!ok) throw new BadRequestError('Failed to create record.');
    }
    if (collection.type === 'auth') {
      const authErrors = await validateAuthRecordCreate(ctx, tx, collection, applied, body);
      if (Object.keys(authErrors).length) throw new ValidationError('Failed to create record.', authErrors);
    }
    const errors: FieldErrors = await validateRecord(ctx.app, tx, collection, applied, true);
    // Only a client-chosen id can collide in practice; generated ids skip the lookup (a collision
    // would still be caught by the primary key).
    if (!errors.id && applied.changed.has('id') && (await findRecordById(tx, ctx.app.db.dialect, collection, applied.data.id))) {
      errors.id = fieldError('validation_pk_invalid', 'The record primary key is invalid or already exists.');
    }
    if (Object.keys(errors).length) throw new ValidationError('Failed to create record.', errors);
    await saveRecordFiles(ctx.app, txCtx, collection, applied.data, applied.newFiles);
    await ctx.app.events.onRecordCreate.trigger({ collection, record: applied.data, tx }, () => insertRecord(ctx.app, tx, collection, applied, prehashed));
    txCtx.afterCommit.push(() => ctx.app.events.onRecordAfterCreateSuccess.trigger({ collection, record: applied.data }));
    const [json] = await enrichRecords(ctx, tx, collection, [applied.data], { expand: options.expand });
    return json;
  });
}
