/**
 * Request body decoding for the REST transport (spec §1.2): every route sees `request.body` as a
 * plain object and multipart files in `request.uploads`. JSON, urlencoded and multipart bodies
 * are decoded here; any other non-empty body is rejected with 400, oversized ones with 413.
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequestError, PayloadTooLargeError } from '../../core/errors.ts';
import { BODY_READ_ERROR_MESSAGE, PAYLOAD_TOO_LARGE_MESSAGE } from './errors.ts';

/** One uploaded file from a multipart body, buffered in memory. */
export interface UploadedFile {
  /** The part's name as sent: `avatar`, `documents+`, `requests.0.documents`, … */
  field: string;
  /** The client's file name without any directory part (may be `''`). */
  filename: string;
  /** The part's declared Content-Type (`application/octet-stream` when absent); not sniffed. */
  mimetype: string;
  /** Note: a view into the buffered request body (no copy); keeping it keeps that body alive. */
  data: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Files from a multipart body, in the order received; `[]` for any other request. */
    uploads: UploadedFile[];
  }
}

/** Options of {@link bodyParsers}. */
export interface BodyParsersOptions {
  /** Default limit in bytes for a whole request body (spec §1.3: 32 MiB). Routes may override it with their own `bodyLimit`. */
  bodyLimit: number;
}

/** The part name whose value is a JSON object merged over the other form values (spec §1.2). */
export const JSON_PAYLOAD_KEY = '@jsonPayload';
/** Most parts in one multipart body (Go's default since 1.20, so PocketBase has the same bound). */
export const MAX_MULTIPART_PARTS = 1000;
/** Most header bytes in one multipart part. */
export const MAX_MULTIPART_HEADER_BYTES = 16 * 1024;
/** Most `key=value` pairs in one urlencoded body. */
export const MAX_URLENCODED_PAIRS = 10_000;

/**
 * Registers Basalt's body decoding on `fastify` (spec §1.2).
 *
 * After it, in every route registered later on this instance or its children:
 * - `request.body` is a plain object: `{}` for GET/HEAD, for an empty body (whatever the
 *   Content-Type, e.g. the SDK's `Content-Type: application/json` on DELETE) and for no body;
 *   the decoded object for `application/json`, `application/x-www-form-urlencoded` and
 *   `multipart/form-data` (form values inferred, `@jsonPayload` parts merged: {@link mergeFormValues});
 * - `request.uploads` holds the multipart file parts (else `[]`).
 *
 * Failures are thrown as `BadRequestError` (400: invalid JSON, a JSON body that is not an object,
 * malformed multipart, unsupported content type) or `PayloadTooLargeError` / Fastify's
 * `FST_ERR_CTP_BODY_TOO_LARGE` (413); `toErrorEnvelope` in errors.ts turns them into envelopes.
 *
 * Note: the plugin replaces all of Fastify's content-type parsers with one catch-all parser, so do
 * not also register `@fastify/multipart`. Files are buffered (the body limit bounds memory);
 * streaming uploads to the file store is future work.
 *
 * Warning: it must apply to the root instance. It carries `Symbol.for('skip-override')`, the flag
 * `fastify-plugin` sets, so `register()` runs it without a new encapsulation context; calling it
 * directly (`await bodyParsers(app, opts)`) before routes are added is equivalent.
 * @example
 * const app = Fastify();
 * await app.register(bodyParsers, { bodyLimit: 32 * 1024 * 1024 });
 * app.setErrorHandler(restErrorHandler);
 */
/** Fastify's ceiling for routes whose real limit is computed per request (server.ts preParsing). */
export const MAX_DYNAMIC_BODY_LIMIT = 1024 * 1024 * 1024;

export async function bodyParsers(fastify: FastifyInstance, opts: BodyParsersOptions): Promise<void> {
  const bodyLimit = opts?.bodyLimit;
  if (typeof bodyLimit !== 'number' || !Number.isSafeInteger(bodyLimit) || bodyLimit <= 0) {
    throw new RangeError(`bodyParsers: bodyLimit must be a positive integer, got ${String(bodyLimit)}`);
  }

  fastify.decorateRequest('uploads', null as unknown as UploadedFile[]);
  // onRequest runs before parsing: routes whose body is never parsed (GET, HEAD, no Content-Type
  // and no body) keep these defaults; parsed bodies overwrite `request.body`.
  fastify.addHook('onRequest', (request, _reply, done) => {
    request.body = {};
    request.uploads = [];
    done();
  });

  fastify.removeAllContentTypeParsers();
  // One catch-all parser rather than one per type: PocketBase picks the decoder by Content-Type
  // *prefix* (spec §1.2), rejects unknown types only when the body is non-empty, and Fastify's
  // buffered reader gives us the body limit (413 before reading when Content-Length is too big).
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, async (request: FastifyRequest, raw: Buffer | string) => {
    const buffer = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    const decoded = decodeBody(request.headers['content-type'], buffer);
    request.uploads = decoded.uploads;
    return decoded.body;
  });
}

Object.defineProperty(bodyParsers, Symbol.for('skip-override'), { value: true });
Object.defineProperty(bodyParsers, Symbol.for('fastify.display-name'), { value: 'basalt-body-parsers' });

/** What {@link decodeBody} produces. */
export interface DecodedBody {
  body: Record<string, unknown>;
  uploads: UploadedFile[];
}

/**
 * Decodes a complete request body according to its Content-Type header (spec §1.2). Pure: the
 * plugin's parser is a thin wrapper around it. An empty body is `{}` whatever the type.
 * Throws `BadRequestError` (unreadable or unsupported) or `PayloadTooLargeError` (part limits).
 */
export function decodeBody(contentType: string | undefined, body: Buffer): DecodedBody {
  if (body.length === 0) return { body: {}, uploads: [] };
  const { mediaType, params } = parseContentType(contentType ?? '');
  if (mediaType.startsWith('application/json')) {
    return { body: parseJsonObject(body.toString('utf8'), 'the JSON body'), uploads: [] };
  }
  if (mediaType.startsWith('application/x-www-form-urlencoded')) {
    return { body: mergeFormValues(parseUrlEncoded(body)), uploads: [] };
  }
  if (mediaType.startsWith('multipart/form-data')) {
    const boundary = params.get('boundary');
    if (boundary === undefined || boundary === '' || boundary.length > 200) {
      throw bodyReadError('multipart body without a valid boundary parameter');
    }
    const entries: Array<[string, string]> = [];
    const uploads: UploadedFile[] = [];
    for (const part of parseMultipart(body, boundary)) {
      if (part.filename === undefined) entries.push([part.name, part.data.toString('utf8')]);
      // Note: browsers send an untouched <input type=file> as an empty part with filename="";
      // it carries no file, so it is skipped rather than becoming an empty upload.
      else if (part.filename !== '' || part.data.length > 0) {
        uploads.push({ field: part.name, filename: part.filename, mimetype: part.mimetype, data: part.data });
      }
    }
    return { body: mergeFormValues(entries), uploads };
  }
  throw bodyReadError(mediaType === '' ? 'a non-empty body without Content-Type' : `unsupported content type "${mediaType}"`);
}

/**
 * Infers the JSON value of a plain form value (spec §1.2): `''` stays `''`, `'true'`/`'false'`
 * become booleans, and a string of digits, `.` and `-` (starting with a digit or `-`) becomes a
 * number only when formatting the number back (plain decimal notation, shortest round-trip
 * digits, like Go's `strconv.FormatFloat(v, 'f', -1, 64)`) gives the very same text — so `'12'`
 * and `'-3.5'` are numbers while `'0012'`, `'1.0'`, `'1e3'` and `'Infinity'` stay strings.
 * Never throws.
 * @example inferFormValue('42') // 42
 */
export function inferFormValue(raw: string): string | number | boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === '' || !/^-?[0-9][0-9.-]*$/.test(raw)) return raw;
  const value = Number(raw);
  return Number.isFinite(value) && formatPlainDecimal(value) === raw ? value : raw;
}

/**
 * Formats a finite number in plain decimal notation with the shortest digits that round-trip
 * (never an exponent); negative zero is `-0`, as in Go.
 */
function formatPlainDecimal(value: number): string {
  if (Object.is(value, -0)) return '-0';
  const text = String(value);
  const e = text.indexOf('e');
  if (e === -1) return text;
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot === -1 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const pointAt = (dot === -1 ? mantissa.length : dot) + exponent;
  let plain: string;
  if (pointAt <= 0) plain = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) plain = digits + '0'.repeat(pointAt - digits.length);
  else plain = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return negative ? `-${plain}` : plain;
}

/**
 * Builds a body object from form entries, in order (spec §1.2): values are inferred with
 * {@link inferFormValue}; a key sent once is a scalar, a repeated key an array; then every
 * `@jsonPayload` entry is parsed (JSON object, no inference) and merged key by key over the
 * result, in order. A `__proto__` key is dropped.
 *
 * Throws `BadRequestError` only for an `@jsonPayload` that is not a JSON object; anything else
 * never throws.
 * @example mergeFormValues([['a', '1'], ['a', 'x'], ['@jsonPayload', '{"tags":["t"]}']])
 * // → { a: [1, 'x'], tags: ['t'] }
 */
export function mergeFormValues(entries: Iterable<readonly [string, string]>): Record<string, unknown> {
  const grouped = new Map<string, unknown[]>();
  const payloads: string[] = [];
  for (const [key, value] of entries) {
    if (key === JSON_PAYLOAD_KEY) {
      payloads.push(value);
      continue;
    }
    const values = grouped.get(key);
    if (values === undefined) grouped.set(key, [inferFormValue(value)]);
    else values.push(inferFormValue(value));
  }
  const body: Record<string, unknown> = {};
  for (const [key, values] of grouped) setOwn(body, key, values.length === 1 ? values[0] : values);
  for (const payload of payloads) {
    const decoded = parseJsonObject(payload, 'an @jsonPayload part');
    for (const key of Object.keys(decoded)) setOwn(body, key, decoded[key]);
  }
  return body;
}

/** Assigns an own enumerable property; never touches the prototype (`__proto__` is dropped). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') return;
  target[key] = value;
}

/**
 * Deepest nesting of arrays and objects accepted in a JSON body; deeper is unreadable (400).
 * Note: Go's encoding/json (so PocketBase) stops at 10,000 levels, but V8's recursive
 * `JSON.stringify` overflows the stack a few thousand levels down, which would turn a deep value
 * into a 500 (or a silently dropped json field) long after decoding. Real payloads are far
 * shallower.
 */
export const MAX_JSON_DEPTH = 512;

/**
 * Parses JSON text that must hold an object; `__proto__` keys are removed at every depth so the
 * result is safe to `Object.assign` or merge, and lone surrogates written as `\\uD800` escapes
 * become U+FFFD (as Go's decoder does), since they cannot be stored as UTF-8 and would otherwise
 * read back different from what the response echoed. Throws `BadRequestError` for invalid JSON,
 * a non-object, or nesting deeper than {@link MAX_JSON_DEPTH}.
 */
function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (cause) {
    // Only the position is kept: V8's message quotes the body text around the error, which may
    // hold a password, and the cause ends up in the logs.
    const position = /position (\d+)/.exec((cause as Error).message)?.[1];
    throw bodyReadError(`${what} is not valid JSON${position ? ` (position ${position})` : ''}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bodyReadError(`${what} must be a JSON object`);
  }
  if (text.length > MAX_JSON_DEPTH * 2 && isNestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw bodyReadError(`${what} is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  // `__proto__` may also be written with \u escapes, so look for either before walking.
  if (text.includes('__proto__') || text.includes('\\u')) stripProtoKeys(value);
  return value as Record<string, unknown>;
}

/** True when valid JSON `text` nests arrays/objects deeper than `max`. Linear, no recursion. */
function isNestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Iterative (deeply nested JSON must not overflow the stack) removal of own `__proto__` keys;
 * also replaces lone surrogates in keys and string values with U+FFFD.
 */
function stripProtoKeys(root: object): void {
  const stack: object[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown>;
    if (Object.hasOwn(node, '__proto__')) delete node['__proto__'];
    for (let key of Object.keys(node)) {
      if (!key.isWellFormed()) {
        const fixed = key.toWellFormed();
        if (fixed !== '__proto__') node[fixed] = node[key];
        delete node[key];
        if (fixed === '__proto__') continue;
        key = fixed;
      }
      const child = node[key];
      if (typeof child === 'string' && !child.isWellFormed()) node[key] = child.toWellFormed();
      else if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
}

/** Decodes `application/x-www-form-urlencoded` (WHATWG rules: `+` is a space, UTF-8 percent escapes). */
function parseUrlEncoded(body: Buffer): Array<[string, string]> {
  let pairs = 1;
  for (let i = body.indexOf(0x26); i !== -1; i = body.indexOf(0x26, i + 1)) {
    if (++pairs > MAX_URLENCODED_PAIRS) throw new PayloadTooLargeError(PAYLOAD_TOO_LARGE_MESSAGE, { cause: new Error(`more than ${MAX_URLENCODED_PAIRS} form pairs`) });
  }
  return [...new URLSearchParams(body.toString('utf8'))];
}

/** One part of a multipart body. `filename` is `undefined` for a plain (text) part. */
export interface MultipartPart {
  name: string;
  filename: string | undefined;
  mimetype: string;
  data: Buffer;
}

const CRLF = Buffer.from('\r\n', 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');

/**
 * Parses a complete `multipart/form-data` body (RFC 7578 over RFC 2046 framing). Preamble and
 * epilogue are ignored; parts without a `form-data` Content-Disposition name are skipped. Part
 * data are views into `body` (no copy).
 *
 * Throws `BadRequestError` for malformed framing (no opening delimiter, a part without its closing
 * delimiter, bad header lines) and `PayloadTooLargeError` past {@link MAX_MULTIPART_PARTS} parts
 * or {@link MAX_MULTIPART_HEADER_BYTES} of headers in a part. Linear in the body size: every search
 * starts where the previous one stopped, and header searches are bounded.
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const crlfDelimiter = Buffer.concat([CRLF, delimiter]);
  let pos: number;
  if (body.subarray(0, delimiter.length).equals(delimiter)) pos = 0;
  else {
    const found = body.indexOf(crlfDelimiter);
    if (found === -1) throw bodyReadError('multipart body without its boundary');
    pos = found + 2;
  }

  const parts: MultipartPart[] = [];
  let count = 0;
  for (;;) {
    let p = pos + delimiter.length;
    if (body[p] === 0x2d && body[p + 1] === 0x2d) return parts; // close delimiter; the epilogue is ignored
    while (body[p] === 0x20 || body[p] === 0x09) p++; // transport padding (RFC 2046 §5.1.1)
    if (body[p] !== 0x0d || body[p + 1] !== 0x0a) throw bodyReadError('malformed multipart delimiter line');
    p += 2;

    let headerText = '';
    let contentStart: number;
    if (body[p] === 0x0d && body[p + 1] === 0x0a) contentStart = p + 2; // no headers at all
    else {
      const window = body.subarray(p, Math.min(body.length, p + MAX_MULTIPART_HEADER_BYTES + HEADER_END.length));
      const headerEnd = window.indexOf(HEADER_END);
      if (headerEnd === -1) {
        if (window.length > MAX_MULTIPART_HEADER_BYTES) {
          throw new PayloadTooLargeError(PAYLOAD_TOO_LARGE_MESSAGE, { cause: new Error('multipart part headers too large') });
        }
        throw bodyReadError('unterminated multipart part headers');
      }
      headerText = window.subarray(0, headerEnd).toString('utf8');
      contentStart = p + headerEnd + HEADER_END.length;
    }

    // Search from contentStart - 2 so an empty part whose headers end right before the delimiter
    // (`…\r\n\r\n--boundary`) is accepted: the CRLF of the header end doubles as the delimiter's.
    const next = body.indexOf(crlfDelimiter, contentStart - 2);
    if (next === -1) throw bodyReadError('multipart part without a closing boundary');
    if (++count > MAX_MULTIPART_PARTS) {
      throw new PayloadTooLargeError(PAYLOAD_TOO_LARGE_MESSAGE, { cause: new Error(`more than ${MAX_MULTIPART_PARTS} multipart parts`) });
    }
    const part = readPartHeaders(headerText);
    if (part !== undefined) parts.push({ ...part, data: body.subarray(contentStart, Math.max(contentStart, next)) });
    pos = next + 2;
  }
}

/** Reads a part's headers; `undefined` when it has no form-data name (such parts are skipped, as Go does). */
function readPartHeaders(headerText: string): Omit<MultipartPart, 'data'> | undefined {
  let disposition: string | undefined;
  let contentType: string | undefined;
  if (headerText !== '') {
    for (const line of headerText.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw bodyReadError('malformed multipart header line');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-disposition') disposition = value;
      else if (name === 'content-type') contentType = value;
    }
  }
  if (disposition === undefined) return undefined;
  const { mediaType, params } = parseContentType(disposition);
  if (mediaType !== 'form-data') return undefined;
  const name = params.get('name');
  if (name === undefined || name === '') return undefined;
  const extended = params.get('filename*');
  let filename = extended === undefined ? undefined : decodeExtendedValue(extended);
  if (filename === undefined) filename = params.get('filename');
  return {
    name,
    filename: filename === undefined ? undefined : baseName(filename),
    mimetype: contentType === undefined || contentType === '' ? 'application/octet-stream' : contentType,
  };
}

/** Keeps the last path segment (`C:\x\a.png`, `../../a.png` → `a.png`), as Go's Part.FileName does. */
function baseName(filename: string): string {
  const slash = Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'));
  return slash === -1 ? filename : filename.slice(slash + 1);
}

/** RFC 5987 `charset'lang'pct-encoded` (e.g. `UTF-8''%E2%82%AC.txt`); `undefined` when unreadable. */
function decodeExtendedValue(value: string): string | undefined {
  const match = /^([^']*)'[^']*'(.*)$/.exec(value);
  if (match === null) return undefined;
  const charset = match[1].toLowerCase();
  if (charset !== 'utf-8' && charset !== 'us-ascii' && charset !== '') return undefined;
  try {
    return decodeURIComponent(match[2]);
  } catch {
    return undefined;
  }
}

/**
 * Splits a `type/subtype; key=value; key="quoted \" value"` header into its lower-cased first
 * token and its parameters (names lower-cased; first occurrence wins). Lenient and linear.
 */
function parseContentType(header: string): { mediaType: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  const semicolon = header.indexOf(';');
  const mediaType = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  let i = semicolon === -1 ? header.length : semicolon + 1;
  const n = header.length;
  while (i < n) {
    while (i < n && (header[i] === ' ' || header[i] === '\t' || header[i] === ';')) i++;
    // Scan the name by hand (not indexOf('=')), so a header full of `;` stays linear.
    let eq = i;
    while (eq < n && header[eq] !== '=' && header[eq] !== ';') eq++;
    if (eq >= n || header[eq] === ';') {
      i = eq + 1; // a parameter without value: skip it
      continue;
    }
    const key = header.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
    let value = '';
    if (header[i] === '"') {
      i++;
      while (i < n && header[i] !== '"') {
        // A backslash escapes only `"` and `\`: browsers send Windows paths unescaped.
        if (header[i] === '\\' && (header[i + 1] === '"' || header[i + 1] === '\\')) i++;
        value += header[i];
        i++;
      }
      i++; // closing quote (or past the end)
      const after = header.indexOf(';', i);
      i = after === -1 ? n : after + 1;
    } else {
      const end = header.indexOf(';', i);
      value = header.slice(i, end === -1 ? n : end).trim();
      i = end === -1 ? n : end + 1;
    }
    if (key !== '' && !params.has(key)) params.set(key, value);
  }
  return { mediaType, params };
}

function bodyReadError(detail: string, cause?: unknown): BadRequestError {
  return new BadRequestError(BODY_READ_ERROR_MESSAGE, { cause: cause === undefined ? new Error(detail) : new Error(detail, { cause }) });
}
