/**
 * The one error hierarchy of Basalt's core. Operations throw these; each transport maps them
 * (REST: transports/rest/errors.ts). Only `ValidationError.fields` ever reaches a client as data;
 * every other error carries a safe message and keeps its cause for the logs.
 * @module
 */

/** Stable, machine-readable error codes; `docs/errors.md` lists each one. */
export type BasaltErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'payload_too_large'
  | 'too_many_requests'
  | 'service_unavailable'
  | 'internal';

/** One field-level problem, in PocketBase's shape (`validation_required`, …). */
export interface FieldError {
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

/** Field errors may nest (`fields.2.name`, `requests.1`); array positions are string keys. */
export interface FieldErrors {
  [path: string]: FieldError | FieldErrors;
}

/** Field errors as one line of text: `meta.appName: Cannot be blank.; smtp.port: …` */
export function describeFieldErrors(errors: FieldErrors, prefix = ''): string {
  return Object.entries(errors)
    .map(([k, v]) => ('code' in v && typeof v.code === 'string' ? `${prefix}${k}: ${String(v.message)}` : describeFieldErrors(v as FieldErrors, `${prefix}${k}.`)))
    .join('; ');
}

/** Base class: never thrown directly. */
export abstract class BasaltError extends Error {
  abstract readonly code: BasaltErrorCode;
  /** Status a transport that speaks HTTP should use. Core never reads it. */
  abstract readonly status: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** Data that is safe to send to a client. */
  get data(): Record<string, unknown> {
    return {};
  }
}

/** Malformed input: unreadable body, bad query parameter, unparsable filter. */
export class BadRequestError extends BasaltError {
  readonly code: BasaltErrorCode = 'bad_request';
  readonly status: number = 400;
  constructor(message = 'Something went wrong while processing your request.', options?: { cause?: unknown; data?: Record<string, unknown> }) {
    super(message, options);
    this.#data = options?.data ?? {};
  }
  readonly #data: Record<string, unknown>;
  override get data(): Record<string, unknown> {
    return this.#data;
  }
}

/** Input that parsed but broke field or form constraints; `fields` go to the client. */
export class ValidationError extends BadRequestError {
  override readonly code = 'validation_failed' as const;
  readonly fields: FieldErrors;
  constructor(message: string, fields: FieldErrors, options?: { cause?: unknown }) {
    super(message, { ...options, data: fields as Record<string, unknown> });
    this.fields = fields;
  }
}

export class UnauthorizedError extends BasaltError {
  readonly code = 'unauthorized' as const;
  readonly status = 401;
  constructor(message = 'Missing or invalid authentication.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class ForbiddenError extends BasaltError {
  readonly code = 'forbidden' as const;
  readonly status = 403;
  constructor(message = 'You are not allowed to perform this request.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class NotFoundError extends BasaltError {
  readonly code = 'not_found' as const;
  readonly status = 404;
  constructor(message = "The requested resource wasn't found.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class PayloadTooLargeError extends BasaltError {
  readonly code = 'payload_too_large' as const;
  readonly status = 413;
  constructor(message = 'Request entity too large.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class TooManyRequestsError extends BasaltError {
  readonly code = 'too_many_requests' as const;
  readonly status = 429;
  constructor(message = 'Too Many Requests.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The database (or another backing service) cannot take more work right now. */
export class ServiceUnavailableError extends BasaltError {
  readonly code = 'service_unavailable' as const;
  readonly status = 503;
  constructor(message = 'The service is temporarily unavailable. Try again shortly.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A write found that its collection's definition changed after it began (a concurrent schema
 * change). Nothing was written; `inTransaction` runs the write again with the new definition.
 */
export class CollectionChangedError extends ServiceUnavailableError {
  constructor() {
    super('The collection changed while the request ran. Try again.');
  }
}

/**
 * The database rolled a write back to resolve a conflict with concurrent writes (a deadlock, a
 * serialization failure). Nothing was written; `inTransaction` runs the write again.
 */
export class WriteConflictError extends ServiceUnavailableError {
  constructor(options?: { cause?: unknown }) {
    super('The write conflicted with concurrent writes and was cancelled. Try again.', options);
  }
}

/** An unexpected failure. Its message never reaches a client; the cause is logged. */
export class InternalError extends BasaltError {
  readonly code = 'internal' as const;
  readonly status = 500;
  constructor(message = 'Something went wrong while processing your request.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type AnyBasaltError =
  | BadRequestError
  | ValidationError
  | UnauthorizedError
  | ForbiddenError
  | NotFoundError
  | PayloadTooLargeError
  | TooManyRequestsError
  | ServiceUnavailableError
  | InternalError;

/** Builds a PocketBase-style field error. */
export function fieldError(code: string, message: string, params?: Record<string, unknown>): FieldError {
  return params ? { code, message, params } : { code, message };
}
