import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, TOKEN_VARIABLE, formatHttpRequest, formatHttpResponse } from '../src/pages/logs/http-format.ts';
import { containsRedacted, logExchange, type RequestLogData } from '../src/pages/logs/log-exchange.ts';

const ORIGIN = 'http://127.0.0.1:8090';

/** A failed create as the server logs it (packages/server/src/transports/rest/request-log.ts). */
const failedCreate: RequestLogData = {
  type: 'request',
  url: '/api/collections/posts/records?fields=id',
  method: 'POST',
  status: 400,
  execTime: 1.2,
  auth: 'users',
  userAgent: 'curl/8',
  referer: '',
  error: 'Failed to create record.',
  details: { title: { code: 'validation_required', message: 'Cannot be blank.' } },
  headers: { host: '127.0.0.1:8090', 'content-type': 'application/json', 'content-length': '30', authorization: REDACTED, 'user-agent': 'curl/8' },
  body: { title: '', password: REDACTED },
  response: { status: 400, message: 'Failed to create record.', data: { title: { code: 'validation_required', message: 'Cannot be blank.' } } },
};

describe('logExchange', () => {
  it('prints a failed request with its logged headers and body, credentials masked', () => {
    const { request, response, isComplete } = logExchange(failedCreate, ORIGIN);
    assert.equal(isComplete, true);
    assert.equal(
      formatHttpRequest(request),
      `POST /api/collections/posts/records?fields=id HTTP/1.1\nHost: 127.0.0.1:8090\nContent-Type: application/json\nContent-Length: 30\nAuthorization: ${REDACTED}\nUser-Agent: curl/8\n\n{\n  "title": "",\n  "password": "${REDACTED}"\n}`,
    );
    assert.match(formatHttpResponse(response), /^HTTP\/1\.1 400 Bad Request\nContent-Type: application\/json\n\n\{\n {2}"status": 400,/);
  });

  it('replays it with curl: token variable, no connection headers, same body', () => {
    const { curl } = logExchange(failedCreate, ORIGIN);
    assert.equal(
      curl,
      `curl '${ORIGIN}/api/collections/posts/records?fields=id' \\\n  -H "Authorization: $${TOKEN_VARIABLE}" \\\n  -H 'Content-Type: application/json' \\\n  -H 'User-Agent: curl/8' \\\n  --data-raw '{"title":"","password":"${REDACTED}"}'`,
    );
  });

  it('rebuilds a successful request from the facts every entry has', () => {
    const { request, response, curl, isComplete } = logExchange(
      { method: 'GET', url: '/api/collections/posts/records?page=1', status: 200, auth: '', userAgent: 'Mozilla/5.0', referer: 'http://127.0.0.1:8090/_/' },
      ORIGIN,
    );
    assert.equal(isComplete, false);
    assert.equal(formatHttpRequest(request), 'GET /api/collections/posts/records?page=1 HTTP/1.1\nHost: 127.0.0.1:8090\nUser-Agent: Mozilla/5.0\nReferer: http://127.0.0.1:8090/_/\n');
    assert.equal(formatHttpResponse(response), 'HTTP/1.1 200 OK\n');
    assert.equal(curl, `curl '${ORIGIN}/api/collections/posts/records?page=1' \\\n  -H 'User-Agent: Mozilla/5.0' \\\n  -H 'Referer: http://127.0.0.1:8090/_/'`);
  });

  it('marks an authenticated request without logged headers', () => {
    const { request, curl } = logExchange({ method: 'DELETE', url: '/api/collections/posts/records/abc', status: 204, auth: '_superusers' }, ORIGIN);
    assert.match(formatHttpRequest(request), new RegExp(`Authorization: \\${REDACTED.slice(0, -1)}\\]`));
    assert.equal(curl, `curl -X DELETE ${ORIGIN}/api/collections/posts/records/abc \\\n  -H "Authorization: $${TOKEN_VARIABLE}"`);
  });

  it('replays a urlencoded body in its own encoding', () => {
    const { curl } = logExchange(
      { method: 'POST', url: '/api/x', status: 400, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: { a: 'b c', n: 1 } },
      ORIGIN,
    );
    assert.match(curl, /--data-raw 'a=b\+c&n=1'$/);
  });

  it('replays a multipart request with -F parts and file names', () => {
    const { request, curl } = logExchange(
      {
        method: 'POST',
        url: '/api/collections/posts/records',
        status: 400,
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
        body: { title: 'hi', tags: ['a', 'b'] },
        files: [{ field: 'cover', filename: 'sun.jpg', type: 'image/jpeg', size: 10 }],
      },
      ORIGIN,
    );
    assert.equal(curl, `curl ${ORIGIN}/api/collections/posts/records \\\n  -F title=hi \\\n  -F tags=a \\\n  -F tags=b \\\n  -F cover=@sun.jpg`);
    assert.match(formatHttpRequest(request), /\n\ntitle: hi\ntags: a\ntags: b\ncover: @sun\.jpg \(image\/jpeg, 10 bytes\)$/);
  });
});

describe('containsRedacted', () => {
  it('finds the marker at any depth', () => {
    assert.equal(containsRedacted(failedCreate.body), true);
    assert.equal(containsRedacted({ a: [{ b: 'x' }] }), false);
    assert.equal(containsRedacted(`/api/x?token=${REDACTED}`), true);
  });
});
