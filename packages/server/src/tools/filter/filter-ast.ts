/**
 * The typed, immutable syntax tree of the filter/rule language (spec §4.1–4.2), and a printer
 * that turns a tree back into filter text the parser reads as the same tree.
 * @module
 */

/** Comparison operators (spec §4.4); the `?` forms are the any-of variants (§4.10). */
export type FilterOperator =
  | '='
  | '!='
  | '~'
  | '!~'
  | '<'
  | '<='
  | '>'
  | '>='
  | '?='
  | '?!='
  | '?~'
  | '?!~'
  | '?<'
  | '?<='
  | '?>'
  | '?>=';

/** Every operator, longest spellings first (handy for scanners and generators). */
export const FILTER_OPERATORS: readonly FilterOperator[] = Object.freeze([
  '?!=', '?!~', '?<=', '?>=', '!=', '!~', '<=', '>=', '?=', '?~', '?<', '?>', '=', '~', '<', '>',
] as const);

/**
 * A name such as `title`, `author.name`, `@request.auth.id` or `tags:each`.
 * `path` is `name` split on `.`; the `:modifier` of the last segment is split off into
 * `modifier` (earlier segments keep any `:` verbatim, as in `@collection.users:u.name`).
 */
export interface IdentifierNode {
  readonly kind: 'identifier';
  /** The identifier exactly as written, modifier included. */
  readonly name: string;
  readonly path: readonly string[];
  readonly modifier: string | null;
  /** 0-based offset of the first character in the input. */
  readonly position: number;
}

/** A quoted string literal, escapes already decoded. */
export interface TextNode {
  readonly kind: 'text';
  readonly value: string;
  readonly position: number;
}

/** A number literal; `raw` keeps the spelling so printing is exact. */
export interface NumberNode {
  readonly kind: 'number';
  readonly value: number;
  readonly raw: string;
  readonly position: number;
}

/** A function call such as `geoDistance(a.lon, a.lat, 1, 2)` (spec §4.9). */
export interface CallNode {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly OperandNode[];
  readonly position: number;
}

export type OperandNode = IdentifierNode | TextNode | NumberNode | CallNode;

/** `left operator right`. */
export interface ComparisonNode {
  readonly kind: 'comparison';
  readonly left: OperandNode;
  readonly operator: FilterOperator;
  readonly right: OperandNode;
  readonly position: number;
}

/** An explicit parenthesised group; kept so printing restores the parentheses. */
export interface GroupNode {
  readonly kind: 'group';
  readonly expression: FilterExpression;
  readonly position: number;
}

/**
 * Two or more expressions joined by `&&` (`and`) or `||` (`or`). The parser flattens chains,
 * so an `and` never directly holds an `and` and an `or` never directly holds an `or`; an `and`
 * holds comparisons and groups only (standard precedence, spec §4.2).
 */
export interface LogicalNode {
  readonly kind: 'and' | 'or';
  readonly operands: readonly FilterExpression[];
}

export type FilterExpression = ComparisonNode | GroupNode | LogicalNode;

/** What a filter made only of empty groups (`()`) parses to: it constrains nothing. */
export interface EmptyNode {
  readonly kind: 'empty';
}

/** The result of parsing a whole filter. */
export type FilterNode = FilterExpression | EmptyNode;

/**
 * Prints a tree as filter text. `parseFilter(printFilter(node))` gives `node` back (positions
 * aside). Text is printed double-quoted with JSON escapes, which the tokenizer decodes.
 */
export function printFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'empty':
      return '()';
    case 'comparison':
      return `${printOperand(node.left)} ${node.operator} ${printOperand(node.right)}`;
    case 'group':
      return `(${printFilter(node.expression)})`;
    case 'and':
      return node.operands.map(printFilter).join(' && ');
    case 'or':
      return node.operands.map(printFilter).join(' || ');
  }
}

/** Prints one operand. */
export function printOperand(node: OperandNode): string {
  switch (node.kind) {
    case 'identifier':
      return node.name;
    case 'text':
      return JSON.stringify(node.value);
    case 'number':
      return node.raw;
    case 'call':
      return `${node.name}(${node.args.map(printOperand).join(', ')})`;
  }
}
