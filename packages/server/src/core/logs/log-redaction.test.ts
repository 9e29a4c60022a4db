import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, redactUrl, redactValue } from './log-redaction.ts';

describe('log redaction', () => {
  it('keeps the codes of validation errors and hides every other code', () => {
    const envelope = { status: 400, message: 'Failed to create record.', data: { title: { code: 'validation_required', message: 'Cannot be blank.' } } };
    assert.deepEqual(redactValue(envelope), envelope);
    assert.deepEqual(redactValue({ provider: 'oidc', code: 'abc123', codeChallenge: 'c', codeVerifier: 'v' }), { provider: 'oidc', code: REDACTED, codeChallenge: 'c', codeVerifier: REDACTED });
    assert.deepEqual(redactValue({ code: 'validation_x; secret=1' }), { code: REDACTED });
  });

  it('hides secrets at any depth and under any key spelling', () => {
    const out = redactValue({ a: { Password: 'p', newPasswordConfirm: 'q', nested: [{ clientSecret: 's', apiKey: 'k' }] }, title: 'kept' });
    assert.deepEqual(out, { a: { Password: REDACTED, newPasswordConfirm: REDACTED, nested: [{ clientSecret: REDACTED, apiKey: REDACTED }] }, title: 'kept' });
  });

  it('hides secret query parameters, including a whole-key code', () => {
    assert.equal(redactUrl('/api/oauth2-redirect?code=xyz&state=s1'), `/api/oauth2-redirect?code=${REDACTED}&state=s1`);
    assert.equal(redactUrl('/api/x?zipcode=123'), '/api/x?zipcode=123');
  });
});
