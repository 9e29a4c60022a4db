/**
 * Finds the tables a SELECT statement reads, without a full SQL parser: the names after FROM
 * and JOIN, and after commas in a FROM list, at any nesting depth (subqueries, CTEs). Used to
 * know which collections a view collection depends on, on every engine alike.
 * @module
 */

type Token = { kind: 'word' | 'name' | 'punct'; text: string };

/** Clause keywords that end a FROM list at the same parenthesis depth. */
const CLAUSE = new Set(['select', 'where', 'group', 'having', 'order', 'limit', 'offset', 'union', 'intersect', 'except', 'window', 'on', 'using', 'returning', 'fetch', 'for', 'values']);

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (ch === "'") {
      // A string literal ('' inside is an escaped quote): never a table name.
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" ? 2 : 1;
      out.push({ kind: 'punct', text: "''" });
      i = j + 1;
    } else if (ch === '"' || ch === '`' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      let j = i + 1;
      let text = '';
      while (j < sql.length) {
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) {
            text += close;
            j += 2;
            continue;
          }
          break;
        }
        text += sql[j++];
      }
      out.push({ kind: 'name', text });
      i = j + 1;
    } else if (/[\p{L}\p{N}_$]/u.test(ch)) {
      let j = i;
      while (j < sql.length && /[\p{L}\p{N}_$]/u.test(sql[j])) j++;
      out.push({ kind: 'word', text: sql.slice(i, j) });
      i = j;
    } else {
      out.push({ kind: 'punct', text: ch });
      i++;
    }
  }
  return out;
}

const isName = (t: Token | undefined): t is Token => t !== undefined && (t.kind === 'name' || (t.kind === 'word' && !/^\d/.test(t.text)));

/**
 * Table names `sql` reads (FROM, JOIN and comma-joined items, in order of appearance, without
 * duplicates; a schema-qualified `main.posts` counts as `posts`). Names are returned as written;
 * compare them case-insensitively, as both engines do for unquoted names.
 *
 * Note: it over-approximates rather than misses: a CTE name used in FROM is returned too.
 *
 * @example
 * sqlTableReferences('SELECT p.id FROM posts p JOIN "users" u ON u.id = p.author') // ['posts', 'users']
 */
export function sqlTableReferences(sql: string): string[] {
  const tokens = tokenize(sql);
  const found: string[] = [];
  // Per parenthesis depth: are we inside a FROM list?
  const inFrom: boolean[] = [false];
  const take = (at: number): void => {
    let t = tokens[at];
    if (!isName(t)) return;
    // schema.table → table
    while (tokens[at + 1]?.text === '.' && isName(tokens[at + 2])) {
      at += 2;
      t = tokens[at];
    }
    if (!found.some((f) => f.toLowerCase() === t.text.toLowerCase())) found.push(t.text);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const depth = inFrom.length - 1;
    if (t.text === '(') {
      inFrom.push(false);
    } else if (t.text === ')') {
      if (inFrom.length > 1) inFrom.pop();
    } else if (t.kind === 'word') {
      const word = t.text.toLowerCase();
      if (word === 'from' || word === 'join') {
        inFrom[depth] = true;
        take(i + 1);
      } else if (CLAUSE.has(word)) {
        inFrom[depth] = false;
      }
    } else if (t.text === ',' && inFrom[depth]) {
      take(i + 1);
    }
  }
  return found;
}
