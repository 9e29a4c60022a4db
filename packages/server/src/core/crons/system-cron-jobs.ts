/**
 * The jobs every App schedules (spec §10.3), under PocketBase's ids where the job is the same.
 * PocketBase's `__pbRateLimitersCleanup__` has no counterpart: Basalt's rate-limit and
 * code-attempt counters (tools/fixed-window.ts) sweep their expired windows themselves.
 * @module
 */
import { formatDateTime } from '../../tools/datetime.ts';
import type { App } from '../app.ts';
import { TOTP_MFA_DURATION } from '../auth/mfa.ts';
import { isAuthCollection, type AuthCollectionModel } from '../collections/collection.ts';

/** Ids of the system jobs. */
export const SYSTEM_CRON_JOB_IDS = Object.freeze({
  logsCleanup: '__pbLogsCleanup__',
  otpCleanup: '__pbOTPCleanup__',
  mfaCleanup: '__pbMFACleanup__',
  dbOptimize: '__pbDBOptimize__',
  autoBackup: '__pbAutoBackup__',
});

/** Registers the system jobs on `app.crons` (App's constructor does). */
export function registerSystemCronJobs(app: App): void {
  const ids = SYSTEM_CRON_JOB_IDS;
  app.crons.add({
    id: ids.logsCleanup,
    expression: '0 */6 * * *',
    run: async (now) => {
      await app.logs.purgeExpired(now);
    },
  });
  app.crons.add({
    id: ids.otpCleanup,
    expression: '0 * * * *',
    run: async (now) => {
      await deleteExpiredRows(app, '_otps', now, (c) => c.otp.duration);
    },
  });
  app.crons.add({
    id: ids.mfaCleanup,
    expression: '0 * * * *',
    run: async (now) => {
      // The lifetime findMfaSessionOrThrow (auth/mfa.ts) enforces.
      await deleteExpiredRows(app, '_mfas', now, (c) => (c.mfa.enabled ? c.mfa.duration : TOTP_MFA_DURATION));
    },
  });
  app.crons.add({ id: ids.dbOptimize, expression: '0 0 * * *', run: () => optimizeDatabases(app) });
  // Listed and run only while settings.backups.cron is set; a settings change applies at the next minute.
  app.crons.add({
    id: ids.autoBackup,
    expression: () => app.settings.current.backups.cron,
    run: async (now) => {
      await app.backups.runAutoBackup(now);
    },
  });
}

/**
 * Deletes the rows of `table` (`_otps` or `_mfas`) that expired by `now`: per auth collection,
 * those created `lifetime(collection)` seconds ago or earlier. Expired rows are refused anyway;
 * this keeps the tables from growing.
 */
async function deleteExpiredRows(app: App, table: '_otps' | '_mfas', now: Date, lifetime: (c: AuthCollectionModel) => number): Promise<void> {
  const q = app.db.dialect.quote.bind(app.db.dialect);
  for (const collection of app.collections.all()) {
    if (!isAuthCollection(collection)) continue;
    const expiredAt = formatDateTime(new Date(now.getTime() - lifetime(collection) * 1000));
    await app.db.run(`DELETE FROM ${q(table)} WHERE ${q('collectionRef')} = ? AND ${q('created')} <= ?`, [collection.id, expiredAt]);
  }
}

/** Refreshes planner statistics of the data and request-log databases and checkpoints them. */
async function optimizeDatabases(app: App): Promise<void> {
  for (const db of new Set([app.db, app.logs.store.database])) {
    await db.dialect.optimize(db);
    await db.checkpoint?.();
  }
}
