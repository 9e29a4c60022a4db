/**
 * Small secret-handling primitives: constant-time comparison, random numeric codes, recovery
 * codes and their digests.
 * @module
 */
import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * Compares two strings in time that depends only on their lengths' digest, never on where they
 * differ: both sides are hashed first, so unequal lengths do not short-circuit either.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/** `length` random decimal digits from a CSPRNG (one-time passwords). */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

/** Hex SHA-256 of `value`: the stored form of high-entropy secrets such as recovery codes. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Alphabet of recovery codes: lower-case letters and digits without look-alikes (0/o, 1/l). */
const RECOVERY_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** How many recovery codes an enrolment gets. */
export const RECOVERY_CODE_COUNT = 10;

/** A recovery code `xxxxx-xxxxx` (50 bits of entropy). */
export function newRecoveryCode(): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    if (i === 5) out += '-';
    out += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  }
  return out;
}

/** Canonical form of a typed recovery code: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(input: string): string {
  const compact = input.toLowerCase().replace(/[\s-]/g, '');
  return compact.length === 10 ? `${compact.slice(0, 5)}-${compact.slice(5)}` : compact;
}

/**
 * Index of the digest in `storedDigests` matching `code`, or -1. Every stored digest is compared
 * (no early exit), each in constant time.
 */
export function findRecoveryCode(code: string, storedDigests: readonly string[]): number {
  const digest = Buffer.from(sha256Hex(normalizeRecoveryCode(code)), 'hex');
  let found = -1;
  storedDigests.forEach((stored, i) => {
    const candidate = Buffer.from(stored, 'hex');
    if (candidate.length === digest.length && timingSafeEqual(candidate, digest) && found === -1) found = i;
  });
  return found;
}

/**
 * The CSRF token of a cookie session: an HMAC of the session token, so it needs no storage and
 * cannot be computed by a page that cannot read the HttpOnly session cookie.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('basalt-csrf-v1').digest('base64url');
}
