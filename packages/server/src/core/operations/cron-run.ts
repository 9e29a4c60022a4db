/**
 * `POST /api/crons/{id}` (spec §10.3): starts a job now and returns without waiting for it (as
 * PocketBase does). Superusers only; 404 `Missing or invalid cron job.` for an unknown id.
 *
 * Note: a job whose previous run is still going is not started again; the answer is the same
 * 204 (the skip is logged at debug level).
 * @module
 */
import { requireSuperuser, type OperationContext } from './context.ts';

export function cronRun(ctx: OperationContext, id: string): void {
  requireSuperuser(ctx);
  ctx.app.crons.run(id);
}
