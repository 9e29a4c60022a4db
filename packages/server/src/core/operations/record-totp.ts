/**
 * Authenticator apps (TOTP, RFC 6238) as a second factor, beyond PocketBase. A signed-in record
 * enrols (gets a secret and an `otpauth://` URI), confirms with a first code (gets 10 single-use
 * recovery codes, shown once and stored as SHA-256 digests), and may disable it with a code.
 * From then on each sign-in needs two factors, one of them `auth-with-totp` (see core/auth/mfa.ts).
 * @module
 */
import { findRecoveryCode, newRecoveryCode, RECOVERY_CODE_COUNT, sha256Hex } from '../../auth/secrets.ts';
import { newTotpSecret, totpUri, verifyTotp } from '../../auth/totp.ts';
import { clearCodeAttempts, countCodeAttempt } from '../auth/attempt-limits.ts';
import { findMfaSessionOrThrow } from '../auth/mfa.ts';
import { consumeTotp, deleteTotp, findTotp, findTotpState, hasConfirmedTotp, saveTotp, type StoredTotpEnrolment } from '../auth/totp-store.ts';
import type { AuthCollectionModel } from '../collections/collection.ts';
import { BadRequestError, ForbiddenError, UnauthorizedError, ValidationError, fieldError } from '../errors.ts';
import { findRecordById } from '../records/record-finder.ts';
import type { RecordData } from '../records/record.ts';
import { reader, type OperationContext } from './context.ts';
import { authCollectionOrThrow, completeAuthentication, type AuthResult } from './record-auth.ts';

const TOO_MANY = 'Too many attempts, please try again later.';

function ownRecordOrThrow(ctx: OperationContext, collectionIdOrName: string): { collection: AuthCollectionModel; record: RecordData } {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  if (!ctx.auth) throw new UnauthorizedError('The request requires valid record authorization token.');
  if (ctx.auth.collection.id !== collection.id) throw new ForbiddenError(`The request requires auth record from ${collection.name} collection.`);
  return { collection, record: ctx.auth.record };
}

const invalidCode = (key = 'code') => new ValidationError('An error occurred while validating the submitted data.', { [key]: fieldError('validation_invalid_code', 'Invalid or expired code.') });

/**
 * Checks a TOTP `code` or a `recoveryCode` against an enrolment and records its use (the step,
 * or the removal of the recovery code). Returns false when neither matches.
 */
async function useCode(ctx: OperationContext, collection: AuthCollectionModel, recordId: string, e: StoredTotpEnrolment, body: Record<string, unknown>): Promise<boolean> {
  const ok = await checkCode(ctx, collection, recordId, e, body);
  if (ok) clearCodeAttempts(ctx, `totp:${collection.id}:${recordId}`);
  return ok;
}

async function checkCode(ctx: OperationContext, collection: AuthCollectionModel, recordId: string, e: StoredTotpEnrolment, body: Record<string, unknown>): Promise<boolean> {
  const db = ctx.app.db;
  countCodeAttempt(ctx, `totp:${collection.id}:${recordId}`, TOO_MANY);
  if (typeof body.code === 'string' && body.code !== '') {
    const step = verifyTotp(e.secret, body.code.replace(/\s/g, ''), ctx.app.now(), e.lastStep);
    return step !== undefined && (await consumeTotp(db, db.dialect, ctx.app.secrets, collection.id, recordId, e, { lastStep: step, recoveryCodes: e.recoveryCodes }));
  }
  if (typeof body.recoveryCode === 'string' && body.recoveryCode !== '') {
    const i = findRecoveryCode(body.recoveryCode, e.recoveryCodes);
    if (i === -1) return false;
    return consumeTotp(db, db.dialect, ctx.app.secrets, collection.id, recordId, e, { lastStep: e.lastStep, recoveryCodes: e.recoveryCodes.filter((_, j) => j !== i) });
  }
  return false;
}

/** `GET …/totp`: whether the signed-in record has an authenticator app, and recovery codes left. */
export async function recordTotpStatus(ctx: OperationContext, collectionIdOrName: string): Promise<{ enabled: boolean; recoveryCodesLeft: number }> {
  const { collection, record } = ownRecordOrThrow(ctx, collectionIdOrName);
  // The secret is not opened: the status needs no key, and shows even while the key is missing or wrong.
  const e = await findTotpState(reader(ctx), ctx.app.db.dialect, collection.id, String(record.id));
  return { enabled: e?.confirmed === true, recoveryCodesLeft: e?.confirmed ? e.recoveryCodes.length : 0 };
}

/** `POST …/totp/enroll`: a new pending secret (replacing a pending one); 400 when one is confirmed. */
export async function recordTotpEnroll(ctx: OperationContext, collectionIdOrName: string): Promise<{ secret: string; otpauthURL: string }> {
  const { collection, record } = ownRecordOrThrow(ctx, collectionIdOrName);
  const db = ctx.app.db;
  if (await hasConfirmedTotp(db, db.dialect, collection.id, String(record.id))) throw new BadRequestError('An authenticator app is already enrolled; disable it first.');
  const secret = newTotpSecret();
  await saveTotp(db, db.dialect, ctx.app.secrets, collection.id, String(record.id), { secret, confirmed: false, recoveryCodes: [], lastStep: -1 });
  return { secret, otpauthURL: totpUri(secret, ctx.app.settings.current.meta.appName, String(record.email ?? record.id)) };
}

/** `POST …/totp/confirm` `{code}`: activates the pending secret; returns the recovery codes once. */
export async function recordTotpConfirm(ctx: OperationContext, collectionIdOrName: string, body: Record<string, unknown>): Promise<{ recoveryCodes: string[] }> {
  const { collection, record } = ownRecordOrThrow(ctx, collectionIdOrName);
  const db = ctx.app.db;
  const e = await findTotp(db, db.dialect, ctx.app.secrets, collection.id, String(record.id));
  if (!e || e.confirmed) throw new BadRequestError('There is no pending authenticator app enrolment.');
  if (!(await useCode(ctx, collection, String(record.id), e, { code: body.code }))) throw invalidCode();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const after = (await findTotp(db, db.dialect, ctx.app.secrets, collection.id, String(record.id)))!;
  await saveTotp(db, db.dialect, ctx.app.secrets, collection.id, String(record.id), { ...after, confirmed: true, recoveryCodes: codes.map(sha256Hex) });
  return { recoveryCodes: codes };
}

/** `POST …/totp/disable` `{code}` or `{recoveryCode}`: removes the authenticator app. */
export async function recordTotpDisable(ctx: OperationContext, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const { collection, record } = ownRecordOrThrow(ctx, collectionIdOrName);
  const db = ctx.app.db;
  const e = await findTotp(db, db.dialect, ctx.app.secrets, collection.id, String(record.id));
  if (!e?.confirmed) throw new BadRequestError('No authenticator app is enrolled.');
  if (!(await useCode(ctx, collection, String(record.id), e, body))) throw invalidCode();
  await deleteTotp(db, db.dialect, collection.id, String(record.id));
}

/**
 * `POST …/auth-with-totp` `{mfaId, code}` or `{mfaId, recoveryCode}`: the second factor of a
 * sign-in whose first factor answered 401 `{mfaId}`.
 */
export async function recordAuthWithTotp(ctx: OperationContext, collectionIdOrName: string, body: Record<string, unknown>, options: { expand?: string } = {}): Promise<AuthResult> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  const mfaId = typeof body.mfaId === 'string' && body.mfaId !== '' ? body.mfaId : ctx.query.mfaId;
  if (!mfaId) throw new ValidationError('An error occurred while validating the submitted data.', { mfaId: fieldError('validation_required', 'Cannot be blank.') });
  const session = await findMfaSessionOrThrow(ctx, collection, mfaId);
  if (session.collectionRef !== collection.id) throw new BadRequestError('Invalid MFA session.');
  const db = ctx.app.db;
  const e = await findTotp(db, db.dialect, ctx.app.secrets, collection.id, session.recordRef);
  if (!e?.confirmed) throw new BadRequestError('No authenticator app is enrolled.');
  if (!(await useCode(ctx, collection, session.recordRef, e, body))) throw invalidCode(typeof body.recoveryCode === 'string' && body.recoveryCode ? 'recoveryCode' : 'code');
  const record = await findRecordById(reader(ctx), db.dialect, collection, session.recordRef);
  if (!record) throw new BadRequestError('Invalid MFA session.');
  return completeAuthentication(ctx, collection, record, 'totp', { mfaId, expand: options.expand });
}
