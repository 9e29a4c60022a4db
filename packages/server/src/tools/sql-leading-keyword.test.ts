import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBlankSql, SQL_WRITE_KEYWORDS, sqlLeadingKeyword } from './sql-leading-keyword.ts';

describe('sqlLeadingKeyword', () => {
  const cases: Array<[string, string]> = [
    ['SELECT 1', 'SELECT'],
    ['  \n\tselect 1', 'SELECT'],
    ['-- note\nDelete FROM x', 'DELETE'],
    ['/* a */ /* b */ insert into x values (1)', 'INSERT'],
    [';; UPDATE x SET a = 1', 'UPDATE'],
    ['-- only a comment', ''],
    ['/* unterminated DELETE FROM x', ''],
    ['', ''],
    ['(SELECT 1)', '('],
    ['with_x', 'WITH_X'],
    ['"quoted"', '"'],
  ];
  for (const [sql, keyword] of cases) {
    it(`${JSON.stringify(sql)} → ${JSON.stringify(keyword)}`, () => assert.equal(sqlLeadingKeyword(sql), keyword));
  }
});

describe('isBlankSql', () => {
  const cases: Array<[string, boolean]> = [
    ['', true],
    [' ; -- done\n /* end */ ;', true],
    ['/* open', true],
    ['-- a\nx', false],
    ['; DROP TABLE x', false],
  ];
  for (const [sql, blank] of cases) {
    it(`${JSON.stringify(sql)} → ${blank}`, () => assert.equal(isBlankSql(sql), blank));
  }
});

describe('SQL_WRITE_KEYWORDS', () => {
  it("is PocketBase's list (apis/sql.go) plus PostgreSQL's TRUNCATE and MERGE", () => {
    assert.deepEqual([...SQL_WRITE_KEYWORDS].sort(), ['ALTER', 'CREATE', 'DELETE', 'DETACH', 'DROP', 'INSERT', 'MERGE', 'REPLACE', 'TRUNCATE', 'UPDATE']);
  });
});
