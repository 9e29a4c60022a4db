/**
 * Identifiers: random record ids and PocketBase's CRC-32 based collection and field ids.
 * @module
 */
import { randomInt } from 'node:crypto';

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random string of `length` chars from `alphabet`, from a CSPRNG without modulo bias. */
export function randomString(length: number, alphabet: string = ALPHANUMERIC): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/**
 * Like {@link randomString} but from Math.random, several times cheaper: only for strings that
 * must merely differ from one another and are never secrets (the suffix of a log id).
 */
export function weakRandomString(length: number, alphabet: string = ALPHANUMERIC): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

/** A new 15-character record id (`[a-z0-9]{15}`), the default id pattern. */
export function newRecordId(): string {
  return randomString(15);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE) of the UTF-8 bytes of `text`, as an unsigned integer. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Default collection id: `pbc_` + CRC-32 of type + name (spec §1.5). */
export function collectionIdFor(type: string, name: string): string {
  return `pbc_${crc32(type + name)}`;
}

/** Default field id: type + CRC-32 of the name (spec §1.5). */
export function fieldIdFor(type: string, name: string): string {
  return `${type}${crc32(name)}`;
}
