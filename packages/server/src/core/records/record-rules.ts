/**
 * Evaluating access rules in SQL: as a WHERE fragment for lists, against a stored row
 * (view/update/delete/manage), or against a virtual row built from submitted values (create).
 * Rules are always evaluated by the database, so one compiler serves every path.
 * @module
 */
import { LruCache } from '../../tools/lru-cache.ts';
import type { Executor, SqlValue } from '../../storage/types.ts';
import type { CollectionModel } from '../collections/collection.ts';
import type { OperationContext } from '../operations/context.ts';
import { isSuperuser } from '../operations/context.ts';
import { compileFilter, compileSort, type RequestInfo } from '../rules/rule-compiler.ts';
import { recordToDriver, type RecordData } from './record.ts';

/** Alias under which the current row is visible to compiled rules. */
export const ROW_ALIAS = '_r';

/** `@request.*` facts for the compiler. */
export function requestInfo(ctx: OperationContext, body?: Record<string, unknown>): RequestInfo {
  return {
    auth: ctx.auth ? { collection: ctx.auth.collection, record: ctx.auth.record } : null,
    method: ctx.method,
    context: ctx.requestContext,
    query: ctx.query,
    headers: ctx.headers,
    body,
  };
}

/** Compiled rules kept per collection schema version. */
export const COMPILED_RULE_CACHE_SIZE = 1000;
const compiledCaches = new WeakMap<object, LruCache<{ sql: string; params: SqlValue[] }>>();

/**
 * Compiles `rule` (or a client filter) against `collection` under `alias`.
 * Note: a rule without `@` reads nothing from the request or the clock, and in rule mode (or for
 * superusers, or without relation paths) no other collection's rule is folded in, so its SQL and
 * parameters depend only on the schema: those are cached, keyed by the collections version.
 */
export function compileRule(
  ctx: OperationContext,
  collection: CollectionModel,
  rule: string,
  options: { alias?: string; body?: Record<string, unknown>; mode?: 'rule' | 'filter' } = {},
): { sql: string; params: SqlValue[] } {
  const mode = options.mode ?? 'rule';
  return cached(ctx, collection, 'where', rule, mode, options.alias ?? ROW_ALIAS, () => compileUncached(ctx, collection, rule, options));
}

/** Compiles a client `sort` (spec §3.2), cached on the same terms as compileRule. */
export function compileClientSort(ctx: OperationContext, collection: CollectionModel, sort: string): { sql: string; params: SqlValue[] } {
  return cached(ctx, collection, 'sort', sort, 'filter', ROW_ALIAS, () =>
    compileSort(sort, {
      collection,
      alias: ROW_ALIAS,
      collections: ctx.app.collections,
      dialect: ctx.app.db.dialect,
      request: requestInfo(ctx),
      mode: 'filter',
      isSuperuser: isSuperuser(ctx),
      now: ctx.app.now(),
    }),
  );
}

function cached(
  ctx: OperationContext,
  collection: CollectionModel,
  kind: string,
  input: string,
  mode: 'rule' | 'filter',
  alias: string,
  compile: () => { sql: string; params: SqlValue[] },
): { sql: string; params: SqlValue[] } {
  // A client filter of a non-superuser folds in the listRules of the collections it traverses,
  // which may read the request; one without any path (no `.`) traverses nothing.
  const cacheable = !input.includes('@') && (mode === 'rule' || isSuperuser(ctx) || !input.includes('.'));
  if (!cacheable) return compile();
  const key = `${ctx.app.collections.version}\u0000${collection.id}\u0000${kind}\u0000${mode}\u0000${isSuperuser(ctx)}\u0000${alias}\u0000${input}`;
  let cache = compiledCaches.get(ctx.app.collections);
  if (!cache) compiledCaches.set(ctx.app.collections, (cache = new LruCache(COMPILED_RULE_CACHE_SIZE)));
  return cache.through(key, compile);
}

function compileUncached(
  ctx: OperationContext,
  collection: CollectionModel,
  rule: string,
  options: { alias?: string; body?: Record<string, unknown>; mode?: 'rule' | 'filter' },
): { sql: string; params: SqlValue[] } {
  return compileFilter(rule, {
    collection,
    alias: options.alias ?? ROW_ALIAS,
    collections: ctx.app.collections,
    dialect: ctx.app.db.dialect,
    request: requestInfo(ctx, options.body),
    mode: options.mode ?? 'rule',
    isSuperuser: isSuperuser(ctx),
    now: ctx.app.now(),
  });
}

/** True when the stored record `id` satisfies `rule` ("" always does). */
export async function storedRowSatisfies(
  ctx: OperationContext,
  db: Executor,
  collection: CollectionModel,
  rule: string,
  id: string,
  body?: Record<string, unknown>,
): Promise<boolean> {
  if (rule.trim() === '') return true;
  const q = ctx.app.db.dialect.quote.bind(ctx.app.db.dialect);
  const where = compileRule(ctx, collection, rule, { body });
  const row = await db.get(`SELECT 1 AS ok FROM ${q(collection.name)} ${ROW_ALIAS} WHERE ${ROW_ALIAS}.${q('id')} = ? AND (${where.sql})`, [id, ...where.params]);
  return row !== undefined;
}

/** Ids among `ids` whose stored record satisfies `rule`. */
export async function idsSatisfying(ctx: OperationContext, db: Executor, collection: CollectionModel, rule: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  if (rule.trim() === '') return new Set(ids);
  const q = ctx.app.db.dialect.quote.bind(ctx.app.db.dialect);
  const where = compileRule(ctx, collection, rule);
  const rows = await db.all<{ id: string }>(
    `SELECT ${ROW_ALIAS}.${q('id')} AS id FROM ${q(collection.name)} ${ROW_ALIAS} WHERE ${ROW_ALIAS}.${q('id')} IN (${ids.map(() => '?').join(', ')}) AND (${where.sql})`,
    [...ids, ...where.params],
  );
  return new Set(rows.map((r) => r.id));
}

/** True when a record with values `data` (not stored yet) would satisfy `rule`. */
export async function virtualRowSatisfies(
  ctx: OperationContext,
  db: Executor,
  collection: CollectionModel,
  rule: string,
  data: RecordData,
  body?: Record<string, unknown>,
): Promise<boolean> {
  if (rule.trim() === '') return true;
  const q = ctx.app.db.dialect.quote.bind(ctx.app.db.dialect);
  const values = recordToDriver(collection, data);
  const columns = [...values.keys()].map((name) => `? AS ${q(name)}`).join(', ');
  const where = compileRule(ctx, collection, rule, { body });
  const row = await db.get(`SELECT 1 AS ok FROM (SELECT ${columns}) ${ROW_ALIAS} WHERE ${where.sql}`, [...values.values(), ...where.params]);
  return row !== undefined;
}
