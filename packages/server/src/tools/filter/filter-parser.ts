/**
 * Recursive-descent parser of the filter/rule language (spec §4.1–4.2) with a bounded cache.
 * @module
 */
import type {
  CallNode,
  ComparisonNode,
  FilterExpression,
  FilterNode,
  FilterOperator,
  IdentifierNode,
  OperandNode,
} from './filter-ast.ts';
import { FilterSyntaxError, describeFound } from './filter-syntax-error.ts';
import { FilterTokenizer, type FilterToken } from './filter-tokenizer.ts';
import { LruCache } from '../lru-cache.ts';

/** Longest accepted filter, in characters (spec §3.2). */
export const MAX_FILTER_LENGTH = 3500;
/** Most comparisons in one filter, counted across every group (spec §3.2, §4.13). */
export const MAX_FILTER_COMPARISONS = 200;
/** Deepest nesting of parenthesised groups; keeps recursion (and the stack) bounded. */
export const MAX_FILTER_GROUP_DEPTH = 32;
/** Deepest nesting of function calls, `f(g(h()))` being 3 (spec §4.9). */
export const MAX_FILTER_FUNCTION_DEPTH = 3;
/** How many parsed filters the cache keeps (see LruCache for which are dropped). */
export const FILTER_CACHE_SIZE = 500;

const cache = new LruCache<FilterNode>(FILTER_CACHE_SIZE);

/**
 * Parses a filter or rule into an immutable tree. `&&` binds tighter than `||`; empty groups
 * `()` are dropped (a filter of only empty groups gives `{ kind: 'empty' }`); an empty or
 * whitespace-only filter is an error. Results are cached per input string (see LruCache).
 *
 * Throws `FilterSyntaxError` (and nothing else) for any input that is not a valid filter.
 *
 * @example
 * parseFilter('status = "active" && (views > 10 || pinned = true)')
 */
export function parseFilter(input: string): FilterNode {
  return cache.through(input, () => new Parser(input).parse());
}

/**
 * Parses `input` as exactly one identifier (no modifier restrictions), as used by sort keys.
 * Throws `FilterSyntaxError` when it is anything else.
 */
export function parseIdentifier(input: string): IdentifierNode {
  const tokenizer = new FilterTokenizer(input);
  const tok = tokenizer.next();
  if (tok.type !== 'identifier') {
    throw new FilterSyntaxError(`Expected an identifier at position ${tok.start}, found ${describeFound(tok.raw)}.`, tok.start);
  }
  const end = tokenizer.next();
  if (end.type !== 'eof') {
    throw new FilterSyntaxError(`Expected end of input at position ${end.start}, found ${describeFound(end.raw)}.`, end.start);
  }
  return identifierNode(tok);
}

function identifierNode(tok: FilterToken): IdentifierNode {
  const path = tok.value.split('.');
  const last = path[path.length - 1];
  const colon = last.indexOf(':');
  let modifier: string | null = null;
  if (colon >= 0) {
    modifier = last.slice(colon + 1);
    path[path.length - 1] = last.slice(0, colon);
  }
  return Object.freeze({ kind: 'identifier', name: tok.value, path: Object.freeze(path), modifier, position: tok.start });
}

class Parser {
  readonly #tokenizer: FilterTokenizer;
  #tok: FilterToken;
  #comparisons = 0;

  constructor(input: string) {
    if (input.length > MAX_FILTER_LENGTH) {
      throw new FilterSyntaxError(`The filter is too long: expected at most ${MAX_FILTER_LENGTH} characters, found ${input.length}.`, MAX_FILTER_LENGTH);
    }
    this.#tokenizer = new FilterTokenizer(input);
    this.#tok = this.#tokenizer.next();
  }

  parse(): FilterNode {
    if (this.#type() === 'eof') this.#fail('an expression');
    const expr = this.#expression(0);
    if (this.#type() !== 'eof') this.#fail('a join (&&, ||) or the end of the filter');
    return expr ?? Object.freeze({ kind: 'empty' });
  }

  /** The current token's type (a method, so TypeScript does not narrow across #advance()). */
  #type(): FilterToken['type'] {
    return this.#tok.type;
  }

  #advance(): FilterToken {
    const tok = this.#tok;
    this.#tok = this.#tokenizer.next();
    return tok;
  }

  #fail(expected: string): never {
    const t = this.#tok;
    throw new FilterSyntaxError(`Expected ${expected} at position ${t.start}, found ${describeFound(t.raw)}.`, t.start);
  }

  /**
   * item { join item }, folded with && above ||. Returns null when every item was an empty
   * group. Inside a group (`depth > 0`) an immediately closing `)` means the group is empty.
   */
  #expression(depth: number): FilterExpression | null {
    const ors: FilterExpression[] = [];
    let ands: FilterExpression[] = [];
    if (depth > 0 && this.#type() === 'rparen') return null;
    for (;;) {
      const item = this.#item(depth);
      if (item) ands.push(item);
      if (this.#type() !== 'join') break;
      const join = this.#advance().value;
      if (join === '||') {
        if (ands.length) ors.push(fold('and', ands));
        ands = [];
      }
    }
    if (ands.length) ors.push(fold('and', ands));
    return ors.length ? fold('or', ors) : null;
  }

  #item(depth: number): FilterExpression | null {
    if (this.#type() === 'lparen') {
      const open = this.#tok;
      if (depth + 1 > MAX_FILTER_GROUP_DEPTH) {
        throw new FilterSyntaxError(`Too deeply nested: expected at most ${MAX_FILTER_GROUP_DEPTH} levels of parentheses at position ${open.start}, found "(".`, open.start);
      }
      this.#advance();
      const inner = this.#expression(depth + 1);
      if (this.#type() !== 'rparen') this.#fail('a join (&&, ||) or ")"');
      this.#advance();
      return inner ? Object.freeze({ kind: 'group', expression: inner, position: open.start }) : null;
    }
    return this.#comparison();
  }

  #comparison(): ComparisonNode {
    const position = this.#tok.start;
    if (++this.#comparisons > MAX_FILTER_COMPARISONS) {
      throw new FilterSyntaxError(`Too many comparisons: expected at most ${MAX_FILTER_COMPARISONS} at position ${position}, found more.`, position);
    }
    const left = this.#operand(0, 'an operand (field, text, number, function) or "("');
    if (this.#type() !== 'operator') this.#fail('an operator (=, !=, ~, !~, <, <=, >, >=, ?=, ...)');
    const operator = this.#advance().value as FilterOperator;
    const right = this.#operand(0, 'an operand (field, text, number, function)');
    return Object.freeze({ kind: 'comparison', left, operator, right, position });
  }

  #operand(fnDepth: number, expected: string): OperandNode {
    const tok = this.#tok;
    switch (tok.type) {
      case 'identifier':
        this.#advance();
        return identifierNode(tok);
      case 'text':
        this.#advance();
        return Object.freeze({ kind: 'text', value: tok.value, position: tok.start });
      case 'number':
        this.#advance();
        return Object.freeze({ kind: 'number', value: Number(tok.value), raw: tok.value, position: tok.start });
      case 'function':
        return this.#call(fnDepth + 1);
      default:
        return this.#fail(expected);
    }
  }

  #call(fnDepth: number): CallNode {
    const tok = this.#tok;
    if (fnDepth > MAX_FILTER_FUNCTION_DEPTH) {
      throw new FilterSyntaxError(`Too deeply nested: expected at most ${MAX_FILTER_FUNCTION_DEPTH} levels of function calls at position ${tok.start}, found ${describeFound(tok.raw)}.`, tok.start);
    }
    this.#advance();
    const args: OperandNode[] = [];
    if (this.#type() === 'rparen') {
      this.#advance();
    } else {
      for (;;) {
        args.push(this.#operand(fnDepth, 'a function argument (field, text, number, function)'));
        if (this.#type() === 'comma') {
          this.#advance();
          continue;
        }
        if (this.#type() === 'rparen') {
          this.#advance();
          break;
        }
        this.#fail('"," or ")"');
      }
    }
    return Object.freeze({ kind: 'call', name: tok.value, args: Object.freeze(args), position: tok.start });
  }
}

function fold(kind: 'and' | 'or', items: FilterExpression[]): FilterExpression {
  return items.length === 1 ? items[0] : Object.freeze({ kind, operands: Object.freeze(items) });
}
