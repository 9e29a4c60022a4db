/**
 * `POST /api/collections/{c}/request-verification` (spec §6.9). The answer is 204 for every
 * valid body: the account lookup, token and mail run after the response, so neither the status,
 * the body nor the response time tells whether the address has an account.
 * @module
 */
import { BadRequestError } from '../errors.ts';
import { claimResendSlot, emailFromBody, findAuthRecordByEmail, sendRecordMail } from '../mail/record-mail.ts';
import type { OperationContext } from './context.ts';
import { SUPERUSERS } from './context.ts';
import { authCollectionOrThrow, newRecordToken } from './record-auth.ts';

export async function recordRequestVerification(ctx: OperationContext, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  if (collection.name === SUPERUSERS) throw new BadRequestError('All superusers are verified by default.');
  const email = emailFromBody(body);
  const app = ctx.app;
  app.runInBackground('request-verification', async () => {
    const record = await findAuthRecordByEmail(app, app.db, collection, email);
    if (!record || record.verified === true) return;
    if (!claimResendSlot(app, 'verification', collection, String(record.id))) return;
    const token = await newRecordToken(app, collection, record, 'verification', { email: record.email });
    await sendRecordMail(app, collection, record, collection.verificationTemplate, { TOKEN: token });
  });
}
