/**
 * A minimal S3 client: the handful of calls a FileStore needs (PUT, GET with Range, HEAD, DELETE,
 * ListObjectsV2, DeleteObjects), signed with AWS Signature Version 4 over node:crypto and sent
 * with fetch. Owned rather than the AWS SDK (STYLE §8): a few hundred lines against megabytes of
 * dependencies, and PocketBase made the same choice (tools/filesystem/internal/s3blob/s3).
 * Works with AWS and S3-compatible services (MinIO, R2, B2, Wasabi…), path-style or
 * virtual-hosted-style.
 * @module
 */
import { createHash, createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';

/** Where and as whom the client talks. */
export interface S3ClientConfig {
  bucket: string;
  /** `us-east-1` when empty. */
  region: string;
  /** Base URL (`https://s3.example.com`, scheme optional); AWS's regional endpoint when empty. */
  endpoint: string;
  accessKey: string;
  secret: string;
  /** `endpoint/bucket/key` instead of `bucket.endpoint/key` (forced for IP and localhost endpoints). */
  forcePathStyle: boolean;
}

/** An S3 answer other than success; `code` is S3's own (`NoSuchKey`, `AccessDenied`…). */
export class S3Error extends Error {
  readonly status: number;
  readonly code: string;

  constructor(operation: string, status: number, code: string, message: string) {
    super(`S3 ${operation} failed: ${status} ${code}${message ? ` (${message})` : ''}`);
    this.name = 'S3Error';
    this.status = status;
    this.code = code;
  }
}

/** One object of a listing. */
export interface S3Object {
  key: string;
  size: number;
  modified: Date;
}

/** Most keys S3 accepts in one DeleteObjects call. */
export const MAX_DELETE_KEYS = 1000;

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** RFC 3986 percent-encoding as SigV4 wants it: everything but `A-Za-z0-9-._~` (and `/` when asked). */
export function uriEncode(text: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** What {@link signRequest} signs. `headers` must include `host`, `x-amz-date` and `x-amz-content-sha256`. */
export interface SignInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  accessKey: string;
  secret: string;
  region: string;
}

/**
 * The `Authorization` header of a request (AWS Signature Version 4 for service `s3`), signing
 * every header given. The URL's path must already be percent-encoded as sent.
 */
export function signRequest(input: SignInput): string {
  const headers = Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')]));
  const amzDate = headers['x-amz-date'];
  const day = amzDate.slice(0, 8);
  const names = Object.keys(headers).sort();
  const query = [...input.url.searchParams].map(([k, v]) => [uriEncode(k), uriEncode(v)]).sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const canonical = [
    input.method,
    input.url.pathname,
    query.map(([k, v]) => `${k}=${v}`).join('&'),
    names.map((n) => `${n}:${headers[n]}\n`).join(''),
    names.join(';'),
    headers['x-amz-content-sha256'],
  ].join('\n');
  const scope = `${day}/${input.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${input.secret}`, day), input.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${input.accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
}

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e.toLowerCase()];
  });
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => decodeXml(m[1]));
}

export class S3Client {
  readonly #config: S3ClientConfig;
  readonly #base: URL;
  readonly #region: string;
  readonly #pathStyle: boolean;

  constructor(config: S3ClientConfig) {
    if (!config.bucket) throw new TypeError('S3Client: bucket is required');
    this.#config = config;
    this.#region = config.region || 'us-east-1';
    const endpoint = config.endpoint.trim() || `https://s3.${this.#region}.amazonaws.com`;
    this.#base = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);
    const host = this.#base.hostname.replace(/^\[|\]$/g, '');
    // A bucket cannot be a subdomain of an IP address or of localhost.
    this.#pathStyle = config.forcePathStyle || isIP(host) !== 0 || host === 'localhost' || config.bucket.includes('.');
  }

  /** The URL of `key` (`''` for the bucket itself), with `query`. */
  url(key: string, query: Record<string, string> = {}): URL {
    const basePath = this.#base.pathname.replace(/\/+$/, '');
    const url = new URL(this.#base.href);
    if (this.#pathStyle) url.pathname = `${basePath}/${uriEncode(this.#config.bucket)}/${uriEncode(key, true)}`;
    else {
      url.hostname = `${this.#config.bucket}.${url.hostname}`;
      url.pathname = `${basePath}/${uriEncode(key, true)}`;
    }
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    // URLSearchParams writes spaces as `+`; S3 reads `+` as a plus, so send the signed encoding.
    url.search = [...url.searchParams].map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).join('&');
    return url;
  }

  async #send(operation: string, method: string, url: URL, options: { headers?: Record<string, string>; body?: Buffer | Readable; payloadHash?: string } = {}): Promise<Response> {
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const headers: Record<string, string> = {
      ...options.headers,
      host: url.host,
      'x-amz-date': amzDate,
      'x-amz-content-sha256': options.payloadHash ?? (options.body ? UNSIGNED_PAYLOAD : EMPTY_SHA256),
    };
    headers.authorization = signRequest({ method, url, headers, accessKey: this.#config.accessKey, secret: this.#config.secret, region: this.#region });
    const { host: _host, ...sent } = headers;
    const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : (Readable.toWeb(options.body) as ReadableStream<Uint8Array>);
    let response: Response;
    try {
      response = await fetch(url, { method, headers: sent, body, ...(body && !Buffer.isBuffer(body) ? { duplex: 'half' } : {}) } as RequestInit);
    } catch (err) {
      throw new Error(`S3 ${operation}: cannot reach ${url.origin} (${(err as Error).message})`, { cause: err });
    }
    return response;
  }

  async #fail(operation: string, response: Response): Promise<never> {
    const text = await response.text().catch(() => '');
    throw new S3Error(operation, response.status, xmlValues(text, 'Code')[0] ?? response.statusText, xmlValues(text, 'Message')[0] ?? '');
  }

  /** Uploads `body` (`size` bytes, streamed with that Content-Length, payload not hashed). */
  async putObject(key: string, body: Buffer | Readable, size: number, contentType?: string): Promise<void> {
    const headers: Record<string, string> = { 'content-length': String(size) };
    if (contentType) headers['content-type'] = contentType;
    const response = await this.#send('PutObject', 'PUT', this.url(key), { headers, body });
    if (!response.ok) await this.#fail('PutObject', response);
    await response.body?.cancel();
  }

  /** The object's content (or `range` of it), or `undefined` when there is no such key. */
  async getObject(key: string, range?: { start: number; end: number }): Promise<Readable | undefined> {
    const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end}` } : {};
    const response = await this.#send('GetObject', 'GET', this.url(key), { headers });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) await this.#fail('GetObject', response);
    return response.body ? Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>) : Readable.from([]);
  }

  /** The object's size, modification time and type, or `undefined` when there is no such key. */
  async headObject(key: string): Promise<{ size: number; modified: Date; contentType?: string } | undefined> {
    const response = await this.#send('HeadObject', 'HEAD', this.url(key));
    await response.body?.cancel();
    if (response.status === 404) return undefined;
    if (!response.ok) await this.#fail('HeadObject', response);
    const modified = new Date(response.headers.get('last-modified') ?? 0);
    return { size: Number(response.headers.get('content-length') ?? 0), modified, contentType: response.headers.get('content-type') ?? undefined };
  }

  /** Deletes one object; a missing key is not an error (S3 answers 204 either way). */
  async deleteObject(key: string): Promise<void> {
    const response = await this.#send('DeleteObject', 'DELETE', this.url(key));
    await response.body?.cancel();
    if (!response.ok && response.status !== 404) await this.#fail('DeleteObject', response);
  }

  /** One page of ListObjectsV2 (up to 1000 keys, in key order) and the token of the next, if any. */
  async listObjects(prefix: string, continuationToken?: string): Promise<{ objects: S3Object[]; next?: string }> {
    const query: Record<string, string> = { 'list-type': '2', prefix };
    if (continuationToken) query['continuation-token'] = continuationToken;
    const response = await this.#send('ListObjectsV2', 'GET', this.url('', query));
    if (!response.ok) await this.#fail('ListObjectsV2', response);
    const xml = await response.text();
    const objects = [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map((m) => ({
      key: xmlValues(m[1], 'Key')[0] ?? '',
      size: Number(xmlValues(m[1], 'Size')[0] ?? 0),
      modified: new Date(xmlValues(m[1], 'LastModified')[0] ?? 0),
    }));
    const truncated = xmlValues(xml, 'IsTruncated')[0] === 'true';
    return { objects, next: truncated ? xmlValues(xml, 'NextContinuationToken')[0] : undefined };
  }

  /** Deletes up to {@link MAX_DELETE_KEYS} objects in one call (DeleteObjects, quiet mode). */
  async deleteObjects(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    if (keys.length > MAX_DELETE_KEYS) throw new RangeError(`deleteObjects: at most ${MAX_DELETE_KEYS} keys per call`);
    const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>${keys.map((k) => `<Object><Key>${escapeXml(k)}</Key></Object>`).join('')}</Delete>`);
    const headers = {
      'content-type': 'application/xml',
      'content-length': String(body.length),
      // S3 requires an integrity header on DeleteObjects.
      'content-md5': createHash('md5').update(body).digest('base64'),
    };
    const response = await this.#send('DeleteObjects', 'POST', this.url('', { delete: '' }), { headers, body, payloadHash: sha256Hex(body) });
    if (!response.ok) await this.#fail('DeleteObjects', response);
    const xml = await response.text();
    const failed = [...xml.matchAll(/<Error>([\s\S]*?)<\/Error>/g)];
    if (failed.length) throw new S3Error('DeleteObjects', 200, xmlValues(failed[0][1], 'Code')[0] ?? 'Error', `${failed.length} key(s) not deleted, first ${xmlValues(failed[0][1], 'Key')[0] ?? ''}`);
  }

  /** Checks that the bucket exists and the credentials may list it (the settings' S3 test). */
  async checkBucket(): Promise<void> {
    const response = await this.#send('HeadBucket', 'HEAD', this.url(''));
    await response.body?.cancel();
    if (!response.ok) await this.#fail('HeadBucket', response);
  }
}
