/**
 * Reading a request-log entry (spec §10.2 `data`) back into the exchange it records: the request
 * and response the inspector prints as HTTP, and the `curl` command that replays it. The server
 * logs headers, body and response only for failed requests (packages/server/src/transports/rest/
 * request-log.ts), so a successful one is rebuilt from what every entry has.
 * Checked by test/unit-log-exchange.test.ts.
 * @module
 */
import { REDACTED, buildCurl, type FilePart, type Header, type HttpRequestSpec, type HttpResponseSpec } from './http-format.ts';

/** The `data` of a request log entry; every key optional because app logs share the table. */
export interface RequestLogData {
  type?: string;
  method?: string;
  url?: string;
  status?: number;
  execTime?: number;
  auth?: string;
  authId?: string;
  userIP?: string;
  remoteIP?: string;
  referer?: string;
  userAgent?: string;
  error?: string;
  details?: unknown;
  headers?: Record<string, string | string[]>;
  body?: unknown;
  files?: FilePart[];
  response?: unknown;
}

/**
 * Headers a replay must not copy: connection-level ones curl sets itself, and credentials
 * (replaced by the token variable).
 */
const NOT_REPLAYED = /^(host|content-length|connection|keep-alive|transfer-encoding|accept-encoding|authorization|cookie|te|upgrade|sec-fetch-.*|sec-ch-.*)$/i;

export interface Exchange {
  request: HttpRequestSpec;
  response: HttpResponseSpec;
  curl: string;
  /** True when headers and body were logged (failed requests). */
  isComplete: boolean;
}

function headerList(headers: RequestLogData['headers']): Header[] {
  if (!headers || typeof headers !== 'object') return [];
  return Object.entries(headers).flatMap(([name, value]): Header[] => (Array.isArray(value) ? value.map((v) => [name, String(v)] as const) : [[name, String(value)]]));
}

/** `content-type` → `Content-Type`, as the headers appear in curl's and browsers' output. */
function canonicalName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/**
 * The exchange of a log entry. `origin` is where the server is reached (the dashboard's own
 * origin), used for the Host line of rebuilt requests and for the curl URL.
 */
export function logExchange(data: RequestLogData, origin: string): Exchange {
  const method = (data.method || 'GET').toUpperCase();
  const path = data.url || '/';
  const logged = headerList(data.headers);
  const isComplete = logged.length > 0;
  const hasAuth = !!data.auth || logged.some(([n]) => /^authorization$/i.test(n));

  let headers: Header[];
  if (isComplete) {
    headers = logged.map(([n, v]) => [canonicalName(n), v] as const);
  } else {
    headers = [['Host', new URL(origin).host]];
    if (data.userAgent) headers.push(['User-Agent', data.userAgent]);
    if (data.referer) headers.push(['Referer', data.referer]);
    if (hasAuth) headers.push(['Authorization', REDACTED]);
  }
  const contentType = headers.find(([n]) => /^content-type$/i.test(n))?.[1] ?? '';
  let body = data.body;
  // The server logs a urlencoded body as the object it decoded; replay it in its own encoding.
  if (/x-www-form-urlencoded/i.test(contentType) && typeof body === 'object' && body !== null) {
    body = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
  }
  const multipart = /multipart\/form-data/i.test(contentType) || (data.files?.length ?? 0) > 0;
  const request: HttpRequestSpec = {
    method,
    url: `${origin}${path}`,
    headers,
    body,
    files: multipart ? (data.files ?? []) : undefined,
  };
  const response: HttpResponseSpec = {
    status: data.status ?? 0,
    headers: data.response !== undefined ? [['Content-Type', 'application/json']] : [],
    body: data.response,
    // The server redacted it already; redacting again would hide validation error `code`s.
    redact: false,
  };
  const curl = buildCurl({ ...request, headers: headers.filter(([n]) => !NOT_REPLAYED.test(n)), withToken: hasAuth });
  return { request, response, curl, isComplete };
}

/** True when a logged value was redacted by the server (so a replay needs the real value). */
export function containsRedacted(value: unknown): boolean {
  if (value === REDACTED) return true;
  if (typeof value === 'string') return value.includes(REDACTED);
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(containsRedacted);
}
