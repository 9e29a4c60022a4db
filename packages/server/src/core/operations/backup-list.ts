/**
 * `GET /api/backups` (spec §10.4): the stored backups, newest first. Superusers only.
 * @module
 */
import type { BackupInfo } from '../backups/backup-service.ts';
import { requireSuperuser, type OperationContext } from './context.ts';

export function backupList(ctx: OperationContext): Promise<BackupInfo[]> {
  requireSuperuser(ctx);
  return ctx.app.backups.list();
}
