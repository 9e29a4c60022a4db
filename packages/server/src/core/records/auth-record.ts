/**
 * Form-level checks of auth records (spec §3.5.5): password confirmation, the old password for
 * non-managers, fields only managers may change, and tokenKey rotation when credentials change
 * (which invalidates every token issued before).
 * @module
 */
import type { Executor } from '../../storage/types.ts';
import { generateFromPattern } from '../../tools/pattern-generator.ts';
import type { CollectionModel } from '../collections/collection.ts';
import { findField } from '../collections/collection.ts';
import { fieldError, type FieldErrors } from '../errors.ts';
import type { OperationContext } from '../operations/context.ts';
import { isSuperuser } from '../operations/context.ts';
import type { RecordData } from './record.ts';
import { storedRowSatisfies, virtualRowSatisfies } from './record-rules.ts';
import type { AppliedBody } from './record-save.ts';

const mismatch = () => fieldError('validation_values_mismatch', "Values don't match.");

function checkPasswordConfirm(applied: AppliedBody, body: Record<string, unknown>, errors: FieldErrors): void {
  const plain = applied.passwords.get('password');
  if (plain === undefined) return;
  const confirm = body.passwordConfirm;
  if (confirm === undefined || confirm === null || confirm === '') errors.passwordConfirm = fieldError('validation_required', 'Cannot be blank.');
  else if (String(confirm) !== plain) errors.passwordConfirm = mismatch();
}

/** Checks on create; `applied` is the record about to be inserted. */
export async function validateAuthRecordCreate(
  ctx: OperationContext,
  tx: Executor,
  collection: CollectionModel,
  applied: AppliedBody,
  body: Record<string, unknown>,
): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  checkPasswordConfirm(applied, body, errors);
  if (applied.data.verified === true && !isSuperuser(ctx) && collection.name !== '_superusers') {
    // Manage access is checked on the virtual row with verified forced off (spec §3.5.5).
    const manage = collection.manageRule;
    const ok = typeof manage === 'string' && manage.trim() !== '' && (await virtualRowSatisfies(ctx, tx, collection, manage, { ...applied.data, verified: false }, applied.resolvedBody));
    if (!ok) errors.verified = mismatch();
  }
  // Auth ids must be unique across every auth collection (spec §1.5).
  const id = String(applied.data.id ?? '');
  if (id) {
    const q = ctx.app.db.dialect.quote.bind(ctx.app.db.dialect);
    for (const other of ctx.app.collections.all()) {
      if (other.type !== 'auth' || other.id === collection.id) continue;
      if (await tx.get(`SELECT 1 AS ok FROM ${q(other.name)} WHERE ${q('id')} = ?`, [id])) {
        errors.id = fieldError('validation_invalid_auth_id', 'Invalid or duplicated auth record id.');
        break;
      }
    }
  }
  return errors;
}

/** True when the requester has manage access to the stored record. */
export async function canManage(ctx: OperationContext, db: Executor, collection: CollectionModel, id: string): Promise<boolean> {
  if (isSuperuser(ctx)) return true;
  const rule = collection.manageRule;
  if (typeof rule !== 'string' || rule.trim() === '' || !ctx.auth) return false;
  return storedRowSatisfies(ctx, db, collection, rule, id);
}

/** Checks on update; rotates tokenKey when the password or email changed. */
export async function validateAuthRecordUpdate(
  ctx: OperationContext,
  tx: Executor,
  collection: CollectionModel,
  original: RecordData,
  applied: AppliedBody,
  body: Record<string, unknown>,
  verifiedOldPasswordHash?: string,
): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const manager = await canManage(ctx, tx, collection, String(original.id));
  if (!manager) {
    if (applied.changed.has('email') && applied.data.email !== original.email) errors.email = mismatch();
    if (applied.changed.has('verified') && applied.data.verified !== original.verified) errors.verified = mismatch();
    if (applied.passwords.has('password')) {
      // The caller checked oldPassword before the transaction; it counts only against the hash
      // that is still stored.
      if (verifiedOldPasswordHash === undefined || verifiedOldPasswordHash !== String(original.password ?? '')) {
        errors.oldPassword = fieldError('validation_invalid_old_password', 'Missing or invalid old password.');
      }
    }
  }
  checkPasswordConfirm(applied, body, errors);
  if (collection.name === '_superusers') applied.data.verified = true;
  if (applied.passwords.has('password') || (applied.changed.has('email') && applied.data.email !== original.email)) {
    const tokenKey = findField(collection, 'tokenKey');
    applied.data.tokenKey = generateFromPattern(String(tokenKey?.autogeneratePattern || '[a-zA-Z0-9]{50}'));
  }
  return errors;
}
