/**
 * Lists request and app log entries (spec §10.2, `GET /api/logs`): superusers only, with the
 * paging, filter and sort parameters of record lists.
 * @module
 */
import { compileLogFilter, compileLogSort } from '../logs/log-filter.ts';
import type { LogEntry } from '../logs/log-store.ts';
import { requireSuperuser, type OperationContext } from './context.ts';
import { parsePaging, type ListParams, type ListResult } from './record-list.ts';

export async function logList(ctx: OperationContext, params: Omit<ListParams, 'expand'>): Promise<ListResult<LogEntry>> {
  requireSuperuser(ctx);
  const { page, perPage, skipTotal } = parsePaging(params);
  const store = ctx.app.logs.store;
  const dialect = store.database.dialect;
  const now = ctx.app.now();
  const where = compileLogFilter(params.filter, dialect, now);
  const orderBy = compileLogSort(params.sort, dialect, now);
  // Read-your-writes on this node: entries still buffered in memory are written first.
  await ctx.app.logs.flush();
  const items = await store.list({ where, orderBy, limit: perPage, offset: (page - 1) * perPage });
  if (skipTotal) return { page, perPage, totalItems: -1, totalPages: -1, items };
  const totalItems = await store.count(where);
  return { page, perPage, totalItems, totalPages: Math.ceil(totalItems / perPage), items };
}
