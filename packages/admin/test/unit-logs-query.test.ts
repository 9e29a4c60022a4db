import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_BUCKETS, MIN_HOURS, combineFilters, levelName, toBuckets } from '../src/pages/logs/logs-query.ts';

describe('combineFilters', () => {
  it('keeps a single part as is and parenthesises several', () => {
    assert.equal(combineFilters(''), '');
    assert.equal(combineFilters(' data.status >= 400 ', undefined, false), 'data.status >= 400');
    assert.equal(combineFilters('a = 1 || b = 2', 'c = 3'), '(a = 1 || b = 2) && (c = 3)');
  });
});

describe('toBuckets', () => {
  it('fills the hours without data up to now and adds the errors', () => {
    const b = toBuckets(
      [
        { total: 5, date: '2026-03-01 09:00:00.000Z' },
        { total: 2, date: '2026-03-01 12:00:00.000Z' },
      ],
      [{ total: 1, date: '2026-03-01 12:00:00.000Z' }],
      new Date('2026-03-02T08:30:00Z'),
    );
    assert.equal(b.length, 24);
    assert.deepEqual(
      b.slice(0, 4).map((x) => [x.start.toISOString(), x.total, x.errors]),
      [
        ['2026-03-01T09:00:00.000Z', 5, 0],
        ['2026-03-01T10:00:00.000Z', 0, 0],
        ['2026-03-01T11:00:00.000Z', 0, 0],
        ['2026-03-01T12:00:00.000Z', 2, 1],
      ],
    );
    assert.equal(b[23].start.toISOString(), '2026-03-02T08:00:00.000Z');
  });
  it('covers the last MIN_HOURS even when all data is in one hour', () => {
    const b = toBuckets([{ total: 3, date: '2026-03-01 09:00:00.000Z' }], [], new Date('2026-03-01T09:10:00Z'));
    assert.equal(b.length, MIN_HOURS);
    assert.equal(b[MIN_HOURS - 1].total, 3);
  });
  it('merges hours when the range is long, keeping every count', () => {
    const totals = Array.from({ length: 240 }, (_, i) => ({ total: 1, date: new Date(Date.UTC(2026, 2, 1) + i * 3_600_000).toISOString().replace('T', ' ') }));
    const b = toBuckets(totals, [], new Date(Date.UTC(2026, 2, 10, 23)));
    assert.ok(b.length <= MAX_BUCKETS);
    assert.equal(b[0].hours, 3);
    assert.equal(b.reduce((n, x) => n + x.total, 0), 240);
  });
  it('is empty without data', () => assert.deepEqual(toBuckets([], []), []));
});

describe('levelName', () => {
  it('names slog levels', () => assert.deepEqual([-4, 0, 4, 8].map(levelName), ['DEBUG', 'INFO', 'WARN', 'ERROR']));
});
