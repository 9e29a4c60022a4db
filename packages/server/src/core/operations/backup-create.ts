/**
 * `POST /api/backups` (spec §10.4): makes a backup of the database and the stored files, and
 * resolves once it is stored. Superusers only; 400 for an invalid or taken name and while another
 * backup or restore runs.
 * @module
 */
import { ValidationError, fieldError } from '../errors.ts';
import { requireSuperuser, type OperationContext } from './context.ts';

export async function backupCreate(ctx: OperationContext, body: { name?: unknown }): Promise<string> {
  requireSuperuser(ctx);
  const name = body.name ?? '';
  if (typeof name !== 'string') throw new ValidationError('An error occurred while validating the submitted data.', { name: fieldError('validation_invalid_value', 'Invalid value.') });
  return ctx.app.backups.create(name);
}
