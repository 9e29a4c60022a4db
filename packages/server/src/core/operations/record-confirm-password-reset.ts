/**
 * `POST /api/collections/{c}/confirm-password-reset` (spec §6.10). Setting the password rotates
 * the record's tokenKey, which every token is signed with: the reset token is therefore
 * single-use, and every session of the account ends.
 * @module
 */
import { findField } from '../collections/collection.ts';
import { ValidationError, fieldError, type FieldErrors } from '../errors.ts';
import type { OperationContext } from './context.ts';
import { authCollectionOrThrow, verifyRecordToken } from './record-auth.ts';
import { recordUpdate } from './record-update.ts';
import { systemContext } from './superuser-upsert.ts';

export async function recordConfirmPasswordReset(ctx: OperationContext, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  const errors: FieldErrors = {};
  const password = typeof body.password === 'string' ? body.password : '';
  const min = Math.max(1, Number(findField(collection, 'password')?.min ?? 0) || 0);
  if (password === '') errors.password = fieldError('validation_required', 'Cannot be blank.');
  else if (password.length < min || password.length > 255) errors.password = fieldError('validation_length_out_of_range', `The length must be between ${min} and 255.`, { min, max: 255 });
  if (body.passwordConfirm !== password) errors.passwordConfirm = body.passwordConfirm ? fieldError('validation_values_mismatch', "Values don't match.") : fieldError('validation_required', 'Cannot be blank.');
  let verified;
  try {
    verified = await verifyRecordToken(ctx, collection, body.token, 'passwordReset');
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    Object.assign(errors, err.fields);
  }
  if (Object.keys(errors).length || !verified) throw new ValidationError('An error occurred while validating the submitted data.', errors);
  const { record, claims } = verified;
  const patch: Record<string, unknown> = { password, passwordConfirm: password };
  if (record.verified !== true && typeof claims.email === 'string' && claims.email === record.email) patch.verified = true;
  await recordUpdate({ ...systemContext(ctx.app), tx: ctx.tx, afterCommit: ctx.afterCommit }, collection.id, String(record.id), patch);
}
