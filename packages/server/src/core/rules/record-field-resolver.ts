/**
 * Resolves the operands of a filter/rule (identifiers, literals, functions) to SQL expressions
 * for one collection row (spec §4.3, §4.5–4.9). Mirrors the behaviour of PocketBase's
 * core/record_field_resolver*.go, with our own SQL shape:
 *
 * - a path without multi-valued hops is a scalar: a column of the row, a JSON extraction, a
 *   bound parameter, or a correlated scalar subquery through single relations;
 * - a path that crosses a multiple relation, a back-relation, `:each` or `@collection` joins its
 *   hops into a `JoinScope` and yields the joined value (see join-scope.ts for how scopes
 *   become EXISTS / NOT EXISTS subqueries).
 * @module
 */
import type { CallNode, IdentifierNode, OperandNode } from '../../tools/filter/filter-ast.ts';
import type { ColumnKind, SqlDialect, SqlValue } from '../../storage/types.ts';
import { formatDateTime } from '../../tools/datetime.ts';
import { findField, isAuthCollection, type CollectionLookup, type CollectionModel, type FieldModel } from '../collections/collection.ts';
import { hasUniqueIndex } from '../collections/collection-indexes.ts';
import { BadRequestError } from '../errors.ts';
import { findFieldType } from '../fields/registry.ts';
import { JoinScope, SqlParams, type JoinItem } from './join-scope.ts';
import { datetimeMacro } from './rule-macros.ts';

/** Most relation hops in one path (spec §4.3). */
export const MAX_RELATION_HOPS = 6;
/** Most arguments of `strftime()` (spec §4.9). */
export const MAX_STRFTIME_ARGS = 10;

/** The authenticated record of a request. */
export interface AuthInfo {
  collection: CollectionModel;
  /** Record values in their in-memory form (strings, numbers, booleans, string[], JSON values). */
  record: Record<string, unknown>;
}

/** What `@request.*` reads (spec §4.6). */
export interface RequestInfo {
  auth: AuthInfo | null;
  /** Upper-case HTTP method. */
  method: string;
  /** `default`, `expand`, `realtime`, `protectedFile`, `batch`, `oauth2`, `otp`, `password`. */
  context: string;
  /** First value of each query parameter. */
  query: Record<string, string>;
  /** First value of each header; names are matched as snake_case lowercase. */
  headers: Record<string, string>;
  /** Submitted body values after modifiers, keyed by field name. */
  body?: Record<string, unknown>;
}

/** A resolved operand. */
export interface ResolvedOperand {
  /** SQL expression (may hold parameter markers). */
  readonly sql: string;
  /** JSON/geo values and geoDistance(): `=`/`!=` use IS/IS NOT without '' coalescing (spec §4.4). */
  readonly strict: boolean;
  /** Set for literals written in the filter (text, number, null, true, false). */
  readonly literal?: { readonly value: SqlValue; readonly isText: boolean };
  /** The bound value of a request value (`@request.*`), known when the rule is compiled. */
  readonly known?: SqlValue;
  /** Conditions that must hold together with any comparison of this operand (email visibility). */
  readonly constraints: readonly string[];
  /** Storage kind of a column operand (a field's column, `:length` as number), when known. */
  readonly kind?: ColumnKind;
}

/** Shared state of one compilation (and of the rules it compiles for related collections). */
export interface ResolverContext {
  readonly collections: CollectionLookup;
  readonly dialect: SqlDialect;
  readonly request: RequestInfo;
  readonly now: Date;
  readonly params: SqlParams;
  /** Returns a fresh SQL alias. */
  readonly nextAlias: () => string;
  /**
   * Compiles `rule` (in rule mode) as a boolean over `collection` rows aliased `alias`; used to
   * apply a related collection's listRule in client filters (spec §4.11).
   */
  readonly compileRule: (rule: string, collection: CollectionModel, alias: string) => string;
}

const PLAIN_AUTH_FIELDS = new Set(['id', 'collectionId', 'collectionName', 'email', 'emailVisibility', 'verified']);
const MULTI_VALUE_TYPES = new Set(['select', 'relation', 'file']);
const JSON_TYPES = new Set(['json', 'geoPoint']);
const VIA = /^(\w+)_via_(\w+)$/;
const JSON_SEGMENT = /^[A-Za-z0-9_]+$/;
const KNOWN_MODIFIERS = new Set(['isset', 'changed', 'length', 'each', 'lower']);

/** True when a field holds a list (select/relation/file with maxSelect > 1). */
export function isMultipleField(field: FieldModel): boolean {
  const type = findFieldType(field.type);
  // Fall back to the storage contract while a field type is not registered.
  if (type) return type.isMultiple(field);
  return MULTI_VALUE_TYPES.has(field.type) && Number(field.maxSelect ?? 1) > 1;
}

/** A value from request data or a token record, as a bindable SQL value. */
export function toSqlValue(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'bigint' || value instanceof Uint8Array) return value;
  if (value instanceof Date) return formatDateTime(value);
  return JSON.stringify(value) ?? null;
}

/** A field value in the storage layout's driver form (e.g. a multi relation as JSON array text). */
function fieldSqlValue(field: FieldModel, value: unknown): SqlValue {
  if (MULTI_VALUE_TYPES.has(field.type)) {
    const list = Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value];
    if (isMultipleField(field)) return JSON.stringify(list.map((v) => String(v)));
    return list.length ? String(list[list.length - 1]) : '';
  }
  // Spec §4.4: a submitted string compared through a number field is converted to a number.
  if (field.type === 'number' && typeof value === 'string') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : 0;
  }
  return toSqlValue(value);
}

const normalizeHeader = (name: string): string => name.toLowerCase().replace(/-/g, '_');

/** Where the columns of the first row of a path come from. */
type Root =
  | { readonly kind: 'row'; readonly alias: string }
  /** Values known up front (the auth record, the submitted body): columns become parameters. */
  | { readonly kind: 'values'; readonly values: Record<string, unknown>; readonly key: string };

type Hop =
  | { readonly kind: 'relation'; readonly field: FieldModel; readonly from: CollectionModel; readonly target: CollectionModel; readonly multi: boolean; readonly listRule: string }
  | { readonly kind: 'back'; readonly field: FieldModel; readonly target: CollectionModel; readonly fieldMulti: boolean; readonly multi: boolean; readonly listRule: string; readonly segment: string };

type Terminal =
  | { readonly kind: 'column'; readonly field: FieldModel }
  | { readonly kind: 'json'; readonly field: FieldModel; readonly path: readonly string[] }
  | { readonly kind: 'length'; readonly field: FieldModel }
  | { readonly kind: 'each'; readonly field: FieldModel }
  | { readonly kind: 'null' };

interface Plan {
  readonly root: Root;
  /** Collection of the root row. */
  readonly collection: CollectionModel;
  readonly hops: readonly Hop[];
  readonly terminal: Terminal;
  readonly lower: boolean;
  /** Collection of the row the terminal reads. */
  readonly last: CollectionModel;
}

interface PlanOptions {
  readonly allowHidden: boolean;
  /** Missing fields resolve to NULL instead of failing (inside `@request.*`, spec §4.3). */
  readonly nullifyMissing: boolean;
  /** Apply related collections' listRules (client filters of non-superusers, spec §4.11). */
  readonly restricted: boolean;
}

/**
 * Resolves operands against one collection row. `restricted` enables the client-filter rules
 * for non-superusers (hidden fields rejected, related listRules applied, emails only when
 * visible; spec §4.11).
 */
export class RecordFieldResolver {
  readonly #ctx: ResolverContext;
  readonly #collection: CollectionModel;
  readonly #alias: string;
  readonly #restricted: boolean;

  constructor(ctx: ResolverContext, collection: CollectionModel, alias: string, restricted: boolean) {
    this.#ctx = ctx;
    this.#collection = collection;
    this.#alias = alias;
    this.#restricted = restricted;
  }

  /** Resolves one operand; multi-valued paths join into `scope`. Throws BadRequestError. */
  resolve(node: OperandNode, scope: JoinScope): ResolvedOperand {
    switch (node.kind) {
      case 'text':
        return this.#literal(node.value, true);
      case 'number':
        return this.#literal(node.value, false);
      case 'call':
        return this.#call(node, scope);
      case 'identifier':
        return this.#identifier(node, scope);
    }
  }

  #literal(value: SqlValue, isText: boolean): ResolvedOperand {
    return { sql: this.#ctx.params.add(value), strict: false, literal: { value, isText }, constraints: [] };
  }

  #param(value: SqlValue, lower = false): ResolvedOperand {
    const sql = this.#ctx.params.add(value);
    return lower ? { sql: this.#ctx.dialect.lower(sql), strict: false, constraints: [] } : { sql, strict: false, known: value, constraints: [] };
  }

  #identifier(node: IdentifierNode, scope: JoinScope): ResolvedOperand {
    const [head] = node.path;
    if (head === '@request') return this.#request(node, scope);
    if (head === '@collection') return this.#collectionPath(node, scope);
    if (node.path.length === 1 && head.startsWith('@')) {
      if (node.modifier !== null) throw new BadRequestError(`Macros take no modifiers: ${JSON.stringify(node.name)}.`);
      const value = datetimeMacro(head, this.#ctx.now);
      if (value === undefined) throw new BadRequestError(`Unknown macro ${JSON.stringify(head)}.`);
      return this.#param(value);
    }
    // null/true/false are literals unless a field has that name (spec §4.3).
    if (node.path.length === 1 && node.modifier === null && !findField(this.#collection, head)) {
      const lower = head.toLowerCase();
      if (lower === 'null') return { sql: 'NULL', strict: false, literal: { value: null, isText: false }, constraints: [] };
      if (lower === 'true' || lower === 'false') return this.#literal(lower === 'true' ? 1 : 0, false);
    }
    const plan = this.#plan({ kind: 'row', alias: this.#alias }, this.#collection, node.path, node.modifier, node.name, {
      allowHidden: !this.#restricted,
      nullifyMissing: false,
      restricted: this.#restricted,
    });
    return this.#render(plan, scope, 'row', node.name);
  }

  // ---------------------------------------------------------------------------------------
  // Paths over collection rows
  // ---------------------------------------------------------------------------------------

  /** Walks `segments` from `collection`, validating every step. */
  #plan(root: Root, collection: CollectionModel, segments: readonly string[], modifier: string | null, name: string, opts: PlanOptions): Plan {
    if (modifier !== null && !KNOWN_MODIFIERS.has(modifier)) throw new BadRequestError(`Unknown modifier ${JSON.stringify(modifier)} in ${JSON.stringify(name)}.`);
    const hops: Hop[] = [];
    let current = collection;
    const nullPlan = (): Plan => ({ root, collection, hops: [], terminal: { kind: 'null' }, lower: false, last: collection });
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      if (seg === '' || seg.includes(':')) throw new BadRequestError(`Invalid path ${JSON.stringify(name)}.`);
      const field = findField(current, seg);
      if (field?.hidden && !opts.allowHidden) throw new BadRequestError(`The field ${JSON.stringify(seg)} cannot be used in filters (it is hidden).`);
      const isLast = i === segments.length - 1;

      if (isLast) {
        if (!field) {
          if (opts.nullifyMissing) return nullPlan();
          throw new BadRequestError(`Unknown field ${JSON.stringify(seg)} in ${JSON.stringify(name)}.`);
        }
        // `rel.id` through a single relation is the relation column itself (spec §4.3).
        const prev = hops[hops.length - 1];
        if (field.name === 'id' && prev?.kind === 'relation' && !prev.multi && modifier === null) {
          hops.pop();
          return { root, collection, hops, terminal: { kind: 'column', field: prev.field }, lower: false, last: prev.from };
        }
        return { root, collection, hops, terminal: this.#terminal(field, modifier, name), lower: modifier === 'lower', last: current };
      }

      if (field && JSON_TYPES.has(field.type)) {
        const path = segments.slice(i + 1);
        if (path.some((p) => !JSON_SEGMENT.test(p))) throw new BadRequestError(`Invalid JSON path in ${JSON.stringify(name)}.`);
        if (modifier !== null && modifier !== 'lower') throw new BadRequestError(`The :${modifier} modifier does not apply to JSON paths (${JSON.stringify(name)}).`);
        return { root, collection, hops, terminal: { kind: 'json', field, path }, lower: modifier === 'lower', last: current };
      }

      if (hops.length >= MAX_RELATION_HOPS) throw new BadRequestError(`Too many nested relations in ${JSON.stringify(name)} (max ${MAX_RELATION_HOPS}).`);

      if (!field) {
        const via = VIA.exec(seg);
        const back = via ? this.#ctx.collections.find(via[1]) : undefined;
        const backField = back && via ? findField(back, via[2]) : undefined;
        if (!back || !backField || backField.type !== 'relation' || backField.collectionId !== current.id) {
          if (opts.nullifyMissing) return nullPlan();
          throw new BadRequestError(`Unknown field or back-relation ${JSON.stringify(seg)} in ${JSON.stringify(name)}.`);
        }
        if (backField.hidden && !opts.allowHidden) throw new BadRequestError(`The back-relation field ${JSON.stringify(backField.name)} cannot be used in filters (it is hidden).`);
        const fieldMulti = isMultipleField(backField);
        // Spec §4.10: single only with a single-column unique index on the back field.
        const multi = fieldMulti || !hasUniqueIndex(back, backField.name);
        hops.push({ kind: 'back', field: backField, target: back, fieldMulti, multi, listRule: this.#listRule(back, opts), segment: seg });
        current = back;
        continue;
      }

      if (field.type !== 'relation') throw new BadRequestError(`The field ${JSON.stringify(seg)} is not a relation, so ${JSON.stringify(name)} cannot continue past it.`);
      const target = typeof field.collectionId === 'string' ? this.#ctx.collections.find(field.collectionId) : undefined;
      if (!target) throw new BadRequestError(`The relation ${JSON.stringify(seg)} points to a missing collection.`);
      hops.push({ kind: 'relation', field, from: current, target, multi: isMultipleField(field), listRule: this.#listRule(target, opts) });
      current = target;
    }
    throw new BadRequestError(`Invalid path ${JSON.stringify(name)}.`);
  }

  /** The listRule to AND into joins of `target` ('' for none); null rules are rejected. */
  #listRule(target: CollectionModel, opts: PlanOptions): string {
    if (!opts.restricted) return '';
    if (target.listRule === null) throw new BadRequestError(`Only superusers can filter by fields of the ${JSON.stringify(target.name)} collection.`);
    return target.listRule.trim();
  }

  #terminal(field: FieldModel, modifier: string | null, name: string): Terminal {
    switch (modifier) {
      case null:
      case 'lower':
        return JSON_TYPES.has(field.type) && field.type === 'json' ? { kind: 'json', field, path: [] } : { kind: 'column', field };
      case 'length':
      case 'each':
        if (!MULTI_VALUE_TYPES.has(field.type)) throw new BadRequestError(`The :${modifier} modifier applies only to select, relation and file fields (${JSON.stringify(name)}).`);
        return { kind: modifier, field };
      default:
        throw new BadRequestError(`The :${modifier} modifier applies only to @request.* fields (${JSON.stringify(name)}).`);
    }
  }

  /** Turns a plan into SQL: a scalar when no hop is multi-valued, joins in `scope` otherwise. */
  #render(plan: Plan, scope: JoinScope, key: string, name: string): ResolvedOperand {
    const d = this.#ctx.dialect;
    const isMulti = plan.hops.some((h) => h.multi) || plan.terminal.kind === 'each';
    let value: string;
    let strict = false;

    if (plan.terminal.kind === 'null') return { sql: 'NULL', strict: false, constraints: [] };

    // Values known up front, read without SQL.
    if (plan.root.kind === 'values' && plan.hops.length === 0) {
      return this.#renderValues(plan.root.values, plan, scope, `${plan.root.key}/${plan.terminal.field.name}`);
    }

    const readTerminal = (row: Root): string => {
      const t = plan.terminal as Exclude<Terminal, { kind: 'null' }>;
      const column = this.#column(row, t.field);
      switch (t.kind) {
        case 'column':
          return column;
        case 'json':
          strict = true;
          return d.jsonExtract(column, t.path);
        case 'length':
          return d.jsonArrayLength(column);
        case 'each':
          return column; // handled by the caller
      }
    };

    if (!isMulti) {
      if (plan.hops.length === 0) {
        value = readTerminal(plan.root);
      } else {
        // Correlated scalar subquery through single relations: at most one row, NULL if none.
        const items: JoinItem[] = [];
        let row: Root = plan.root;
        for (const hop of plan.hops) {
          const r = this.#hopItems(hop, row, this.#ctx.nextAlias);
          items.push(...r.items);
          row = { kind: 'row', alias: r.alias };
        }
        const [first, ...rest] = items;
        const joins = rest.map((j) => ` JOIN ${j.item} ON ${j.on.length ? j.on.join(' AND ') : '1=1'}`).join('');
        const where = first.on.length ? ` WHERE ${first.on.join(' AND ')}` : '';
        value = `(SELECT ${readTerminal(row)} FROM ${first.item}${joins}${where})`;
      }
    } else {
      let row: Root = plan.root;
      let rowKey = plan.root.kind === 'values' ? plan.root.key : key;
      for (const hop of plan.hops) {
        rowKey += `/${hop.kind === 'relation' ? hop.field.name : hop.segment}`;
        const from = row;
        const alias = scope.join(rowKey, (next) => this.#hopItems(hop, from, next));
        row = { kind: 'row', alias };
      }
      if (plan.terminal.kind === 'each') {
        const column = this.#column(row, plan.terminal.field);
        const je = scope.join(`${rowKey}/${plan.terminal.field.name}:each`, (next) => {
          const a = next();
          return { items: [{ item: d.jsonEach(column, a), on: [] }], alias: a };
        });
        value = `${je}.value`;
      } else {
        value = readTerminal(row);
      }
    }

    const constraints: string[] = [];
    // Spec §4.3/§4.11: non-superuser client filters only match auth emails marked visible.
    if (this.#restricted && plan.terminal.kind === 'column' && plan.terminal.field.name === 'email' && isAuthCollection(plan.last) && plan.root.kind === 'row') {
      const visibility = findField(plan.last, 'emailVisibility');
      if (visibility) {
        const vis = this.#render({ ...plan, terminal: { kind: 'column', field: visibility }, lower: false }, scope, key, name);
        constraints.push(`${vis.sql} = TRUE`);
      }
    }
    const t = plan.terminal;
    const kind = plan.lower ? undefined : t.kind === 'length' ? 'number' : t.kind === 'column' ? findFieldType(t.field.type)?.columnKind(t.field) : undefined;
    return { sql: plan.lower ? d.lower(value) : value, strict, constraints, ...(kind ? { kind } : {}) };
  }

  /** A column of a row: `alias.col`, or a bound value for a values root. */
  #column(row: Root, field: FieldModel): string {
    if (row.kind === 'row') return `${row.alias}.${this.#ctx.dialect.quote(field.name)}`;
    return this.#ctx.params.add(fieldSqlValue(field, row.values[field.name]));
  }

  /** FROM items for one hop out of `from`, and the alias of the reached row. */
  #hopItems(hop: Hop, from: Root, next: () => string): { items: JoinItem[]; alias: string } {
    const d = this.#ctx.dialect;
    const a = next();
    const table = `${d.quote(hop.target.name)} AS ${a}`;
    const rule = hop.listRule !== '' ? [this.#ctx.compileRule(hop.listRule, hop.target, a)] : [];
    switch (hop.kind) {
      case 'relation': {
        const column = this.#column(from, hop.field);
        if (!hop.multi) return { items: [{ item: table, on: [`${a}.${d.quote('id')} = ${column}`, ...rule] }], alias: a };
        const je = next();
        return {
          items: [
            { item: d.jsonEach(column, je), on: [] },
            { item: table, on: [`${a}.${d.quote('id')} = ${je}.value`, ...rule] },
          ],
          alias: a,
        };
      }
      case 'back': {
        const id = from.kind === 'row' ? `${from.alias}.${d.quote('id')}` : this.#ctx.params.add(toSqlValue(from.values.id));
        const backColumn = `${a}.${d.quote(hop.field.name)}`;
        if (!hop.fieldMulti) return { items: [{ item: table, on: [`${backColumn} = ${id}`, ...rule] }], alias: a };
        const je = next();
        return { items: [{ item: table, on: [`${id} IN (SELECT ${je}.value FROM ${d.jsonEach(backColumn, je)})`, ...rule] }], alias: a };
      }
    }
  }

  /** A path that ends on a values root (auth record or body) without hops. */
  #renderValues(values: Record<string, unknown>, plan: Plan, scope: JoinScope, key: string): ResolvedOperand {
    const d = this.#ctx.dialect;
    const t = plan.terminal as Exclude<Terminal, { kind: 'null' }>;
    const raw = values[t.field.name];
    switch (t.kind) {
      case 'column':
        return this.#param(fieldSqlValue(t.field, raw), plan.lower);
      case 'json': {
        const sql = this.#ctx.params.add(toSqlValue(walk(raw, t.path).value));
        return { sql: plan.lower ? d.lower(sql) : sql, strict: true, constraints: [] };
      }
      case 'length':
        return this.#param(listOf(raw).length);
      case 'each': {
        const json = this.#ctx.params.add(JSON.stringify(listOf(raw).map(toSqlValue)));
        const je = scope.join(`${key}:each`, (next) => {
          const a = next();
          return { items: [{ item: d.jsonEach(json, a), on: [] }], alias: a };
        });
        return { sql: plan.lower ? d.lower(`${je}.value`) : `${je}.value`, strict: false, constraints: [] };
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // @collection.*
  // ---------------------------------------------------------------------------------------

  #collectionPath(node: IdentifierNode, scope: JoinScope): ResolvedOperand {
    const [, ref, ...rest] = node.path;
    if (!ref || rest.length === 0) throw new BadRequestError(`Invalid @collection path ${JSON.stringify(node.name)}: expected @collection.<name>.<field>.`);
    const colon = ref.indexOf(':');
    const collName = colon >= 0 ? ref.slice(0, colon) : ref;
    const alias = colon >= 0 ? ref.slice(colon + 1) : '';
    const target = this.#ctx.collections.find(collName);
    if (!target) throw new BadRequestError(`Unknown collection ${JSON.stringify(collName)} in ${JSON.stringify(node.name)}.`);
    const key = alias ? `@collection:alias:${alias}` : `@collection:${target.name}`;
    // The joined rows are a fresh root: resolve the remaining path from them.
    const joined = scope.join(key, (next) => {
      const a = next();
      return { items: [{ item: `${this.#ctx.dialect.quote(target.name)} AS ${a}`, on: [] }], alias: a };
    });
    const plan = this.#plan({ kind: 'row', alias: joined }, target, rest, node.modifier, node.name, { allowHidden: true, nullifyMissing: false, restricted: false });
    return this.#render(plan, scope, key, node.name);
  }

  // ---------------------------------------------------------------------------------------
  // @request.*
  // ---------------------------------------------------------------------------------------

  #request(node: IdentifierNode, scope: JoinScope): ResolvedOperand {
    const req = this.#ctx.request;
    const [, section, ...rest] = node.path;
    const mod = node.modifier;
    if (mod !== null && !KNOWN_MODIFIERS.has(mod)) throw new BadRequestError(`Unknown modifier ${JSON.stringify(mod)} in ${JSON.stringify(node.name)}.`);
    const staticValue = (found: { present: boolean; value: unknown }): ResolvedOperand => {
      if (mod === 'isset') return this.#param(found.present ? 1 : 0);
      if (mod !== null && mod !== 'lower') throw new BadRequestError(`The :${mod} modifier does not apply to ${JSON.stringify(node.name)}.`);
      return this.#param(toSqlValue(found.value), mod === 'lower');
    };
    switch (section) {
      case 'method':
      case 'context':
        if (rest.length) return staticValue({ present: false, value: null });
        return staticValue({ present: true, value: section === 'method' ? req.method.toUpperCase() : req.context });
      case 'query': {
        if (rest.length !== 1) return staticValue({ present: false, value: null });
        const present = Object.hasOwn(req.query, rest[0]);
        return staticValue({ present, value: present ? req.query[rest[0]] : null });
      }
      case 'headers': {
        if (rest.length !== 1) return staticValue({ present: false, value: null });
        const wanted = normalizeHeader(rest[0]);
        const key = Object.keys(req.headers).find((k) => normalizeHeader(k) === wanted);
        return staticValue({ present: key !== undefined, value: key === undefined ? null : req.headers[key] });
      }
      case 'auth':
        return this.#requestAuth(node, rest, scope, staticValue);
      case 'body':
        return this.#requestBody(node, rest, scope, staticValue);
      default:
        throw new BadRequestError(`Unknown request field ${JSON.stringify(node.name)}.`);
    }
  }

  #requestAuth(
    node: IdentifierNode,
    rest: readonly string[],
    scope: JoinScope,
    staticValue: (f: { present: boolean; value: unknown }) => ResolvedOperand,
  ): ResolvedOperand {
    const auth = this.#ctx.request.auth;
    // Guests: every @request.auth.* is NULL (spec §4.6).
    if (!auth) return node.modifier === 'isset' ? this.#param(0) : { sql: 'NULL', strict: false, constraints: [] };
    if (rest.length === 0) throw new BadRequestError(`Invalid path ${JSON.stringify(node.name)}.`);
    if (rest.length === 1 && PLAIN_AUTH_FIELDS.has(rest[0])) {
      const name = rest[0];
      const value = name === 'collectionId' ? auth.collection.id : name === 'collectionName' ? auth.collection.name : auth.record[name];
      return staticValue({ present: value !== undefined, value });
    }
    if (node.modifier === 'isset') return this.#param(Object.hasOwn(auth.record, rest[0]) ? 1 : 0);
    if (node.modifier === 'changed') throw new BadRequestError(`The :changed modifier applies only to @request.body fields.`);
    const plan = this.#plan({ kind: 'values', values: auth.record, key: '@request.auth' }, auth.collection, rest, node.modifier, node.name, {
      allowHidden: true,
      nullifyMissing: true,
      restricted: false,
    });
    return this.#render(plan, scope, '@request.auth', node.name);
  }

  #requestBody(
    node: IdentifierNode,
    rest: readonly string[],
    scope: JoinScope,
    staticValue: (f: { present: boolean; value: unknown }) => ResolvedOperand,
  ): ResolvedOperand {
    const body = this.#ctx.request.body ?? {};
    const mod = node.modifier;
    if (rest.length === 0) throw new BadRequestError(`Invalid path ${JSON.stringify(node.name)}.`);
    const field = findField(this.#collection, rest[0]);
    const found = walk(body, rest);

    if (mod === 'changed') {
      if (!field || rest.length !== 1) throw new BadRequestError(`The :changed modifier applies only to fields of the collection (${JSON.stringify(node.name)}).`);
      // Spec §4.5: `@request.body.F:isset = true && @request.body.F != F`, against the stored row.
      if (!found.present) return this.#param(0);
      const submitted = this.#param(fieldSqlValue(field, found.value));
      const stored = `${this.#alias}.${this.#ctx.dialect.quote(field.name)}`;
      const d = this.#ctx.dialect;
      return { sql: `(CASE WHEN ${d.isDistinctFrom(d.coalesceText(submitted.sql), d.coalesceText(stored))} THEN 1 ELSE 0 END)`, strict: false, constraints: [] };
    }
    if (mod === 'isset') return this.#param(found.present ? 1 : 0);

    if (field && (mod === 'each' || mod === 'length') && rest.length === 1) {
      if (!isMultipleField(field)) throw new BadRequestError(`The :${mod} modifier needs a multi-valued field (${JSON.stringify(node.name)}).`);
      const plan: Plan = { root: { kind: 'values', values: body, key: '@request.body' }, collection: this.#collection, hops: [], terminal: { kind: mod, field }, lower: false, last: this.#collection };
      return this.#renderValues(body, plan, scope, `@request.body/${field.name}`);
    }
    if (mod === 'each' || mod === 'length') throw new BadRequestError(`The :${mod} modifier needs a multi-valued field of the collection (${JSON.stringify(node.name)}).`);

    // @request.body.rel.field: follow the submitted ids (spec §4.6).
    if (field?.type === 'relation' && rest.length > 1) {
      const plan = this.#plan({ kind: 'values', values: body, key: '@request.body' }, this.#collection, rest, mod, node.name, {
        allowHidden: true,
        nullifyMissing: true,
        restricted: false,
      });
      return this.#render(plan, scope, '@request.body', node.name);
    }
    if (field && rest.length === 1) {
      return this.#param(found.present ? fieldSqlValue(field, found.value) : null, mod === 'lower');
    }
    return staticValue(found);
  }

  // ---------------------------------------------------------------------------------------
  // Functions (spec §4.9)
  // ---------------------------------------------------------------------------------------

  #call(node: CallNode, scope: JoinScope): ResolvedOperand {
    const d = this.#ctx.dialect;
    switch (node.name) {
      case 'geoDistance': {
        if (node.args.length !== 4) throw new BadRequestError(`The geoDistance() function takes exactly 4 arguments, found ${node.args.length}.`);
        const args = node.args.map((arg) => {
          if (arg.kind !== 'identifier' && arg.kind !== 'number') throw new BadRequestError('The geoDistance() arguments must be fields or numbers.');
          return this.resolve(arg, scope);
        });
        const [lonA, latA, lonB, latB] = args.map((a) => a.sql);
        return { sql: d.geoDistance(lonA, latA, lonB, latB), strict: true, constraints: args.flatMap((a) => a.constraints), kind: 'number' };
      }
      case 'strftime': {
        const [format, time, ...modifiers] = node.args;
        if (!format || format.kind !== 'text') throw new BadRequestError('The strftime() function needs a text format as its first argument.');
        if (node.args.length > MAX_STRFTIME_ARGS) throw new BadRequestError(`The strftime() function takes at most ${MAX_STRFTIME_ARGS} arguments.`);
        if (time && time.kind === 'call') throw new BadRequestError('The strftime() time argument must be a text, number or field.');
        if (modifiers.some((m) => m.kind !== 'text')) throw new BadRequestError('The strftime() modifiers must be text.');
        const timeSql = time ? this.resolve(time, scope) : this.#param('now');
        const sql = d.strftime(
          this.#ctx.params.add(format.value),
          timeSql.sql,
          modifiers.map((m) => this.#ctx.params.add((m as { value: string }).value)),
        );
        return { sql, strict: false, constraints: [...timeSql.constraints] };
      }
      default:
        throw new BadRequestError(`Unknown function ${JSON.stringify(node.name)}.`);
    }
  }
}

function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null || value === '' ? [] : [value];
}

/** Follows a dot path through request data (numeric segments index arrays). */
function walk(root: unknown, path: readonly string[]): { present: boolean; value: unknown } {
  let value: unknown = root;
  for (const seg of path) {
    if (value === null || typeof value !== 'object') return { present: false, value: null };
    if (Array.isArray(value)) {
      if (!/^\d+$/.test(seg) || Number(seg) >= value.length) return { present: false, value: null };
      value = value[Number(seg)];
    } else {
      if (!Object.hasOwn(value, seg)) return { present: false, value: null };
      value = (value as Record<string, unknown>)[seg];
    }
  }
  return { present: true, value };
}
