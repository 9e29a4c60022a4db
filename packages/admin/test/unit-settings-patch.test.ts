import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settingsPatch } from '../src/pages/settings/settings-patch.ts';

const original = {
  meta: { appName: 'Acme', appURL: 'http://localhost:8090', hideControls: false },
  smtp: { enabled: false, host: 'smtp.example.com', port: 587 },
  s3: { enabled: false, bucket: '' },
  rateLimits: { enabled: false, rules: [{ label: '/api/', audience: '', duration: 10, maxRequests: 300 }] },
  superuserIPs: [],
};

describe('settingsPatch', () => {
  it('is undefined when nothing changed', () => {
    assert.equal(settingsPatch(original, structuredClone(original)), undefined);
  });
  it('keeps only changed leaves, nested like the settings', () => {
    const draft = structuredClone(original);
    draft.meta.appName = 'Basalt';
    draft.smtp.port = 2525;
    assert.deepEqual(settingsPatch(original, draft), { meta: { appName: 'Basalt' }, smtp: { port: 2525 } });
  });
  it('sends a changed array whole, because the server replaces arrays', () => {
    const draft = structuredClone(original);
    draft.rateLimits.rules[0].maxRequests = 100;
    draft.rateLimits.rules.push({ label: '*:auth', audience: '@guest', duration: 3, maxRequests: 2 });
    assert.deepEqual(settingsPatch(original, draft), { rateLimits: { rules: draft.rateLimits.rules } });
  });
  it('sends an emptied array', () => {
    const withIp = { ...structuredClone(original), superuserIPs: ['10.0.0.1'] };
    assert.deepEqual(settingsPatch(withIp, { ...structuredClone(withIp), superuserIPs: [] }), { superuserIPs: [] });
  });
  it('sends a write-only secret only when typed, empty meaning keep', () => {
    const draft = { ...structuredClone(original), smtp: { ...original.smtp, password: '' }, s3: { ...original.s3, secret: 'new-secret' } };
    assert.deepEqual(settingsPatch(original, draft), { s3: { secret: 'new-secret' } });
  });
});
