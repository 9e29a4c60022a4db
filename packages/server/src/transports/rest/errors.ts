/**
 * The REST transport's single error mapping: any thrown value → PocketBase's error envelope
 * (spec §2.1–§2.3). Route code throws; nothing else in transports/rest builds an error body.
 * @module
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError, BasaltError, InternalError } from '../../core/errors.ts';
import { ProjectionError } from '../../tools/fields-projection.ts';

/** PocketBase's error body: `data` is always an object, `message` always a sentence. */
export interface ErrorEnvelope {
  status: number;
  message: string;
  data: Record<string, unknown>;
}

/** What {@link toErrorEnvelope} returns: the HTTP status to answer with and the JSON body. */
export interface ErrorResponse {
  status: number;
  body: ErrorEnvelope;
}

/** Generic message sent with every 500 (and for errors whose text must not reach a client). */
export const GENERIC_ERROR_MESSAGE = 'Something went wrong while processing your request.';

/** Message for a body that could not be decoded (spec §2.3, the records wording). */
export const BODY_READ_ERROR_MESSAGE = 'Failed to read the submitted data.';

/** Message for a body over the size limit (spec §1.3). */
export const PAYLOAD_TOO_LARGE_MESSAGE = 'Request entity too large.';

/** Default `message` per status when none is supplied (spec §2.2). */
export const DEFAULT_ERROR_MESSAGES: Readonly<Record<number, string>> = Object.freeze({
  400: GENERIC_ERROR_MESSAGE,
  401: 'Missing or invalid authentication.',
  403: 'You are not allowed to perform this request.',
  404: "The requested resource wasn't found.",
  413: PAYLOAD_TOO_LARGE_MESSAGE,
  429: 'Too Many Requests.',
  500: GENERIC_ERROR_MESSAGE,
});

/**
 * Fastify and @fastify/multipart error codes for a body that cannot be decoded. All of them mean
 * "the client sent something we cannot read", so they answer 400 like PocketBase's body binder.
 * Note: FST_ERR_CTP_INVALID_MEDIA_TYPE is 415 in Fastify; PocketBase answers 400 (spec §1.2).
 */
const BODY_READ_ERROR_CODES: ReadonlySet<string> = new Set([
  'FST_ERR_CTP_INVALID_MEDIA_TYPE',
  'FST_ERR_CTP_INVALID_JSON_BODY',
  'FST_ERR_CTP_EMPTY_JSON_BODY',
  'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
  'FST_PROTO_VIOLATION',
  'FST_INVALID_MULTIPART_CONTENT_TYPE',
  'FST_INVALID_JSON_FIELD_ERROR',
]);

/** Fastify and @fastify/multipart error codes for a body over one of its limits → 413. */
const PAYLOAD_TOO_LARGE_CODES: ReadonlySet<string> = new Set([
  'FST_ERR_CTP_BODY_TOO_LARGE',
  'FST_REQ_FILE_TOO_LARGE',
  'FST_PARTS_LIMIT',
  'FST_FILES_LIMIT',
  'FST_FIELDS_LIMIT',
]);

/**
 * Normalises an error message into a sentence, as PocketBase does for every envelope (spec §2.1):
 * surrounding whitespace trimmed, first letter upper-cased, and `.` appended unless the text
 * already ends with `.`, `?` or `!`. An empty (or blank) message stays `''`.
 * @example normalizeMessage('failed to load') // 'Failed to load.'
 */
export function normalizeMessage(message: string): string {
  const text = String(message).trim();
  if (text === '') return '';
  const first = text.codePointAt(0) as number;
  const firstLength = first > 0xffff ? 2 : 1;
  const head = String.fromCodePoint(first).toUpperCase();
  const sentence = head + text.slice(firstLength);
  const last = sentence[sentence.length - 1];
  return last === '.' || last === '?' || last === '!' ? sentence : `${sentence}.`;
}

/** The default message for `status` (spec §2.2); other statuses use Node's reason phrase. */
export function defaultMessageFor(status: number): string {
  const known = DEFAULT_ERROR_MESSAGES[status];
  if (known !== undefined) return known;
  const phrase = STATUS_CODES[status];
  return phrase === undefined ? GENERIC_ERROR_MESSAGE : normalizeMessage(phrase);
}

/**
 * Maps anything thrown while handling a request to the HTTP status and PocketBase envelope to send.
 *
 * - `BasaltError` subclasses keep their status and (sentence-cased) message; only
 *   `BadRequestError`/`ValidationError` contribute `data`. `InternalError` always answers the
 *   generic 500 message.
 * - `ProjectionError` (invalid `fields` query) → 400 with its message.
 * - Fastify body errors: unreadable/unsupported body → 400 `Failed to read the submitted data.`;
 *   over a size limit → 413 `Request entity too large.`; route not found → 404.
 * - Any other error carrying a 4xx `statusCode` (or `status`) → that status with its default message.
 * - Everything else → 500 with the generic message. The error's own text never reaches the client.
 *
 * Never throws, whatever it is given.
 * @example
 * const { status, body } = toErrorEnvelope(new NotFoundError());
 * reply.code(status).send(body); // 404 {"status":404,"message":"The requested resource wasn't found.","data":{}}
 */
export function toErrorEnvelope(err: unknown): ErrorResponse {
  try {
    return mapError(err);
  } catch {
    // A hostile or broken error object (throwing getters, proxies…) must not break error handling.
    return envelope(500, GENERIC_ERROR_MESSAGE, {});
  }
}

function mapError(err: unknown): ErrorResponse {
  if (err instanceof BasaltError) {
    const status = isHttpErrorStatus(err.status) ? err.status : 500;
    // InternalError's text is for the logs only; other BasaltErrors (even 503) carry safe, fixed text.
    if (err instanceof InternalError || err.code === 'internal') {
      return envelope(status, defaultMessageFor(status), {});
    }
    const data = err instanceof BadRequestError ? safeData(err.data) : {};
    return envelope(status, normalizeMessage(err.message) || defaultMessageFor(status), data);
  }

  if (typeof err !== 'object' || err === null) return envelope(500, GENERIC_ERROR_MESSAGE, {});

  // An invalid `fields` query: PocketBase answers its 2xx status with an empty body; the spec's
  // latitude (§1.4) lets us answer 400. The message is our own parser's, so it is safe to show.
  if (err instanceof ProjectionError) return envelope(400, normalizeMessage(err.message) || GENERIC_ERROR_MESSAGE, {});

  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (PAYLOAD_TOO_LARGE_CODES.has(code)) return envelope(413, PAYLOAD_TOO_LARGE_MESSAGE, {});
    if (BODY_READ_ERROR_CODES.has(code)) return envelope(400, BODY_READ_ERROR_MESSAGE, {});
    if (code === 'FST_ERR_NOT_FOUND') return envelope(404, defaultMessageFor(404), {});
    // A path segment longer than the router's maxParamLength cannot name any stored collection or
    // record, so answer like a lookup that found nothing (PocketBase has no such limit: it 404s).
    if (code === 'FST_ERR_MAX_PARAM_LENGTH') return envelope(404, defaultMessageFor(404), {});
  }

  const status = statusOf(err);
  // Fastify re-throws JSON.parse failures as a SyntaxError with statusCode 400.
  if (err instanceof SyntaxError && status === 400) return envelope(400, BODY_READ_ERROR_MESSAGE, {});
  if (status === 413) return envelope(413, PAYLOAD_TOO_LARGE_MESSAGE, {});
  if (status !== undefined && status >= 400 && status < 500) return envelope(status, defaultMessageFor(status), {});
  return envelope(500, GENERIC_ERROR_MESSAGE, {});
}

function statusOf(err: object): number | undefined {
  const statusCode = (err as { statusCode?: unknown }).statusCode;
  if (isHttpErrorStatus(statusCode)) return statusCode;
  const status = (err as { status?: unknown }).status;
  if (isHttpErrorStatus(status)) return status;
  return undefined;
}

function isHttpErrorStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599;
}

function safeData(data: unknown): Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}

function envelope(status: number, message: string, data: Record<string, unknown>): ErrorResponse {
  return { status, body: { status, message, data } };
}

/**
 * A Fastify error handler that answers with {@link toErrorEnvelope}'s envelope. 5xx errors are
 * logged at `error` level with their cause (the client only sees the generic message); 4xx at `info`.
 * @example fastify.setErrorHandler(restErrorHandler);
 */
export function restErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorEnvelope(error);
  // 5xx are logged by the server's error handler through the App logger (always on); the
  // request log (--dev) notes the rejections clients caused.
  if (status < 500) request.log.info({ err: error, status }, 'request rejected');
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * Fastify's `clientErrorHandler`: answers requests that Node's HTTP parser rejects before any
 * route runs (headers over `maxHeaderSize` → 431, request timeout → 408, malformed request line or
 * headers → 400) with the envelope instead of Fastify's own `{error, statusCode}` body, then
 * closes the connection (it cannot be reused after a parse error).
 */
export function restClientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  // Mirrors Fastify's default handler: a reset or destroyed socket has no one to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify(envelope(status, defaultMessageFor(status), {}).body);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

/**
 * A Fastify not-found handler: unknown routes (and unrouted methods) answer 404 with the envelope;
 * PocketBase never answers 405 (spec §1.1).
 * @example fastify.setNotFoundHandler(restNotFoundHandler);
 */
export function restNotFoundHandler(_request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = envelope(404, defaultMessageFor(404), {});
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}
