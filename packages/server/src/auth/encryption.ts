/**
 * Encryption of secrets at rest (SMTP password, S3 secrets, OAuth2 client secrets, TOTP secrets)
 * with AES-256-GCM. A stored value is `enc:v1:` + base64url(nonce ‖ ciphertext ‖ tag); a value
 * without the prefix is plain text written before a key was configured, and still reads.
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/**
 * The 32-byte key of `raw`: 64 hex digits, a 32-character (32-byte UTF-8) string, or base64 /
 * base64url of 32 bytes. Undefined when it is none of these.
 */
export function parseEncryptionKey(raw: string): Buffer | undefined {
  const value = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (Buffer.byteLength(value, 'utf8') === KEY_BYTES) return Buffer.from(value, 'utf8');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  return undefined;
}

/** True when `value` was written by {@link SecretBox.seal}. */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/** Seals and opens secrets with one key. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new TypeError(`An encryption key must be ${KEY_BYTES} bytes.`);
    this.#key = Buffer.from(key);
  }

  /** Encrypts `plain` with a fresh random nonce; an empty string stays empty (nothing to hide). */
  seal(plain: string): string {
    if (plain === '') return '';
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
  }

  /**
   * The plain text of a stored value: sealed values are decrypted, others returned as they are.
   * Undefined when a sealed value does not open with this key (wrong key or altered data).
   */
  open(stored: string): string | undefined {
    if (!isSealed(stored)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    if (raw.length < NONCE_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, NONCE_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
