/**
 * `POST /api/collections/{c}/request-password-reset` (spec §6.10). 204 for every valid body; the
 * lookup, token and mail run after the response (no account enumeration, by status or time).
 * @module
 */
import { BadRequestError } from '../errors.ts';
import { claimResendSlot, emailFromBody, findAuthRecordByEmail, sendRecordMail } from '../mail/record-mail.ts';
import type { OperationContext } from './context.ts';
import { authCollectionOrThrow, newRecordToken } from './record-auth.ts';

export async function recordRequestPasswordReset(ctx: OperationContext, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  if (!collection.passwordAuth.enabled) throw new BadRequestError('The collection is not configured to allow password authentication.');
  const email = emailFromBody(body);
  const app = ctx.app;
  app.runInBackground('request-password-reset', async () => {
    const record = await findAuthRecordByEmail(app, app.db, collection, email);
    if (!record) return;
    if (!claimResendSlot(app, 'passwordReset', collection, String(record.id))) return;
    const token = await newRecordToken(app, collection, record, 'passwordReset', { email: record.email });
    await sendRecordMail(app, collection, record, collection.resetPasswordTemplate, { TOKEN: token });
  });
}
