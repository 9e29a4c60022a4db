/**
 * Collections API (spec §5.5), superusers only: list, view, create, update, delete, truncate,
 * import and scaffolds. Every definition change validates, applies its DDL and writes the
 * definition in one transaction; the in-memory cache follows only after commit.
 * @module
 */
import type { Executor, Row } from '../../storage/types.ts';
import { nowDateTime } from '../../tools/datetime.ts';
import type { CollectionModel } from '../collections/collection.ts';
import { buildCollection, publicCollection } from '../collections/collection-builder.ts';
import { formatIndex, parseIndex } from '../collections/collection-indexes.ts';
import { scaffold } from '../collections/collection-defaults.ts';
import { validateCollection } from '../collections/collection-validator.ts';
import { deriveViewFields } from '../collections/collection-view-fields.ts';
import { viewsReading } from '../collections/collection-view-sources.ts';
import { createCollectionTable, dropCollectionTable, updateCollectionTable } from '../collections/table-sync.ts';
import { BadRequestError, NotFoundError, ValidationError, describeFieldErrors, fieldError, type FieldErrors } from '../errors.ts';
import { checkRule, compileFilter, compileSort } from '../rules/rule-compiler.ts';
import { deleteWithCascade } from './record-delete.ts';
import { parsePaging, type ListParams, type ListResult } from './record-list.ts';
import { inTransaction, requireSuperuser, type OperationContext } from './context.ts';

function collectionOr404(ctx: OperationContext, idOrName: string): CollectionModel {
  const c = ctx.app.collections.find(idOrName);
  if (!c) throw new NotFoundError();
  return c;
}

/** A lookup that sees `pending` in place of (or beside) the stored definitions. */
function overlay(ctx: OperationContext, pending: CollectionModel[]) {
  const byKey = (c: CollectionModel, key: string) => c.id === key || c.name.toLowerCase() === key.toLowerCase();
  return {
    find(key: string) {
      return pending.find((c) => byKey(c, key)) ?? (() => {
        const stored = ctx.app.collections.find(key);
        return stored && !pending.some((p) => p.id === stored.id) ? stored : undefined;
      })();
    },
    all() {
      return [...ctx.app.collections.all().filter((c) => !pending.some((p) => p.id === c.id)), ...pending];
    },
  };
}

/** Validates and applies one definition inside `tx`; returns the saved model. */
async function saveDefinition(ctx: OperationContext, tx: Executor, model: CollectionModel, previous: CollectionModel | undefined, pending: CollectionModel[], message: string): Promise<CollectionModel> {
  await ctx.app.collections.lockForChange(tx, model.id);
  const dialect = ctx.app.db.dialect;
  // The table named inside each index statement is the collection's (spec §5.2), also after a rename.
  model.indexes = model.indexes.map((sql) => {
    const idx = parseIndex(sql);
    return idx && idx.table !== model.name ? formatIndex(idx, model.name) : sql;
  });
  const lookup = overlay(ctx, pending.filter((p) => p.id !== model.id));
  const tables = await dialect.listTables(tx);
  const ruleLookup = overlay(ctx, [...pending.filter((p) => p.id !== model.id), model]);
  // A view's rules name its columns, known only once its query has run (checked below).
  const ruleCheck = (rule: string, c: CollectionModel) => (c.type === 'view' ? undefined : checkRule(rule, c, ruleLookup, dialect));
  const errors = validateCollection(model, { previous, collections: lookup, tables, checkRule: ruleCheck });
  if (Object.keys(errors).length) throw new ValidationError(message, errors);
  try {
    if (previous) await updateCollectionTable(tx, dialect, previous, model);
    else await createCollectionTable(tx, dialect, model);
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(message, err.fields);
    if (model.type === 'view') throw new ValidationError(message, { viewQuery: fieldError('validation_invalid_view_query', `Invalid view query: ${(err as Error).message}`) });
    throw err;
  }
  if (model.type === 'view') {
    try {
      model.fields = await deriveViewFields(tx, dialect, model, lookup);
    } catch (err) {
      // SQLite accepts a view over a missing table and only fails when the view is read.
      throw new ValidationError(message, { viewQuery: fieldError('validation_invalid_view_query', `Invalid view query: ${(err as Error).message}`) });
    }
    if (!model.fields.some((f) => f.name === 'id')) {
      throw new ValidationError(message, { viewQuery: fieldError('validation_invalid_view_query', 'The query must return an "id" column.') });
    }
    const ruleErrors: FieldErrors = {};
    for (const key of ['listRule', 'viewRule'] as const) {
      const rule = model[key];
      const problem = typeof rule === 'string' && rule.trim() !== '' ? checkRule(rule, model, ruleLookup, dialect) : undefined;
      if (problem) ruleErrors[key] = fieldError('validation_invalid_rule', `Invalid rule. Raw error: ${problem}`);
    }
    if (Object.keys(ruleErrors).length) throw new ValidationError(message, ruleErrors);
  }
  await ctx.app.collections.write(tx, model);
  return model;
}

/** Runs a definition change; the cache follows at commit, before the next writer starts. */
async function change<T>(ctx: OperationContext, fn: (tx: Executor) => Promise<T>): Promise<T> {
  let staged: readonly CollectionModel[] = [];
  return ctx.app.db.transaction(
    async (tx) => {
      const result = await fn(tx);
      staged = await ctx.app.collections.read(tx);
      return result;
    },
    { onCommit: () => ctx.app.collections.apply(staged) },
  );
}

export async function collectionCreate(ctx: OperationContext, body: unknown): Promise<Record<string, unknown>> {
  requireSuperuser(ctx);
  const model = buildCollection(body, undefined, ctx.app.collections);
  const saved = await change(ctx, (tx) => saveDefinition(ctx, tx, model, undefined, [], 'Failed to create collection.'));
  return publicCollection(saved);
}

export async function collectionUpdate(ctx: OperationContext, idOrName: string, body: unknown): Promise<Record<string, unknown>> {
  requireSuperuser(ctx);
  const saved = await change(ctx, async (tx) => {
    // Read under a row lock inside the transaction: a concurrent change of the same collection
    // waits, and this one builds on its result instead of overwriting it.
    const previous = await ctx.app.collections.readForUpdate(tx, collectionOr404(ctx, idOrName).id);
    if (!previous) throw new NotFoundError();
    const model = buildCollection(body, previous, ctx.app.collections);
    const result = await saveDefinition(ctx, tx, model, previous, [], 'Failed to update collection.');
    // Views that read this collection are re-created so they see the new columns.
    for (const view of ctx.app.collections.all().filter((c) => c.type === 'view' && c.id !== model.id)) {
      try {
        await updateCollectionTable(tx, ctx.app.db.dialect, view, view);
      } catch (err) {
        throw new ValidationError('Failed to update collection.', {
          name: fieldError('validation_view_dependency', `The change breaks the view collection ${view.name}: ${(err as Error).message}`),
        });
      }
    }
    return result;
  });
  return publicCollection(saved);
}

export async function collectionDelete(ctx: OperationContext, idOrName: string): Promise<void> {
  requireSuperuser(ctx);
  const c = collectionOr404(ctx, idOrName);
  if (c.system) throw new BadRequestError('System collections cannot be deleted.');
  const refs = ctx.app.collections.all().filter((o) => o.id !== c.id && o.fields.some((f) => f.type === 'relation' && f.collectionId === c.id));
  if (refs.length) throw new BadRequestError(`Failed to delete collection probably due to existing reference in ${refs.map((r) => r.name).join(', ')}.`);
  // PostgreSQL refuses to drop a table a view reads; SQLite drops it and leaves the view broken.
  // Refuse on both, before any DDL.
  const readers = viewsReading(c, ctx.app.collections.all());
  if (readers.length) {
    const names = readers.map((r) => r.name).join(', ');
    throw new BadRequestError(`Failed to delete collection: the view collection${readers.length > 1 ? 's' : ''} ${names} read${readers.length > 1 ? '' : 's'} it. Change or delete ${readers.length > 1 ? 'them' : 'it'} first.`);
  }
  await change(ctx, async (tx) => {
    await ctx.app.collections.lockForChange(tx, c.id);
    await dropCollectionTable(tx, ctx.app.db.dialect, c);
    await ctx.app.collections.remove(tx, c.id);
  });
}

export async function collectionTruncate(ctx: OperationContext, idOrName: string): Promise<void> {
  requireSuperuser(ctx);
  const c = collectionOr404(ctx, idOrName);
  if (c.type === 'view') throw new BadRequestError('View collections cannot be truncated.');
  // Truncating the superusers would lock every administrator out (the CLI is the only way back).
  if (c.name === '_superusers') throw new BadRequestError("You can't delete the only existing superuser.");
  const q = ctx.app.db.dialect.quote.bind(ctx.app.db.dialect);
  await inTransaction(ctx, async (txCtx) => {
    const rows = await txCtx.tx.all<{ id: string }>(`SELECT ${q('id')} AS id FROM ${q(c.name)}`);
    const seen = new Set<string>();
    for (const row of rows) await deleteWithCascade(txCtx, c, row.id, seen, 0);
  });
}

export async function collectionView(ctx: OperationContext, idOrName: string): Promise<Record<string, unknown>> {
  requireSuperuser(ctx);
  return publicCollection(collectionOr404(ctx, idOrName));
}

/** The `_collections` table described as a collection, so list filters reuse the compiler. */
const COLLECTIONS_META: CollectionModel = {
  ...scaffold('base'),
  id: '_collections',
  name: '_collections',
  fields: [
    { id: 'id', name: 'id', type: 'text', system: true, hidden: false, presentable: false, primaryKey: true },
    { id: 'name', name: 'name', type: 'text', system: true, hidden: false, presentable: false },
    { id: 'type', name: 'type', type: 'text', system: true, hidden: false, presentable: false },
    { id: 'system', name: 'system', type: 'bool', system: true, hidden: false, presentable: false },
    { id: 'created', name: 'created', type: 'autodate', system: true, hidden: false, presentable: false, onCreate: true },
    { id: 'updated', name: 'updated', type: 'autodate', system: true, hidden: false, presentable: false, onCreate: true, onUpdate: true },
  ],
};

export async function collectionList(ctx: OperationContext, params: ListParams): Promise<ListResult<Record<string, unknown>>> {
  requireSuperuser(ctx);
  const { page, perPage, skipTotal } = parsePaging(params);
  const dialect = ctx.app.db.dialect;
  const q = dialect.quote.bind(dialect);
  const opts = {
    collection: COLLECTIONS_META,
    alias: '_r',
    collections: ctx.app.collections,
    dialect,
    request: { auth: null, method: ctx.method, context: 'default', query: {}, headers: {} },
    mode: 'filter' as const,
    isSuperuser: true,
    now: ctx.app.now(),
  };
  const where = params.filter?.trim() ? compileFilter(params.filter, opts) : undefined;
  const order = params.sort?.trim() ? compileSort(params.sort, opts) : undefined;
  const whereSql = where ? ` WHERE ${where.sql}` : '';
  const rows = await ctx.app.db.all<Row>(
    `SELECT _r.${q('id')} AS id FROM ${q('_collections')} _r${whereSql} ORDER BY ${order?.sql ? `${order.sql}, ` : ''}_r.${q('created')}, _r.${q('name')} LIMIT ? OFFSET ?`,
    [...(where?.params ?? []), ...(order?.params ?? []), perPage, (page - 1) * perPage],
  );
  let totalItems = -1;
  let totalPages = -1;
  if (!skipTotal) {
    const n = await ctx.app.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${q('_collections')} _r${whereSql}`, where?.params ?? []);
    totalItems = Number(n?.n ?? 0);
    totalPages = Math.ceil(totalItems / perPage);
  }
  const items = rows.map((r) => ctx.app.collections.find(String(r.id))).filter((c) => c !== undefined).map(publicCollection);
  return { page, perPage, totalItems, totalPages, items };
}

export function collectionScaffolds(ctx: OperationContext): Record<string, unknown> {
  requireSuperuser(ctx);
  return { auth: publicCollection(scaffold('auth')), base: publicCollection(scaffold('base')), view: publicCollection(scaffold('view')) };
}

/**
 * Imports collections (spec §5.6) in one transaction: each item is matched by id, then name,
 * and merged like a PATCH; with `deleteMissing`, collections not in the import are removed.
 */
export async function collectionsImport(ctx: OperationContext, body: unknown): Promise<void> {
  requireSuperuser(ctx);
  const input = (typeof body === 'object' && body !== null ? body : {}) as { collections?: unknown; deleteMissing?: unknown };
  if (!Array.isArray(input.collections) || input.collections.length === 0) {
    throw new ValidationError('Failed to import collections.', { collections: fieldError('validation_required', 'Cannot be blank.') });
  }
  const deleteMissing = input.deleteMissing === true;
  const items = input.collections as unknown[];
  const fail = (detail: string, cause?: unknown): never => {
    throw new ValidationError('Failed to import collections.', { collections: fieldError('validation_collections_import_failure', detail) }, { cause });
  };
  await change(ctx, async (tx) => {
    const pending: CollectionModel[] = [];
    const plans: Array<{ model: CollectionModel; previous?: CollectionModel }> = [];
    for (const [i, raw] of items.entries()) {
      const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const previous =
        (typeof r.id === 'string' && ctx.app.collections.all().find((c) => c.id === r.id)) ||
        (typeof r.name === 'string' && ctx.app.collections.find(r.name)?.name.toLowerCase() === r.name.toLowerCase() ? ctx.app.collections.find(r.name) : undefined) ||
        undefined;
      let patch: unknown = r;
      if (previous && !deleteMissing && Array.isArray(r.fields)) {
        // Fields of the existing collection that the import leaves out are kept.
        const incoming = r.fields as Array<Record<string, unknown>>;
        const kept = previous.fields.filter((f) => !incoming.some((n) => n.id === f.id || (String(n.name ?? '').toLowerCase() === f.name.toLowerCase() && n.type === f.type)));
        patch = { ...r, fields: [...incoming, ...kept] };
      } else if (previous && deleteMissing && !Array.isArray(r.fields)) {
        patch = { ...r, fields: previous.fields.filter((f) => f.system) };
      } else if (previous && Array.isArray(r.fields)) {
        const incoming = r.fields as Array<Record<string, unknown>>;
        const system = previous.fields.filter((f) => f.system && !incoming.some((n) => n.id === f.id || n.name === f.name));
        patch = { ...r, fields: [...incoming, ...system] };
      }
      let model: CollectionModel;
      try {
        model = buildCollection(patch, previous, overlay(ctx, pending));
      } catch (err) {
        fail(`Item ${i}: invalid collection data.`, err);
        return;
      }
      if (!previous && typeof r.id === 'string' && r.id) model.id = r.id;
      if (!previous) {
        model.created = typeof r.created === 'string' && r.created ? r.created : nowDateTime();
      }
      pending.push(model);
      plans.push({ model, previous });
    }
    // Non-view collections first, so views can read the tables they select from.
    plans.sort((a, b) => Number(a.model.type === 'view') - Number(b.model.type === 'view'));
    if (deleteMissing) {
      // Views first: an engine may refuse to drop a table a view still reads (PostgreSQL does).
      const doomed = [...ctx.app.collections.all()].sort((a, b) => Number(b.type === 'view') - Number(a.type === 'view'));
      for (const c of doomed) {
        if (c.system || plans.some((p) => p.model.id === c.id)) continue;
        await ctx.app.collections.lockForChange(tx, c.id);
        await dropCollectionTable(tx, ctx.app.db.dialect, c);
        await ctx.app.collections.remove(tx, c.id);
      }
    }
    for (const plan of plans) {
      try {
        await saveDefinition(ctx, tx, plan.model, plan.previous, pending, 'Failed to import collections.');
      } catch (err) {
        if (err instanceof ValidationError) fail(`Collection ${plan.model.name || plan.model.id}: ${describeFieldErrors(err.fields)}`, err);
        throw err;
      }
    }
  });
}

