import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import fc from 'fast-check';
import {
  BadRequestError,
  ForbiddenError,
  InternalError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
  fieldError,
} from '../../core/errors.ts';
import { ProjectionError } from '../../tools/fields-projection.ts';
import { normalizeMessage, restErrorHandler, restNotFoundHandler, toErrorEnvelope } from './errors.ts';

function withCode(message: string, code: string, statusCode?: number): Error {
  return Object.assign(new Error(message), statusCode === undefined ? { code } : { code, statusCode });
}

describe('normalizeMessage', () => {
  const table: Array<[string, string]> = [
    ['failed to load', 'Failed to load.'],
    ['Already fine.', 'Already fine.'],
    ['really?', 'Really?'],
    ['stop!', 'Stop!'],
    ['  padded  ', 'Padded.'],
    ['', ''],
    ['   ', ''],
    ['ümlaut first', 'Ümlaut first.'],
    ['𝒶stral', '𝒶stral.'],
    ['123 items', '123 items.'],
    ['ends with colon:', 'Ends with colon:.'],
  ];
  for (const [input, expected] of table) {
    it(`normalises ${JSON.stringify(input)} to ${JSON.stringify(expected)}`, () => {
      assert.equal(normalizeMessage(input), expected);
    });
  }

  it('is idempotent and never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const once = normalizeMessage(text);
        assert.equal(normalizeMessage(once), once);
      }),
    );
  });
});

describe('toErrorEnvelope', () => {
  const cases: Array<[string, unknown, number, string, Record<string, unknown>]> = [
    ['BadRequestError default', new BadRequestError(), 400, 'Something went wrong while processing your request.', {}],
    ['BadRequestError message and data', new BadRequestError('invalid filter', { data: { filter: { code: 'x', message: 'Y.' } } }), 400, 'Invalid filter.', { filter: { code: 'x', message: 'Y.' } }],
    [
      'ValidationError fields',
      new ValidationError('failed to create record', { title: fieldError('validation_required', 'Cannot be blank.') }),
      400,
      'Failed to create record.',
      { title: { code: 'validation_required', message: 'Cannot be blank.' } },
    ],
    ['UnauthorizedError', new UnauthorizedError(), 401, 'Missing or invalid authentication.', {}],
    ['ForbiddenError custom', new ForbiddenError('Only superusers can perform this action.'), 403, 'Only superusers can perform this action.', {}],
    ['NotFoundError', new NotFoundError(), 404, "The requested resource wasn't found.", {}],
    ['NotFoundError empty message', new NotFoundError(''), 404, "The requested resource wasn't found.", {}],
    ['PayloadTooLargeError', new PayloadTooLargeError(), 413, 'Request entity too large.', {}],
    ['TooManyRequestsError', new TooManyRequestsError(), 429, 'Too Many Requests.', {}],
    ['ServiceUnavailableError', new ServiceUnavailableError(), 503, 'The service is temporarily unavailable. Try again shortly.', {}],
    ['InternalError hides its text', new InternalError('SQLITE_CORRUPT: secret path /var/db'), 500, 'Something went wrong while processing your request.', {}],
    ['ProjectionError (invalid fields query)', new ProjectionError('Unknown field modifier "upper"; supported: excerpt.'), 400, 'Unknown field modifier "upper"; supported: excerpt.', {}],
    ['Fastify invalid media type (415 → 400)', withCode('Unsupported Media Type', 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), 400, 'Failed to read the submitted data.', {}],
    ['Fastify invalid JSON', withCode('Body is not valid JSON', 'FST_ERR_CTP_INVALID_JSON_BODY', 400), 400, 'Failed to read the submitted data.', {}],
    ['Fastify empty JSON', withCode('Body cannot be empty', 'FST_ERR_CTP_EMPTY_JSON_BODY', 400), 400, 'Failed to read the submitted data.', {}],
    ['Fastify content-length mismatch', withCode('mismatch', 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400), 400, 'Failed to read the submitted data.', {}],
    ['SyntaxError with statusCode 400', Object.assign(new SyntaxError('Unexpected token } in JSON'), { statusCode: 400 }), 400, 'Failed to read the submitted data.', {}],
    ['Fastify body too large', withCode('Request body is too large', 'FST_ERR_CTP_BODY_TOO_LARGE', 413), 413, 'Request entity too large.', {}],
    ['multipart file too large', withCode('request file too large', 'FST_REQ_FILE_TOO_LARGE', 413), 413, 'Request entity too large.', {}],
    ['multipart parts limit', withCode('reach parts limit', 'FST_PARTS_LIMIT', 413), 413, 'Request entity too large.', {}],
    ['multipart files limit', withCode('reach files limit', 'FST_FILES_LIMIT', 413), 413, 'Request entity too large.', {}],
    ['multipart fields limit', withCode('reach fields limit', 'FST_FIELDS_LIMIT', 413), 413, 'Request entity too large.', {}],
    ['multipart prototype violation', withCode('prototype property', 'FST_PROTO_VIOLATION', 400), 400, 'Failed to read the submitted data.', {}],
    ['Fastify route not found', withCode('Not Found', 'FST_ERR_NOT_FOUND', 404), 404, "The requested resource wasn't found.", {}],
    ['generic 404 statusCode', Object.assign(new Error('no such thing: /etc/passwd'), { statusCode: 404 }), 404, "The requested resource wasn't found.", {}],
    ['generic 401 status property', Object.assign(new Error('jwt expired'), { status: 401 }), 401, 'Missing or invalid authentication.', {}],
    ['generic 405', Object.assign(new Error('x'), { statusCode: 405 }), 405, 'Method Not Allowed.', {}],
    ['generic 429', Object.assign(new Error('rate limit exceeded for 1.2.3.4'), { statusCode: 429 }), 429, 'Too Many Requests.', {}],
    ['Fastify schema validation', Object.assign(withCode('body/title must be string', 'FST_ERR_VALIDATION', 400), { validation: [] }), 400, 'Something went wrong while processing your request.', {}],
    ['generic 5xx statusCode', Object.assign(new Error('upstream exploded'), { statusCode: 502 }), 500, 'Something went wrong while processing your request.', {}],
    ['plain Error', new Error('ECONNREFUSED 10.0.0.3:5432'), 500, 'Something went wrong while processing your request.', {}],
    ['TypeError', new TypeError("Cannot read properties of undefined (reading 'id')"), 500, 'Something went wrong while processing your request.', {}],
    ['SyntaxError without status', new SyntaxError('bad'), 500, 'Something went wrong while processing your request.', {}],
    ['a string', 'boom', 500, 'Something went wrong while processing your request.', {}],
    ['null', null, 500, 'Something went wrong while processing your request.', {}],
    ['undefined', undefined, 500, 'Something went wrong while processing your request.', {}],
    ['status out of range', Object.assign(new Error('x'), { statusCode: 200 }), 500, 'Something went wrong while processing your request.', {}],
    [
      'getter that throws',
      Object.defineProperty(new Error('x'), 'code', { get() { throw new Error('nope'); } }),
      500,
      'Something went wrong while processing your request.',
      {},
    ],
  ];
  for (const [name, err, status, message, data] of cases) {
    it(`maps ${name} to ${status}`, () => {
      assert.deepEqual(toErrorEnvelope(err), { status, body: { status, message, data } });
    });
  }

  it('never throws and always yields a well-formed envelope', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withNullPrototype: true, withMap: true, withSet: true }), (value) => {
        const { status, body } = toErrorEnvelope(value);
        assert.equal(body.status, status);
        assert.ok(status >= 400 && status <= 599);
        assert.equal(typeof body.message, 'string');
        assert.ok(body.message.length > 0);
        assert.equal(typeof body.data, 'object');
      }),
    );
  });

  it('never leaks the text of unrecognised errors', () => {
    fc.assert(
      fc.property(fc.string().map((s) => `secret-${s}`), fc.option(fc.integer({ min: 100, max: 999 })), (secret, statusCode) => {
        const err = Object.assign(new Error(secret), statusCode === null ? {} : { statusCode });
        assert.ok(!toErrorEnvelope(err).body.message.toLowerCase().includes('secret-'));
      }),
    );
  });
});

describe('restErrorHandler and restNotFoundHandler', () => {
  it('answer with the envelope and a JSON content type', async () => {
    const app = Fastify();
    app.setErrorHandler(restErrorHandler);
    app.setNotFoundHandler(restNotFoundHandler);
    app.get('/fail', async () => {
      throw new Error('database password is hunter2');
    });
    app.get('/forbidden', async () => {
      throw new ForbiddenError('only superusers can perform this action');
    });
    try {
      const fail = await app.inject({ method: 'GET', url: '/fail' });
      assert.equal(fail.statusCode, 500);
      assert.match(String(fail.headers['content-type']), /^application\/json/);
      assert.deepEqual(fail.json(), { status: 500, message: 'Something went wrong while processing your request.', data: {} });
      const forbidden = await app.inject({ method: 'GET', url: '/forbidden' });
      assert.deepEqual(forbidden.json(), { status: 403, message: 'Only superusers can perform this action.', data: {} });
      const missing = await app.inject({ method: 'PUT', url: '/fail' });
      assert.equal(missing.statusCode, 404);
      assert.deepEqual(missing.json(), { status: 404, message: "The requested resource wasn't found.", data: {} });
    } finally {
      await app.close();
    }
  });
});
