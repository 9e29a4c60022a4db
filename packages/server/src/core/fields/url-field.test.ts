import { test } from 'node:test';
import assert from 'node:assert/strict';
import { urlField, urlHost } from './url-field.ts';
import { makeField, settingsCtx, valueCtx } from './field-test-context.ts';

test('urlHost keeps the host as written, with its port', () => {
  assert.equal(urlHost('https://example.com/a?b#c'), 'example.com');
  assert.equal(urlHost('http://user:pw@Example.com:8080/x'), 'Example.com:8080');
  assert.equal(urlHost('ftp://files.example.org'), 'files.example.org');
  for (const bad of ['example.com', 'mailto:a@b.co', 'http://', 'http:///path', 'https://exa mple.com', '/relative', 'https://a.com/\n']) assert.equal(urlHost(bad), undefined, bad);
});

test('url validateValue', () => {
  const cases: Array<{ name: string; options?: Record<string, unknown>; value: unknown; want?: object }> = [
    { name: 'empty optional', value: '' },
    { name: 'empty required', options: { required: true }, value: '', want: { code: 'validation_required', message: 'Cannot be blank.' } },
    { name: 'valid', value: 'https://example.com/x' },
    { name: 'invalid', value: 'example.com', want: { code: 'validation_invalid_url', message: 'Must be a valid url.' } },
    { name: 'only domains miss', options: { onlyDomains: ['example.com'] }, value: 'https://example.com:8443/', want: { code: 'validation_url_domain_not_allowed', message: 'Url domain is not allowed.' } },
    { name: 'only domains hit', options: { onlyDomains: ['example.com'] }, value: 'https://example.com/' },
    { name: 'except domains', options: { exceptDomains: ['bad.com'] }, value: 'http://bad.com', want: { code: 'validation_url_domain_not_allowed', message: 'Url domain is not allowed.' } },
  ];
  for (const c of cases) assert.deepEqual(urlField.validateValue(makeField(urlField, c.options), c.value, valueCtx()), c.want, c.name);
});

test('url validateSettings', () => {
  assert.equal(urlField.validateSettings(makeField(urlField, { onlyDomains: ['a.com'] }), settingsCtx()), undefined);
  assert.deepEqual(urlField.validateSettings(makeField(urlField, { onlyDomains: ['a.com'], exceptDomains: ['b.com'] }), settingsCtx()), {
    exceptDomains: { code: 'validation_empty', message: 'Must be blank.' },
    onlyDomains: { code: 'validation_empty', message: 'Must be blank.' },
  });
  assert.deepEqual(urlField.validateSettings(makeField(urlField, { onlyDomains: 'a.com' }), settingsCtx()), { onlyDomains: { code: 'validation_unsupported_value_type', message: 'Invalid or unsupported value type.' } });
});
