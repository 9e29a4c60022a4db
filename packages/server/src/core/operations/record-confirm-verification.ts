/**
 * `POST /api/collections/{c}/confirm-verification` (spec §6.9): a valid `verification` token whose
 * `email` claim is still the record's e-mail marks the record verified. Idempotent.
 * @module
 */
import { randomString } from '../../tools/ids.ts';
import { BadRequestError, ValidationError, fieldError } from '../errors.ts';
import type { OperationContext } from './context.ts';
import { SUPERUSERS } from './context.ts';
import { authCollectionOrThrow, verifyRecordToken } from './record-auth.ts';
import { recordUpdate } from './record-update.ts';
import { systemContext } from './superuser-upsert.ts';

export async function recordConfirmVerification(ctx: OperationContext, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  if (collection.name === SUPERUSERS) throw new BadRequestError('All superusers are verified by default.');
  const { record, claims } = await verifyRecordToken(ctx, collection, body.token, 'verification');
  if (typeof claims.email !== 'string' || claims.email !== record.email) {
    throw new ValidationError('An error occurred while validating the submitted data.', { token: fieldError('validation_token_email_mismatch', 'The record email doesn\'t match with the requested token claims.') });
  }
  if (record.verified === true) return;
  const patch: Record<string, unknown> = { verified: true };
  // Mirrors PocketBase: without password auth, a verified account gets a random password nobody knows.
  if (!collection.passwordAuth.enabled) {
    const random = randomString(30);
    Object.assign(patch, { password: random, passwordConfirm: random });
  }
  await recordUpdate({ ...systemContext(ctx.app), tx: ctx.tx, afterCommit: ctx.afterCommit }, collection.id, String(record.id), patch);
}
