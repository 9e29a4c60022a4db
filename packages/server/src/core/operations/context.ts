/**
 * What every operation receives besides its own arguments: who is asking and the request facts
 * that rules can read (`@request.*`). Transports build it; core never sees their request objects.
 * @module
 */
import type { Executor } from '../../storage/types.ts';
import type { App } from '../app.ts';
import type { CollectionModel } from '../collections/collection.ts';
import { CollectionChangedError, ForbiddenError, NotFoundError, UnauthorizedError, WriteConflictError } from '../errors.ts';
import type { RecordData } from '../records/record.ts';

/** The authenticated record, or null for guests. */
export interface AuthState {
  collection: CollectionModel;
  record: RecordData;
  /** The token the request presented, when auth came from one. */
  token?: { raw: string; refreshable: boolean };
}

export interface OperationContext {
  app: App;
  auth: AuthState | null;
  /** Upper-case HTTP method or its equivalent (`GET` for reads). */
  method: string;
  /** `@request.context`: default, expand, realtime, protectedFile, batch, oauth2, otp, password. */
  requestContext: string;
  query: Record<string, string>;
  /** Header names in snake_case lower case, first value only (spec §4.6). */
  headers: Record<string, string>;
  ip: string;
  /** Set when the operation runs inside an outer transaction (batch). */
  tx?: Executor;
  /** Work to run after that transaction commits (after-success hooks). */
  afterCommit?: Array<() => Promise<void>>;
  /** Work to run if that transaction rolls back (removing files written for it). */
  afterRollback?: Array<() => Promise<void>>;
}

/** A context inside a transaction. */
export type TransactionContext = OperationContext & {
  tx: Executor;
  afterCommit: Array<() => Promise<void>>;
  /** Read definitions from the database, not the cache (a retry after CollectionChangedError). */
  freshDefinitions?: boolean;
};

const FACTS = Symbol('request facts');

interface LazyFacts {
  build: { query(): Record<string, string>; headers(): Record<string, string> };
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

/** Own data property `key` of `target` (replacing an inherited accessor). */
function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * The prototype of lazyContext's contexts. One shared object: every such context keeps one
 * hidden class, and deriveContext copies data properties only. (Getters defined per context, or
 * each context made the prototype of the next, cost V8 a new hidden class per request.)
 */
const LAZY_CONTEXT = {
  get query(): Record<string, string> {
    const facts = (this as unknown as { [FACTS]: LazyFacts })[FACTS];
    return (facts.query ??= facts.build.query());
  },
  set query(value: Record<string, string>) {
    defineOwn(this, 'query', value);
  },
  get headers(): Record<string, string> {
    const facts = (this as unknown as { [FACTS]: LazyFacts })[FACTS];
    return (facts.headers ??= facts.build.headers());
  },
  set headers(value: Record<string, string>) {
    defineOwn(this, 'headers', value);
  },
};

/**
 * A context whose `query` and `headers` are built on first read, once, also for the contexts
 * derived from it: a transport holds them in a form rules rarely need (HTTP headers as sent), and
 * most requests never read them.
 */
export function lazyContext(base: Omit<OperationContext, 'query' | 'headers'>, build: LazyFacts['build']): OperationContext {
  return Object.assign(Object.create(LAZY_CONTEXT) as OperationContext, base, { [FACTS]: { build } });
}

/**
 * `ctx` with `extra` laid over it: same prototype, own properties copied, then `extra`'s. Lazy
 * properties stay lazy when they live on the prototype (lazyContext); an own getter of `ctx`
 * would be read by the copy.
 */
export function deriveContext<C extends OperationContext, E extends object>(ctx: C, extra: E): Omit<C, keyof E> & E {
  return Object.assign(Object.create(Object.getPrototypeOf(ctx) as object | null) as object, ctx, extra) as Omit<C, keyof E> & E;
}

export const SUPERUSERS = '_superusers';

export function isSuperuser(ctx: OperationContext): boolean {
  return ctx.auth?.collection.name === SUPERUSERS;
}

/** 401 for guests, 403 for non-superusers (spec §5.5). */
export function requireSuperuser(ctx: OperationContext): void {
  if (!ctx.auth) throw new UnauthorizedError('The request requires valid record authorization token.');
  if (!isSuperuser(ctx)) throw new ForbiddenError('The authorized record is not allowed to perform this action.');
}

/** The collection of a record route, or 404 `Missing collection context.` */
export function collectionOrThrow(ctx: OperationContext, idOrName: string): CollectionModel {
  const c = ctx.app.collections.find(idOrName);
  if (!c) throw new NotFoundError('Missing collection context.');
  return c;
}

/** The collection a write inside a transaction must use (see CollectionStore.readForWrite). */
export async function collectionForWrite(ctx: TransactionContext, idOrName: string): Promise<CollectionModel> {
  const c = await ctx.app.collections.readForWrite(ctx.tx, collectionOrThrow(ctx, idOrName), { optimistic: !ctx.freshDefinitions });
  if (!c) throw new NotFoundError('Missing collection context.');
  return c;
}

/**
 * Runs a read built from the cached definitions. When the database says a table or column it
 * names does not exist, another process changed the schema since this one cached it (a stale
 * cache would otherwise fail every such read until restart): the definitions are read again and
 * `fn` runs once more, resolving its collection afresh. Inside a transaction the failure stands,
 * since PostgreSQL has aborted the transaction.
 */
export async function withCurrentDefinitions<T>(ctx: OperationContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (ctx.tx || !ctx.app.db.dialect.isMissingSchemaObject(err)) throw err;
    await ctx.app.collections.reload();
    return fn();
  }
}

/**
 * Runs `fn` in the context's transaction, or in a new one whose after-commit work runs once it
 * has committed. An outer transaction (batch) owns its after-commit work and runs it itself.
 */
export async function inTransaction<T>(ctx: OperationContext, fn: (txCtx: TransactionContext) => Promise<T>): Promise<T> {
  if (ctx.tx) return fn(deriveContext(ctx, { tx: ctx.tx, afterCommit: ctx.afterCommit ?? [] }));
  for (let attempt = 1; ; attempt++) {
    const afterCommit: Array<() => Promise<void>> = [];
    const afterRollback: Array<() => Promise<void>> = [];
    let result: T;
    try {
      // A retry reads definitions under lock: the cache may not have caught up with the change yet.
      result = await ctx.app.db.transaction((tx) => fn(deriveContext(ctx, { tx, afterCommit, afterRollback, freshDefinitions: attempt > 1 })));
    } catch (err) {
      await runAfterCommit(ctx.app, afterRollback);
      // Rolled back because a concurrent schema change raced it (run it on the new definition),
      // or chosen by the database as the victim of a deadlock: nothing was applied either way.
      if ((err instanceof CollectionChangedError || err instanceof WriteConflictError) && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
    await runAfterCommit(ctx.app, afterCommit);
    return result;
  }
}

/** Runs of one write transaction before a CollectionChangedError or WriteConflictError reaches the client (as 503). */
const MAX_ATTEMPTS = 3;

/** Runs after-commit work in order; a failure is logged, since the write already succeeded. */
export async function runAfterCommit(app: App, tasks: Array<() => Promise<void>>): Promise<void> {
  for (const task of tasks) {
    try {
      await task();
    } catch (err) {
      app.logger.error({ err }, 'an after-commit hook failed');
    }
  }
}

/** The executor for reads: the running transaction when there is one. */
export function reader(ctx: OperationContext): Executor {
  return ctx.tx ?? ctx.app.db;
}

/** Converts header names to the snake_case lower-case form rules use. */
export function normalizeHeaderName(name: string): string {
  return name.toLowerCase().replace(/-/g, '_');
}
