/**
 * Table-driven HTTP scenarios for the black-box suites: each row says who does what, the request,
 * the expected status and the fragments the JSON body must contain.
 */
import assert from 'node:assert/strict';
import type { TestServer } from './test-server.ts';

export interface Scenario {
  /** A sentence: who does what, and what should happen. */
  name: string;
  method?: string;
  /** Path (or a function of the fixtures, evaluated when the scenario runs). */
  url: string | (() => string);
  /** JSON body (or a function of the fixtures). */
  body?: unknown | (() => unknown);
  /** Raw body text with an explicit content type, for malformed-body cases. */
  rawBody?: { contentType: string; text: string };
  /** Auth token to send (a function, because tokens are minted in before()). Omitted: guest. */
  token?: () => string | undefined;
  headers?: Record<string, string>;
  status: number;
  /** Exact `message` of the envelope. */
  message?: string;
  /** The whole body must deep-equal this. */
  exact?: unknown;
  /** Fragments the body must contain (deep subset: objects recursively, arrays element-wise). */
  contains?: unknown;
  /** Extra assertions on the parsed body. */
  check?: (body: any) => void | Promise<void>;
  todo?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Asserts that `expected` is a deep subset of `actual` (path in the failure message). */
export function assertContains(actual: unknown, expected: unknown, path = '$'): void {
  if (isObject(expected)) {
    assert.ok(isObject(actual), `${path}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [k, v] of Object.entries(expected)) {
      assert.ok(k in actual, `${path}.${k}: missing in ${JSON.stringify(actual)}`);
      assertContains(actual[k], v, `${path}.${k}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: array length`);
    expected.forEach((v, i) => assertContains(actual[i], v, `${path}[${i}]`));
    return;
  }
  assert.deepEqual(actual, expected, `${path}`);
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** Sends one request; parses the body as JSON when there is one. */
export async function request(t: TestServer, method: string, url: string, options: { body?: unknown; token?: string; headers?: Record<string, string>; rawBody?: { contentType: string; text: string } } = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.Authorization = options.token;
  let body: string | undefined;
  if (options.rawBody) {
    headers['Content-Type'] = options.rawBody.contentType;
    body = options.rawBody.text;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await t.fetch(url, { method, headers, body });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Runs one scenario row and asserts its expectations. */
export async function runScenario(t: TestServer, s: Scenario): Promise<RawResponse> {
  const url = typeof s.url === 'function' ? s.url() : s.url;
  const body = typeof s.body === 'function' ? (s.body as () => unknown)() : s.body;
  const res = await request(t, s.method ?? 'GET', url, { body, token: s.token?.(), headers: s.headers, rawBody: s.rawBody });
  assert.equal(res.status, s.status, `${s.name}: status (body ${res.text.slice(0, 500)})`);
  if (s.status >= 400) {
    // Every error answer is the envelope: status, message, data object (spec §2.1).
    assert.equal(res.json?.status, s.status, `${s.name}: envelope status`);
    assert.equal(typeof res.json?.message, 'string');
    assert.ok(isObject(res.json?.data), `${s.name}: envelope data must be an object`);
  }
  if (s.message !== undefined) assert.equal(res.json?.message, s.message, `${s.name}: message`);
  if (s.exact !== undefined) assert.deepEqual(res.json, s.exact, `${s.name}: body`);
  if (s.contains !== undefined) assertContains(res.json, s.contains);
  if (s.check) await s.check(res.json);
  return res;
}
