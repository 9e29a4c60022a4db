import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emailField, isEmailFormat } from './email-field.ts';
import { makeField, settingsCtx, valueCtx } from './field-test-context.ts';

test('email format', () => {
  for (const ok of ['a@b.co', 'first.last+tag@example.com', 'x@localhost', "o'neil@example.org", 'jörg@bücher.de']) assert.ok(isEmailFormat(ok), ok);
  for (const bad of ['', 'plain', '@example.com', 'a@', 'a b@example.com', 'a@-example.com', 'a@exa mple.com', '.a@example.com', 'a..b@example.com', `${'a'.repeat(65)}@example.com`]) {
    assert.ok(!isEmailFormat(bad), bad);
  }
});

test('email prepareValue converts to string', () => {
  const f = makeField(emailField);
  assert.equal(emailField.prepareValue(f, null), '');
  assert.equal(emailField.prepareValue(f, 5), '5');
  assert.equal(emailField.prepareValue(f, ['a@b.co']), '');
});

test('email validateValue', () => {
  const cases: Array<{ name: string; options?: Record<string, unknown>; value: unknown; want?: object }> = [
    { name: 'empty optional', value: '' },
    { name: 'empty required', options: { required: true }, value: '', want: { code: 'validation_required', message: 'Cannot be blank.' } },
    { name: 'valid', value: 'ann@example.com' },
    { name: 'invalid', value: 'ann', want: { code: 'validation_is_email', message: 'Must be a valid email address.' } },
    { name: 'only domains hit', options: { onlyDomains: ['example.com'] }, value: 'ann@example.com' },
    { name: 'only domains miss', options: { onlyDomains: ['example.com'] }, value: 'ann@sub.example.com', want: { code: 'validation_email_domain_not_allowed', message: 'Email domain is not allowed.' } },
    { name: 'except domains hit', options: { exceptDomains: ['spam.io'] }, value: 'x@spam.io', want: { code: 'validation_email_domain_not_allowed', message: 'Email domain is not allowed.' } },
    { name: 'except domains miss', options: { exceptDomains: ['spam.io'] }, value: 'x@ham.io' },
    { name: 'non-string', value: null, want: { code: 'validation_unsupported_value_type', message: 'Invalid or unsupported value type.' } },
  ];
  for (const c of cases) assert.deepEqual(emailField.validateValue(makeField(emailField, c.options), c.value, valueCtx()), c.want, c.name);
});

test('email validateSettings: domain lists exclusive and valid', () => {
  const cases: Array<{ name: string; options: Record<string, unknown>; want?: object }> = [
    { name: 'defaults', options: {} },
    { name: 'one list', options: { onlyDomains: ['example.com', 'xn--bcher-kva.de'] } },
    { name: 'both lists', options: { onlyDomains: ['a.com'], exceptDomains: ['b.com'] }, want: { onlyDomains: { code: 'validation_empty', message: 'Must be blank.' }, exceptDomains: { code: 'validation_empty', message: 'Must be blank.' } } },
    { name: 'invalid entry', options: { exceptDomains: ['ok.com', 'not a domain', 'localhost'] }, want: { exceptDomains: { '1': { code: 'validation_is_domain', message: 'Must be a valid domain.' }, '2': { code: 'validation_is_domain', message: 'Must be a valid domain.' } } } },
  ];
  for (const c of cases) assert.deepEqual(emailField.validateSettings(makeField(emailField, c.options), settingsCtx()), c.want, c.name);
});

test('email driver round-trip', () => {
  const f = makeField(emailField);
  assert.equal(emailField.fromDriver(f, emailField.toDriver(f, 'a@b.co')), 'a@b.co');
  assert.equal(emailField.fromDriver(f, null), '');
  assert.equal(emailField.columnKind(f), 'text');
});
