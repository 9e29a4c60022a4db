/**
 * New-location alerts (spec §6.1 step 5): each sign-in's device fingerprint
 * (md5 of IP + user agent) is kept in `_authOrigins`, at most {@link MAX_ORIGINS} per record.
 * A fingerprint the record has not used before, on a record that already has origins, sends
 * the collection's `authAlert` mail. Runs after the response; failures are only logged.
 * @module
 */
import { createHash } from 'node:crypto';
import type { AuthCollectionModel } from '../collections/collection.ts';
import { ValidationError } from '../errors.ts';
import { sendRecordMail } from '../mail/record-mail.ts';
import type { OperationContext } from '../operations/context.ts';
import { recordCreate } from '../operations/record-create.ts';
import { recordDelete } from '../operations/record-delete.ts';
import { systemContext } from '../operations/superuser-upsert.ts';
import type { RecordData } from '../records/record.ts';
import { formatDateTime } from '../../tools/datetime.ts';

/** Origins kept per record; the least recently used go first. */
export const MAX_ORIGINS = 5;

const AUTH_ORIGINS = '_authOrigins';

/** The device fingerprint of a request, as PocketBase computes it. */
export function authFingerprint(ip: string, userAgent: string): string {
  return createHash('md5').update(ip + userAgent.slice(0, 200), 'utf8').digest('hex');
}

/** Records the origin of a completed sign-in and alerts on a new one, in the background. */
export function noteAuthOrigin(ctx: OperationContext, collection: AuthCollectionModel, record: RecordData): void {
  const userAgent = ctx.headers.user_agent ?? '';
  const fingerprint = authFingerprint(ctx.ip, userAgent);
  const app = ctx.app;
  app.runInBackground('auth origin', async () => {
    const d = app.db.dialect;
    const q = d.quote.bind(d);
    const recordId = String(record.id);
    const origins = await app.db.all<{ id: string; fingerprint: string }>(
      `SELECT ${q('id')} AS id, ${q('fingerprint')} AS fingerprint FROM ${q(AUTH_ORIGINS)} WHERE ${q('collectionRef')} = ? AND ${q('recordRef')} = ? ORDER BY ${q('updated')} DESC, ${q('id')}`,
      [collection.id, recordId],
    );
    const known = origins.find((o) => o.fingerprint === fingerprint);
    if (known) {
      await app.db.run(`UPDATE ${q(AUTH_ORIGINS)} SET ${q('updated')} = ? WHERE ${q('id')} = ?`, [formatDateTime(app.now()), known.id]);
      return;
    }
    const system = systemContext(app);
    try {
      await recordCreate(system, AUTH_ORIGINS, { collectionRef: collection.id, recordRef: recordId, fingerprint });
    } catch (err) {
      // A concurrent sign-in from the same device stored it first: not new any more.
      if (err instanceof ValidationError) return;
      throw err;
    }
    for (const stale of origins.slice(MAX_ORIGINS - 1)) await recordDelete(system, AUTH_ORIGINS, stale.id);
    if (origins.length === 0 || !collection.authAlert?.enabled || typeof record.email !== 'string' || record.email === '') return;
    const info = `${userAgent.slice(0, 200) || 'Unknown device'} (IP ${ctx.ip})`;
    await sendRecordMail(app, collection, record, collection.authAlert.emailTemplate, { ALERT_INFO: info });
  });
}
