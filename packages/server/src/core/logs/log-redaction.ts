/**
 * Redaction of what goes into the log: values under secret-looking keys are replaced, and
 * everything is bounded in depth, length and size, so a log entry never holds a credential or a
 * megabyte of request body.
 * @module
 */

/** What replaces a redacted value. */
export const REDACTED = '[REDACTED]';
/** Longest string kept in a logged value; longer ones are cut and marked. */
export const MAX_LOGGED_STRING = 1000;
/** Most serialised characters of one logged body or response preview. */
export const MAX_LOGGED_BODY = 8 * 1024;
/** Deepest nesting kept in a logged value. */
const MAX_DEPTH = 6;
/** Most array items or object keys kept per level. */
const MAX_ITEMS = 50;

/**
 * Keys whose values are secrets: passwords, tokens, secrets, one-time and recovery codes,
 * authorization material, PKCE code verifiers, cookies and API keys (matched anywhere in the key, case-insensitive;
 * `code` only as a whole key: an OAuth2 or e-mail code; see {@link isErrorCode} for the codes of
 * validation errors, which are kept).
 */
export const SECRET_KEY = /pass(word|wd|phrase)?|secret|token|otp|authorization|cookie|session|api[-_]?key|private[-_]?key|credential|signature|recovery|verifier|^code$/i;

/** True when `key` names a value that must never be logged. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A validation error's `code` (`validation_required`): what went wrong, never a secret. */
function isErrorCode(key: string, value: unknown): boolean {
  return key === 'code' && typeof value === 'string' && /^validation_[a-z0-9_]{1,80}$/.test(value);
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…[${s.length - max} more characters]` : s;
}

/** A copy of `value` with secrets replaced and its size bounded (JSON-safe). */
export function redactValue(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return cut(value, MAX_LOGGED_STRING);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return '[…]';
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) {
    const out = value.slice(0, MAX_ITEMS).map((v) => redactValue(v, depth + 1));
    if (value.length > MAX_ITEMS) out.push(`[${value.length - MAX_ITEMS} more items]`);
    return out;
  }
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const key of Object.keys(value)) {
    if (n++ >= MAX_ITEMS) {
      out['…'] = '[more keys]';
      break;
    }
    const v = (value as Record<string, unknown>)[key];
    out[key] = isSecretKey(key) && v !== '' && v !== null && v !== undefined && !isErrorCode(key, v) ? REDACTED : redactValue(v, depth + 1);
  }
  return out;
}

/**
 * A logged form of a request or response body: the redacted value when its JSON fits
 * {@link MAX_LOGGED_BODY}, otherwise the start of that JSON as text.
 */
export function redactBody(value: unknown): unknown {
  const redacted = redactValue(value);
  const json = JSON.stringify(redacted) ?? '';
  return json.length > MAX_LOGGED_BODY ? cut(json, MAX_LOGGED_BODY) : redacted;
}

/** A path with query whose secret-looking parameters (`?token=…`) are redacted. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url.slice(q + 1);
  // Fast path: most queries name nothing secret (`code` is only a secret as a whole key).
  if (!SECRET_KEY.test(query) && !/(^|&)code=/i.test(query)) return url;
  const parts = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    let key = pair.slice(0, eq);
    try {
      key = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      // Undecodable keys are checked as sent.
    }
    return isSecretKey(key) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
  });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/** Errors whose message the log must not keep, with what it keeps instead. */
const loggedMessages = new WeakMap<object, string>();

/**
 * Marks `err` so that log entries show `logged` in place of its message: for a message the client
 * may see but the log must not keep (the SQL console quotes the engine's error, which can quote
 * the statement). Returns `err`.
 */
export function withLoggedMessage<E extends object>(err: E, logged: string): E {
  loggedMessages.set(err, logged);
  return err;
}

/** What the log keeps of the message of `err`: `message`, unless `err` was marked with withLoggedMessage. */
export function loggedErrorMessage(err: unknown, message: string): string {
  return (typeof err === 'object' && err !== null && loggedMessages.get(err)) || message;
}
