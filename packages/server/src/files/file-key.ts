/**
 * Validation of FileStore keys, shared by every driver: a key is a relative `/`-separated path
 * whose segments are never empty, `.` or `..`, with no backslash or control character, so no
 * driver can be made to resolve it outside its root.
 * @module
 */

/** The longest key a driver accepts (S3's own limit is 1024 bytes). */
export const MAX_FILE_KEY_LENGTH = 1024;

const BAD_CHARS = /[\\\u0000-\u001f\u007f]/;

function segmentsAreSafe(segments: string[]): boolean {
  return segments.every((s) => s !== '' && s !== '.' && s !== '..');
}

/** Whether `key` names an object a store may hold. */
export function isValidFileKey(key: string): boolean {
  return typeof key === 'string' && key.length > 0 && Buffer.byteLength(key) <= MAX_FILE_KEY_LENGTH && !BAD_CHARS.test(key) && segmentsAreSafe(key.split('/'));
}

/** Throws a RangeError unless `key` is a valid object key (drivers call it before any I/O). */
export function assertFileKey(key: string): void {
  if (!isValidFileKey(key)) throw new RangeError(`invalid file key ${JSON.stringify(key)}`);
}

/**
 * Throws a RangeError unless `prefix` is `''` or a valid key, optionally followed by `/`: a prefix
 * such as `col/rec/` selects a folder, `col/re` any key starting with those characters.
 */
export function assertFilePrefix(prefix: string): void {
  if (prefix === '') return;
  const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (!isValidFileKey(body)) throw new RangeError(`invalid file key prefix ${JSON.stringify(prefix)}`);
}
