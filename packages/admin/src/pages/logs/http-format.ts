/**
 * Pure helpers that turn a request into text a person can read or replay: HTTP on the wire
 * (request line, headers, body; status line, preview) and a `curl` command. Shared by the log
 * inspector and the API preview. No DOM, so node:test covers them (test/unit-http-format.test.ts).
 * @module
 */

/** Reason phrases for the status line (RFC 9110 §15); unknown codes get none, as HTTP/2 does. */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  408: 'Request Timeout', 409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

function statusText(status: number): string {
  return STATUS_TEXT[status] ?? '';
}

/**
 * The shell variable every generated command reads the token from. A command a user copies must
 * never carry a real token (it ends up in shell history and chat logs), so it names a variable.
 */
export const TOKEN_VARIABLE = 'BASALT_TOKEN';

/** What a redacted value looks like: the marker the server's request log writes. */
export const REDACTED = '[REDACTED]';

/**
 * Keys whose values are secrets. The same pattern as the server's request log
 * (packages/server/src/core/logs/log-redaction.ts), plus PKCE verifiers.
 */
const SECRET_KEY = /pass(word|wd|phrase)?|secret|token|otp|authorization|cookie|session|api[-_]?key|private[-_]?key|credential|signature|recovery|codeVerifier|^code$/i;

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A deep copy of `value` with the value of every secret-ish key replaced by REDACTED.
 * Empty strings stay empty: they carry nothing, and showing them tells the reader the field was sent blank.
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) && v !== '' && v !== null && typeof v !== 'boolean' ? REDACTED : redactSecrets(v);
  }
  return out;
}

/** POSIX shell single-quoting: safe for any byte string, including quotes and `$`. */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export type Header = readonly [name: string, value: string];

/** A file part of a multipart request: only its name is known (and shown), never its bytes. */
export interface FilePart {
  field: string;
  filename: string;
  type?: string;
  size?: number;
}

export interface HttpRequestSpec {
  method: string;
  /** Absolute URL (for curl) or origin-relative path with query. */
  url: string;
  headers?: readonly Header[];
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Adds `Authorization: $BASALT_TOKEN` (the header's value in `headers`, if any, is dropped). */
  withToken?: boolean;
  /**
   * Secret-ish keys of an object body are replaced by REDACTED unless this is false. Only
   * documentation examples, whose values are made up, turn it off.
   */
  redact?: boolean;
  /** Present: the request is multipart; `body`'s keys are its text parts. */
  files?: readonly FilePart[];
}

const isAuthHeader = (name: string) => /^(authorization|cookie)$/i.test(name);

function bodyText(body: unknown, pretty: boolean, redact = true): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body === 'string') return body;
  return JSON.stringify(redact ? redactSecrets(body) : body, null, pretty ? 2 : undefined);
}

/**
 * A `curl` command reproducing the request, one option per line. The token is always the shell
 * variable TOKEN_VARIABLE; Authorization and Cookie values given in `headers` are never copied,
 * and secret-ish keys of an object body are redacted.
 */
export function buildCurl(req: HttpRequestSpec): string {
  const method = req.method.toUpperCase();
  const multipart = req.files !== undefined;
  const body = multipart ? undefined : bodyText(req.body, false, req.redact);
  const sendsBody = body !== undefined || multipart;
  const implied = sendsBody ? 'POST' : 'GET';
  const parts: string[] = [`curl${method === implied ? '' : ` -X ${method}`} ${shellQuote(req.url)}`];
  if (req.withToken) parts.push(`-H "Authorization: $${TOKEN_VARIABLE}"`);
  // curl writes the multipart Content-Type itself, with its own boundary.
  const headers = (req.headers ?? []).filter(([name]) => !isAuthHeader(name) && !(multipart && /^content-type$/i.test(name)));
  if (body !== undefined && !headers.some(([n]) => /^content-type$/i.test(n)) && typeof req.body !== 'string') {
    headers.push(['Content-Type', 'application/json']);
  }
  for (const [name, value] of headers) parts.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  if (body !== undefined) parts.push(`--data-raw ${shellQuote(body)}`);
  if (multipart) {
    for (const [name, value] of formFields(req)) parts.push(`-F ${shellQuote(`${name}=${value}`)}`);
    for (const f of req.files ?? []) parts.push(`-F ${shellQuote(`${f.field}=@${f.filename}`)}`);
  }
  return parts.join(' \\\n  ');
}

/** The text parts of a multipart body; non-string values go as JSON, as the SDK sends them. */
function formFields(req: HttpRequestSpec): Array<[string, string]> {
  const body = req.redact === false ? req.body : redactSecrets(req.body);
  if (typeof body !== 'object' || body === null) return [];
  return Object.entries(body).flatMap(([k, v]): Array<[string, string]> =>
    Array.isArray(v) ? v.map((item) => [k, typeof item === 'string' ? item : JSON.stringify(item)]) : [[k, typeof v === 'string' ? v : JSON.stringify(v)]],
  );
}

/** The request as it travels over HTTP/1.1: request line, headers, blank line, body. */
export function formatHttpRequest(req: HttpRequestSpec): string {
  const url = /^https?:\/\//i.test(req.url) ? new URL(req.url) : undefined;
  const target = url ? `${url.pathname}${url.search}` : req.url;
  const lines = [`${req.method.toUpperCase()} ${target} HTTP/1.1`];
  if (url && !(req.headers ?? []).some(([n]) => /^host$/i.test(n))) lines.push(`Host: ${url.host}`);
  for (const [name, value] of req.headers ?? []) lines.push(`${name}: ${isAuthHeader(name) ? REDACTED : value}`);
  if (req.withToken) lines.push(`Authorization: $${TOKEN_VARIABLE}`);
  const body = req.files ? multipartText(req) : bodyText(req.body, true, req.redact);
  return body === undefined ? `${lines.join('\n')}\n` : `${lines.join('\n')}\n\n${body}`;
}

/** A multipart body as readable parts (`name: value`, files as `@name (type, size)`), not raw bytes. */
function multipartText(req: HttpRequestSpec): string | undefined {
  const lines = formFields(req).map(([k, v]) => `${k}: ${v}`);
  for (const f of req.files ?? []) {
    const facts = [f.type, f.size === undefined ? undefined : `${f.size} bytes`].filter(Boolean).join(', ');
    lines.push(`${f.field}: @${f.filename}${facts ? ` (${facts})` : ''}`);
  }
  return lines.length ? lines.join('\n') : undefined;
}

export interface HttpResponseSpec {
  status: number;
  headers?: readonly Header[];
  body?: unknown;
  /** As HttpRequestSpec.redact. */
  redact?: boolean;
}

/** The response's status line, headers and body (pretty JSON when it is an object). */
export function formatHttpResponse(res: HttpResponseSpec): string {
  const reason = statusText(res.status);
  const lines = [`HTTP/1.1 ${res.status}${reason ? ` ${reason}` : ''}`];
  for (const [name, value] of res.headers ?? []) lines.push(`${name}: ${value}`);
  const body = bodyText(res.body, true, res.redact);
  return body === undefined ? `${lines.join('\n')}\n` : `${lines.join('\n')}\n\n${body}`;
}
