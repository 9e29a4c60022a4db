/**
 * The universal `fields` query parameter (spec §1.4): parse it once, then project any JSON-shaped
 * response through it. Pure and transport-neutral: REST applies it to 2xx bodies, batch to each
 * sub-response.
 * @module
 */
import { excerpt } from './html-excerpt.ts';

/** Longest accepted `fields` value, in UTF-16 code units. */
export const MAX_FIELDS_PARAM_LENGTH = 2048;
/** Most comma-separated paths accepted in one `fields` value. */
export const MAX_FIELDS_PATHS = 200;
/** Most dot-separated segments in one path (expand is at most 6 levels; JSON values add a few). */
export const MAX_FIELDS_PATH_DEPTH = 32;

/** Thrown by {@link parseFieldsParam} for a malformed `fields` value. Transports map it to 400. */
export class ProjectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectionError';
  }
}

/** `:excerpt(maxLength, withEllipsis?)`: HTML → plain text, truncated (strings only). */
export interface ExcerptModifier {
  readonly name: 'excerpt';
  readonly maxLength: number;
  readonly withEllipsis: boolean;
}

/** A modifier applied to the value a path selects. `excerpt` is the only one PocketBase defines. */
export type FieldModifier = ExcerptModifier;

/** One parsed path: `expand.author.name` → `['expand', 'author', 'name']`; `*` may be the last segment. */
export interface FieldPath {
  readonly segments: readonly string[];
  readonly modifier: FieldModifier | null;
}

/**
 * One level of the projection tree.
 * - `leaves`: keys kept whole (their modifier, or `null`);
 * - `branches`: keys narrowed by deeper paths;
 * - `star`: present when `*` appears at this level (its modifier or `null`).
 */
export interface ProjectionNode {
  readonly leaves: ReadonlyMap<string, FieldModifier | null>;
  readonly branches: ReadonlyMap<string, ProjectionNode>;
  readonly star: { readonly modifier: FieldModifier | null } | null;
}

/** A parsed `fields` value. With no paths it is the identity projection. */
export interface FieldsProjection {
  readonly paths: readonly FieldPath[];
  readonly root: ProjectionNode;
}

/** The list response shape (spec §3.2) whose `items` are projected one by one. */
export interface ListEnvelope {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: unknown[];
}

const KNOWN_MODIFIERS = ['excerpt'];
const TRUE_WORDS = new Set(['1', 't', 'true']);
const FALSE_WORDS = new Set(['0', 'f', 'false']);

/**
 * Parses a `fields` query value: comma-separated dot paths, `*` for "every key at this level", an
 * optional `:excerpt(max, ellipsis?)` after the last segment; commas inside `(...)` do not split.
 * Blank items (`a,,b`, a trailing comma) are ignored; an empty value gives the identity projection.
 *
 * Throws {@link ProjectionError} (never anything else) for: a value over
 * {@link MAX_FIELDS_PARAM_LENGTH} chars or {@link MAX_FIELDS_PATHS} paths, a path deeper than
 * {@link MAX_FIELDS_PATH_DEPTH}, an empty segment (`a..b`), `*` before the last segment, unbalanced
 * parentheses, an unknown modifier, or bad `excerpt` arguments (`maxLength` must be an integer > 0,
 * `withEllipsis` one of true/false/1/0/t/f).
 * @example parseFieldsParam('id,title,body:excerpt(100,true)')
 */
export function parseFieldsParam(raw: string): FieldsProjection {
  if (typeof raw !== 'string') throw new ProjectionError('The fields parameter must be a string.');
  if (raw.length > MAX_FIELDS_PARAM_LENGTH) {
    throw new ProjectionError(`The fields parameter must be at most ${MAX_FIELDS_PARAM_LENGTH} characters long.`);
  }
  const paths: FieldPath[] = [];
  for (const item of splitTopLevel(raw)) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    if (paths.length === MAX_FIELDS_PATHS) {
      throw new ProjectionError(`The fields parameter accepts at most ${MAX_FIELDS_PATHS} paths.`);
    }
    paths.push(parsePath(trimmed));
  }
  return { paths, root: buildTree(paths) };
}

/** Splits on commas outside parentheses; parentheses must balance and must not nest. */
function splitTopLevel(raw: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '(') {
      if (depth > 0) throw new ProjectionError('Nested parentheses are not allowed in the fields parameter.');
      depth++;
    } else if (ch === ')') {
      if (depth === 0) throw new ProjectionError('Unbalanced parentheses in the fields parameter.');
      depth--;
    } else if (ch === ',' && depth === 0) {
      items.push(raw.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new ProjectionError('Unbalanced parentheses in the fields parameter.');
  items.push(raw.slice(start));
  return items;
}

function parsePath(item: string): FieldPath {
  const colon = item.indexOf(':');
  const pathText = (colon === -1 ? item : item.slice(0, colon)).trim();
  const modifier = colon === -1 ? null : parseModifier(item.slice(colon + 1).trim(), pathText);
  if (pathText === '') throw new ProjectionError(`Missing field path before the modifier in "${item}".`);
  if (/[()]/.test(pathText)) throw new ProjectionError(`Unexpected parenthesis in field path "${pathText}".`);
  const segments = pathText.split('.').map((segment) => segment.trim());
  if (segments.length > MAX_FIELDS_PATH_DEPTH) {
    throw new ProjectionError(`Field path "${pathText}" is deeper than ${MAX_FIELDS_PATH_DEPTH} levels.`);
  }
  segments.forEach((segment, index) => {
    if (segment === '') throw new ProjectionError(`Empty segment in field path "${pathText}".`);
    if (segment === '*' && index !== segments.length - 1) {
      throw new ProjectionError(`"*" must be the last segment of field path "${pathText}".`);
    }
  });
  return { segments, modifier };
}

function parseModifier(text: string, pathText: string): FieldModifier {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(([^()]*)\)$/.exec(text);
  if (match === null) {
    throw new ProjectionError(`Invalid modifier "${text}" for field "${pathText}"; expected name(arguments).`);
  }
  const [, name, argsText] = match;
  if (!KNOWN_MODIFIERS.includes(name)) {
    throw new ProjectionError(`Unknown field modifier "${name}"; supported: ${KNOWN_MODIFIERS.join(', ')}.`);
  }
  const args = argsText.split(',').map((arg) => unquote(arg.trim()));
  if (args.length < 1 || args.length > 2 || args[0] === '') {
    throw new ProjectionError('The excerpt modifier expects 1 or 2 arguments: excerpt(maxLength, withEllipsis?).');
  }
  if (!/^\d{1,15}$/.test(args[0]) || Number(args[0]) <= 0) {
    throw new ProjectionError(`The excerpt maxLength must be a positive integer, got "${args[0]}".`);
  }
  let withEllipsis = false;
  if (args.length === 2) {
    const word = args[1].toLowerCase();
    if (TRUE_WORDS.has(word)) withEllipsis = true;
    else if (!FALSE_WORDS.has(word)) {
      throw new ProjectionError(`The excerpt withEllipsis argument must be a boolean, got "${args[1]}".`);
    }
  }
  return { name: 'excerpt', maxLength: Number(args[0]), withEllipsis };
}

/** Accepts `"true"`/`'100'` as well as bare words, for clients that quote arguments. */
function unquote(arg: string): string {
  if (arg.length >= 2 && (arg[0] === '"' || arg[0] === "'") && arg[arg.length - 1] === arg[0]) {
    return arg.slice(1, -1).trim();
  }
  return arg;
}

interface MutableNode {
  leaves: Map<string, FieldModifier | null>;
  branches: Map<string, MutableNode>;
  star: { modifier: FieldModifier | null } | null;
}

function newNode(): MutableNode {
  return { leaves: new Map(), branches: new Map(), star: null };
}

/** Later duplicates win, as with PocketBase's map of paths (`title,title:excerpt(5)` excerpts). */
function buildTree(paths: readonly FieldPath[]): ProjectionNode {
  const root = newNode();
  for (const { segments, modifier } of paths) {
    let node = root;
    for (let i = 0; i < segments.length - 1; i++) {
      let child = node.branches.get(segments[i]);
      if (child === undefined) {
        child = newNode();
        node.branches.set(segments[i], child);
      }
      node = child;
    }
    const last = segments[segments.length - 1];
    if (last === '*') node.star = { modifier };
    else node.leaves.set(last, modifier);
  }
  return root;
}

/**
 * Projects a response value through `projection`, returning a new value; the input is never
 * mutated (unselected subtrees are shared, not copied).
 *
 * Semantics (spec §1.4): at each object level a key is kept when a path ends on it (whole value,
 * modifier applied), narrowed when only deeper paths name it, kept by `*` when no path names it at
 * all, and dropped otherwise. A key named both whole and by deeper paths is kept whole. Arrays are
 * projected element-wise (object elements only; other elements pass through, as in PocketBase).
 * Scalars, and values under a path that does not reach an object, are returned unchanged.
 * Objects with `toJSON` (e.g. `Date`, models) are projected as what they serialise to.
 * The identity projection (no paths) returns `value` itself. Never throws.
 * @example applyProjection({ id: 'a', title: 'T', body: '<p>x</p>' }, parseFieldsParam('id,body:excerpt(10)'))
 * // → { id: 'a', body: 'x' }
 */
export function applyProjection(value: unknown, projection: FieldsProjection): unknown {
  if (projection.paths.length === 0) return value;
  return projectValue(value, projection.root);
}

/**
 * Projects a list response (spec §3.2): the envelope keys (`page`, `perPage`, `totalItems`,
 * `totalPages`, and any other key) are kept as they are; each element of `items` is projected.
 * @example projectListEnvelope(result, parseFieldsParam('id,title'))
 */
export function projectListEnvelope<E extends ListEnvelope>(envelope: E, projection: FieldsProjection): E {
  if (projection.paths.length === 0 || !Array.isArray(envelope.items)) return envelope;
  return { ...envelope, items: envelope.items.map((item) => projectElement(item, projection.root)) };
}

/** True for `{ page, perPage, totalItems, totalPages, items: [] }`-shaped values. */
export function isListEnvelope(value: unknown): value is ListEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    Array.isArray(candidate.items) && typeof candidate.page === 'number' && typeof candidate.perPage === 'number' &&
    typeof candidate.totalItems === 'number' && typeof candidate.totalPages === 'number'
  );
}

function projectValue(value: unknown, node: ProjectionNode): unknown {
  const resolved = resolveJson(value);
  if (Array.isArray(resolved)) return resolved.map((element) => projectElement(element, node));
  if (isObject(resolved)) return projectObject(resolved, node);
  return value;
}

/** Array elements: objects are projected, everything else (nested arrays included) passes through. */
function projectElement(element: unknown, node: ProjectionNode): unknown {
  const resolved = resolveJson(element);
  return isObject(resolved) && !Array.isArray(resolved) ? projectObject(resolved, node) : element;
}

function projectObject(source: object, node: ProjectionNode): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const value = (source as Record<string, unknown>)[key];
    let projected: unknown;
    if (node.leaves.has(key)) projected = applyModifier(value, node.leaves.get(key) ?? null);
    else if (node.branches.has(key)) projected = projectValue(value, node.branches.get(key) as ProjectionNode);
    else if (node.star !== null) projected = applyModifier(value, node.star.modifier);
    else continue;
    // defineProperty, not assignment: a key named `__proto__` must stay an own data property.
    Object.defineProperty(result, key, { value: projected, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

function applyModifier(value: unknown, modifier: FieldModifier | null): unknown {
  if (modifier === null || typeof value !== 'string') return value;
  return excerpt(value, modifier.maxLength, modifier.withEllipsis);
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** What `JSON.stringify` would see: the result of `toJSON()` when there is one. */
function resolveJson(value: unknown): unknown {
  if (!isObject(value)) return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON !== 'function') return value;
  try {
    return toJSON.call(value);
  } catch {
    return value;
  }
}
