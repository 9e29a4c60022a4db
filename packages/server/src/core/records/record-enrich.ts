/**
 * Turns records into client JSON: visibility (hidden fields, email), and relation expansion
 * (spec §3.4) with the related collections' view rules applied, so expand never reveals a
 * record the requester could not view directly. One query per expanded path and level, never
 * one per record.
 * @module
 */
import type { Executor, Row } from '../../storage/types.ts';
import type { CollectionModel, FieldModel } from '../collections/collection.ts';
import { findField } from '../collections/collection.ts';
import { hasUniqueIndex } from '../collections/collection-indexes.ts';
import { fieldTypeOf } from '../fields/registry.ts';
import type { OperationContext } from '../operations/context.ts';
import { deriveContext, isSuperuser } from '../operations/context.ts';
import { rowToRecord, serializeRecord, type RecordData } from './record.ts';
import { compileRule, idsSatisfying } from './record-rules.ts';

/** Maximum depth of an expand path (spec §3.4). */
export const MAX_EXPAND_DEPTH = 6;
/** Maximum number of paths in one `expand` parameter. */
export const MAX_EXPAND_PATHS = 50;
/** Back-related records considered per parent record (spec §3.4). */
export const MAX_BACK_RELATIONS = 1000;

interface ExpandTree {
  [segment: string]: ExpandTree;
}

/**
 * Parses `a.b,c` into a tree; spaces stripped, depth capped, duplicates merged.
 * Warning: segments are client input; the tree has no prototype so that `__proto__` and friends
 * are plain keys (they name no field and are skipped later) and can never reach Object.prototype.
 */
export function parseExpand(raw: string | undefined): ExpandTree {
  const tree: ExpandTree = Object.create(null);
  if (!raw) return tree;
  const paths = raw.replace(/\s+/g, '').split(',').slice(0, MAX_EXPAND_PATHS);
  for (const path of paths) {
    const segments = path.replace(/^\.+|\.+$/g, '').split('.').filter(Boolean).slice(0, MAX_EXPAND_DEPTH);
    let node = tree;
    for (const s of segments) node = node[s] ??= Object.create(null);
  }
  return tree;
}

/** Whether the requester sees `email` of these records regardless of emailVisibility. */
async function emailVisibleIds(ctx: OperationContext, db: Executor, collection: CollectionModel, records: RecordData[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (collection.type !== 'auth' || !ctx.auth) return out;
  for (const r of records) if (ctx.auth.collection.id === collection.id && ctx.auth.record.id === r.id) out.add(String(r.id));
  const manage = collection.manageRule;
  if (typeof manage === 'string' && manage.trim() !== '' && !isSuperuser(ctx)) {
    const hidden = records.filter((r) => r.emailVisibility !== true && !out.has(String(r.id))).map((r) => String(r.id));
    for (const id of await idsSatisfying(ctx, db, collection, manage, hidden)) out.add(id);
  }
  return out;
}

export interface EnrichOptions {
  expand?: string;
  /** Always show email (auth responses). */
  showEmail?: boolean;
}

/** Client JSON for `records` of `collection`, with expansions. */
export async function enrichRecords(
  ctx: OperationContext,
  db: Executor,
  collection: CollectionModel,
  records: RecordData[],
  options: EnrichOptions = {},
): Promise<Record<string, unknown>[]> {
  const superuser = isSuperuser(ctx);
  const emailIds = options.showEmail || collection.type !== 'auth' ? undefined : await emailVisibleIds(ctx, db, collection, records);
  const out = records.map((r) =>
    serializeRecord(collection, r, { isSuperuser: superuser, showEmail: options.showEmail === true || (emailIds?.has(String(r.id)) ?? false) }),
  );
  if (options.expand) {
    const tree = parseExpand(options.expand);
    if (Object.keys(tree).length) await expandLevel(ctx, db, collection, records, out, tree);
  }
  return out;
}

async function expandLevel(
  ctx: OperationContext,
  db: Executor,
  collection: CollectionModel,
  records: RecordData[],
  json: Record<string, unknown>[],
  tree: ExpandTree,
): Promise<void> {
  for (const [segment, subtree] of Object.entries(tree)) {
    const resolved = resolveSegment(ctx, collection, segment);
    if (!resolved) continue;
    const { target, field, back } = resolved;
    // A null view rule hides the whole path from non-superusers (spec §3.4).
    if (!isSuperuser(ctx) && target.viewRule === null) continue;
    const expandCtx: OperationContext = deriveContext(ctx, { requestContext: 'expand' });
    const q = ctx.app.db.dialect.quote.bind(ctx.app.db.dialect);
    const dialect = ctx.app.db.dialect;
    const where =
      !isSuperuser(ctx) && target.viewRule && target.viewRule.trim() !== ''
        ? compileRule(expandCtx, target, target.viewRule, { alias: '_e' })
        : { sql: '1=1', params: [] };

    let related: RecordData[];
    if (!back) {
      const ids = new Set<string>();
      for (const r of records) for (const id of asList(r[field.name])) ids.add(id);
      related = await fetchWhere(db, q, target, [...ids], `_e.${q('id')}`, where);
    } else {
      const ids = records.map((r) => String(r.id));
      const multiple = fieldTypeOf(field).isMultiple(field);
      if (multiple) {
        related = [];
        for (let i = 0; i < ids.length; i += 500) {
          const chunk = ids.slice(i, i + 500);
          const rows = await db.all<Row>(
            `SELECT _e.* FROM ${q(target.name)} _e WHERE EXISTS (SELECT 1 FROM ${dialect.jsonEach(`_e.${q(field.name)}`, '_je')} WHERE _je.value IN (${chunk.map(() => '?').join(', ')})) AND (${where.sql}) LIMIT ${MAX_BACK_RELATIONS * chunk.length}`,
            [...chunk, ...where.params],
          );
          related.push(...rows.map((row) => rowToRecord(target, row)));
        }
      } else {
        related = await fetchWhere(db, q, target, ids, `_e.${q(field.name)}`, where, MAX_BACK_RELATIONS);
      }
    }

    const relatedJson = await enrichRecords(expandCtx, db, target, related, {});
    if (Object.keys(subtree).length) await expandLevel(expandCtx, db, target, related, relatedJson, subtree);
    const byId = new Map(related.map((r, i) => [String(r.id), relatedJson[i]]));

    const single = back ? hasUniqueIndex(target, field.name) && !fieldTypeOf(field).isMultiple(field) : !fieldTypeOf(field).isMultiple(field);
    records.forEach((r, i) => {
      const expand = ((json[i].expand as Record<string, unknown>) ??= {});
      let items: Record<string, unknown>[];
      if (!back) {
        items = asList(r[field.name]).flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
      } else {
        const id = String(r.id);
        items = related
          .filter((rel) => asList(rel[field.name]).includes(id))
          .slice(0, MAX_BACK_RELATIONS)
          .map((rel) => byId.get(String(rel.id))!);
      }
      if (single) {
        if (items.length) expand[segment] = items[0];
      } else if (items.length) {
        expand[segment] = items;
      }
    });
  }
}

async function fetchWhere(
  db: Executor,
  q: (s: string) => string,
  target: CollectionModel,
  values: string[],
  column: string,
  where: { sql: string; params: unknown[] },
  perValueLimit?: number,
): Promise<RecordData[]> {
  const out: RecordData[] = [];
  for (let i = 0; i < values.length; i += 500) {
    const chunk = values.slice(i, i + 500);
    if (!chunk.length) continue;
    const limit = perValueLimit ? ` LIMIT ${perValueLimit * chunk.length}` : '';
    const rows = await db.all<Row>(`SELECT _e.* FROM ${q(target.name)} _e WHERE ${column} IN (${chunk.map(() => '?').join(', ')}) AND (${where.sql})${limit}`, [
      ...chunk,
      ...(where.params as never[]),
    ]);
    out.push(...rows.map((row) => rowToRecord(target, row)));
  }
  return out;
}

function asList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return typeof v === 'string' && v !== '' ? [v] : [];
}

/** A relation field of `collection`, or a back-relation `coll_via_field` / legacy `coll(field)`. */
function resolveSegment(
  ctx: OperationContext,
  collection: CollectionModel,
  segment: string,
): { target: CollectionModel; field: FieldModel; back: boolean } | undefined {
  const via = /^(\w+)_via_(\w+)$/.exec(segment) ?? /^(\w+)\((\w+)\)$/.exec(segment);
  if (via) {
    const target = ctx.app.collections.find(via[1]);
    const field = target && findField(target, via[2]);
    if (!target || !field || field.type !== 'relation' || field.collectionId !== collection.id) return undefined;
    // A hidden relation field hides the link in both directions.
    if (field.hidden && !isSuperuser(ctx)) return undefined;
    return { target, field, back: true };
  }
  const field = findField(collection, segment);
  if (!field || field.type !== 'relation') return undefined;
  if (field.hidden && !isSuperuser(ctx)) return undefined;
  const target = ctx.app.collections.find(String(field.collectionId));
  if (!target) return undefined;
  return { target, field, back: false };
}
