/**
 * `POST /api/backups/{key}/restore` (spec §10.4). Superusers only; 400 when the backup is missing
 * or not a valid archive, and while another backup or restore runs.
 *
 * Note: PocketBase answers 204 at once and restarts the process about a second later. Basalt
 * restores in place (BackupService.restoreFile) and answers once the restore is complete, so a
 * client that gets the 204 already reads the restored data, and a broken archive gets its 400.
 * @module
 */
import { requireSuperuser, type OperationContext } from './context.ts';

export async function backupRestore(ctx: OperationContext, key: string): Promise<void> {
  requireSuperuser(ctx);
  await ctx.app.backups.restore(key);
}
