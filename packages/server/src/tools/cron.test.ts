import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCronDue, parseCron } from './cron.ts';

const sorted = (s: ReadonlySet<number>) => [...s].sort((a, b) => a - b);

describe('parseCron', () => {
  const valid: Array<[string, { minutes?: number[]; hours?: number[]; days?: number[]; months?: number[]; weekdays?: number[] }]> = [
    ['0 0 * * *', { minutes: [0], hours: [0] }],
    ['*/15 * * * *', { minutes: [0, 15, 30, 45] }],
    ['5/20 * * * *', { minutes: [5, 25, 45] }],
    ['1-3,10 2 * * *', { minutes: [1, 2, 3, 10], hours: [2] }],
    ['0 8-18/5 * * 1-5', { hours: [8, 13, 18], weekdays: [1, 2, 3, 4, 5] }],
    ['0 0 31 12 *', { days: [31], months: [12] }],
    ['  0   3  *  *  0 ', { hours: [3], weekdays: [0] }],
    ['@daily', { minutes: [0], hours: [0] }],
    ['@HOURLY', { minutes: [0], hours: Array.from({ length: 24 }, (_, i) => i) }],
    ['@weekly', { weekdays: [0] }],
  ];
  for (const [expr, want] of valid) {
    it(`accepts ${JSON.stringify(expr)}`, () => {
      const s = parseCron(expr);
      assert.ok(s);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(sorted(s[k as keyof typeof s]), v, k);
    });
  }

  const invalid = ['', '* * * *', '* * * * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * 32 * *', '* * * 13 *', '* * * * 7', '*/0 * * * *', '5-1 * * * *', 'a * * * *', '1-2-3 * * * *', '*/5/2 * * * *', '-1 * * * *', '1,,2 * * * *', '@every 5m', '100 * * * *', '1'.repeat(300)];
  for (const expr of invalid) {
    it(`refuses ${JSON.stringify(expr.slice(0, 40))}`, () => assert.equal(parseCron(expr), undefined));
  }
});

describe('isCronDue', () => {
  it('matches every field in UTC', () => {
    const s = parseCron('30 2 * * *')!;
    assert.equal(isCronDue(s, new Date('2026-03-01T02:30:59Z')), true);
    assert.equal(isCronDue(s, new Date('2026-03-01T02:31:00Z')), false);
    assert.equal(isCronDue(s, new Date('2026-03-01T03:30:00Z')), false);
  });

  it('needs both the day of month and the day of week (PocketBase semantics)', () => {
    const s = parseCron('0 0 1 * 1')!;
    // 2026-06-01 is a Monday, 2026-03-01 a Sunday.
    assert.equal(isCronDue(s, new Date('2026-06-01T00:00:00Z')), true);
    assert.equal(isCronDue(s, new Date('2026-03-01T00:00:00Z')), false);
    assert.equal(isCronDue(s, new Date('2026-06-08T00:00:00Z')), false);
  });
});
