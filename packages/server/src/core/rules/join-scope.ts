/**
 * Building blocks of compiled rule SQL: bound-parameter markers and join scopes.
 * @module
 */
import type { SqlValue } from '../../storage/types.ts';
import { BadRequestError } from '../errors.ts';

// A marker stands for one bound value inside SQL text while it is being assembled. Dialect
// fragment builders may repeat an expression (json_each repeats its argument three times); the
// final pass turns every marker occurrence into `?` and emits its value again, so placeholders
// and values stay in left-to-right order whatever the builders do. The marker characters are
// control characters, which cannot occur in quoted identifiers or in the fixed SQL we write.
const MARKER = /\u0001(\d+)\u0002/g;

/** Collects the values a compiled expression binds. */
export class SqlParams {
  readonly #values: SqlValue[] = [];

  /** Returns the placeholder text for `value`. */
  add(value: SqlValue): string {
    this.#values.push(value);
    return `\u0001${this.#values.length - 1}\u0002`;
  }

  /** Replaces the markers in `sql` by `?` and lists the values in order of appearance. */
  finalize(sql: string): { sql: string; params: SqlValue[] } {
    const params: SqlValue[] = [];
    const out = sql.replace(MARKER, (_, i: string) => {
      params.push(this.#values[Number(i)]);
      return '?';
    });
    return { sql: out, params };
  }
}

/** One FROM item (a table or a JSON array expansion) and the conditions joining it. */
export interface JoinItem {
  readonly item: string;
  readonly on: readonly string[];
}

/**
 * Where the joins of multi-valued paths go. Joins are registered under a key derived from the
 * path (`row/tags`, `@collection:m`), so two references to the same path share one joined row.
 *
 * - `shared`: one per compiled expression; every any-of comparison (`?=` …) joins here. The
 *   expression is then evaluated as `EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN … WHERE expr)`,
 *   which mirrors PocketBase's `SELECT DISTINCT … LEFT JOIN …` main query: the any-of
 *   comparisons of one filter see the *same* joined row (spec §4.7: the memberships rule).
 * - `local`: one per operand of a plain-operator comparison, rendered as an independent
 *   "every value" subquery (spec §4.10).
 * - `none`: joins are not allowed (sort keys); registering one throws `BadRequestError`.
 */
export class JoinScope {
  readonly kind: 'shared' | 'local' | 'none';
  readonly #nextAlias: () => string;
  readonly #what: string;
  readonly #byKey = new Map<string, string>();
  readonly #items: JoinItem[] = [];

  constructor(kind: 'shared' | 'local' | 'none', nextAlias: () => string, what = '') {
    this.kind = kind;
    this.#nextAlias = nextAlias;
    this.#what = what;
  }

  get isEmpty(): boolean {
    return this.#items.length === 0;
  }

  /**
   * The alias of the row joined under `key`, joining it first when needed: `build` receives an
   * alias allocator and returns the items to join (in order) and the alias that names the row.
   */
  join(key: string, build: (alias: () => string) => { items: readonly JoinItem[]; alias: string }): string {
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    if (this.kind === 'none') throw new BadRequestError(`Cannot sort by the multi-valued path ${JSON.stringify(this.#what)}.`);
    const { items, alias } = build(this.#nextAlias);
    this.#items.push(...items);
    this.#byKey.set(key, alias);
    return alias;
  }

  /** The joins as `LEFT JOIN … ON …` clauses, to follow a one-row FROM item. */
  renderJoins(): string {
    return this.#items.map((j) => ` LEFT JOIN ${j.item} ON ${j.on.length ? j.on.join(' AND ') : '1=1'}`).join('');
  }
}
