/**
 * `POST /api/collections/{c}/confirm-email-change` (spec §6.11): a valid `emailChange` token and
 * the account's current password move it to the new address and mark it verified. Changing the
 * e-mail rotates tokenKey, so the token is single-use and old sessions end.
 * @module
 */
import { verifyPassword } from '../../auth/password.ts';
import { BadRequestError, ValidationError, fieldError, type FieldErrors } from '../errors.ts';
import { findAuthRecordByEmail } from '../mail/record-mail.ts';
import { reader, SUPERUSERS, type OperationContext } from './context.ts';
import { authCollectionOrThrow, verifyRecordToken } from './record-auth.ts';
import { recordUpdate } from './record-update.ts';
import { systemContext } from './superuser-upsert.ts';

export async function recordConfirmEmailChange(ctx: OperationContext, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  if (collection.name === SUPERUSERS) throw new BadRequestError('All superusers can change their emails directly.');
  const fail = (errors: FieldErrors) => new ValidationError('An error occurred while validating the submitted data.', errors);
  const password = typeof body.password === 'string' ? body.password : '';
  if (password === '') {
    const errors: FieldErrors = { password: fieldError('validation_required', 'Cannot be blank.') };
    if (typeof body.token !== 'string' || body.token === '') errors.token = fieldError('validation_required', 'Cannot be blank.');
    throw fail(errors);
  }
  const { record, claims } = await verifyRecordToken(ctx, collection, body.token, 'emailChange');
  const newEmail = claims.newEmail;
  if (typeof newEmail !== 'string' || newEmail === '' || claims.email !== record.email) throw fail({ token: fieldError('validation_invalid_token_payload', 'Invalid token payload - newEmail must be set.') });
  if (await findAuthRecordByEmail(ctx.app, reader(ctx), collection, newEmail)) throw fail({ token: fieldError('validation_invalid_token_email', 'The new email address is already in use.') });
  if (!(await verifyPassword(password, String(record.password ?? '')))) throw fail({ password: fieldError('validation_invalid_password', 'Missing or invalid auth record password.') });
  await recordUpdate({ ...systemContext(ctx.app), tx: ctx.tx, afterCommit: ctx.afterCommit }, collection.id, String(record.id), { email: newEmail, verified: true });
}
