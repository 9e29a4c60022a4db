import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import PocketBase from 'pocketbase';
import { BadRequestError, PayloadTooLargeError } from '../../core/errors.ts';
import {
  bodyParsers,
  decodeBody,
  inferFormValue,
  MAX_MULTIPART_PARTS,
  MAX_JSON_DEPTH,
  MAX_URLENCODED_PAIRS,
  mergeFormValues,
  multipartBoundary,
  multipartEvents,
  streamMultipart,
  type MultipartPartHeader,
} from './body.ts';
import { restErrorHandler, restNotFoundHandler } from './errors.ts';

const LIMIT = 64 * 1024;

async function buildApp(): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(bodyParsers, { bodyLimit: LIMIT });
  app.setErrorHandler(restErrorHandler);
  app.setNotFoundHandler(restNotFoundHandler);
  const echo = async (request: import('fastify').FastifyRequest) => ({
    body: request.body,
    prototypeIsObject: Object.getPrototypeOf(request.body) === Object.prototype,
    uploads: request.uploads.map((u) => ({ field: u.field, filename: u.filename, mimetype: u.mimetype, text: readFileSync(u.path, 'utf8') })),
  });
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/echo', handler: echo });
  app.post('/big', { bodyLimit: 4 * LIMIT }, echo);
  return app;
}

function multipartBody(boundary: string, parts: Array<{ headers: string[]; content: string | Buffer }>): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n`));
    chunks.push(typeof part.content === 'string' ? Buffer.from(part.content) : part.content);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** Collects the parts of a multipart body fed in chunks of `chunkSize` bytes (whole when omitted). */
async function parseMultipart(body: Buffer, boundary: string, chunkSize = body.length || 1): Promise<Array<MultipartPartHeader & { data: Buffer }>> {
  async function* chunks() {
    for (let i = 0; i < body.length; i += chunkSize) yield body.subarray(i, i + chunkSize);
  }
  const parts: Array<MultipartPartHeader & { data: Buffer }> = [];
  let current: { header: MultipartPartHeader | undefined; data: Buffer[] } | undefined;
  for await (const event of multipartEvents(chunks(), boundary)) {
    if (event.type === 'start') current = { header: event.header, data: [] };
    else if (event.type === 'data') current!.data.push(Buffer.from(event.data));
    else if (current!.header) parts.push({ ...current!.header, data: Buffer.concat(current!.data) });
  }
  return parts;
}

const field = (name: string, value: string) => ({ headers: [`Content-Disposition: form-data; name="${name}"`], content: value });

describe('inferFormValue', () => {
  const table: Array<[string, unknown]> = [
    ['', ''],
    ['true', true],
    ['false', false],
    ['True', 'True'],
    ['12', 12],
    ['-3.5', -3.5],
    ['0', 0],
    ['-0', -0],
    ['0.1', 0.1],
    ['0.0000001', 1e-7],
    ['1000000000000000000000', 1e21],
    ['0012', '0012'],
    ['1.0', '1.0'],
    ['1.', '1.'],
    ['.5', '.5'],
    ['1e3', '1e3'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
    ['NaN', 'NaN'],
    ['+1', '+1'],
    ['1-2', '1-2'],
    ['--1', '--1'],
    ['-', '-'],
    [' 1', ' 1'],
    ['1 ', '1 '],
    ['0x10', '0x10'],
    ['1_000', '1_000'],
    ['9007199254740993', '9007199254740993'], // not representable: re-formats differently
    ['9007199254740992', 9007199254740992],
    ['abc', 'abc'],
  ];
  for (const [raw, expected] of table) {
    it(`infers ${JSON.stringify(raw)} as ${typeof expected === 'string' ? JSON.stringify(expected) : String(expected)}`, () => {
      assert.ok(Object.is(inferFormValue(raw), expected), `got ${String(inferFormValue(raw))}`);
    });
  }

  it('never throws, and a number result always re-formats to the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^-?[0-9.-]{0,25}$/), fc.double().map(String)), (raw) => {
        const value = inferFormValue(raw);
        if (typeof value === 'number') assert.ok(Number.isFinite(value) && /^-?[0-9]/.test(raw));
        else if (typeof value === 'string') assert.equal(value, raw);
      }),
    );
  });

  it('turns every finite double that formats plainly back into itself', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const plain = Object.is(value, -0) ? '-0' : value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 100 });
        // toLocaleString may not produce the shortest digits; only check the ones that round-trip.
        if (Number(plain) === value && String(value).indexOf('e') === -1) assert.ok(Object.is(inferFormValue(plain), value));
      }),
    );
  });
});

describe('mergeFormValues', () => {
  it('groups repeated keys into arrays and keeps single keys scalar', () => {
    assert.deepEqual(mergeFormValues([['a', '1'], ['b', 'x'], ['a', 'true'], ['a', '']]), { a: [1, true, ''], b: 'x' });
  });

  it('merges several @jsonPayload parts in order, over form values, without inference', () => {
    const body = mergeFormValues([
      ['title', 'plain'],
      ['@jsonPayload', '{"tags":["a","b"],"title":"from json"}'],
      ['views', '3'],
      ['@jsonPayload', '{"meta":{"n":"12"},"tags":["c"]}'],
    ]);
    assert.deepEqual(body, { title: 'from json', views: 3, tags: ['c'], meta: { n: '12' } });
  });

  it('rejects an @jsonPayload that is not a JSON object', () => {
    for (const payload of ['{', '[1]', '"x"', 'null', '12', '']) {
      assert.throws(() => mergeFormValues([['@jsonPayload', payload]]), (err: unknown) => {
        return err instanceof BadRequestError && err.message === 'Failed to read the submitted data.';
      });
    }
  });

  it('drops __proto__ keys from form values and from payloads, at any depth', () => {
    const body = mergeFormValues([
      ['__proto__', 'x'],
      ['@jsonPayload', '{"__proto__":{"polluted":1},"a":{"\\u005f_proto__":{"polluted":2},"b":1}}'],
    ]);
    assert.deepEqual(Object.keys(body), ['a']);
    assert.deepEqual(body.a, { b: 1 });
    assert.equal(Object.getPrototypeOf(body), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('never throws without @jsonPayload, and only BadRequestError with it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.string(), fc.constant('@jsonPayload'), fc.constant('__proto__')), fc.string())), (entries) => {
        try {
          const body = mergeFormValues(entries);
          assert.equal(typeof body, 'object');
        } catch (err) {
          assert.ok(err instanceof BadRequestError);
          assert.ok(entries.some(([key]) => key === '@jsonPayload'));
        }
      }),
    );
  });

  it('accepts any JSON object as @jsonPayload', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const body = mergeFormValues([['@jsonPayload', JSON.stringify(object)]]);
        // __proto__ keys are stripped at every depth.
        const expected = JSON.parse(JSON.stringify(object), (key, value) => (key === '__proto__' ? undefined : value)) as unknown;
        assert.deepEqual(JSON.parse(JSON.stringify(body)), expected);
      }),
    );
  });
});

describe('multipartEvents', () => {
  const boundary = 'XyZ';

  it('reads text and file parts, preamble and epilogue ignored', async () => {
    const body = Buffer.concat([
      Buffer.from('preamble\r\n'),
      multipartBody(boundary, [
        field('a', 'one'),
        { headers: ['Content-Disposition: form-data; name="doc"; filename="C:\\dir\\r\u00e9sum\u00e9.pdf"', 'Content-Type: application/pdf'], content: Buffer.from([0, 1, 2, 13, 10]) },
        { headers: ['content-disposition: form-data; name="x"; filename="a.txt"; filename*=UTF-8\'\'%E2%82%AC.txt'], content: '' },
      ]),
      Buffer.from('epilogue'),
    ]);
    const parts = await parseMultipart(body, boundary);
    assert.equal(parts.length, 3);
    assert.deepEqual({ ...parts[0], data: parts[0].data.toString() }, { name: 'a', filename: undefined, mimetype: 'application/octet-stream', data: 'one' });
    assert.equal(parts[1].filename, 'r\u00e9sum\u00e9.pdf');
    assert.equal(parts[1].mimetype, 'application/pdf');
    assert.deepEqual([...parts[1].data], [0, 1, 2, 13, 10]);
    assert.equal(parts[2].filename, '\u20ac.txt');
    assert.equal(parts[2].data.length, 0);
  });

  it('gives the same parts however the body is split into chunks', async () => {
    const body = Buffer.concat([
      Buffer.from('pre\r\n'),
      multipartBody(boundary, [field('a', 'one'), { headers: ['Content-Disposition: form-data; name="f"; filename="x.bin"'], content: Buffer.from('\r\n--Xy almost\r\n--Xy') }, field('b', '')]),
    ]);
    const whole = await parseMultipart(body, boundary);
    for (const size of [1, 2, 3, 5, 7, 13, 64]) assert.deepEqual(await parseMultipart(body, boundary, size), whole, `chunks of ${size}`);
    assert.equal(whole[1].data.toString(), '\r\n--Xy almost\r\n--Xy');
  });

  it('skips parts without a form-data name', async () => {
    const body = multipartBody(boundary, [
      { headers: ['Content-Type: text/plain'], content: 'no disposition' },
      { headers: ['Content-Disposition: attachment; name="a"'], content: 'not form-data' },
      { headers: ['Content-Disposition: form-data'], content: 'no name' },
      field('kept', 'yes'),
    ]);
    assert.deepEqual((await parseMultipart(body, boundary)).map((p) => p.name), ['kept']);
  });

  it('accepts an empty part written without its own CRLF before the delimiter', async () => {
    const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="e"\r\n\r\n--${boundary}--`);
    const parts = await parseMultipart(body, boundary);
    assert.equal(parts.length, 1);
    assert.equal(parts[0].data.length, 0);
  });

  const malformed: Array<[string, string]> = [
    ['no boundary at all', 'hello'],
    ['no closing delimiter', `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue`],
    ['unterminated headers', `--${boundary}\r\nContent-Disposition: form-data; name="a"`],
    ['junk after the delimiter', `--${boundary}junk\r\n\r\n\r\n--${boundary}--`],
    ['a header line without colon', `--${boundary}\r\nbroken header\r\n\r\nv\r\n--${boundary}--`],
  ];
  for (const [name, text] of malformed) {
    it(`rejects ${name} with BadRequestError`, async () => {
      await assert.rejects(parseMultipart(Buffer.from(text), boundary), BadRequestError);
    });
  }

  it(`rejects more than ${MAX_MULTIPART_PARTS} parts with PayloadTooLargeError`, async () => {
    const body = multipartBody(boundary, Array.from({ length: MAX_MULTIPART_PARTS + 1 }, (_, i) => field(`f${i}`, 'v')));
    await assert.rejects(parseMultipart(body, boundary), PayloadTooLargeError);
  });

  it('rejects oversized part headers with PayloadTooLargeError', async () => {
    const body = multipartBody(boundary, [{ headers: [`Content-Disposition: form-data; name="a"; x="${'y'.repeat(20_000)}"`], content: 'v' }]);
    await assert.rejects(parseMultipart(body, boundary), PayloadTooLargeError);
    await assert.rejects(parseMultipart(body, boundary, 1000), PayloadTooLargeError);
  });

  it('never throws anything but BadRequestError/PayloadTooLargeError on arbitrary bytes', async () => {
    const piece = fc.oneof(
      fc.constantFrom('--b', '--b--', '\r\n', '\r\n\r\n', 'Content-Disposition: form-data; name="a"', '; filename="f"', ':', '"', ';', '\\'),
      fc.string({ maxLength: 8 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.integer({ min: 1, max: 16 }), async (pieces, chunk) => {
        try {
          await parseMultipart(Buffer.from(pieces.join('')), 'b', chunk);
        } catch (err) {
          assert.ok(err instanceof BadRequestError || err instanceof PayloadTooLargeError, String(err));
        }
      }),
      { numRuns: 500 },
    );
  });

  // Speed belongs to benchmarks; the timeout is only a hang guard against a quadratic scan.
  it('rejects or parses hostile bodies', { timeout: 120_000 }, async () => {
    const many = Buffer.from(`--b\r\n${'\r\n--b'.repeat(100_000)}`);
    await assert.rejects(parseMultipart(many, 'b'));
    const nearMisses = Buffer.from(`--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n${'\r\n--'.repeat(300_000)}`);
    await assert.rejects(parseMultipart(nearMisses, 'b'), BadRequestError);
    await assert.rejects(parseMultipart(nearMisses, 'b', 4096), BadRequestError);
    const semicolons = Buffer.from(`--b\r\nContent-Disposition: form-data${';'.repeat(15_000)}\r\n\r\nv\r\n--b--`);
    assert.deepEqual(await parseMultipart(semicolons, 'b'), []);
  });
});

describe('decodeBody', () => {
  it('treats an empty body as {} whatever the content type', () => {
    for (const type of [undefined, 'application/json', 'text/plain', 'multipart/form-data', 'application/xml']) {
      assert.deepEqual(decodeBody(type, Buffer.alloc(0)), { body: {} });
    }
  });

  it('picks the decoder by content-type prefix, case-insensitively', () => {
    assert.deepEqual(decodeBody('Application/JSON; charset=utf-8', Buffer.from('{"a":1}')).body, { a: 1 });
    assert.deepEqual(decodeBody('application/x-www-form-urlencoded;charset=UTF-8', Buffer.from('a=1')).body, { a: 1 });
  });

  it('rejects multipart without a usable boundary', () => {
    for (const type of ['multipart/form-data', 'multipart/form-data; boundary=', `multipart/form-data; boundary=${'b'.repeat(201)}`]) {
      assert.throws(() => multipartBoundary(type), BadRequestError);
    }
  });

  it('rejects unsupported content types and bodies without one', () => {
    for (const type of [undefined, 'text/plain', 'application/xml', 'text/xml', 'application/octet-stream']) {
      assert.throws(() => decodeBody(type, Buffer.from('<a/>')), BadRequestError);
    }
  });

  it('accepts a UTF-8 BOM before JSON', () => {
    assert.deepEqual(decodeBody('application/json', Buffer.from('\ufeff{"a":1}')).body, { a: 1 });
  });

  it('handles very deep JSON nesting without overflowing the stack', () => {
    // The outer object is level 1, so this is exactly MAX_JSON_DEPTH levels: accepted.
    const atLimit = `{"__proto__":1,"a":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`;
    assert.deepEqual(Object.keys(decodeBody('application/json', Buffer.from(atLimit)).body), ['a']);
    // Brackets inside strings do not count.
    const brackets = `${'['.repeat(100_000)}\\"{`;
    assert.equal(decodeBody('application/json', Buffer.from(JSON.stringify({ a: brackets }))).body.a, brackets);
    const deep = `{"__proto__":1,"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    assert.throws(() => decodeBody('application/json', Buffer.from(deep)), BadRequestError);
  });

  it('replaces lone surrogate escapes with U+FFFD in keys and values', () => {
    const { body } = decodeBody('application/json', Buffer.from('{"a\\ud800":"x\\udc00y","b":["\\ud83d\\ude42"]}'));
    assert.deepEqual(body, { 'a\ufffd': 'x\ufffdy', b: ['\u{1f642}'] });
  });

  it(`rejects more than ${MAX_URLENCODED_PAIRS} urlencoded pairs with PayloadTooLargeError`, () => {
    assert.throws(() => decodeBody('application/x-www-form-urlencoded', Buffer.from('a=1&'.repeat(MAX_URLENCODED_PAIRS + 1))), PayloadTooLargeError);
  });
});

describe('bodyParsers plugin (in-process)', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildApp();
  });
  after(async () => {
    await app.close();
  });

  const errorBody = (status: number, message: string) => ({ status, message, data: {} });

  it('gives GET and HEAD requests an empty object body', async () => {
    const res = await app.inject({ method: 'GET', url: '/echo' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { body: {}, prototypeIsObject: true, uploads: [] });
    const head = await app.inject({ method: 'HEAD', url: '/echo', headers: { 'content-type': 'application/json' } });
    assert.equal(head.statusCode, 200);
  });

  for (const method of ['GET', 'DELETE', 'POST', 'PATCH'] as const) {
    it(`accepts ${method} with Content-Type: application/json and no body (the SDK does this)`, async () => {
      const res = await app.inject({ method, url: '/echo', headers: { 'content-type': 'application/json' } });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().body, {});
      const withLength = await app.inject({ method, url: '/echo', headers: { 'content-type': 'application/json', 'content-length': '0' } });
      assert.equal(withLength.statusCode, 200, withLength.body);
      assert.deepEqual(withLength.json().body, {});
    });
  }

  it('treats Content-Length 0 as empty for any content type', async () => {
    for (const type of ['text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'image/png']) {
      const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': type }, payload: '' });
      assert.equal(res.statusCode, 200, `${type}: ${res.body}`);
      assert.deepEqual(res.json().body, {});
    }
  });

  it('treats a POST without Content-Type and without body as {}', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().body, {});
  });

  it('decodes a JSON object body', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { a: 1, b: [true, null], c: { d: '0012' } } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().body, { a: 1, b: [true, null], c: { d: '0012' } });
  });

  it('answers 400 for invalid JSON', async () => {
    for (const payload of ['{', '{"a":}', 'nope', '{"a":1}x']) {
      const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload });
      assert.equal(res.statusCode, 400, payload);
      assert.deepEqual(res.json(), errorBody(400, 'Failed to read the submitted data.'));
    }
  });

  it('answers 400 for JSON that is not an object', async () => {
    for (const payload of ['[]', '[{"a":1}]', '"x"', '12', 'null', 'true']) {
      const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload });
      assert.equal(res.statusCode, 400, payload);
      assert.deepEqual(res.json(), errorBody(400, 'Failed to read the submitted data.'));
    }
  });

  it('answers 400 for an unsupported content type and for a body without content type', async () => {
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/xml' }, {}]) {
      const res = await app.inject({ method: 'POST', url: '/echo', headers, payload: Buffer.from('hello') });
      assert.equal(res.statusCode, 400, JSON.stringify(headers));
      assert.deepEqual(res.json(), errorBody(400, 'Failed to read the submitted data.'));
    }
  });

  it('answers 400 (not 415) for an unparsable Content-Type header', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'garbage' }, payload: 'x' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), errorBody(400, 'Failed to read the submitted data.'));
  });

  it('decodes urlencoded bodies with inference and repeated keys', async () => {
    const payload = 'a=1&a=2&a=x&b=&c=true&d=0012&e=1.0&f=1e3&g=-3.5&h=Infinity&name=J%C3%BCrgen+M&%40jsonPayload=%7B%22o%22%3A%7B%22k%22%3A%221%22%7D%7D';
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().body, {
      a: [1, 2, 'x'], b: '', c: true, d: '0012', e: '1.0', f: '1e3', g: -3.5, h: 'Infinity', name: 'J\u00fcrgen M', o: { k: '1' },
    });
  });

  it('ignores query parameters when building the body', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo?a=1&expand=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'b=2' });
    assert.deepEqual(res.json().body, { b: 2 });
  });

  it('decodes a hand-written multipart body with files and several @jsonPayload parts', async () => {
    const payload = multipartBody('----basalt', [
      field('title', 'Hello'),
      field('views', '12'),
      field('documents', 'old_a.pdf'),
      field('@jsonPayload', '{"tags":["a","b"]}'),
      field('@jsonPayload', '{"meta":{"x":"1"}}'),
      { headers: ['Content-Disposition: form-data; name="documents"; filename="a.txt"', 'Content-Type: text/plain'], content: 'first' },
      { headers: ['Content-Disposition: form-data; name="documents"; filename="b.txt"'], content: 'second' },
      { headers: ['Content-Disposition: form-data; name="avatar"; filename=""', 'Content-Type: application/octet-stream'], content: '' },
    ]);
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'multipart/form-data; boundary=----basalt' }, payload });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      body: { title: 'Hello', views: 12, documents: 'old_a.pdf', tags: ['a', 'b'], meta: { x: '1' } },
      prototypeIsObject: true,
      uploads: [
        { field: 'documents', filename: 'a.txt', mimetype: 'text/plain', text: 'first' },
        { field: 'documents', filename: 'b.txt', mimetype: 'application/octet-stream', text: 'second' },
      ],
    });
  });

  it('answers 400 for malformed multipart', async () => {
    const cases: Array<[string, string]> = [
      ['multipart/form-data', '--x\r\n\r\nv\r\n--x--'],
      ['multipart/form-data; boundary=x', 'not multipart at all'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\ntruncated'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="@jsonPayload"\r\n\r\n{bad json\r\n--x--'],
    ];
    for (const [type, payload] of cases) {
      const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': type }, payload });
      assert.equal(res.statusCode, 400, payload);
      assert.deepEqual(res.json(), errorBody(400, 'Failed to read the submitted data.'));
    }
  });

  it('answers 413 for an oversized JSON body (declared or streamed)', async () => {
    const big = JSON.stringify({ a: 'x'.repeat(LIMIT) });
    const declared = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: big });
    assert.equal(declared.statusCode, 413);
    assert.deepEqual(declared.json(), errorBody(413, 'Request entity too large.'));
    const streamed = await app.inject({
      method: 'POST', url: '/echo', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      payload: Readable.from([Buffer.from(big.slice(0, LIMIT / 2)), Buffer.from(big.slice(LIMIT / 2))]),
    });
    assert.equal(streamed.statusCode, 413);
    assert.deepEqual(streamed.json(), errorBody(413, 'Request entity too large.'));
  });

  it('answers 413 for an oversized multipart body, and honours a larger route bodyLimit', async () => {
    const payload = multipartBody('b', [{ headers: ['Content-Disposition: form-data; name="f"; filename="big.bin"'], content: Buffer.alloc(LIMIT + 1, 1) }]);
    const headers = { 'content-type': 'multipart/form-data; boundary=b' };
    const tooLarge = await app.inject({ method: 'POST', url: '/echo', headers, payload });
    assert.equal(tooLarge.statusCode, 413);
    assert.deepEqual(tooLarge.json(), errorBody(413, 'Request entity too large.'));
    const allowed = await app.inject({ method: 'POST', url: '/big', headers, payload });
    assert.equal(allowed.statusCode, 200);
    assert.equal(allowed.json().uploads[0].text.length, LIMIT + 1);
  });

  it('answers 413 for too many multipart parts', async () => {
    const payload = multipartBody('b', Array.from({ length: MAX_MULTIPART_PARTS + 1 }, () => field('a', '')));
    const res = await app.inject({ method: 'POST', url: '/big', headers: { 'content-type': 'multipart/form-data; boundary=b' }, payload });
    assert.equal(res.statusCode, 413);
  });

  it('does not let __proto__ keys reach the prototype', async () => {
    const json = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{"isAdmin":true},"a":1}' });
    assert.deepEqual(json.json(), { body: { a: 1 }, prototypeIsObject: true, uploads: [] });
    const form = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '__proto__=1&constructor=2' });
    assert.deepEqual(form.json().body, { constructor: 2 });
  });

  it('answers unknown routes with the 404 envelope', async () => {
    const res = await app.inject({ method: 'POST', url: '/nope', payload: { a: 1 } });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), errorBody(404, "The requested resource wasn't found."));
  });
});

describe('bodyParsers plugin (over a real port)', () => {
  let app: FastifyInstance;
  let baseUrl: string;
  before(async () => {
    app = await buildApp();
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app.close();
  });

  it('decodes what the official pocketbase SDK sends for a body with files', async () => {
    const pb = new PocketBase(baseUrl);
    const result = await pb.send('/echo', {
      method: 'POST',
      body: {
        title: 'Hello',
        views: 7,
        published: true,
        tags: ['a', 'b'],
        meta: { nested: { n: '0012' } },
        documents: [new File(['one'], 'one.txt', { type: 'text/plain' }), new File(['two'], 'two.md', { type: 'text/markdown' })],
        avatar: new Blob(['img'], { type: 'image/png' }),
        skipped: undefined,
      },
    });
    assert.deepEqual(result.body, { title: 'Hello', views: 7, published: true, tags: ['a', 'b'], meta: { nested: { n: '0012' } } });
    assert.deepEqual(
      result.uploads.map((u: { field: string; filename: string; mimetype: string; text: string }) => [u.field, u.filename, u.mimetype, u.text]),
      [['documents', 'one.txt', 'text/plain', 'one'], ['documents', 'two.md', 'text/markdown', 'two'], ['avatar', 'blob', 'image/png', 'img']],
    );
  });

  it('decodes the SDK batch form: one @jsonPayload with the request list plus requests.<i>.<key> files', async () => {
    const pb = new PocketBase(baseUrl);
    const batch = pb.createBatch();
    batch.collection('posts').create({ title: 'A', documents: [new File(['x'], 'x.txt')] });
    batch.collection('posts').update('abc', { 'documents+': new File(['y'], 'y.txt') });
    // The SDK posts to /api/batch; capture the form it builds by pointing beforeSend at /echo.
    pb.beforeSend = (_url, options) => ({ url: `${baseUrl}/echo`, options });
    const result = (await batch.send()) as unknown as { body: { requests: Array<{ method: string; url: string; body: unknown }> }; uploads: Array<{ field: string; text: string }> };
    assert.equal(result.body.requests.length, 2);
    assert.deepEqual(result.body.requests[0], { method: 'POST', url: '/api/collections/posts/records', body: { title: 'A' } });
    assert.deepEqual(result.uploads.map((u) => [u.field, u.text]), [['requests.0.documents', 'x'], ['requests.1.documents+', 'y']]);
  });

  it('accepts the SDK GET and DELETE with Content-Type: application/json and no body', async () => {
    const pb = new PocketBase(baseUrl);
    for (const method of ['GET', 'DELETE']) {
      const result = await pb.send('/echo', { method });
      assert.deepEqual(result.body, {}, method);
    }
  });

  it('decodes fetch FormData with bracketed batch file keys and repeated text keys', async () => {
    const form = new FormData();
    form.append('@jsonPayload', JSON.stringify({ requests: [{ method: 'POST', url: '/x' }] }));
    form.append('requests[0].file', new File(['z'], 'z.bin'));
    form.append('n', '1');
    form.append('n', '02');
    const res = await fetch(`${baseUrl}/echo`, { method: 'POST', body: form });
    assert.equal(res.status, 200);
    const result = (await res.json()) as { body: unknown; uploads: Array<{ field: string; filename: string }> };
    assert.deepEqual(result.body, { requests: [{ method: 'POST', url: '/x' }], n: [1, '02'] });
    assert.deepEqual(result.uploads.map((u) => [u.field, u.filename]), [['requests[0].file', 'z.bin']]);
  });

  it('answers 413 for an oversized multipart upload over the wire', async () => {
    const form = new FormData();
    form.append('f', new File([new Uint8Array(LIMIT * 2)], 'big.bin'));
    const res = await fetch(`${baseUrl}/echo`, { method: 'POST', body: form });
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { status: 413, message: 'Request entity too large.', data: {} });
  });
});

describe('streamMultipart file parts', () => {
  it('survives a source that fails while a file write is still in flight', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basalt-multipart-test-'));
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        // A client that goes away mid-file: a chunk under the stream's buffer size is handed to
        // the file system without waiting ('drain' is awaited only past it), and the source
        // throws right after, so the stream is destroyed with that write in flight.
        async function* source(): AsyncGenerator<Buffer> {
          yield Buffer.from('--b\r\nContent-Disposition: form-data; name="f"; filename="f.bin"\r\n\r\n');
          yield Buffer.alloc(1024, 1);
          await new Promise((r) => setTimeout(r, 20)); // the file is open, the first write done
          yield Buffer.alloc(4 * 1024, 2);
          throw new Error('client went away');
        }
        await assert.rejects(streamMultipart(source(), 'b', async () => mkdtempSync(join(dir, 'request-'))), /client went away/);
      }
      // A destroyed file stream reports its interrupted write as an error event a tick later.
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(uncaught, []);
    } finally {
      process.off('uncaughtException', onUncaught);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bodyParsers uploads on disk', () => {
  let app: FastifyInstance;
  let baseUrl: string;
  let uploadDir: string;
  let seenPaths: string[] = [];
  before(async () => {
    uploadDir = mkdtempSync(join(tmpdir(), 'basalt-body-test-'));
    app = Fastify();
    await app.register(bodyParsers, { bodyLimit: LIMIT, uploadDir });
    app.setErrorHandler(restErrorHandler);
    app.post('/upload', async (request) => {
      seenPaths = request.uploads.map((u) => u.path);
      return { files: request.uploads.map((u) => ({ size: u.size, onDisk: statSync(u.path).size, inFolder: u.path.startsWith(uploadDir) })) };
    });
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app.close();
    rmSync(uploadDir, { recursive: true, force: true });
  });

  /** Waits (bounded, as a hang guard) until the request's temporary folder is gone. */
  async function uploadFolderRemoved(): Promise<boolean> {
    for (let i = 0; i < 500; i++) {
      if (readdirSync(uploadDir).length === 0) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  }

  it('streams file parts to files in the upload folder and removes them after the response', async () => {
    const form = new FormData();
    form.append('a', new File([new Uint8Array(3000).fill(7)], 'a.bin'));
    form.append('b', new File(['hello'], 'b.txt'));
    const res = await fetch(`${baseUrl}/upload`, { method: 'POST', body: form });
    assert.deepEqual(await res.json(), { files: [{ size: 3000, onDisk: 3000, inFolder: true }, { size: 5, onDisk: 5, inFolder: true }] });
    assert.equal(seenPaths.length, 2);
    assert.ok(await uploadFolderRemoved());
    assert.ok(seenPaths.every((p) => !existsSync(p)));
  });

  it('refuses a body without length once it goes over the limit, and removes the partly written upload', async () => {
    const url = new URL(baseUrl);
    const socket = connect(Number(url.port), url.hostname);
    await once(socket, 'connect');
    let response = '';
    let refused = false;
    socket.on('data', (d) => (response += d.toString('latin1')));
    // The server may close the connection while the client still writes (EPIPE/ECONNRESET), and
    // then the client can lose the 413 already sent: either way the upload was refused.
    socket.on('error', () => (refused = true));
    socket.on('close', () => (refused = true));
    const chunk = (data: string | Buffer) =>
      new Promise<void>((resolveWrite) => {
        const b = typeof data === 'string' ? Buffer.from(data) : data;
        socket.write(Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]), () => resolveWrite());
      });
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n');
    await chunk('--b\r\nContent-Disposition: form-data; name="f"; filename="f.bin"\r\n\r\n');
    // Twice the limit, one 4 KiB chunk at a time, stopping as soon as the server answers.
    for (let i = 0; i < 32 && !response && !refused; i++) {
      await chunk(Buffer.alloc(4096, 1));
      await new Promise((r) => setTimeout(r, 5));
    }
    for (let i = 0; i < 500 && !response.includes('\r\n\r\n') && !refused; i++) await new Promise((r) => setTimeout(r, 10));
    socket.destroy();
    assert.ok(response === '' ? refused : /^HTTP\/1\.1 413 /.test(response), response);
    assert.ok(await uploadFolderRemoved());
  });

  it('removes the uploads of a client that goes away mid-body', async () => {
    const url = new URL(baseUrl);
    const socket = connect(Number(url.port), url.hostname);
    await once(socket, 'connect');
    const head = '--b\r\nContent-Disposition: form-data; name="f"; filename="f.bin"\r\n\r\n';
    socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${LIMIT - 10}\r\n\r\n${head}`);
    socket.write(Buffer.alloc(4096, 1));
    // The folder exists once the first bytes of the file reached the parser.
    for (let i = 0; i < 500 && readdirSync(uploadDir).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(readdirSync(uploadDir).length, 1);
    socket.destroy();
    assert.ok(await uploadFolderRemoved());
  });
});

describe('bodyParsers registration', () => {
  it('applies to routes in sibling plugins (it skips encapsulation like fastify-plugin)', async () => {
    const app = Fastify();
    await app.register(bodyParsers, { bodyLimit: LIMIT });
    app.setErrorHandler(restErrorHandler);
    await app.register(async (child) => {
      child.post('/child', async (request) => ({ body: request.body, uploads: request.uploads.length }));
    });
    try {
      const form = await app.inject({ method: 'POST', url: '/child', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' });
      assert.deepEqual(form.json(), { body: { a: 1 }, uploads: 0 });
      const text = await app.inject({ method: 'POST', url: '/child', headers: { 'content-type': 'text/plain' }, payload: 'x' });
      assert.equal(text.statusCode, 400);
    } finally {
      await app.close();
    }
  });


  it('rejects a missing or invalid bodyLimit at registration', async () => {
    for (const bodyLimit of [0, -1, 1.5, Number.NaN, undefined]) {
      const app = Fastify();
      await assert.rejects(async () => {
        await app.register(bodyParsers, { bodyLimit: bodyLimit as number });
        await app.ready();
      }, RangeError);
      await app.close().catch(() => {});
    }
  });
});
