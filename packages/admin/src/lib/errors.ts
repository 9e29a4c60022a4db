/**
 * Reading the PocketBase error envelope that the SDK wraps in ClientResponseError:
 * `{ status, message, data: { field: { code, message } } }`, nested for collection fields.
 * @module
 */
import { ClientResponseError } from 'pocketbase';

export interface FieldError {
  code: string;
  message: string;
}

/** Nested field errors as the server sends them (leaf = { code, message }). */
export type FieldErrors = { [key: string]: FieldError | FieldErrors };

export function isFieldError(v: unknown): v is FieldError {
  return typeof v === 'object' && v !== null && typeof (v as FieldError).code === 'string' && typeof (v as FieldError).message === 'string';
}

export function errorMessage(err: unknown): string {
  if (err instanceof ClientResponseError) {
    if (err.isAbort) return 'The request was cancelled.';
    if (err.status === 0) return 'Cannot reach the server.';
    const msg = (err.response as { message?: unknown })?.message;
    return typeof msg === 'string' && msg ? msg : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export function fieldErrorsOf(err: unknown): FieldErrors {
  if (!(err instanceof ClientResponseError)) return {};
  const data = (err.response as { data?: unknown })?.data;
  return typeof data === 'object' && data !== null ? (data as FieldErrors) : {};
}

/** The message at a path of the nested errors, e.g. `errorAt(e, 'fields', 2, 'name')`. */
export function errorAt(errors: FieldErrors | undefined, ...path: Array<string | number>): string | undefined {
  let node: FieldError | FieldErrors | undefined = errors;
  for (const key of path) {
    if (!node || isFieldError(node)) return undefined;
    node = node[String(key)];
  }
  return isFieldError(node) ? node.message : undefined;
}

/** The subtree at a path (for a component that shows errors of its own part). */
export function errorsAt(errors: FieldErrors | undefined, ...path: Array<string | number>): FieldErrors | undefined {
  let node: FieldError | FieldErrors | undefined = errors;
  for (const key of path) {
    if (!node || isFieldError(node)) return undefined;
    node = node[String(key)];
  }
  return node && !isFieldError(node) ? node : undefined;
}

/** Every leaf message under a subtree, flattened with its path (for errors no input shows). */
export function flattenErrors(errors: FieldErrors | undefined, prefix = ''): string[] {
  if (!errors) return [];
  return Object.entries(errors).flatMap(([k, v]) => (isFieldError(v) ? [`${prefix}${k}: ${v.message}`] : flattenErrors(v, `${prefix}${k}.`)));
}
