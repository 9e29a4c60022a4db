import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSingleTenant } from './providers.ts';

describe('Microsoft tenant pinning (nOAuth)', () => {
  it('trusts Graph mail only when sign-in is limited to one tenant', () => {
    assert.equal(isSingleTenant('https://login.microsoftonline.com/common/oauth2/v2.0/authorize'), false);
    assert.equal(isSingleTenant('https://login.microsoftonline.com/Organizations/oauth2/v2.0/authorize'), false);
    assert.equal(isSingleTenant('https://login.microsoftonline.com/consumers/oauth2/v2.0/authorize'), false);
    assert.equal(isSingleTenant('https://login.microsoftonline.com/0f3c0a55-7d2e-4a6b-9d7e-3b1c2f4e5a6b/oauth2/v2.0/authorize'), true);
    assert.equal(isSingleTenant('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize'), true);
    assert.equal(isSingleTenant('not a url'), false);
  });
});
