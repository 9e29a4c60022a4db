/**
 * Deciding who receives a record event and what they see (spec §7.4 steps 2–4), for many
 * subscribers at once without one SQL query per subscriber:
 *
 * 1. Each subscription gets an *access key*: the rule text, the filter option, and only the
 *    request facts those expressions can read. A rule without `@request` (`""`, `status = "live"`,
 *    `@collection…`) has the same answer for every subscriber, so thousands of subscribers to one
 *    topic cost one evaluation; `author = @request.auth.id` costs one per distinct auth record.
 * 2. The distinct keys of one event are evaluated together: one
 *    `SELECT CASE WHEN (k1) … END, CASE WHEN (k2) … END … FROM coll WHERE id = ?` per chunk of
 *    {@link ACCESS_CHECKS_PER_QUERY} keys, against the stored row, or against the pre-delete
 *    values as a virtual row for deletes (the row is gone when the event fires).
 * 3. Records are serialised once per *shape key* (superuser or not, and, when `expand` or email
 *    visibility depends on it, the auth and options), then projected and stringified once per
 *    distinct `fields` option.
 * @module
 */
import type { SqlValue } from '../../storage/types.ts';
import { applyProjection } from '../../tools/fields-projection.ts';
import type { App } from '../app.ts';
import type { CollectionModel } from '../collections/collection.ts';
import type { OperationContext } from '../operations/context.ts';
import { recordToDriver, type RecordData } from '../records/record.ts';
import { enrichRecords } from '../records/record-enrich.ts';
import { ROW_ALIAS, compileRule } from '../records/record-rules.ts';
import type { RealtimeClient } from './realtime-client.ts';
import type { ParsedSubscription } from './realtime-subscription.ts';

/** Access checks evaluated by one SQL statement (bounded to keep statements and parameter lists small). */
export const ACCESS_CHECKS_PER_QUERY = 64;

export type RecordAction = 'create' | 'update' | 'delete';

/** One subscription matched by an event. */
export interface Candidate {
  client: RealtimeClient;
  subscription: ParsedSubscription;
}

/** A delivery: the client, the event name and the serialised `{action, record}`. */
export interface Delivery {
  client: RealtimeClient;
  topic: string;
  data: string;
}

/** The request context rules see for a subscriber (spec §7.4 step 2). */
export function subscriberContext(app: App, client: RealtimeClient, subscription: ParsedSubscription): OperationContext {
  return {
    app,
    auth: client.auth,
    method: 'GET',
    requestContext: 'realtime',
    query: subscription.options.query,
    headers: subscription.options.headers,
    ip: client.ip,
  };
}

function authKey(client: RealtimeClient): string {
  const a = client.auth;
  return a ? `${a.collection.id}/${String(a.record.id)}` : '';
}

/** Canonical JSON of a string map (key order must not split groups). */
function mapKey(map: Record<string, string>): string {
  const keys = Object.keys(map);
  if (keys.length === 0) return '';
  return JSON.stringify(keys.sort().map((k) => [k, map[k]]));
}

interface AccessGroup {
  ctx: OperationContext;
  rule: string;
  filter: string;
  allowed?: boolean;
}

/**
 * The access key of a candidate, or `true` when it is allowed without evaluation, or `false`
 * when it is refused without evaluation.
 */
function accessKey(collection: CollectionModel, c: Candidate): { rule: string; filter: string; key: string } | boolean {
  const sub = c.subscription;
  const superuser = c.client.auth?.collection.name === '_superusers';
  const target = sub.target;
  const rawRule = target.kind === 'view' ? collection.viewRule : collection.listRule;
  if (!superuser && rawRule === null) return false;
  const rule = superuser ? '' : (rawRule ?? '').trim();
  const filter = (sub.options.query.filter ?? '').trim();
  if (rule === '' && filter === '') return true;
  const text = rule + '\u0000' + filter;
  // A non-superuser's filter through a relation folds in the related collection's rules, which
  // may read any request fact: such filters are keyed by everything.
  const everything = filter !== '' && !superuser;
  const needsAuth = everything || text.includes('@request.auth');
  const needsQuery = everything || text.includes('@request.query');
  const needsHeaders = everything || text.includes('@request.headers');
  const key = [
    superuser ? 'S' : 'U',
    rule,
    filter,
    needsAuth ? authKey(c.client) : '',
    needsQuery ? mapKey(sub.options.query) : '',
    needsHeaders ? mapKey(sub.options.headers) : '',
  ].join('\u0001');
  return { rule, filter, key };
}

/** Compiles a group's rule and filter into one boolean SQL expression; undefined if it cannot match. */
function compileGroup(collection: CollectionModel, g: AccessGroup): { sql: string; params: SqlValue[] } | undefined {
  try {
    const parts: { sql: string; params: SqlValue[] }[] = [];
    if (g.rule !== '') parts.push(compileRule(g.ctx, collection, g.rule));
    // Same restrictions as a list filter: `@request`/`@collection` from a non-superuser throws,
    // which here means "never matches" (spec §7.3).
    if (g.filter !== '') parts.push(compileRule(g.ctx, collection, g.filter, { mode: 'filter' }));
    return { sql: parts.map((p) => `(${p.sql})`).join(' AND '), params: parts.flatMap((p) => p.params) };
  } catch {
    return undefined;
  }
}

/** Evaluates groups against the row (stored, or virtual from `data`); sets `allowed` on each. */
async function evaluateGroups(app: App, collection: CollectionModel, record: RecordData, groups: AccessGroup[], useStored: boolean): Promise<void> {
  const q = app.db.dialect.quote.bind(app.db.dialect);
  const compiled = groups.map((g) => {
    const c = compileGroup(collection, g);
    if (!c) g.allowed = false;
    return { g, c };
  });
  const pending = compiled.filter((x) => x.c !== undefined) as { g: AccessGroup; c: { sql: string; params: SqlValue[] } }[];
  const missing: AccessGroup[] = [];
  for (let i = 0; i < pending.length; i += ACCESS_CHECKS_PER_QUERY) {
    const chunk = pending.slice(i, i + ACCESS_CHECKS_PER_QUERY);
    const columns = chunk.map((x, n) => `CASE WHEN (${x.c.sql}) THEN 1 ELSE 0 END AS ${q(`a${n}`)}`).join(', ');
    const params = chunk.flatMap((x) => x.c.params);
    let row: Record<string, unknown> | undefined;
    if (useStored) {
      row = await app.db.get(`SELECT ${columns} FROM ${q(collection.name)} ${ROW_ALIAS} WHERE ${ROW_ALIAS}.${q('id')} = ?`, [...params, String(record.id)]);
      // Deleted (or never visible) since the event: judge the event's own values instead.
      if (!row) {
        missing.push(...chunk.map((x) => x.g));
        continue;
      }
    } else {
      const values = recordToDriver(collection, record);
      const from = [...values.keys()].map((name) => `? AS ${q(name)}`).join(', ');
      // Placeholders bind in text order: the CASE columns come before the virtual row.
      row = await app.db.get(`SELECT ${columns} FROM (SELECT ${from}) ${ROW_ALIAS}`, [...params, ...values.values()]);
    }
    chunk.forEach((x, n) => (x.g.allowed = Number(row?.[`a${n}`] ?? 0) === 1));
  }
  if (missing.length) await evaluateGroups(app, collection, record, missing, false);
}

/**
 * The deliveries of one record event to `candidates`, in candidate order. Clients that may not
 * view the record, and subscriptions with unusable options, get nothing.
 */
export async function planRecordDeliveries(app: App, collection: CollectionModel, action: RecordAction, record: RecordData, candidates: Candidate[]): Promise<Delivery[]> {
  // 1. Access.
  const groups = new Map<string, AccessGroup>();
  const decisions: (AccessGroup | boolean)[] = candidates.map((c) => {
    if (c.subscription.invalid) return false;
    const k = accessKey(collection, c);
    if (typeof k === 'boolean') return k;
    let g = groups.get(k.key);
    if (!g) groups.set(k.key, (g = { ctx: subscriberContext(app, c.client, c.subscription), rule: k.rule, filter: k.filter }));
    return g;
  });
  if (groups.size) await evaluateGroups(app, collection, record, [...groups.values()], action !== 'delete');

  // 2. Shape: serialise once per shape key, stringify once per (shape, fields).
  const shapes = new Map<string, Promise<Record<string, unknown>>>();
  const payloads = new Map<string, string>();
  const out: Delivery[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const d = decisions[i];
    if (d === false || (typeof d === 'object' && d.allowed !== true)) continue;
    const { client, subscription } = candidates[i];
    const expand = subscription.options.query.expand ?? '';
    const personal = expand !== '' || collection.type === 'auth';
    const su = client.auth?.collection.name === '_superusers' ? 'S' : 'U';
    // Most subscribers share a shape: build the long key only when it can differ per subscriber.
    const shapeKey = personal ? [su, expand, authKey(client), mapKey(subscription.options.query), mapKey(subscription.options.headers)].join('\u0001') : su;
    let shape = shapes.get(shapeKey);
    if (!shape) {
      const ctx = subscriberContext(app, client, subscription);
      shape = enrichRecords(ctx, app.db, collection, [record], { expand: expand || undefined }).then((r) => r[0]);
      shapes.set(shapeKey, shape);
    }
    const fields = subscription.options.query.fields ?? '';
    const payloadKey = `${shapeKey}\u0002${fields}`;
    let data = payloads.get(payloadKey);
    if (data === undefined) {
      const json = await shape;
      const projected = subscription.projection ? applyProjection(json, subscription.projection) : json;
      data = JSON.stringify({ action, record: projected });
      payloads.set(payloadKey, data);
    }
    out.push({ client, topic: subscription.raw, data });
  }
  return out;
}
