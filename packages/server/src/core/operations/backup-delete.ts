/**
 * `DELETE /api/backups/{key}` (spec §10.4). Superusers only; 400 when the backup is missing or in
 * use by a running backup or restore.
 * @module
 */
import { requireSuperuser, type OperationContext } from './context.ts';

export async function backupDelete(ctx: OperationContext, key: string): Promise<void> {
  requireSuperuser(ctx);
  await ctx.app.backups.delete(key);
}
