/**
 * Password hashing. New hashes are argon2id (OWASP parameters); bcrypt hashes (`$2a$`, `$2b$`,
 * `$2y$`), which PocketBase stores, are verified too, so users imported from PocketBase can sign in.
 * @module
 */
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

/** argon2id with 19 MiB memory, 2 iterations, parallelism 1 (OWASP Password Storage Cheat Sheet). */
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a plain password with argon2id. */
export function hashPassword(plain: string): Promise<string> {
  return argon2Hash(plain, ARGON2_OPTIONS);
}

/** A hash of a random password, used to spend the same time when no account matches. */
let dummyHash: Promise<string> | undefined;

/**
 * Checks `plain` against a stored hash in constant time (the libraries compare digests in constant
 * time). An empty or unknown hash format never matches. Pass `undefined` when no account was
 * found: the check still spends the time of a real one, so timing does not reveal accounts.
 */
export async function verifyPassword(plain: string, stored: string | undefined): Promise<boolean> {
  if (stored === undefined || stored === '') {
    dummyHash ??= hashPassword('basalt-dummy-password-for-timing');
    await argon2Verify(await dummyHash, plain).catch(() => false);
    return false;
  }
  try {
    if (stored.startsWith('$argon2')) return await argon2Verify(stored, plain);
    if (/^\$2[aby]\$\d\d\$/.test(stored)) return await bcrypt.compare(plain, stored);
  } catch {
    return false;
  }
  return false;
}
