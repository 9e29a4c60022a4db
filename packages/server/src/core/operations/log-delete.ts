/**
 * Deletes every log entry (spec §10.2, `DELETE /api/logs`, SDK `pb.logs.truncate()`):
 * superusers only.
 * @module
 */
import { requireSuperuser, type OperationContext } from './context.ts';

export async function logDelete(ctx: OperationContext): Promise<void> {
  requireSuperuser(ctx);
  await ctx.app.logs.clear();
}
