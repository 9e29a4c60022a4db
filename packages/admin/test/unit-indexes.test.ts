import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexSql, retargetIndexes } from '../src/pages/collections/index-sql.ts';

describe('retargetIndexes', () => {
  it('fills the scaffold placeholders (empty table, name ending in _) as the name is typed', () => {
    const scaffold = ['CREATE UNIQUE INDEX `idx_tokenKey_` ON `` (`tokenKey`)', "CREATE UNIQUE INDEX `idx_email_` ON `` (`email`) WHERE `email` != ''"];
    const m = retargetIndexes(scaffold, '', 'm');
    assert.deepEqual(m, ['CREATE UNIQUE INDEX `idx_tokenKey_m` ON `m` (`tokenKey`)', "CREATE UNIQUE INDEX `idx_email_m` ON `m` (`email`) WHERE `email` != ''"]);
    assert.deepEqual(retargetIndexes(m, 'm', 'members'), ['CREATE UNIQUE INDEX `idx_tokenKey_members` ON `members` (`tokenKey`)', "CREATE UNIQUE INDEX `idx_email_members` ON `members` (`email`) WHERE `email` != ''"]);
  });
  it('moves other indexes to the new table and keeps their names', () => {
    assert.deepEqual(retargetIndexes(['CREATE INDEX idx_status ON posts (status)'], 'posts', 'articles'), ['CREATE INDEX idx_status ON `articles` (status)']);
  });
  it('leaves columns and WHERE clauses alone, even when they mention the name', () => {
    const sql = 'CREATE INDEX `idx_a_posts_x` ON `posts` (`posts`) WHERE `posts` > 0';
    assert.deepEqual(retargetIndexes([sql], 'posts', 'p2'), ['CREATE INDEX `idx_a_posts_x` ON `p2` (`posts`) WHERE `posts` > 0']);
  });
});

describe('indexSql', () => {
  it('quotes the table and columns', () => {
    assert.equal(indexSql('posts', ['title', 'status'], true), 'CREATE UNIQUE INDEX `idx_posts_title_status` ON `posts` (`title`, `status`)');
  });
});
