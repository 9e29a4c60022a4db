/**
 * End-to-end smoke test of the Settings page: it sends only what changed, shows 400 validation
 * messages under their fields, and edits the rate-limit rules table.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { describeEachEngine, fitsScreen, screenshot, signedInSession, type Engine } from './e2e-helpers.ts';

const EMAIL = 'settings-admin@example.com';
const PASSWORD = 'settings admin password';


await describeEachEngine('settings', settingsSession);

/** The settings page of a fresh server on `engine`. */
function settingsSession(engine: Engine) {
  const s = signedInSession(engine, EMAIL, PASSWORD);

  before(async () => {
    await s.page.getByRole('link', { name: 'Settings' }).click();
    await s.page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
  });

  /** Clicks Save and returns the PATCH body once the server has answered it. */
  async function save(): Promise<unknown> {
    const answered = s.page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith('/api/settings'));
    await s.page.getByRole('button', { name: 'Save changes' }).click();
    const response = await answered;
    assert.equal(response.status(), 200, await response.text());
    return response.request().postDataJSON();
  }

  it('saves only the changed keys', async () => {
    const saveButton = s.page.getByRole('button', { name: 'Save changes' });
    assert.equal(await saveButton.isDisabled(), true, 'nothing to save yet');
    await s.page.getByLabel('Application name').fill('Acme Notes');
    await s.page.getByLabel('Keep logs for (days)').fill('9');
    assert.deepEqual(await save(), { meta: { appName: 'Acme Notes' }, logs: { maxDays: 9 } });
    await s.page.getByText('Settings saved.').waitFor();
    const stored = await s.pb.settings.getAll();
    assert.equal(stored.meta.appName, 'Acme Notes');
    assert.equal(stored.logs.maxDays, 9);
    assert.equal(await saveButton.isDisabled(), true);
    assert.deepEqual(s.problems.take(), []);
  });

  it('shows validation errors under their fields and keeps the draft', async () => {
    await s.page.getByLabel('Application URL').fill('not a url');
    await s.page.getByRole('button', { name: 'Save changes' }).click();
    const field = s.page.locator('.field').filter({ has: s.page.getByLabel('Application URL') });
    await field.getByRole('alert').filter({ hasText: 'Must be a valid URL.' }).waitFor();
    assert.equal(await s.page.getByLabel('Application URL').getAttribute('aria-invalid'), 'true');
    assert.equal(await s.page.getByLabel('Application URL').inputValue(), 'not a url');
    assert.equal((await s.pb.settings.getAll()).meta.appURL, 'http://localhost:8090');
    await s.page.getByRole('button', { name: 'Discard' }).click();
    assert.equal(await s.page.getByLabel('Application URL').inputValue(), 'http://localhost:8090');
    assert.equal(await s.page.getByLabel('Application URL').getAttribute('aria-invalid'), null);
    assert.deepEqual(s.problems.take(), []);
  });

  it('adds and removes rate-limit rules, with per-row errors', async () => {
    const before = (await s.pb.settings.getAll()).rateLimits.rules.length;
    await s.page.getByRole('button', { name: '+ Add rule' }).click();
    const n = before + 1;
    await s.page.getByLabel(`Rule ${n} label`).fill('not a label!');
    await s.page.getByRole('button', { name: 'Save changes' }).click();
    await s.page.locator('.settings-rules').getByRole('alert').filter({ hasText: 'Invalid rate limit label.' }).waitFor();
    await s.page.getByLabel(`Rule ${n} label`).fill('posts:list');
    await s.page.getByLabel(`Rule ${n} audience`).selectOption('@guest');
    await s.page.getByRole('button', { name: 'Remove rule 1' }).click();
    await s.page.getByLabel('Enable rate limiting').check();
    assert.deepEqual(Object.keys((await save()) as object), ['rateLimits']);
    const rules = (await s.pb.settings.getAll()).rateLimits;
    assert.equal(rules.enabled, true);
    assert.equal(rules.rules.length, before);
    assert.deepEqual(rules.rules.at(-1), { label: 'posts:list', audience: '@guest', duration: 10, maxRequests: 100 });
    await screenshot(s.page, 'settings');
    assert.deepEqual(s.problems.take(), []);
  });

  it('never shows a stored SMTP password and keeps it when left empty', async () => {
    await s.pb.settings.update({ smtp: { enabled: true, host: 'smtp.example.com', port: 587, password: 'stored-secret' } });
    await s.page.reload();
    await s.page.getByLabel('SMTP host').waitFor();
    assert.equal(await s.page.getByLabel('Password', { exact: true }).inputValue(), '');
    await s.page.getByLabel('Username').fill('mailer');
    assert.deepEqual(await save(), { smtp: { username: 'mailer' } });
    assert.deepEqual(s.problems.take(), []);
  });

  it('sends a test email request and shows the server\'s answer inline', async () => {
    const test = s.page.getByRole('group', { name: 'Send a test email' });
    await test.getByLabel('To').fill('not-an-email');
    await test.getByLabel('Template', { exact: true }).selectOption('password-reset');
    const sent = s.page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/settings/test/email'));
    await test.getByRole('button', { name: 'Send test email' }).click();
    assert.deepEqual((await sent).postDataJSON(), { email: 'not-an-email', template: 'password-reset', collection: '_superusers' });
    await test.getByRole('alert').filter({ hasText: /email: / }).waitFor();
    assert.deepEqual(s.problems.take(), []);
  });

  it('fits a phone screen in the dark theme', async () => {
    await s.page.emulateMedia({ colorScheme: 'dark' });
    await s.page.setViewportSize({ width: 390, height: 844 });
    await s.page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().right <= 0);
    assert.equal(await s.page.evaluate(fitsScreen), true);
    await s.page.getByRole('heading', { name: 'Rate limits' }).scrollIntoViewIfNeeded();
    await screenshot(s.page, 'settings-phone-dark');
    await s.page.emulateMedia({ colorScheme: 'light' });
    await s.page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(s.problems.take(), []);
  });
}
