import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'node:test';
import { formatDateTime, parseDateTime } from './datetime.ts';

describe('formatDateTime', () => {
  it('is toISOString with a space for the T, for every instant', () => {
    // Mostly years 1000–9999 (the hand-built path), some from Date's whole range (the fallback).
    const instants = fc.oneof({ arbitrary: fc.integer({ min: -30610224000000, max: 253402300799999 }), weight: 8 }, fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.constantFrom(0, -1, 1, -62135596800000, -62135596800001, 253402300799999, 253402300800000, -30610224000000, 951782400000, 4107542399999));
    fc.assert(
      fc.property(instants, (ms) => {
        const date = new Date(ms);
        assert.equal(formatDateTime(date), date.toISOString().replace('T', ' '));
      }),
      { numRuns: 20_000 },
    );
  });

  it('throws for an invalid date, as toISOString does', () => {
    assert.throws(() => formatDateTime(new Date(NaN)), RangeError);
  });
});

describe('parseDateTime', () => {
  it('reads the layouts PocketBase accepts into its own', () => {
    assert.equal(parseDateTime('2026-11-23 10:11:12.345Z'), '2026-11-23 10:11:12.345Z');
    assert.equal(parseDateTime('2026-11-23T12:11:12+02:00'), '2026-11-23 10:11:12.000Z');
    assert.equal(parseDateTime('2026-11-23'), '2026-11-23 00:00:00.000Z');
    assert.equal(parseDateTime(0), '1970-01-01 00:00:00.000Z');
    assert.equal(parseDateTime('2026-02-31'), '');
  });

  it('gives "" for instants the layout cannot hold (before year 0000 or after 9999)', () => {
    assert.equal(parseDateTime(-62167219200), '0000-01-01 00:00:00.000Z');
    assert.equal(parseDateTime(-62167219200.001), '');
    assert.equal(parseDateTime(253402300800), '');
    assert.equal(parseDateTime(new Date(Date.UTC(10000, 0, 1))), '');
    assert.equal(parseDateTime('0000-01-01 00:00:00.000Z'), '0000-01-01 00:00:00.000Z');
  });

  it('takes a value already in the layout as is exactly when Date reads it as that same instant', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 999 })), ([y, mo, d, h, mi, s, ms]) => {
        const iso = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`;
        const date = new Date(iso);
        const real = !Number.isNaN(date.getTime()) && date.toISOString() === iso;
        assert.equal(parseDateTime(iso.replace('T', ' ')), real ? iso.replace('T', ' ') : '');
      }),
      { numRuns: 5000 },
    );
  });
});
