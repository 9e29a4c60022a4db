/**
 * Log entries counted per hour (spec §10.2, `GET /api/logs/stats`): superusers only; the
 * optional filter is the one `GET /api/logs` takes.
 * @module
 */
import { compileLogFilter } from '../logs/log-filter.ts';
import { requireSuperuser, type OperationContext } from './context.ts';

export async function logStats(ctx: OperationContext, filter: string | undefined): Promise<Array<{ total: number; date: string }>> {
  requireSuperuser(ctx);
  const where = compileLogFilter(filter, ctx.app.logs.store.database.dialect, ctx.app.now());
  await ctx.app.logs.flush();
  return ctx.app.logs.store.stats(where);
}
