/**
 * `POST /api/collections/{c}/auth-with-otp` (spec §6.5). An OTP is single-use (its row is deleted
 * on success, conditionally, so two concurrent uses cannot both pass), expires after
 * `otp.duration`, and is deleted after {@link MAX_OTP_FAILURES} wrong codes. More than 5
 * attempts per record and IP in 180 s answer 429.
 * @module
 */
import { verifyPassword } from '../../auth/password.ts';
import { randomString } from '../../tools/ids.ts';
import { countCodeAttempt } from '../auth/attempt-limits.ts';
import { BadRequestError, ForbiddenError, ValidationError, fieldError, type FieldErrors } from '../errors.ts';
import { findRecordById } from '../records/record-finder.ts';
import { reader, type OperationContext } from './context.ts';
import { authCollectionOrThrow, completeAuthentication, mfaIdOf, type AuthResult } from './record-auth.ts';
import { recordUpdate } from './record-update.ts';
import { systemContext } from './superuser-upsert.ts';

/** Wrong codes after which an OTP is discarded, whatever IPs they came from. */
export const MAX_OTP_FAILURES = 5;

const TOO_MANY = 'Too many attempts, please try again later with a new OTP.';
const failures = new WeakMap<object, Map<string, number>>();

export async function recordAuthWithOtp(ctx: OperationContext, collectionIdOrName: string, body: Record<string, unknown>, options: { expand?: string } = {}): Promise<AuthResult> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  if (!collection.otp.enabled) throw new ForbiddenError('The collection is not configured to allow OTP authentication.');
  const errors: FieldErrors = {};
  const otpId = typeof body.otpId === 'string' ? body.otpId : '';
  const password = typeof body.password === 'string' ? body.password : '';
  if (otpId === '') errors.otpId = fieldError('validation_required', 'Cannot be blank.');
  else if (otpId.length > 255) errors.otpId = fieldError('validation_length_out_of_range', 'The length must be between 1 and 255.', { min: 1, max: 255 });
  if (password === '') errors.password = fieldError('validation_required', 'Cannot be blank.');
  else if (password.length > 71) errors.password = fieldError('validation_length_out_of_range', 'The length must be between 1 and 71.', { min: 1, max: 71 });
  if (Object.keys(errors).length) throw new ValidationError('An error occurred while validating the submitted data.', errors);

  const db = ctx.app.db;
  const q = db.dialect.quote.bind(db.dialect);
  const row = await reader(ctx).get<{ id: string; collectionRef: string; recordRef: string; password: string; sentTo: string; created: string }>(
    `SELECT ${['id', 'collectionRef', 'recordRef', 'password', 'sentTo', 'created'].map((c) => `${q(c)} AS ${q(c)}`).join(', ')} FROM ${q('_otps')} WHERE ${q('id')} = ?`,
    [otpId],
  );
  // Counted per code and per record: deleting a guessed-at OTP must not reset its count.
  countCodeAttempt(ctx, `otp-id:${otpId}`, TOO_MANY);
  if (row) countCodeAttempt(ctx, `otp:${row.collectionRef}:${row.recordRef}`, TOO_MANY);
  const created = row ? Date.parse(row.created.replace(' ', 'T')) : NaN;
  const usable = row !== undefined && row.collectionRef === collection.id && Number.isFinite(created) && created + collection.otp.duration * 1000 > ctx.app.now().getTime();
  // The hash is verified in every case (a dummy one when there is no usable row): same work.
  const ok = await verifyPassword(password, usable ? row.password : undefined);
  const invalid = () => new BadRequestError('Invalid or expired OTP');
  if (!usable || !ok) {
    if (usable) noteFailure(ctx, row.id);
    throw invalid();
  }
  const used = await db.run(`DELETE FROM ${q('_otps')} WHERE ${q('id')} = ?`, [row.id]);
  if (used.changes !== 1) throw invalid();
  let record = await findRecordById(reader(ctx), db.dialect, collection, row.recordRef);
  if (!record) throw invalid();
  if (record.verified !== true && row.sentTo !== '' && row.sentTo === record.email) {
    // Mirrors PocketBase: the code proves the mailbox; without MFA the password (perhaps set by
    // whoever pre-registered the address) is replaced by a random one nobody knows.
    const patch: Record<string, unknown> = { verified: true };
    if (!collection.mfa.enabled) {
      const random = randomString(30);
      Object.assign(patch, { password: random, passwordConfirm: random });
    }
    await recordUpdate(systemContext(ctx.app), collection.id, String(record.id), patch);
    record = (await findRecordById(db, db.dialect, collection, row.recordRef)) ?? record;
  }
  return completeAuthentication(ctx, collection, record, 'otp', { mfaId: mfaIdOf(ctx, body), expand: options.expand });
}

function noteFailure(ctx: OperationContext, otpId: string): void {
  let map = failures.get(ctx.app);
  if (!map) failures.set(ctx.app, (map = new Map()));
  const n = (map.get(otpId) ?? 0) + 1;
  if (n < MAX_OTP_FAILURES) {
    map.set(otpId, n);
    return;
  }
  map.delete(otpId);
  const q = ctx.app.db.dialect.quote.bind(ctx.app.db.dialect);
  ctx.app.runInBackground('discard-otp', async () => {
    await ctx.app.db.run(`DELETE FROM ${q('_otps')} WHERE ${q('id')} = ?`, [otpId]);
  });
}
