/**
 * Lists records of a collection (spec §3.2): the list rule filters rows silently, the client
 * filter and sort are compiled to SQL, and pages are counted unless `skipTotal` is set.
 * @module
 */
import type { Row, SqlValue } from '../../storage/types.ts';
import { BadRequestError, ForbiddenError } from '../errors.ts';
import { rowToRecord } from '../records/record.ts';
import { enrichRecords } from '../records/record-enrich.ts';
import { recordColumns } from '../records/record-finder.ts';
import { ROW_ALIAS, compileClientSort, compileRule } from '../records/record-rules.ts';
import { collectionOrThrow, isSuperuser, reader, withCurrentDefinitions, type OperationContext } from './context.ts';

/** Largest page a client can ask for; larger values are clamped (spec §3.2). */
export const MAX_PER_PAGE = 1000;
export const DEFAULT_PER_PAGE = 30;

export interface ListParams {
  page?: string | number;
  perPage?: string | number;
  sort?: string;
  filter?: string;
  expand?: string;
  skipTotal?: string | boolean;
}

export interface ListResult<T> {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: T[];
}

function parseInteger(value: string | number | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : /^[+-]?\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n)) throw new BadRequestError(`Invalid ${name} value.`);
  return n;
}

/** Go's strconv.ParseBool, which PocketBase uses for skipTotal. */
function parseBool(value: string | boolean | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (typeof value === 'boolean') return value;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new BadRequestError('Invalid skipTotal value.');
}

/** Page, perPage and skipTotal as PocketBase reads them. */
export function parsePaging(params: ListParams): { page: number; perPage: number; skipTotal: boolean } {
  let page = parseInteger(params.page, 'page') ?? 1;
  let perPage = parseInteger(params.perPage, 'perPage') ?? DEFAULT_PER_PAGE;
  if (page <= 0) page = 1;
  if (perPage <= 0) perPage = DEFAULT_PER_PAGE;
  if (perPage > MAX_PER_PAGE) perPage = MAX_PER_PAGE;
  return { page, perPage, skipTotal: parseBool(params.skipTotal) };
}

export function recordList(ctx: OperationContext, collectionIdOrName: string, params: ListParams): Promise<ListResult<Record<string, unknown>>> {
  return withCurrentDefinitions(ctx, () => listOnce(ctx, collectionIdOrName, params));
}

async function listOnce(ctx: OperationContext, collectionIdOrName: string, params: ListParams): Promise<ListResult<Record<string, unknown>>> {
  const collection = collectionOrThrow(ctx, collectionIdOrName);
  const superuser = isSuperuser(ctx);
  if (!superuser && collection.listRule === null) throw new ForbiddenError('Only superusers can perform this action.');
  const { page, perPage, skipTotal } = parsePaging(params);
  const dialect = ctx.app.db.dialect;
  const q = dialect.quote.bind(dialect);

  const where: string[] = [];
  const whereParams: SqlValue[] = [];
  if (!superuser && collection.listRule && collection.listRule.trim() !== '') {
    const r = compileRule(ctx, collection, collection.listRule);
    where.push(`(${r.sql})`);
    whereParams.push(...r.params);
  }
  if (params.filter && params.filter.trim() !== '') {
    const f = compileRule(ctx, collection, params.filter, { mode: 'filter' });
    where.push(`(${f.sql})`);
    whereParams.push(...f.params);
  }
  let orderBy = '';
  let orderParams: SqlValue[] = [];
  if (params.sort && params.sort.trim() !== '') {
    const s = compileClientSort(ctx, collection, params.sort);
    // A sort of only commas (`sort=,`) has no keys: no ORDER BY rather than invalid SQL.
    if (s.sql !== '') orderBy = ` ORDER BY ${s.sql}`;
    orderParams = s.params;
  }
  const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const from = `${q(collection.name)} ${ROW_ALIAS}`;
  const db = reader(ctx);
  const rows = await db.all<Row>(`SELECT ${recordColumns(dialect, collection)} FROM ${from}${whereSql}${orderBy} LIMIT ? OFFSET ?`, [
    ...whereParams,
    ...orderParams,
    perPage,
    (page - 1) * perPage,
  ]);
  let totalItems = -1;
  let totalPages = -1;
  if (!skipTotal) {
    const count = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${from}${whereSql}`, whereParams);
    totalItems = Number(count?.n ?? 0);
    totalPages = Math.ceil(totalItems / perPage);
  }
  const records = rows.map((row) => rowToRecord(collection, row));
  const items = await enrichRecords(ctx, db, collection, records, { expand: params.expand });
  return { page, perPage, totalItems, totalPages, items };
}
