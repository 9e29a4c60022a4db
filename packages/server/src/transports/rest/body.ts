/**
 * Request body decoding for the REST transport (spec §1.2): every route sees `request.body` as a
 * plain object and multipart files in `request.uploads`. JSON and urlencoded bodies are read
 * whole; multipart bodies stream, their file parts written to temporary files as they arrive.
 * Any other non-empty body is rejected with 400, oversized ones with 413.
 * @module
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequestError, PayloadTooLargeError } from '../../core/errors.ts';
import type { FileUpload } from '../../core/records/record-files.ts';
import { BODY_READ_ERROR_MESSAGE, PAYLOAD_TOO_LARGE_MESSAGE } from './errors.ts';

/** One uploaded file from a multipart body, streamed to a temporary file. */
export interface UploadedFile {
  /** The part's name as sent: `avatar`, `documents+`, `requests.0.documents`, … */
  field: string;
  /** The client's file name without any directory part (may be `''`). */
  filename: string;
  /** The part's declared Content-Type (`application/octet-stream` when absent); not sniffed. */
  mimetype: string;
  /** Size in bytes. */
  size: number;
  /** The temporary file holding the content; removed once the response has been sent. */
  path: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Files from a multipart body, in the order received; `[]` for any other request. */
    uploads: UploadedFile[];
    /** The temporary folder of this request's uploads, when it has one. */
    uploadDir: string | undefined;
  }
}

/** Options of {@link bodyParsers}. */
export interface BodyParsersOptions {
  /** Default limit in bytes for a whole request body (spec §1.3: 32 MiB). Routes may override it with their own `bodyLimit`. */
  bodyLimit: number;
  /** Where uploads are written while a request runs (default: the OS temporary folder). */
  uploadDir?: string;
  /**
   * The limit of a request whose limit depends on data (a collection's fields, the batch
   * settings), or undefined for the route's own. Such routes declare MAX_DYNAMIC_BODY_LIMIT.
   */
  limitFor?: (request: FastifyRequest) => number | undefined;
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
 * malformed multipart, unsupported content type) or `PayloadTooLargeError` (413, also past the
 * route's `bodyLimit`); `toErrorEnvelope` in errors.ts turns them into envelopes.
 *
 * Multipart file parts never sit whole in memory: each streams to a file in a per-request
 * temporary folder (under `uploadDir`), which is removed when the response ends, whether the
 * request succeeded, failed or was aborted.
 *
 * Note: the plugin replaces all of Fastify's content-type parsers with one catch-all parser, so do
 * not also register `@fastify/multipart`.
 *
 * Warning: it must apply to the root instance. It carries `Symbol.for('skip-override')`, the flag
 * `fastify-plugin` sets, so `register()` runs it without a new encapsulation context; calling it
 * directly (`await bodyParsers(app, opts)`) before routes are added is equivalent.
 * @example
 * const app = Fastify();
 * await app.register(bodyParsers, { bodyLimit: 32 * 1024 * 1024 });
 * app.setErrorHandler(restErrorHandler);
 */
/** Fastify's ceiling for routes whose real limit is computed per request (`limitFor`). */
export const MAX_DYNAMIC_BODY_LIMIT = 1024 * 1024 * 1024;

export async function bodyParsers(fastify: FastifyInstance, opts: BodyParsersOptions): Promise<void> {
  const bodyLimit = opts?.bodyLimit;
  if (typeof bodyLimit !== 'number' || !Number.isSafeInteger(bodyLimit) || bodyLimit <= 0) {
    throw new RangeError(`bodyParsers: bodyLimit must be a positive integer, got ${String(bodyLimit)}`);
  }

  const uploadRoot = opts.uploadDir ?? tmpdir();

  fastify.decorateRequest('uploads', null as unknown as UploadedFile[]);
  fastify.decorateRequest('uploadDir', undefined);
  // onRequest runs before parsing: routes whose body is never parsed (GET, HEAD, no Content-Type
  // and no body) keep these defaults; parsed bodies overwrite `request.body`.
  fastify.addHook('onRequest', (request, reply, done) => {
    request.body = {};
    request.uploads = [];
    // The response's `close` fires once it is sent or the connection is gone: either way the
    // request is over and its temporary files can go.
    if (MULTIPART.test(request.headers['content-type'] ?? '')) {
      reply.raw.once('close', () => {
        if (request.uploadDir) void rm(request.uploadDir, { recursive: true, force: true }).catch(() => {});
      });
    }
    done();
  });

  fastify.removeAllContentTypeParsers();
  // One catch-all parser rather than one per type: PocketBase picks the decoder by Content-Type
  // *prefix* (spec §1.2) and rejects unknown types only when the body is non-empty. The parser
  // reads the raw stream itself so multipart can stream; it enforces the route's body limit.
  fastify.addContentTypeParser('*', async (request: FastifyRequest, payload: NodeJS.ReadableStream) => {
    // A data-dependent limit first, then a route's own `bodyLimit`; otherwise Fastify reports
    // its server default, and ours applies.
    const routeLimit = request.routeOptions.bodyLimit;
    const limit = opts.limitFor?.(request) ?? (routeLimit !== undefined && routeLimit !== fastify.initialConfig.bodyLimit ? routeLimit : bodyLimit);
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw new PayloadTooLargeError();
    // Note: stopping early (413, malformed multipart) must not destroy the request: that resets
    // the connection and the client may never read the error. Node drains what is left instead.
    const contentType = request.headers['content-type'];
    if (!MULTIPART.test(contentType ?? '')) return decodeBody(contentType, await readAll(payload, limit)).body;
    const readable = payload as NodeJS.ReadableStream & { iterator?: (options: { destroyOnReturn: boolean }) => AsyncIterable<Buffer> };
    const source = limitedChunks(readable.iterator ? readable.iterator({ destroyOnReturn: false }) : (readable as AsyncIterable<Buffer>), limit);
    const form = await streamMultipart(source, multipartBoundary(contentType ?? ''), async () => {
      if (!request.uploadDir) {
        await mkdir(uploadRoot, { recursive: true });
        request.uploadDir = await mkdtemp(join(uploadRoot, 'upload-'));
      }
      return request.uploadDir;
    });
    request.uploads = form.uploads;
    return form.body;
  });
}

/**
 * The whole of a (non-multipart) body, failing with 413 once more than `limit` bytes have
 * arrived. Plain stream events: most bodies are one small chunk, and this is every write's path.
 */
function readAll(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    const done = (error?: unknown) => {
      stream.off('data', onData).off('end', onEnd).off('error', done).off('close', onClose);
      if (error === undefined) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, seen));
      else reject(error);
    };
    const onData = (raw: Buffer | string) => {
      const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
      seen += chunk.length;
      if (seen > limit) done(new PayloadTooLargeError());
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    // Closed without an end: the client went away mid-body.
    const onClose = () => done(Object.assign(new Error('the request body ended early'), { code: 'ECONNRESET' }));
    stream.on('data', onData).on('end', onEnd).on('error', done).on('close', onClose);
  });
}

const MULTIPART = /^\s*multipart\/form-data/i;

/** Yields `source`'s chunks, failing with 413 once more than `limit` bytes have arrived. */
async function* limitedChunks(source: AsyncIterable<Buffer | string>, limit: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    seen += chunk.length;
    if (seen > limit) throw new PayloadTooLargeError();
    yield chunk;
  }
}

/** The boundary of a `multipart/form-data` Content-Type; 400 when missing or unusable. */
export function multipartBoundary(contentType: string): string {
  const boundary = parseContentType(contentType).params.get('boundary');
  if (boundary === undefined || boundary === '' || boundary.length > 200) {
    throw bodyReadError('multipart body without a valid boundary parameter');
  }
  return boundary;
}

/**
 * Decodes a streamed multipart body: text parts become form values (inferred, `@jsonPayload`
 * merged: {@link mergeFormValues}); each file part is written to a new file in the folder
 * `folder()` returns (called at the first file part), honouring backpressure. An empty file part
 * without a file name (an untouched `<input type=file>`) is dropped.
 */
export async function streamMultipart(source: AsyncIterable<Buffer>, boundary: string, folder: () => Promise<string>): Promise<{ body: Record<string, unknown>; uploads: UploadedFile[] }> {
  const entries: Array<[string, string]> = [];
  const uploads: UploadedFile[] = [];
  let text: Buffer[] | undefined;
  let file: { out: WriteStream; upload: UploadedFile; failed?: Error } | undefined;
  let header: MultipartPartHeader | undefined;
  let files = 0;
  try {
    for await (const event of multipartEvents(source, boundary)) {
      if (event.type === 'start') {
        header = event.header;
        if (header?.filename === undefined) text = [];
        else {
          const path = join(await folder(), `${files++}.part`);
          const opened: NonNullable<typeof file> = { out: createWriteStream(path, { flags: 'wx' }), upload: { field: header.name, filename: header.filename, mimetype: header.mimetype, size: 0, path } };
          // A file stream's error with no listener is an uncaught exception: a failed write
          // (disk full) while nothing waits on the stream, or a write still in flight when the
          // stream is destroyed (the client went away), which Node reports as ERR_STREAM_DESTROYED.
          // Kept here and thrown at the next write or at the end of the part instead.
          opened.out.on('error', (err) => (opened.failed ??= err));
          file = opened;
        }
      } else if (event.type === 'data') {
        if (file) {
          if (file.failed) throw file.failed;
          file.upload.size += event.data.length;
          // `once` also rejects if the stream fails while we wait.
          if (!file.out.write(event.data)) await once(file.out, 'drain');
        } else text?.push(Buffer.from(event.data));
      } else {
        if (file) {
          const done = file;
          file = undefined;
          done.out.end();
          if (!done.out.closed) await once(done.out, 'close');
          if (done.failed) throw done.failed;
          if (done.upload.filename !== '' || done.upload.size > 0) uploads.push(done.upload);
        } else if (header && text) entries.push([header.name, Buffer.concat(text).toString('utf8')]);
        text = undefined;
        header = undefined;
      }
    }
  } catch (err) {
    file?.out.destroy();
    throw err;
  }
  return { body: mergeFormValues(entries), uploads };
}

/** The uploads of a request as operations take them: by part name, content read from the temporary file. */
export function fileUploadsOf(uploads: readonly UploadedFile[], rename: (field: string) => string | undefined = (f) => f): Record<string, FileUpload[]> {
  // No prototype: part names such as `constructor` or `__proto__` are plain keys here.
  const out: Record<string, FileUpload[]> = Object.create(null);
  for (const u of uploads) {
    const key = rename(u.field);
    if (key === undefined) continue;
    (out[key] ??= []).push({ name: u.filename, size: u.size, open: () => createReadStream(u.path), path: u.path });
  }
  return out;
}

Object.defineProperty(bodyParsers, Symbol.for('skip-override'), { value: true });
Object.defineProperty(bodyParsers, Symbol.for('fastify.display-name'), { value: 'basalt-body-parsers' });

/** What {@link decodeBody} produces. */
export interface DecodedBody {
  body: Record<string, unknown>;
}

/**
 * Decodes a complete non-multipart request body according to its Content-Type header (spec
 * §1.2); multipart bodies stream through {@link streamMultipart} instead. Pure. An empty body is
 * `{}` whatever the type. Throws `BadRequestError` (unreadable or unsupported) or
 * `PayloadTooLargeError` (too many urlencoded pairs).
 */
export function decodeBody(contentType: string | undefined, body: Buffer): DecodedBody {
  if (body.length === 0) return { body: {} };
  const { mediaType } = parseContentType(contentType ?? '');
  if (mediaType.startsWith('application/json')) {
    return { body: parseJsonObject(body.toString('utf8'), 'the JSON body') };
  }
  if (mediaType.startsWith('application/x-www-form-urlencoded')) {
    return { body: mergeFormValues(parseUrlEncoded(body)) };
  }
  if (mediaType.startsWith('multipart/form-data')) throw new TypeError('decodeBody: multipart bodies stream through streamMultipart');
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

/** How many leading bytes of `data` cannot be part of a `delimiter` that continues in the next chunk. */
function bodyBytesSafe(data: Buffer, delimiter: Buffer): number {
  for (let i = Math.max(0, data.length - delimiter.length + 1); i < data.length; i++) {
    if (data[i] === delimiter[0] && data.subarray(i).equals(delimiter.subarray(0, data.length - i))) return i;
  }
  return data.length;
}

/** The headers of one multipart part that matter. `filename` is `undefined` for a plain (text) part. */
export interface MultipartPartHeader {
  name: string;
  filename: string | undefined;
  mimetype: string;
}

/**
 * What {@link multipartEvents} yields: a part starts (`header` is `undefined` for a part without
 * a form-data name, which is to be skipped, as Go does), some of its content, its end.
 */
export type MultipartEvent = { type: 'start'; header: MultipartPartHeader | undefined } | { type: 'data'; data: Buffer } | { type: 'end' };

const CRLF = Buffer.from('\r\n', 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');

/**
 * Parses a streamed `multipart/form-data` body (RFC 7578 over RFC 2046 framing) into events, as
 * chunks arrive: memory stays bounded by the chunk size plus one delimiter, whatever the part
 * sizes. Preamble and epilogue are ignored. `data` buffers are only valid until the next event is
 * requested (copy them to keep them).
 *
 * Throws `BadRequestError` for malformed framing (no opening delimiter, a part without its closing
 * delimiter, bad header lines) and `PayloadTooLargeError` past {@link MAX_MULTIPART_PARTS} parts
 * or {@link MAX_MULTIPART_HEADER_BYTES} of headers in a part. Linear in the body size.
 */
export async function* multipartEvents(source: AsyncIterable<Buffer>, boundary: string): AsyncGenerator<MultipartEvent> {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const crlfDelimiter = Buffer.concat([CRLF, delimiter]);
  let state: 'preamble' | 'delimiter' | 'headers' | 'body' | 'done' = 'preamble';
  let atStart = true;
  // Right after part headers, the CRLF that ended them may double as the delimiter's own CRLF
  // (an empty part written `…\r\n\r\n--boundary`), so the delimiter may follow without one.
  let maybeBareDelimiter = false;
  let count = 0;
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
  let empty = true;
  const startsWithPrefix = (b: Buffer, at: number, needle: Buffer) => {
    const n = Math.min(needle.length, b.length - at);
    return b.subarray(at, at + n).equals(needle.subarray(0, n));
  };
  for await (const chunk of source) {
    if (state === 'done') continue; // the epilogue is ignored
    if (chunk.length) empty = false;
    buf = pos < buf.length ? Buffer.concat([buf.subarray(pos), chunk]) : chunk;
    pos = 0;
    for (;;) {
      if (state === 'preamble') {
        if (atStart) {
          if (buf.length < delimiter.length && startsWithPrefix(buf, 0, delimiter)) break;
          atStart = false;
          if (buf.subarray(0, delimiter.length).equals(delimiter)) {
            pos = delimiter.length;
            state = 'delimiter';
            continue;
          }
        }
        const found = buf.indexOf(crlfDelimiter, pos);
        if (found === -1) {
          pos = Math.max(pos, buf.length - crlfDelimiter.length + 1);
          break;
        }
        pos = found + crlfDelimiter.length;
        state = 'delimiter';
      } else if (state === 'delimiter') {
        if (buf.length - pos < 2) break;
        if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) {
          state = 'done';
          break;
        }
        while (pos < buf.length && (buf[pos] === 0x20 || buf[pos] === 0x09)) pos++; // transport padding (RFC 2046 §5.1.1)
        if (buf.length - pos < 2) break;
        if (buf[pos] !== 0x0d || buf[pos + 1] !== 0x0a) throw bodyReadError('malformed multipart delimiter line');
        pos += 2;
        state = 'headers';
      } else if (state === 'headers') {
        if (buf.length - pos < 2) break;
        let headerText = '';
        if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a) pos += 2; // no headers at all
        else {
          const window = buf.subarray(pos, Math.min(buf.length, pos + MAX_MULTIPART_HEADER_BYTES + HEADER_END.length));
          const headerEnd = window.indexOf(HEADER_END);
          if (headerEnd === -1) {
            if (window.length > MAX_MULTIPART_HEADER_BYTES) throw new PayloadTooLargeError(PAYLOAD_TOO_LARGE_MESSAGE, { cause: new Error('multipart part headers too large') });
            break;
          }
          headerText = window.subarray(0, headerEnd).toString('utf8');
          pos += headerEnd + HEADER_END.length;
        }
        if (++count > MAX_MULTIPART_PARTS) throw new PayloadTooLargeError(PAYLOAD_TOO_LARGE_MESSAGE, { cause: new Error(`more than ${MAX_MULTIPART_PARTS} multipart parts`) });
        yield { type: 'start', header: readPartHeaders(headerText) };
        state = 'body';
        maybeBareDelimiter = true;
      } else if (state === 'body') {
        if (maybeBareDelimiter) {
          if (buf.length - pos < delimiter.length && startsWithPrefix(buf, pos, delimiter)) break;
          maybeBareDelimiter = false;
          if (buf.subarray(pos, pos + delimiter.length).equals(delimiter)) {
            pos += delimiter.length;
            yield { type: 'end' };
            state = 'delimiter';
            continue;
          }
        }
        const found = buf.indexOf(crlfDelimiter, pos);
        if (found === -1) {
          // Keep back only a tail that could begin a delimiter (usually none), so the next chunk
          // rarely needs copying onto it.
          const safe = pos + bodyBytesSafe(buf.subarray(pos), crlfDelimiter);
          if (safe > pos) {
            yield { type: 'data', data: buf.subarray(pos, safe) };
            pos = safe;
          }
          break;
        }
        if (found > pos) yield { type: 'data', data: buf.subarray(pos, found) };
        yield { type: 'end' };
        pos = found + crlfDelimiter.length;
        state = 'delimiter';
      } else break;
    }
  }
  if (empty) return; // an empty body is `{}` whatever the type (spec §1.2)
  if (state === 'preamble') throw bodyReadError('multipart body without its boundary');
  if (state === 'headers') throw bodyReadError('unterminated multipart part headers');
  if (state === 'body') throw bodyReadError('multipart part without a closing boundary');
  if (state === 'delimiter') throw bodyReadError('malformed multipart delimiter line');
}

/** Reads a part's headers; `undefined` when it has no form-data name (such parts are skipped, as Go does). */
function readPartHeaders(headerText: string): MultipartPartHeader | undefined {
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
