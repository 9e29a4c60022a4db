/**
 * `GET /api/crons` (spec §10.3): the scheduled jobs, others sorted by id, then system jobs.
 * Superusers only.
 * @module
 */
import type { CronJobInfo } from '../crons/cron-scheduler.ts';
import { requireSuperuser, type OperationContext } from './context.ts';

export function cronList(ctx: OperationContext): CronJobInfo[] {
  requireSuperuser(ctx);
  return ctx.app.crons.list();
}
