/**
 * Compiles filters and API rules (spec §4) to parameterised SQL for one collection.
 *
 * Public API:
 * - `compileFilter(input, opts)` → `{ sql, params }`: a boolean SQL expression over the row
 *   aliased `opts.alias`, for a WHERE clause.
 * - `compileSort(input, opts)` → `{ sql, params }`: comma-separated ORDER BY items (without the
 *   ORDER BY keyword), spec §3.2.
 * - `checkRule(rule, collection, collections, dialect)`: the rule validation used when a
 *   collection is saved (spec §4.12); returns the problem or undefined.
 *
 * SQL uses `?` placeholders in left-to-right order; values are always bound. Errors: syntax and
 * resolution problems → `BadRequestError`; `@request.`/`@collection.` in a non-superuser's
 * client filter or sort → `ForbiddenError`.
 *
 * Semantics (spec §4.10, mirroring PocketBase's SELECT DISTINCT + LEFT JOIN query):
 * - any-of comparisons (`?=` …) on multi-valued paths join into one scope per compiled filter,
 *   and the whole filter becomes `EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN … WHERE filter)`,
 *   so several any-of comparisons on the same path (or `@collection` alias) see the same row;
 * - plain comparisons on multi-valued paths require every value to match:
 *   `NOT EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN … WHERE NOT COALESCE(cmp, FALSE))`. The
 *   LEFT JOIN from a one-row table means an empty list is compared once as NULL, which is the
 *   spec's empty-set rule (`tags:each = "a"` false, `tags:each != "a"` true).
 * @module
 */
import { parseFilter, parseIdentifier } from '../../tools/filter/filter-parser.ts';
import type { ComparisonNode, FilterExpression, FilterNode, FilterOperator } from '../../tools/filter/filter-ast.ts';
import { FilterSyntaxError } from '../../tools/filter/filter-syntax-error.ts';
import type { SqlDialect, SqlValue } from '../../storage/types.ts';
import type { CollectionLookup, CollectionModel } from '../collections/collection.ts';
import { BadRequestError, ForbiddenError } from '../errors.ts';
import { JoinScope, SqlParams } from './join-scope.ts';
import { RecordFieldResolver, type RequestInfo, type ResolvedOperand, type ResolverContext } from './record-field-resolver.ts';

export type { AuthInfo, RequestInfo } from './record-field-resolver.ts';

/** Most sort keys in one `sort` parameter (spec §3.2). */
export const MAX_SORT_KEYS = 8;
/** Longest sort key name (spec §3.2). */
export const MAX_SORT_KEY_LENGTH = 255;

export interface CompileOptions {
  collection: CollectionModel;
  /**
   * SQL alias (already safe to splice) under which the current row is available in the outer
   * query. Note: the compiler's own aliases are `__bf<n>`; do not use that form here.
   */
  alias: string;
  collections: CollectionLookup;
  dialect: SqlDialect;
  request: RequestInfo;
  /** `filter`: a client-supplied filter/sort (restrictions of spec §4.11 apply to non-superusers). */
  mode: 'rule' | 'filter';
  isSuperuser: boolean;
  /** Clock for the datetime macros; defaults to the current time. */
  now?: Date;
}

export interface CompiledSql {
  sql: string;
  params: SqlValue[];
}

const EMPTY_REQUEST: RequestInfo = { auth: null, method: 'GET', context: 'default', query: {}, headers: {}, body: {} };

/**
 * Compiles a filter or rule to a boolean SQL expression over `opts.alias`.
 *
 * @example
 * const { sql, params } = compileFilter('author = @request.auth.id && tags:each ?= "news"', {
 *   collection: posts, alias: '`posts`', collections, dialect: db.dialect, request,
 *   mode: 'rule', isSuperuser: false,
 * });
 * await db.all(`SELECT * FROM \`posts\` WHERE ${sql}`, params);
 */
export function compileFilter(input: string, opts: CompileOptions): CompiledSql {
  const restricted = opts.mode === 'filter' && !opts.isSuperuser;
  if (restricted) forbidRequestAndCollection(input, 'filter');
  const params = new SqlParams();
  const ctx = context(opts, params);
  const sql = compileExpression(parse(input), ctx, opts.collection, opts.alias, restricted);
  return params.finalize(sql);
}

/**
 * Compiles a `sort` parameter to ORDER BY items. Keys are `field`, `+field` (ascending) or
 * `-field` (descending), relation paths through single relations, `@random` and `@rowid`.
 * Multi-valued paths and unknown fields → `BadRequestError`.
 */
export function compileSort(input: string, opts: CompileOptions): CompiledSql {
  const restricted = opts.mode === 'filter' && !opts.isSuperuser;
  if (restricted) forbidRequestAndCollection(input, 'sort');
  const params = new SqlParams();
  const ctx = context(opts, params);
  const resolver = new RecordFieldResolver(ctx, opts.collection, opts.alias, restricted);
  const keys = input.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (keys.length > MAX_SORT_KEYS) throw new BadRequestError(`Too many sort keys: at most ${MAX_SORT_KEYS} are allowed.`);
  const items = keys.map((key) => {
    const desc = key.startsWith('-');
    const name = desc || key.startsWith('+') ? key.slice(1) : key;
    if (name.length > MAX_SORT_KEY_LENGTH) throw new BadRequestError(`Sort key too long: at most ${MAX_SORT_KEY_LENGTH} characters.`);
    if (name === '@random') return opts.dialect.randomOrder;
    // Views have no physical row order to sort by.
    if (name === '@rowid' && opts.collection.type === 'view') throw new BadRequestError('@rowid sorting is not available for view collections.');
    if (name === '@rowid') return opts.dialect.orderItem(`${opts.alias}.${opts.dialect.rowidOrder}`, desc);
    let node;
    try {
      node = parseIdentifier(name);
    } catch (err) {
      if (err instanceof FilterSyntaxError) throw new BadRequestError(`Invalid sort key ${JSON.stringify(name)}: ${err.message}`, { cause: err });
      throw err;
    }
    const resolved = resolver.resolve(node, new JoinScope('none', ctx.nextAlias, name));
    // A hidden email must not leak through ordering either.
    const sql = resolved.constraints.length ? `(CASE WHEN ${resolved.constraints.join(' AND ')} THEN ${resolved.sql} ELSE NULL END)` : resolved.sql;
    return opts.dialect.orderItem(sql, desc);
  });
  return params.finalize(items.join(', '));
}

/**
 * Checks a rule when its collection is saved (spec §4.12): parses and resolves it against
 * `collection` with an empty request. Returns the problem as text, or undefined when valid.
 */
export function checkRule(rule: string, collection: CollectionModel, collections: CollectionLookup, dialect: SqlDialect): string | undefined {
  try {
    compileFilter(rule, { collection, alias: dialect.quote(collection.name), collections, dialect, request: EMPTY_REQUEST, mode: 'rule', isSuperuser: false });
    return undefined;
  } catch (err) {
    if (err instanceof BadRequestError) return err.message;
    throw err;
  }
}

function forbidRequestAndCollection(input: string, _what: 'filter' | 'sort'): void {
  // Spec §3.2: a plain substring check on the raw parameter, even inside string literals.
  // PocketBase words it "filter by" for the sort parameter too (spec §2.3).
  if (input.includes('@collection.')) throw new ForbiddenError('Only superusers can filter by @collection.');
  if (input.includes('@request.')) throw new ForbiddenError('Only superusers can filter by @request.');
}

function parse(input: string): FilterNode {
  try {
    return parseFilter(input);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new BadRequestError(`Invalid filter: ${err.message}`, { cause: err });
    throw err;
  }
}

function context(opts: CompileOptions, params: SqlParams): ResolverContext {
  let n = 0;
  const ctx: ResolverContext = {
    collections: opts.collections,
    dialect: opts.dialect,
    request: opts.request,
    now: opts.now ?? new Date(),
    params,
    nextAlias: () => `__bf${++n}`,
    // Related collections' listRules are compiled as rules (no further restrictions), so this
    // recursion is one level deep at most.
    compileRule: (rule, collection, alias) => compileExpression(parse(rule), ctx, collection, alias, false),
  };
  return ctx;
}

/** Compiles a parsed filter for rows of `collection` aliased `alias`; SQL keeps param markers. */
function compileExpression(ast: FilterNode, ctx: ResolverContext, collection: CollectionModel, alias: string, restricted: boolean): string {
  if (ast.kind === 'empty') return '(1=1)';
  const resolver = new RecordFieldResolver(ctx, collection, alias, restricted);
  const shared = new JoinScope('shared', ctx.nextAlias);
  const sql = new ExpressionCompiler(ctx, resolver, shared).expression(ast);
  if (shared.isEmpty) return `(${sql})`;
  return `EXISTS (SELECT 1 FROM (SELECT 1) AS ${ctx.nextAlias()}${shared.renderJoins()} WHERE ${sql})`;
}

class ExpressionCompiler {
  readonly #ctx: ResolverContext;
  readonly #resolver: RecordFieldResolver;
  readonly #shared: JoinScope;

  constructor(ctx: ResolverContext, resolver: RecordFieldResolver, shared: JoinScope) {
    this.#ctx = ctx;
    this.#resolver = resolver;
    this.#shared = shared;
  }

  expression(node: FilterExpression): string {
    switch (node.kind) {
      case 'comparison':
        return this.#comparison(node);
      case 'group':
        return `(${this.expression(node.expression)})`;
      case 'and':
      case 'or':
        return `(${node.operands.map((n) => this.expression(n)).join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
  }

  #comparison(node: ComparisonNode): string {
    const anyOf = node.operator.startsWith('?');
    const op = (anyOf ? node.operator.slice(1) : node.operator) as FilterOperator;
    if (anyOf) {
      const left = this.#resolver.resolve(node.left, this.#shared);
      const right = this.#resolver.resolve(node.right, this.#shared);
      return this.#compare(left, op, right);
    }
    // Each side of a plain comparison gets its own joins: "every value (pair) satisfies".
    const leftScope = new JoinScope('local', this.#ctx.nextAlias);
    const rightScope = new JoinScope('local', this.#ctx.nextAlias);
    const left = this.#resolver.resolve(node.left, leftScope);
    const right = this.#resolver.resolve(node.right, rightScope);
    const cmp = this.#compare(left, op, right);
    if (leftScope.isEmpty && rightScope.isEmpty) return cmp;
    return `NOT EXISTS (SELECT 1 FROM (SELECT 1) AS ${this.#ctx.nextAlias()}${leftScope.renderJoins()}${rightScope.renderJoins()} WHERE NOT COALESCE(${cmp}, FALSE))`;
  }

  /** One comparison of two single values (spec §4.4), with the operands' constraints. */
  #compare(l: ResolvedOperand, op: FilterOperator, r: ResolvedOperand): string {
    const d = this.#ctx.dialect;
    // A number or bool column (or geoDistance) against anything that is not a number or NULL
    // (`views = "abc"`, `id > views`, `published = views`): SQLite converts the other side to a
    // number where it can (numeric affinity). Engines with static types get both sides as
    // numbers, text that is not a number reading as NULL rather than failing the query.
    if (op !== '~' && op !== '!~' && (mixesTypes(l, r, op) || mixesTypes(r, l, op))) {
      l = { ...l, sql: d.numeric(l.sql) };
      r = { ...r, sql: d.numeric(r.sql) };
    }
    let sql: string;
    switch (op) {
      case '=':
      case '!=':
        sql = this.#equality(l, op, r);
        break;
      case '~':
      case '!~': {
        const like = d.like(l.sql, this.#likePattern(r));
        sql = op === '~' ? like : `NOT (${like})`;
        break;
      }
      default: {
        // Two bound values (or a bound number and a JSON value) have no column whose type the
        // engine could compare them by: say they are numbers when one is (spec §4.4: numbers
        // compare numerically, as in SQLite).
        const isNumber = (o: ResolvedOperand): boolean => typeof (o.literal ? o.literal.value : o.known) === 'number';
        const numeric = (isNumber(l) && (isNumber(r) || r.strict)) || (isNumber(r) && l.strict);
        sql = numeric ? `${d.numeric(l.sql)} ${op} ${d.numeric(r.sql)}` : `${l.sql} ${op} ${r.sql}`;
      }
    }
    const constraints = [...l.constraints, ...r.constraints];
    return constraints.length ? `(${sql} AND ${constraints.join(' AND ')})` : `(${sql})`;
  }

  /** NULL ≡ '' equality (spec §4.4), strict IS / IS NOT for JSON and geo values. */
  #equality(l: ResolvedOperand, op: '=' | '!=', r: ResolvedOperand): string {
    const d = this.#ctx.dialect;
    const eq = op === '=';
    if (l.strict || r.strict) return eq ? d.isNotDistinctFrom(l.sql, r.sql) : d.isDistinctFrom(l.sql, r.sql);
    // A value known at compile time (a literal, or a request value bound as a parameter) lets a
    // non-empty comparison use plain `=`, which an index on the column can serve; COALESCE can't.
    const hasValue = (o: ResolvedOperand): boolean => o.literal !== undefined || o.known !== undefined;
    const valueOf = (o: ResolvedOperand): SqlValue | undefined => (o.literal ? o.literal.value : o.known);
    const isEmpty = (o: ResolvedOperand): boolean => hasValue(o) && (valueOf(o) === null || valueOf(o) === '');
    if (isEmpty(l) || isEmpty(r)) {
      const other = isEmpty(r) ? l : r;
      if (isEmpty(l) && isEmpty(r)) return eq ? '1=1' : '1=0';
      return `${d.coalesceText(other.sql)} ${eq ? '=' : '!='} ''`;
    }
    if (hasValue(l) || hasValue(r)) return eq ? `${l.sql} = ${r.sql}` : d.isDistinctFrom(l.sql, r.sql);
    return eq ? `${d.coalesceText(l.sql)} = ${d.coalesceText(r.sql)}` : d.isDistinctFrom(d.coalesceText(l.sql), d.coalesceText(r.sql));
  }

  /**
   * The LIKE pattern for `~`/`!~` (spec §4.4): a literal without an unescaped `%` is a plain
   * substring (its `\`, `%`, `_` escaped, wrapped in `%…%`); one with an unescaped `%` is used
   * as written; any other operand is wrapped as `'%' || x || '%'`.
   */
  #likePattern(r: ResolvedOperand): string {
    if (r.literal && r.literal.value !== null) {
      const raw = String(r.literal.value);
      return this.#ctx.params.add(hasUnescapedPercent(raw) ? raw : `%${escapeLike(raw)}%`);
    }
    return `('%' || ${r.sql} || '%')`;
  }
}

/** True when `typed` is a number/bool column or expression and `other` is not of its kind. */
function mixesTypes(typed: ResolvedOperand, other: ResolvedOperand, op: FilterOperator): boolean {
  if (typed.kind !== 'number' && typed.kind !== 'bool') return false;
  if (other.kind === typed.kind) return false;
  const value = other.literal ? other.literal.value : other.known;
  if (other.literal || other.known !== undefined) {
    if (value === null || typeof value === 'number' || typeof value === 'bigint') return false;
    // `x = ""` is the NULL ≡ '' test, which compares text; a strict comparison does not coalesce.
    if (value === '' && (op === '=' || op === '!=') && !typed.strict && !other.strict) return false;
    return true;
  }
  if (other.sql === 'NULL') return false;
  return true;
}

function hasUnescapedPercent(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '%') return true;
  }
  return false;
}

/** Escapes LIKE wildcards; an existing escape pair (`\%`, `\_`, `\\`) is kept as is. */
function escapeLike(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const n = s[i + 1];
    if (c === '\\' && (n === '\\' || n === '%' || n === '_')) {
      out += c + n;
      i++;
    } else if (c === '\\' || c === '%' || c === '_') out += `\\${c}`;
    else out += c;
  }
  return out;
}
