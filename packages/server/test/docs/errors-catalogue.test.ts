/**
 * Keeps docs/errors.md in step with the code (STYLE.md §5):
 * - the first table of docs/errors.md lists exactly the `BasaltErrorCode` union of
 *   src/core/errors.ts, in both directions;
 * - every `validation_*` code the source emits appears in docs/errors.md, and every
 *   `validation_*` code the field-level tables list is still emitted somewhere;
 * - `batch_request_failed` is documented.
 *
 * errors.ts exports no runtime list of codes (the union is a type only), so the union is read
 * from the source text.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SERVER_DIR = fileURLToPath(new URL('../../', import.meta.url));
const SRC_DIR = join(SERVER_DIR, 'src');
const ERRORS_TS = join(SRC_DIR, 'core', 'errors.ts');
const ERRORS_MD = join(SERVER_DIR, '..', '..', 'docs', 'errors.md');

/** The string literals of `export type BasaltErrorCode = | 'a' | 'b' ...;`. */
export function parseErrorCodeUnion(source: string): Set<string> {
  const match = /export\s+type\s+BasaltErrorCode\s*=([^;]*);/.exec(source);
  if (!match) throw new Error('BasaltErrorCode union not found in errors.ts');
  const codes = new Set<string>();
  for (const m of match[1].matchAll(/'([^']+)'|"([^"]+)"/g)) codes.add(m[1] ?? m[2]);
  // Strip literals and separators; anything left is a member we cannot read (e.g. a type alias).
  const rest = match[1].replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '').replace(/'[^']*'|"[^"]*"/g, '').replace(/[\s|]/g, '');
  if (rest !== '') throw new Error(`BasaltErrorCode has members this test cannot read: ${rest}`);
  return codes;
}

/** Rows (as cell arrays) of the first Markdown table in `markdown`, header and separator excluded. */
export function firstTableRows(markdown: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l, i) => l.trim().startsWith('|') && /^\|(\s*:?-+:?\s*\|)+\s*$/.test((lines[i + 1] ?? '').trim()));
  if (start === -1) throw new Error('no Markdown table found in docs/errors.md');
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i].trim().startsWith('|'); i++) {
    rows.push(lines[i].trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim()));
  }
  return rows;
}

/** The codes in the first column of the first table (backticks removed). */
export function documentedErrorCodes(markdown: string): Set<string> {
  return new Set(firstTableRows(markdown).map((cells) => cells[0].replace(/`/g, '').trim()));
}

/** `validation_*` string literals ('…', "…" or `…` holding only the code) in TypeScript source. */
export function validationLiterals(source: string): Set<string> {
  const out = new Set<string>();
  for (const m of source.matchAll(/(['"`])(validation_[a-z0-9_]+)\1/g)) out.add(m[2]);
  return out;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(path);
  }
  return files;
}

/** Elements of `a` missing from `b`, sorted. */
function missing(a: Iterable<string>, b: Set<string>): string[] {
  return [...a].filter((x) => !b.has(x)).sort();
}

const errorsTs = readFileSync(ERRORS_TS, 'utf8');
const errorsMd = readFileSync(ERRORS_MD, 'utf8');
const files = sourceFiles(SRC_DIR);
const emitted = new Set<string>();
for (const file of files) for (const code of validationLiterals(readFileSync(file, 'utf8'))) emitted.add(code);
/** Codes written as `code` anywhere in the doc. */
const inDoc = new Set([...errorsMd.matchAll(/`([a-z][a-z0-9_]*)`/g)].map((m) => m[1]));

describe('docs/errors.md', () => {
  it('lists every BasaltErrorCode in its first table', () => {
    const union = parseErrorCodeUnion(errorsTs);
    assert.ok(union.size > 0, 'the union should not be empty');
    assert.deepEqual(missing(union, documentedErrorCodes(errorsMd)), [], 'codes in BasaltErrorCode but not in the first table of docs/errors.md');
  });

  it('lists nothing in its first table that BasaltErrorCode lacks', () => {
    const union = parseErrorCodeUnion(errorsTs);
    assert.deepEqual(missing(documentedErrorCodes(errorsMd), union), [], 'codes in the first table of docs/errors.md but not in BasaltErrorCode');
  });

  it('gives each error code an HTTP status that matches its class in errors.ts', () => {
    for (const [code, cls, status] of firstTableRows(errorsMd)) {
      const className = cls.replace(/`/g, '');
      const body = new RegExp(`class ${className} extends [^{]+\\{([\\s\\S]*?)\\n\\}`).exec(errorsTs);
      assert.ok(body, `class ${className} (row ${code}) not found in errors.ts`);
      const declared = /readonly status(?::\s*number)?\s*=\s*(\d{3})/.exec(body[1]);
      if (declared) assert.equal(status, declared[1], `status of ${code}`);
    }
  });

  it('mentions every validation_* code the source emits', () => {
    assert.ok(files.length > 10, `expected to scan src/, found ${files.length} files`);
    assert.ok(emitted.has('validation_required'), 'the scan should find validation_required');
    assert.deepEqual(missing(emitted, inDoc), [], 'validation_* codes used in src/ but absent from docs/errors.md');
  });

  it('lists no validation_* code that the source no longer emits', () => {
    const listed = [...inDoc].filter((c) => c.startsWith('validation_'));
    assert.deepEqual(missing(listed, emitted), [], 'validation_* codes in docs/errors.md that src/ never uses');
  });

  it('documents batch_request_failed, which src/ emits', () => {
    const used = files.some((f) => /(['"`])batch_request_failed\1/.test(readFileSync(f, 'utf8')));
    assert.ok(used, 'src/ should still emit batch_request_failed');
    assert.ok(inDoc.has('batch_request_failed'));
  });

  it('detects drift (self-check of the helpers)', () => {
    const union = parseErrorCodeUnion(errorsTs);
    const [first] = [...union];
    const withoutRow = errorsMd.replace(new RegExp(`^\\| \`${first}\` \\|.*\\n`, 'm'), '');
    assert.notEqual(withoutRow, errorsMd, 'the self-check should remove one table row');
    assert.deepEqual(missing(union, documentedErrorCodes(withoutRow)), [first]);
    const extra = errorsMd.replace(/^(\| `[a-z_]+` \|.*\n)/m, '$1| `made_up_code` | `BadRequestError` | 400 | x | x |\n');
    assert.deepEqual(missing(documentedErrorCodes(extra), union), ['made_up_code']);
    assert.deepEqual([...validationLiterals(`x('validation_a'); y("validation_b"); z(\`validation_c\`); 'not validation_d'`)].sort(), ['validation_a', 'validation_b', 'validation_c']);
    assert.throws(() => parseErrorCodeUnion('export type BasaltErrorCode = | \'a\' | Other;'), /cannot read/);
  });
});
