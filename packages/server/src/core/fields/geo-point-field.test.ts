import { test } from 'node:test';
import assert from 'node:assert/strict';
import { geoPointField } from './geo-point-field.ts';
import { makeField, settingsCtx, valueCtx } from './field-test-context.ts';

test('geoPoint prepareValue', () => {
  const f = makeField(geoPointField);
  const cases: Array<[unknown, unknown]> = [
    [{ lon: 23.32, lat: 42.69 }, { lon: 23.32, lat: 42.69 }],
    ['{"lon":1,"lat":2}', { lon: 1, lat: 2 }],
    [{ lon: '1.5', lat: 'x' }, { lon: 1.5, lat: 0 }],
    [{ lat: 3 }, { lon: 0, lat: 3 }],
    ['garbage', { lon: 0, lat: 0 }],
    [null, { lon: 0, lat: 0 }],
    [[1, 2], { lon: 0, lat: 0 }],
    [5, { lon: 0, lat: 0 }],
  ];
  for (const [raw, want] of cases) assert.deepEqual(geoPointField.prepareValue(f, raw), want, JSON.stringify(raw));
});

test('geoPoint validateValue', () => {
  const cases: Array<{ name: string; options?: Record<string, unknown>; value: unknown; want?: object }> = [
    { name: 'zero optional', value: { lon: 0, lat: 0 } },
    { name: 'zero required', options: { required: true }, value: { lon: 0, lat: 0 }, want: { code: 'validation_required', message: 'Cannot be blank.' } },
    { name: 'edges', value: { lon: -180, lat: 90 } },
    { name: 'bad latitude', value: { lon: 0, lat: 90.5 }, want: { code: 'validation_invalid_latitude', message: 'Latitude must be between -90 and 90 degrees.' } },
    { name: 'bad longitude', value: { lon: 181, lat: 0 }, want: { code: 'validation_invalid_longitude', message: 'Longitude must be between -180 and 180 degrees.' } },
    { name: 'NaN latitude', value: { lon: 1, lat: Number.NaN }, want: { code: 'validation_invalid_latitude', message: 'Latitude must be between -90 and 90 degrees.' } },
    { name: 'not a point', value: 'x', want: { code: 'validation_unsupported_value_type', message: 'Invalid or unsupported value type.' } },
  ];
  for (const c of cases) assert.deepEqual(geoPointField.validateValue(makeField(geoPointField, c.options), c.value, valueCtx()), c.want, c.name);
});

test('geoPoint storage', () => {
  const f = makeField(geoPointField);
  assert.equal(geoPointField.toDriver(f, { lon: 1.5, lat: -2 }), '{"lon":1.5,"lat":-2}');
  assert.deepEqual(geoPointField.fromDriver(f, '{"lon":1.5,"lat":-2}'), { lon: 1.5, lat: -2 });
  assert.deepEqual(geoPointField.fromDriver(f, null), { lon: 0, lat: 0 });
  assert.deepEqual(geoPointField.fromDriver(f, '{bad'), { lon: 0, lat: 0 });
  assert.equal(geoPointField.columnKind(f), 'json');
  assert.deepEqual(geoPointField.zeroValue(f), { lon: 0, lat: 0 });
  assert.equal(geoPointField.validateSettings(f, settingsCtx()), undefined);
});
