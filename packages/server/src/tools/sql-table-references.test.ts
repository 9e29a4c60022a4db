import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sqlTableReferences } from './sql-table-references.ts';

describe('sqlTableReferences', () => {
  const table: Array<[string, string, string[]]> = [
    ['one table', 'SELECT id, title FROM posts', ['posts']],
    ['joins with every quoting style', 'SELECT p.id FROM `posts` p JOIN "users" u ON u.id = p.author LEFT JOIN [tags] t ON 1', ['posts', 'users', 'tags']],
    ['comma-joined FROM list', 'SELECT a.id FROM a, b AS bb, c WHERE a.x = b.y', ['a', 'b', 'c']],
    ['schema-qualified names keep the table', 'SELECT id FROM main.posts', ['posts']],
    ['subqueries and CTEs at any depth', 'WITH x AS (SELECT id FROM inner_t) SELECT id FROM (SELECT id FROM deep) d JOIN x ON 1', ['inner_t', 'deep', 'x']],
    ['a column named like a table is not a reference', 'SELECT id, posts, users AS u FROM authors', ['authors']],
    ['names inside string literals and comments are ignored', "SELECT id, 'FROM posts' AS s FROM a -- FROM users\n /* JOIN b */", ['a']],
    ['a comma after WHERE is not a FROM item', 'SELECT id FROM a WHERE x IN (1, 2) ORDER BY x, y', ['a']],
    ['duplicates are reported once, case-insensitively', 'SELECT id FROM Posts UNION SELECT id FROM posts', ['Posts']],
    ['unions read every side', 'SELECT id FROM a UNION ALL SELECT id FROM b', ['a', 'b']],
  ];
  for (const [name, sql, expected] of table) {
    it(name, () => assert.deepEqual(sqlTableReferences(sql), expected));
  }
});
