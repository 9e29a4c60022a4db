/**
 * Secrets as they are persisted (settings, collection options, TOTP enrolments): sealed with the
 * instance's encryption key when one is configured (BASALT_ENCRYPTION_KEY), plain otherwise. Stores
 * call `seal` when writing and `open` when reading, so the rest of the code only sees plain values.
 * @module
 */
import { SecretBox, isSealed, parseEncryptionKey } from '../../auth/encryption.ts';
import { BadRequestError, InternalError } from '../errors.ts';

export class StoredSecrets {
  readonly #box: SecretBox | undefined;

  /** `key`: the configured key as text (see parseEncryptionKey), or undefined for none. */
  constructor(key?: string) {
    if (key === undefined || key === '') return;
    const bytes = parseEncryptionKey(key);
    if (!bytes) throw new InternalError('BASALT_ENCRYPTION_KEY must be 32 bytes: a 32-character string, 64 hex digits, or the base64 of 32 bytes.');
    this.#box = new SecretBox(bytes);
  }

  get encrypting(): boolean {
    return this.#box !== undefined;
  }

  seal(plain: string): string {
    if (this.#box) return this.#box.seal(plain);
    // Kept as it is, such a value would read back as an encrypted one that no key opens.
    if (isSealed(plain)) throw new BadRequestError('A secret starting with "enc:v1:" can only be saved when BASALT_ENCRYPTION_KEY is set.');
    return plain;
  }

  /** Plain text of a stored secret; `what` names it in the startup error when it cannot be read. */
  open(stored: string, what: string): string {
    if (!isSealed(stored)) return stored;
    if (!this.#box) throw new InternalError(`The stored ${what} is encrypted, but BASALT_ENCRYPTION_KEY is not set.`);
    const plain = this.#box.open(stored);
    if (plain === undefined) throw new InternalError(`The stored ${what} cannot be decrypted: BASALT_ENCRYPTION_KEY is not the key it was encrypted with.`);
    return plain;
  }
}
