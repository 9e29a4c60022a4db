import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresDialect } from './postgres-dialect.ts';

describe('PostgresDialect.indexExpression', () => {
  const d = new PostgresDialect();
  const columns = ['id', 'views', 'title', 'Owner'];
  const table: Array<[string, string, 'columns' | 'where', string]> = [
    ['a plain column gets SQLite’s NULL placement for ascending scans', '`views`', 'columns', '"views" NULLS FIRST'],
    ['DESC gets NULLS LAST, so both sort directions can use the index', 'views DESC, [title] ASC', 'columns', '"views" DESC NULLS LAST, "title" ASC NULLS FIRST'],
    ['COLLATE NOCASE becomes lower() and keeps its direction', 'title COLLATE NOCASE DESC', 'columns', 'lower("title") DESC NULLS LAST'],
    ['commas inside an expression do not split items', "coalesce(title, 'a,b'), Owner", 'columns', `coalesce("title", 'a,b') NULLS FIRST, "Owner" NULLS FIRST`],
    ['an explicit NULLS placement is kept', 'views NULLS LAST', 'columns', '"views" NULLS LAST'],
    ['a WHERE clause gets no ordering', "`title` != ''", 'where', `"title" != ''`],
  ];
  for (const [name, sql, part, expected] of table) {
    it(name, () => assert.equal(d.indexExpression(sql, columns, part), expected));
  }
});
