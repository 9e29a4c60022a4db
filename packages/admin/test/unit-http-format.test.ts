import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, TOKEN_VARIABLE, buildCurl, formatHttpRequest, formatHttpResponse, redactSecrets, shellQuote } from '../src/pages/logs/http-format.ts';

describe('shellQuote', () => {
  const cases: Array<[string, string]> = [
    ['plain/path-1.txt', 'plain/path-1.txt'],
    ['a b', `'a b'`],
    [`it's`, `'it'\\''s'`],
    ['$HOME', `'$HOME'`],
    ['x;rm -rf /', `'x;rm -rf /'`],
    ['', `''`],
  ];
  for (const [input, expected] of cases) it(`quotes ${JSON.stringify(input)}`, () => assert.equal(shellQuote(input), expected));
});

describe('redactSecrets', () => {
  it('hides secret-ish keys at any depth and keeps the rest', () => {
    const out = redactSecrets({
      title: 'x',
      password: 'hunter2',
      passwordConfirm: 'hunter2',
      nested: { clientSecret: 'abc', token: 'eyJ', keep: 1, list: [{ oldPassword: 'p' }] },
    });
    assert.deepEqual(out, { title: 'x', password: REDACTED, passwordConfirm: REDACTED, nested: { clientSecret: REDACTED, token: REDACTED, keep: 1, list: [{ oldPassword: REDACTED }] } });
  });
  it('leaves empty secrets visible as empty', () => {
    assert.deepEqual(redactSecrets({ password: '' }), { password: '' });
  });
  it('does not touch non-objects', () => {
    assert.equal(redactSecrets('password'), 'password');
    assert.equal(redactSecrets(null), null);
  });
});

describe('buildCurl', () => {
  it('a guest GET is one line', () => {
    assert.equal(buildCurl({ method: 'GET', url: 'http://127.0.0.1:8090/api/health' }), 'curl http://127.0.0.1:8090/api/health');
  });
  it('quotes URLs with a query string', () => {
    assert.equal(buildCurl({ method: 'get', url: 'http://h/api/x?filter=a = "b"&page=1' }), `curl 'http://h/api/x?filter=a = "b"&page=1'`);
  });
  it('uses the token variable and never copies an Authorization or Cookie value', () => {
    const cmd = buildCurl({
      method: 'DELETE',
      url: 'http://h/api/collections/posts/records/abc',
      headers: [['Authorization', 'eyJreal.token.value'], ['Cookie', 'pb_auth=eyJ'], ['Accept-Language', 'en']],
      withToken: true,
    });
    assert.equal(cmd, `curl -X DELETE http://h/api/collections/posts/records/abc \\\n  -H "Authorization: $${TOKEN_VARIABLE}" \\\n  -H 'Accept-Language: en'`);
    assert.doesNotMatch(cmd, /eyJ/);
  });
  it('sends an object body as JSON with secrets redacted and a content type (POST is implied)', () => {
    const cmd = buildCurl({ method: 'POST', url: 'http://h/api/collections/users/auth-with-password', body: { identity: 'ann@example.com', password: 'hunter2' } });
    assert.equal(cmd, `curl http://h/api/collections/users/auth-with-password \\\n  -H 'Content-Type: application/json' \\\n  --data-raw '{"identity":"ann@example.com","password":"${REDACTED}"}'`);
  });
  it('keeps example values when redaction is off', () => {
    assert.match(buildCurl({ method: 'POST', url: 'http://h/x', body: { password: 'example' }, redact: false }), /"password":"example"/);
  });
  it('escapes single quotes inside a body', () => {
    const cmd = buildCurl({ method: 'POST', url: 'http://h/x', body: { title: "it's" } });
    assert.match(cmd, /--data-raw '\{"title":"it'\\''s"\}'$/);
  });
  it('sends a string body as is, without adding a content type', () => {
    const cmd = buildCurl({ method: 'PATCH', url: 'http://h/x', body: 'a=1', headers: [['Content-Type', 'application/x-www-form-urlencoded']] });
    assert.equal(cmd, `curl -X PATCH http://h/x \\\n  -H 'Content-Type: application/x-www-form-urlencoded' \\\n  --data-raw a=1`);
  });
});

describe('formatHttpRequest / formatHttpResponse', () => {
  it('writes the request line with path and query, Host, headers and the body', () => {
    const text = formatHttpRequest({
      method: 'post',
      url: 'http://127.0.0.1:8090/api/collections/posts/records?fields=id',
      headers: [['Content-Type', 'application/json'], ['Authorization', 'eyJsecret']],
      body: { title: 'x', password: 'p' },
    });
    assert.equal(
      text,
      `POST /api/collections/posts/records?fields=id HTTP/1.1\nHost: 127.0.0.1:8090\nContent-Type: application/json\nAuthorization: ${REDACTED}\n\n{\n  "title": "x",\n  "password": "${REDACTED}"\n}`,
    );
  });
  it('a request without body ends after the headers', () => {
    assert.equal(formatHttpRequest({ method: 'GET', url: '/api/health' }), 'GET /api/health HTTP/1.1\n');
  });
  it('writes the status line with its reason phrase and the body', () => {
    assert.equal(
      formatHttpResponse({ status: 400, headers: [['Content-Type', 'application/json']], body: { status: 400, message: 'Failed to create record.', data: {} } }),
      'HTTP/1.1 400 Bad Request\nContent-Type: application/json\n\n{\n  "status": 400,\n  "message": "Failed to create record.",\n  "data": {}\n}',
    );
    assert.equal(formatHttpResponse({ status: 204 }), 'HTTP/1.1 204 No Content\n');
    assert.equal(formatHttpResponse({ status: 599 }), 'HTTP/1.1 599\n');
  });
});
