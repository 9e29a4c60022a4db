/**
 * Time-based one-time passwords (RFC 6238) over HOTP (RFC 4226): HMAC-SHA1, 6 digits, 30-second
 * steps, the parameters every authenticator app supports. Secrets are 20 random bytes (RFC 4226
 * §4 recommends 160 bits), shown to users in base32 (RFC 4648 §6).
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from './secrets.ts';

/** Step length in seconds (RFC 6238 §4.1 default X = 30). */
export const TOTP_PERIOD = 30;
/** Code length. */
export const TOTP_DIGITS = 6;
/** Steps accepted before and after the current one, for clock drift (RFC 6238 §5.2). */
export const TOTP_WINDOW = 1;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[=\s]/g, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = BASE32.indexOf(ch);
    if (idx === -1) throw new RangeError('invalid base32 character');
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new random secret, base32-encoded (32 characters). */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** The time step of `now` (RFC 6238 §4.2: T = floor(unix time / X)). */
export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD);
}

/** The HOTP code of `secret` for counter `step` (RFC 4226 §5.3 dynamic truncation). */
export function totpCode(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}

/**
 * The step whose code equals `code` within ±{@link TOTP_WINDOW} of `now` and after `lastUsedStep`
 * (a code is never accepted twice, RFC 6238 §5.2), or undefined. Every candidate is compared in
 * constant time.
 */
export function verifyTotp(secret: string, code: string, now: Date, lastUsedStep = -1): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const current = totpStep(now);
  let matched: number | undefined;
  for (let s = current - TOTP_WINDOW; s <= current + TOTP_WINDOW; s++) {
    if (constantTimeEqual(totpCode(secret, s), code) && s > lastUsedStep && matched === undefined) matched = s;
  }
  return matched;
}

/** The `otpauth://totp/...` URI authenticator apps read from a QR code (Key Uri Format). */
export function totpUri(secret: string, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_PERIOD) });
  return `otpauth://totp/${label}?${params.toString()}`;
}
