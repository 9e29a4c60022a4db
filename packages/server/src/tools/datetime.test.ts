import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDateTime } from './datetime.ts';

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
});
