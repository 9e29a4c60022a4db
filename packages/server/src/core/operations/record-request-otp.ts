/**
 * `POST /api/collections/{c}/request-otp` (spec §6.5). Always 200 `{otpId}`: the id is drawn
 * before the account is looked up, and the lookup, the `_otps` row (hashed code) and the mail
 * happen after the response, so an unknown address is indistinguishable from a known one.
 * @module
 */
import { hashPassword } from '../../auth/password.ts';
import { randomDigits } from '../../auth/secrets.ts';
import { formatDateTime } from '../../tools/datetime.ts';
import { newRecordId } from '../../tools/ids.ts';
import { ForbiddenError } from '../errors.ts';
import { emailFromBody, findAuthRecordByEmail, sendRecordMail } from '../mail/record-mail.ts';
import type { OperationContext } from './context.ts';
import { authCollectionOrThrow } from './record-auth.ts';

/** Unexpired OTPs a record may hold; past it, requests send nothing (PocketBase: more than 9). */
export const MAX_ACTIVE_OTPS = 9;

export async function recordRequestOtp(ctx: OperationContext, collectionIdOrName: string, body: Record<string, unknown>): Promise<{ otpId: string }> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  if (!collection.otp.enabled) throw new ForbiddenError('The collection is not configured to allow OTP authentication.');
  const email = emailFromBody(body);
  const otpId = newRecordId();
  const app = ctx.app;
  app.runInBackground('request-otp', async () => {
    const record = await findAuthRecordByEmail(app, app.db, collection, email);
    if (!record) return;
    const q = app.db.dialect.quote.bind(app.db.dialect);
    const now = app.now();
    const since = formatDateTime(new Date(now.getTime() - collection.otp.duration * 1000));
    const active = await app.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${q('_otps')} WHERE ${q('collectionRef')} = ? AND ${q('recordRef')} = ? AND ${q('created')} > ?`, [collection.id, String(record.id), since]);
    // Deviation from PocketBase, which re-sends the newest code: ours is hashed, so nothing is sent.
    if (Number(active?.n ?? 0) > MAX_ACTIVE_OTPS) return;
    const code = randomDigits(Math.min(Math.max(collection.otp.length || 8, 4), 32));
    const created = formatDateTime(now);
    await app.db.run(`INSERT INTO ${q('_otps')} (${['id', 'collectionRef', 'recordRef', 'password', 'sentTo', 'created', 'updated'].map(q).join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      otpId,
      collection.id,
      String(record.id),
      await hashPassword(code),
      String(record.email),
      created,
      created,
    ]);
    await sendRecordMail(app, collection, record, collection.otp.emailTemplate, { OTP: code, OTP_ID: otpId });
  });
  return { otpId };
}
