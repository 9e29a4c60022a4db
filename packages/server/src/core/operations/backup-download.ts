/**
 * `GET /api/backups/{key}?token=` (spec §10.4, §8): streams a backup to the holder of a superuser
 * file token (`POST /api/files/token`). No Authorization header is needed: the token in the
 * query authorises the download, as browsers follow a plain link.
 * @module
 */
import type { Readable } from 'node:stream';
import { isAuthCollection } from '../collections/collection.ts';
import { ForbiddenError } from '../errors.ts';
import { ipInList } from '../settings/rate-limits.ts';
import { SUPERUSERS, type OperationContext } from './context.ts';
import { verifyRecordToken } from './record-auth.ts';

export async function backupDownload(ctx: OperationContext, key: string, token: string | undefined): Promise<{ stream: Readable; size: number }> {
  const denied = (cause?: unknown) => new ForbiddenError('Insufficient permissions to access the resource.', { cause });
  const superusers = ctx.app.collections.find(SUPERUSERS);
  if (!token || !superusers || !isAuthCollection(superusers)) throw denied();
  try {
    await verifyRecordToken(ctx, superusers, token, 'file');
  } catch (err) {
    throw denied(err);
  }
  // The token stands in for the superuser's session, so the network restriction applies too.
  const allowed = ctx.app.settings.current.superuserIPs;
  if (allowed.length > 0 && !ipInList(ctx.ip, allowed)) throw denied();
  return ctx.app.backups.read(key);
}
