/**
 * Random strings from a small regular-expression subset: the `autogeneratePattern` of text fields
 * (`[a-z0-9]{15}` for record ids, `[a-zA-Z0-9]{50}` for token keys). Mirrors the intent of
 * PocketBase's tools/security RandomStringByRegex, which walks Go's regexp syntax tree; we parse
 * the subset ourselves because JavaScript exposes no regex syntax tree.
 *
 * Supported: literals; escapes `\d \w \s` and escaped punctuation, `\n \t \r \f \v \0`,
 * `\xHH`, `\uHHHH`, `\u{…}`; `.`; character classes with ranges, negation over printable ASCII, the
 * shorthand escapes and POSIX names (`[[:alpha:]]`); groups `(…)`, `(?:…)`, `(?P<n>…)`, `(?<n>…)`
 * and flag groups (`(?i)`, `(?i:…)`, ignored: generating the written case still matches);
 * alternation `|`; quantifiers `{n}`, `{n,}`, `{n,m}`, `?`, `+`, `*` with an optional lazy `?`.
 * Anchors `^`, `$`, `\A`, `\z` generate nothing; they must sit at the edges (`a^b` cannot match
 * anything and throws). Anything else (back-references, look-around, word boundaries, negated
 * shorthand classes) throws `TypeError`.
 * @module
 */
import { randomInt } from 'node:crypto';

/** Extra repetitions an unbounded quantifier (`*`, `+`, `{n,}`) may add beyond its minimum. */
export const UNBOUNDED_REPEAT_EXTRA = 10;

/** Largest repetition count a quantifier may ask for. */
export const MAX_PATTERN_REPEAT = 10_000;

/** Longest string the generator produces before giving up with a TypeError. */
export const MAX_GENERATED_LENGTH = 100_000;

/** A node that produces one character. */
type Leaf = { kind: 'set'; chars: readonly string[] } | { kind: 'literal'; char: string };

type Node =
  | Leaf
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number };

function range(from: number, to: number): string[] {
  const out: string[] = [];
  for (let c = from; c <= to; c++) out.push(String.fromCodePoint(c));
  return out;
}

const DIGITS = range(0x30, 0x39);
const LOWER = range(0x61, 0x7a);
const UPPER = range(0x41, 0x5a);
const WORD = [...DIGITS, ...UPPER, ...LOWER, '_'];
const SPACE = [' ', '\t', '\n', '\r', '\f', '\v'];
/** Printable ASCII: what `.` and negated classes draw from. */
const PRINTABLE = range(0x20, 0x7e);

const POSIX: Record<string, readonly string[]> = {
  alnum: [...DIGITS, ...UPPER, ...LOWER],
  alpha: [...UPPER, ...LOWER],
  ascii: range(0x00, 0x7f),
  blank: [' ', '\t'],
  digit: DIGITS,
  lower: LOWER,
  upper: UPPER,
  space: SPACE,
  word: WORD,
  xdigit: [...DIGITS, ...range(0x41, 0x46), ...range(0x61, 0x66)],
  punct: PRINTABLE.filter((c) => !/[\p{L}\p{N} ]/u.test(c)),
  print: PRINTABLE,
  graph: range(0x21, 0x7e),
};

class Parser {
  readonly #chars: string[];
  readonly #source: string;
  #pos = 0;
  /** True while nothing that produces characters can precede the current position (`^` is valid). */
  #atStart = true;
  /** True once a `$` may have been passed: nothing that produces characters may follow. */
  #sealed = false;
  /** Anchors seen so far, to refuse repeating a group that holds one. */
  #anchors = 0;

  constructor(pattern: string) {
    this.#source = pattern;
    this.#chars = [...pattern];
  }

  parse(): Node {
    const node = this.#alternation();
    if (this.#pos < this.#chars.length) this.#fail(`unexpected ${JSON.stringify(this.#chars[this.#pos])}`);
    return node;
  }

  #fail(reason: string): never {
    throw new TypeError(`Cannot generate a value from pattern ${JSON.stringify(this.#source)}: ${reason}.`);
  }

  #peek(offset = 0): string | undefined {
    return this.#chars[this.#pos + offset];
  }

  #alternation(): Node {
    const [atStart, sealed] = [this.#atStart, this.#sealed];
    let [allAtStart, anySealed] = [true, false];
    const options: Node[] = [];
    for (;;) {
      // Each alternative starts from the same position; afterwards we assume the worst case.
      [this.#atStart, this.#sealed] = [atStart, sealed];
      options.push(this.#sequence());
      allAtStart &&= this.#atStart;
      anySealed ||= this.#sealed;
      if (this.#peek() !== '|') break;
      this.#pos++;
    }
    [this.#atStart, this.#sealed] = [allAtStart, anySealed];
    return options.length === 1 ? options[0] : { kind: 'alt', options };
  }

  #sequence(): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.#peek();
      if (c === undefined || c === '|' || c === ')') break;
      const anchors = this.#anchors;
      const atom = this.#atom();
      if (!atom) continue;
      const node = this.#quantified(atom);
      if (node.kind === 'repeat' && node.max > 1 && this.#anchors !== anchors) this.#fail('a repeated group holds an anchor');
      items.push(node);
    }
    return items.length === 1 ? items[0] : { kind: 'seq', items };
  }

  /** Records an anchor: `^`/`\A` must come before any character, `$`/`\z` after all of them. */
  #anchor(isStart: boolean): undefined {
    this.#anchors++;
    if (!isStart) this.#sealed = true;
    else if (!this.#atStart) this.#fail('"^" after other characters');
    return undefined;
  }

  /** Records a node that produces a character at the current position. */
  #produce(node: Node): Node {
    if (node.kind === 'literal' || node.kind === 'set') {
      if (this.#sealed) this.#fail('characters after "$"');
      this.#atStart = false;
    }
    return node;
  }

  /** An atom, or undefined for zero-width items we ignore (anchors, flag groups). */
  #atom(): Node | undefined {
    const c = this.#chars[this.#pos++];
    switch (c) {
      case '^':
        return this.#anchor(true);
      case '$':
        return this.#anchor(false);
      case '.':
        return this.#produce({ kind: 'set', chars: PRINTABLE });
      case '[':
        return this.#produce(this.#charClass());
      case '(':
        return this.#group();
      case '\\': {
        if (this.#peek() === 'A' || this.#peek() === 'z') return this.#anchor(this.#chars[this.#pos++] === 'A');
        return this.#produce(this.#escape());
      }
      case '*':
      case '+':
      case '?':
        return this.#fail(`nothing to repeat before ${JSON.stringify(c)}`);
      case '{':
        if (this.#tryQuantifierAt(this.#pos - 1)) this.#fail('nothing to repeat before "{"');
        return this.#produce({ kind: 'literal', char: c });
      default:
        return this.#produce({ kind: 'literal', char: c });
    }
  }

  #group(): Node | undefined {
    if (this.#peek() === '?') {
      this.#pos++;
      const next = this.#peek();
      if (next === ':') {
        this.#pos++;
      } else if (next === 'P' || next === '<') {
        if (next === 'P') this.#pos++;
        if (this.#peek() !== '<') this.#fail('unsupported group');
        if (this.#peek(1) === '=' || this.#peek(1) === '!') this.#fail('look-behind is not supported');
        while (this.#peek() !== undefined && this.#peek() !== '>') this.#pos++;
        if (this.#peek() !== '>') this.#fail('unterminated group name');
        this.#pos++;
      } else if (next === '=' || next === '!') {
        this.#fail('look-ahead is not supported');
      } else {
        // Flag group: `(?i)` alone, or `(?i:…)` wrapping a sub-pattern.
        while (this.#peek() !== undefined && /[imsU-]/.test(this.#peek()!)) this.#pos++;
        if (this.#peek() === ')') {
          this.#pos++;
          return undefined;
        }
        if (this.#peek() !== ':') this.#fail('unsupported group');
        this.#pos++;
      }
    }
    const inner = this.#alternation();
    if (this.#peek() !== ')') this.#fail('missing ")"');
    this.#pos++;
    // Wrapped, so `(a{2}){3}` is a repeat of a group rather than a nested quantifier.
    return { kind: 'seq', items: [inner] };
  }

  #escape(): Leaf {
    const c = this.#chars[this.#pos++];
    if (c === undefined) this.#fail('trailing backslash');
    switch (c) {
      case 'd':
        return { kind: 'set', chars: DIGITS };
      case 'w':
        return { kind: 'set', chars: WORD };
      case 's':
        return { kind: 'set', chars: SPACE };
      case 'n':
        return { kind: 'literal', char: '\n' };
      case 't':
        return { kind: 'literal', char: '\t' };
      case 'r':
        return { kind: 'literal', char: '\r' };
      case 'f':
        return { kind: 'literal', char: '\f' };
      case 'v':
        return { kind: 'literal', char: '\v' };
      case '0':
        return { kind: 'literal', char: '\0' };
      case 'x':
      case 'u':
        return { kind: 'literal', char: this.#hexEscape(c) };
    }
    if (/[\p{L}\p{N}]/u.test(c)) this.#fail(`unsupported escape "\\${c}"`);
    return { kind: 'literal', char: c };
  }

  #hexEscape(kind: 'x' | 'u'): string {
    let digits = '';
    if (this.#peek() === '{') {
      this.#pos++;
      while (this.#peek() !== undefined && this.#peek() !== '}') digits += this.#chars[this.#pos++];
      if (this.#peek() !== '}') this.#fail('unterminated hex escape');
      this.#pos++;
    } else {
      const n = kind === 'x' ? 2 : 4;
      for (let i = 0; i < n; i++) digits += this.#chars[this.#pos++] ?? '';
    }
    if (!/^[0-9a-fA-F]{1,6}$/.test(digits)) this.#fail('invalid hex escape');
    const code = parseInt(digits, 16);
    if (code > 0x10ffff) this.#fail('invalid code point');
    return String.fromCodePoint(code);
  }

  #charClass(): Node {
    let negated = false;
    if (this.#peek() === '^') {
      negated = true;
      this.#pos++;
    }
    const chars = new Set<string>();
    let first = true;
    for (;;) {
      const c = this.#peek();
      if (c === undefined) this.#fail('missing "]"');
      if (c === ']' && !first) {
        this.#pos++;
        break;
      }
      first = false;
      if (c === '[' && this.#peek(1) === ':') {
        const end = this.#chars.indexOf(']', this.#pos);
        const body = this.#chars.slice(this.#pos + 2, end).join('');
        const m = /^(\^?)([a-z]+):$/.exec(body);
        if (end > 0 && m && POSIX[m[2]]) {
          if (m[1]) this.#fail('negated POSIX classes are not supported');
          for (const ch of POSIX[m[2]]) chars.add(ch);
          this.#pos = end + 1;
          continue;
        }
      }
      const low = this.#classAtom();
      if (this.#peek() === '-' && this.#peek(1) !== undefined && this.#peek(1) !== ']') {
        if (low.kind !== 'literal') this.#fail('a range cannot start with a class');
        this.#pos++;
        const high = this.#classAtom();
        if (high.kind !== 'literal') this.#fail('a range cannot end with a class');
        const from = low.char.codePointAt(0)!;
        const to = high.char.codePointAt(0)!;
        if (from > to) this.#fail('invalid range');
        if (to - from > 0x10000) this.#fail('range too large');
        for (const ch of range(from, to)) chars.add(ch);
      } else if (low.kind === 'literal') {
        chars.add(low.char);
      } else {
        for (const ch of low.chars) chars.add(ch);
      }
    }
    const list = negated ? PRINTABLE.filter((ch) => !chars.has(ch)) : [...chars];
    if (list.length === 0) this.#fail('empty character class');
    return { kind: 'set', chars: list };
  }

  #classAtom(): Leaf {
    const c = this.#chars[this.#pos++];
    if (c !== '\\') return { kind: 'literal', char: c };
    return this.#escape();
  }

  /** Reads a `{n}`, `{n,}` or `{n,m}` at `at`; returns undefined when the text there is not one. */
  #tryQuantifierAt(at: number): { min: number; max: number; end: number } | undefined {
    let i = at + 1;
    let text = '';
    while (i < this.#chars.length && this.#chars[i] !== '}') text += this.#chars[i++];
    if (i >= this.#chars.length) return undefined;
    const m = /^(\d+)(,(\d*))?$/.exec(text);
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? min + UNBOUNDED_REPEAT_EXTRA : Number(m[3]);
    return { min, max, end: i + 1 };
  }

  #quantified(atom: Node): Node {
    let node = atom;
    for (;;) {
      const c = this.#peek();
      let min: number;
      let max: number;
      if (c === '?') [min, max] = [0, 1];
      else if (c === '*') [min, max] = [0, UNBOUNDED_REPEAT_EXTRA];
      else if (c === '+') [min, max] = [1, 1 + UNBOUNDED_REPEAT_EXTRA];
      else if (c === '{') {
        const q = this.#tryQuantifierAt(this.#pos);
        if (!q) return node;
        [min, max] = [q.min, q.max];
        this.#pos = q.end - 1;
      } else return node;
      this.#pos++;
      if (this.#peek() === '?') this.#pos++; // lazy: same language
      if (min > max) this.#fail('invalid repeat range');
      if (max > MAX_PATTERN_REPEAT) this.#fail(`repeat count above ${MAX_PATTERN_REPEAT}`);
      if (node.kind === 'repeat') this.#fail('nested quantifier');
      node = { kind: 'repeat', node, min, max };
    }
  }
}

function emit(node: Node, out: string[], source: string): void {
  switch (node.kind) {
    case 'literal':
      out.push(node.char);
      break;
    case 'set':
      out.push(node.chars[randomInt(node.chars.length)]);
      break;
    case 'seq':
      for (const item of node.items) emit(item, out, source);
      break;
    case 'alt':
      emit(node.options[randomInt(node.options.length)], out, source);
      break;
    case 'repeat': {
      const n = node.min === node.max ? node.min : randomInt(node.min, node.max + 1);
      for (let i = 0; i < n; i++) emit(node.node, out, source);
      break;
    }
  }
  if (out.length > MAX_GENERATED_LENGTH) {
    throw new TypeError(`Cannot generate a value from pattern ${JSON.stringify(source)}: longer than ${MAX_GENERATED_LENGTH} characters.`);
  }
}

/** Parsed patterns: every record create generates its id from the same few. Trees are never mutated. */
const parsed = new Map<string, Node>();
const PARSED_CACHE_SIZE = 256;

/**
 * Returns a random string matching `pattern` (a regex in the subset described in the module
 * doc), drawn with `node:crypto`'s CSPRNG. Throws `TypeError` when the pattern is outside the
 * subset or would produce more than {@link MAX_GENERATED_LENGTH} characters.
 *
 * @example
 * generateFromPattern('[a-z0-9]{15}'); // 'k3b9x0m2qp7r1ze'
 * generateFromPattern('^inv-\\d{4}$'); // 'inv-0382'
 */
export function generateFromPattern(pattern: string): string {
  if (typeof pattern !== 'string') throw new TypeError('The pattern must be a string.');
  let tree = parsed.get(pattern);
  if (tree === undefined) {
    tree = new Parser(pattern).parse();
    if (parsed.size >= PARSED_CACHE_SIZE) parsed.delete(parsed.keys().next().value as string);
    parsed.set(pattern, tree);
  }
  const out: string[] = [];
  emit(tree, out, pattern);
  return out.join('');
}
