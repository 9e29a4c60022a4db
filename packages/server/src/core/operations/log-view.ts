/**
 * One log entry by id (spec §10.2, `GET /api/logs/{id}`): superusers only; 404 when missing.
 * @module
 */
import { NotFoundError } from '../errors.ts';
import type { LogEntry } from '../logs/log-store.ts';
import { requireSuperuser, type OperationContext } from './context.ts';

export async function logView(ctx: OperationContext, id: string): Promise<LogEntry> {
  requireSuperuser(ctx);
  await ctx.app.logs.flush();
  const entry = id.length <= 100 ? await ctx.app.logs.store.findById(id) : undefined;
  if (!entry) throw new NotFoundError();
  return entry;
}
