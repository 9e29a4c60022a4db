/**
 * The `geoPoint` field (spec §5.4): `{lon, lat}` in degrees, `{lon: 0, lat: 0}` when unset.
 * Mirrors PocketBase core/field_geo_point.go.
 * @module
 */
import { fieldError } from '../errors.ts';
import type { FieldType } from './field.ts';
import { boolOption, commonSettingsErrors, driverText, requiredError, unsupportedTypeError } from './field-helpers.ts';

/** A geographic point in degrees. */
export interface GeoPoint {
  lon: number;
  lat: number;
}

function coordinate(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v + 0 : 0;
  if (typeof v === 'string' && /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(v.trim())) {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n + 0 : 0;
  }
  return 0;
}

/**
 * Lenient point coercion (spec §3.5.1): an object with `lon`/`lat`, or its JSON text. Missing or
 * non-numeric coordinates (numeric strings are accepted) read as 0; anything else is the zero point.
 */
export function toGeoPoint(raw: unknown): GeoPoint {
  let v = raw;
  if (typeof v === 'string' || v instanceof Uint8Array) {
    try {
      v = JSON.parse(typeof v === 'string' ? v : new TextDecoder().decode(v));
    } catch {
      return { lon: 0, lat: 0 };
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { lon: 0, lat: 0 };
  const o = v as Record<string, unknown>;
  return { lon: coordinate(o.lon), lat: coordinate(o.lat) };
}

function isPoint(v: unknown): v is GeoPoint {
  return typeof v === 'object' && v !== null && typeof (v as GeoPoint).lon === 'number' && typeof (v as GeoPoint).lat === 'number';
}

/** The `geoPoint` field type. Stored as JSON text `{"lon":x,"lat":y}`. */
export const geoPointField: FieldType = {
  type: 'geoPoint',

  defaultOptions() {
    return { required: false, help: '' };
  },

  columnKind() {
    return 'json';
  },

  isMultiple() {
    return false;
  },

  zeroValue() {
    return { lon: 0, lat: 0 };
  },

  prepareValue(_field, raw) {
    return toGeoPoint(raw);
  },

  validateValue(field, value) {
    if (!isPoint(value)) return unsupportedTypeError();
    if (value.lon === 0 && value.lat === 0) return boolOption(field, 'required') ? requiredError() : undefined;
    if (!(value.lat >= -90 && value.lat <= 90)) return fieldError('validation_invalid_latitude', 'Latitude must be between -90 and 90 degrees.');
    if (!(value.lon >= -180 && value.lon <= 180)) return fieldError('validation_invalid_longitude', 'Longitude must be between -180 and 180 degrees.');
    return undefined;
  },

  validateSettings(field) {
    return commonSettingsErrors(field).result();
  },

  toDriver(_field, value) {
    const p = toGeoPoint(value);
    return JSON.stringify({ lon: p.lon + 0, lat: p.lat + 0 });
  },

  fromDriver(_field, raw) {
    return toGeoPoint(raw == null ? '' : driverText(raw));
  },
};
