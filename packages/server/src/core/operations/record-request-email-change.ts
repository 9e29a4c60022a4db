/**
 * `POST /api/collections/{c}/request-email-change` (spec §6.11): the signed-in record asks to
 * move to `newEmail`; the confirmation link goes to the new address.
 * @module
 */
import { BadRequestError, ForbiddenError, UnauthorizedError, ValidationError, fieldError } from '../errors.ts';
import { emailFromBody, findAuthRecordByEmail, sendRecordMail } from '../mail/record-mail.ts';
import { findRecordById } from '../records/record-finder.ts';
import { reader, SUPERUSERS, type OperationContext } from './context.ts';
import { authCollectionOrThrow, newRecordToken } from './record-auth.ts';

export async function recordRequestEmailChange(ctx: OperationContext, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  if (!ctx.auth) throw new UnauthorizedError('The request requires valid record authorization token.');
  if (ctx.auth.collection.id !== collection.id) throw new ForbiddenError(`The request requires auth record from ${collection.name} collection.`);
  if (collection.name === SUPERUSERS) throw new BadRequestError('All superusers can change their emails directly.');
  const newEmail = emailFromBody(body, 'newEmail');
  const record = await findRecordById(reader(ctx), ctx.app.db.dialect, collection, ctx.auth.record.id);
  if (!record) throw new UnauthorizedError('The request requires valid record authorization token.');
  const invalid = (code: string, message: string) => new ValidationError('An error occurred while validating the submitted data.', { newEmail: fieldError(code, message) });
  if (String(record.email).toLowerCase() === newEmail.toLowerCase()) throw invalid('validation_not_in_invalid', 'Must be a different value.');
  if (await findAuthRecordByEmail(ctx.app, reader(ctx), collection, newEmail)) throw invalid('validation_invalid_new_email', 'Invalid new email address.');
  const token = await newRecordToken(ctx.app, collection, record, 'emailChange', { email: record.email, newEmail });
  try {
    await sendRecordMail(ctx.app, collection, record, collection.confirmEmailChangeTemplate, { TOKEN: token }, newEmail);
  } catch (err) {
    throw new BadRequestError('Failed to send email change confirmation.', { cause: err });
  }
}
