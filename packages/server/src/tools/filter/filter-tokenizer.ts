/**
 * The scanner of the filter language (spec §4.1): turns filter text into tokens on demand.
 * @module
 */
import type { FilterOperator } from './filter-ast.ts';
import { FilterSyntaxError, describeFound } from './filter-syntax-error.ts';

export type FilterTokenType =
  | 'identifier'
  /** An identifier immediately followed by `(`; the `(` is part of the token. */
  | 'function'
  | 'number'
  | 'text'
  | 'operator'
  | 'join'
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'eof';

export interface FilterToken {
  readonly type: FilterTokenType;
  /** Decoded value: identifier/function name, text content, number spelling, operator, join. */
  readonly value: string;
  /** The token as written in the input. */
  readonly raw: string;
  /** 0-based offset of the token's first character. */
  readonly start: number;
}

const isLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdentifierStart = (c: string): boolean => isLetter(c) || c === '@' || c === '_' || c === '#';
const isIdentifierPart = (c: string): boolean => isLetter(c) || isDigit(c) || c === '_' || c === '.' || c === ':';

// JSON's single-character escapes, decoded inside double-quoted text.
const JSON_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * Reads tokens one at a time. Every failure is a `FilterSyntaxError`; each call does work
 * linear in the token's length, so hostile input cannot make it hang.
 */
export class FilterTokenizer {
  readonly #input: string;
  #pos = 0;

  constructor(input: string) {
    this.#input = input;
  }

  /** The next token, after skipping whitespace and comments. Returns `eof` forever at the end. */
  next(): FilterToken {
    this.#skipWhitespace();
    const s = this.#input;
    const start = this.#pos;
    if (start >= s.length) return { type: 'eof', value: '', raw: '', start };
    const c = s[start];

    if (c === '(') return this.#single('lparen', start);
    if (c === ')') return this.#single('rparen', start);
    if (c === ',') return this.#single('comma', start);
    if (c === '"' || c === "'") return this.#text(c, start);
    if (isDigit(c) || c === '-') return this.#number(start);
    if (isIdentifierStart(c)) return this.#identifier(start);
    if (c === '&' || c === '|') {
      if (s[start + 1] === c) {
        this.#pos += 2;
        return { type: 'join', value: c + c, raw: c + c, start };
      }
      throw new FilterSyntaxError(`Expected a join (&& or ||) at position ${start}, found ${describeFound(s.slice(start, start + 2))}.`, start);
    }
    const op = this.#operator(start);
    if (op) return op;
    throw new FilterSyntaxError(`Unexpected character ${describeFound(c)} at position ${start}.`, start);
  }

  #single(type: FilterTokenType, start: number): FilterToken {
    this.#pos = start + 1;
    const raw = this.#input[start];
    return { type, value: raw, raw, start };
  }

  #skipWhitespace(): void {
    const s = this.#input;
    // Only space, tab and \n are whitespace (spec §4.1: a bare \r is a tokenizer error).
    for (;;) {
      const c = s[this.#pos];
      if (c === ' ' || c === '\t' || c === '\n') this.#pos++;
      else if (c === '/' && s[this.#pos + 1] === '/') {
        const nl = s.indexOf('\n', this.#pos + 2);
        this.#pos = nl < 0 ? s.length : nl + 1;
      } else return;
    }
  }

  #operator(start: number): FilterToken | undefined {
    const s = this.#input;
    let i = start;
    let op = '';
    if (s[i] === '?') {
      op = '?';
      i++;
    }
    const c = s[i];
    const n = s[i + 1];
    if (c === '=' || c === '~') op += c;
    else if (c === '!' && (n === '=' || n === '~')) op += c + n;
    else if ((c === '<' || c === '>') && n === '=') op += c + n;
    else if (c === '<' || c === '>') op += c;
    else if (op === '?' || c === '!') {
      throw new FilterSyntaxError(`Expected an operator (=, !=, ~, ...) at position ${start}, found ${describeFound(s.slice(start, i + 2))}.`, start);
    } else return undefined;
    this.#pos = start + op.length;
    return { type: 'operator', value: op as FilterOperator, raw: op, start };
  }

  #number(start: number): FilterToken {
    const s = this.#input;
    let i = start;
    if (s[i] === '-') i++;
    const digitsStart = i;
    while (i < s.length && isDigit(s[i])) i++;
    if (i === digitsStart) {
      throw new FilterSyntaxError(`Expected a digit at position ${i}, found ${describeFound(s.slice(i, i + 1))}.`, i);
    }
    if (s[i] === '.') {
      const fracStart = ++i;
      while (i < s.length && isDigit(s[i])) i++;
      if (i === fracStart) {
        throw new FilterSyntaxError(`Expected a digit after "." at position ${i}, found ${describeFound(s.slice(i, i + 1))}.`, i);
      }
    }
    this.#pos = i;
    const raw = s.slice(start, i);
    return { type: 'number', value: raw, raw, start };
  }

  #identifier(start: number): FilterToken {
    const s = this.#input;
    let i = start + 1;
    while (i < s.length && isIdentifierPart(s[i])) i++;
    const raw = s.slice(start, i);
    const last = raw[raw.length - 1];
    if (raw === '@' || raw === '_' || raw === '#' || last === '.' || last === ':') {
      throw new FilterSyntaxError(`Expected an identifier at position ${start}, found ${describeFound(raw)} (an identifier cannot end with "." or ":" or be a lone "@", "_" or "#").`, start);
    }
    if (s[i] === '(') {
      this.#pos = i + 1;
      return { type: 'function', value: raw, raw: `${raw}(`, start };
    }
    this.#pos = i;
    return { type: 'identifier', value: raw, raw, start };
  }

  /**
   * Reads a quoted string. Escape handling:
   * - In both quote styles, a backslash before the enclosing quote yields the bare quote
   *   (spec §4.1), and `\'` always yields `'`.
   * - Single quotes: every other backslash is kept verbatim. This is what the PocketBase JS SDK's
   *   `pb.filter()` relies on: it wraps strings as `'…'` escaping only `'`, and wraps
   *   objects as `'` + JSON.stringify(value) + `'`, so a `\"` or `\\` inside must survive as is.
   * - Double quotes: standard JSON escapes are decoded (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`,
   *   `\r`, `\t`, `\uXXXX`), so `JSON.stringify(value)` is a valid, exact literal. Anything else
   *   (`\%`, `\x`, a malformed `\u`) is kept verbatim, which keeps LIKE escapes such as
   *   `"50\%"` working. Note: unlike PocketBase's fexpr, `"a\\"` ends at the last quote.
   */
  #text(quote: string, start: number): FilterToken {
    const s = this.#input;
    const isDouble = quote === '"';
    let i = start + 1;
    let out = '';
    for (;;) {
      if (i >= s.length) {
        throw new FilterSyntaxError(`Expected a closing ${quote} at position ${s.length} (text starts at position ${start}), found end of input.`, s.length);
      }
      const c = s[i];
      if (c === quote) break;
      if (c !== '\\') {
        // Copy a run of plain characters at once.
        let j = i + 1;
        while (j < s.length && s[j] !== quote && s[j] !== '\\') j++;
        out += s.slice(i, j);
        i = j;
        continue;
      }
      const n = s[i + 1];
      if (n === quote || n === "'") {
        out += n;
        i += 2;
      } else if (isDouble && n !== undefined && Object.hasOwn(JSON_ESCAPES, n)) {
        out += JSON_ESCAPES[n];
        i += 2;
      } else if (isDouble && n === 'u' && HEX4.test(s.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        out += '\\';
        i += 1;
      }
    }
    this.#pos = i + 1;
    return { type: 'text', value: out, raw: s.slice(start, i + 1), start };
  }
}
