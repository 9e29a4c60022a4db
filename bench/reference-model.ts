/**
 * The record model both hand-written reference servers share (SQLite and PostgreSQL): the
 * PocketBase record shape, ids, datetimes, coercion and errors. Kept free of Basalt imports so the
 * references stay independent of the code they measure.
 */
import { randomBytes } from 'node:crypto';

export const COLLECTION_NAME = 'posts';
export const COLLECTION_ID = `pbc_${crc32('base' + COLLECTION_NAME)}`; // PocketBase's default id scheme

export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export function newId(): string {
  let out = '';
  while (out.length < 15) {
    for (const b of randomBytes(20)) {
      if (b < 252) out += ALPHABET[b % 36]; // 252 = 7 * 36: no modulo bias
      if (out.length === 15) break;
    }
  }
  return out;
}

export function now(): string {
  return new Date().toISOString().replace('T', ' ');
}

export interface Row {
  id: string;
  title: string;
  views: number;
  published: number | boolean;
  owner: string;
  created: string;
  updated: string;
}

export function toRecord(r: Row) {
  return {
    collectionId: COLLECTION_ID,
    collectionName: COLLECTION_NAME,
    id: r.id,
    title: r.title,
    views: Number(r.views),
    published: !!r.published,
    owner: r.owner,
    created: r.created,
    updated: r.updated,
  };
}

// PocketBase-like lenient coercion.
export function toText(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}
export function toNumber(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
}
export function toBool(v: unknown): boolean {
  return v === true || v === 1 || v === 'true' || v === '1';
}

export class ApiError extends Error {
  status: number;
  data: Record<string, unknown>;
  constructor(status: number, message: string, data: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.data = data;
  }
}

export const notFound = () => new ApiError(404, "The requested resource wasn't found.");

export function validate(rec: { title: string; views: number }, op: 'create' | 'update') {
  if (rec.title === '') {
    throw new ApiError(400, `Failed to ${op} record.`, { title: { code: 'validation_required', message: 'Cannot be blank.' } });
  }
}
