/**
 * End-to-end smoke test of the Settings page: it sends only what changed, shows 400 validation
 * messages under their fields, and edits the rate-limit rules table.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import PocketBase from 'pocketbase';
import type { Browser, Page } from 'playwright-core';
import { buildDashboard, createFirstSuperuser, describeEachEngine, openSignedInPage, fitsScreen, screenshot, startServer, type Engine, type ProblemLog, type RunningServer } from './e2e-helpers.ts';

const EMAIL = 'settings-admin@example.com';
const PASSWORD = 'settings admin password';


await describeEachEngine('settings', settingsSession);

/** The settings page of a fresh server on `engine`. */
function settingsSession(engine: Engine) {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let problems: ProblemLog;
  let pb: PocketBase;

  before(async () => {
    await buildDashboard();
    server = await startServer(engine);
    pb = await createFirstSuperuser(server, EMAIL, PASSWORD);
    ({ browser, page, problems } = await openSignedInPage(server, EMAIL, PASSWORD));
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
  });

  /** Clicks Save and returns the PATCH body once the server has answered it. */
  async function save(): Promise<unknown> {
    const answered = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith('/api/settings'));
    await page.getByRole('button', { name: 'Save changes' }).click();
    const response = await answered;
    assert.equal(response.status(), 200, await response.text());
    return response.request().postDataJSON();
  }

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('saves only the changed keys', async () => {
    const saveButton = page.getByRole('button', { name: 'Save changes' });
    assert.equal(await saveButton.isDisabled(), true, 'nothing to save yet');
    await page.getByLabel('Application name').fill('Acme Notes');
    await page.getByLabel('Keep logs for (days)').fill('9');
    assert.deepEqual(await save(), { meta: { appName: 'Acme Notes' }, logs: { maxDays: 9 } });
    await page.getByText('Settings saved.').waitFor();
    const stored = await pb.settings.getAll();
    assert.equal(stored.meta.appName, 'Acme Notes');
    assert.equal(stored.logs.maxDays, 9);
    assert.equal(await saveButton.isDisabled(), true);
    assert.deepEqual(problems.take(), []);
  });

  it('shows validation errors under their fields and keeps the draft', async () => {
    await page.getByLabel('Application URL').fill('not a url');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const field = page.locator('.field').filter({ has: page.getByLabel('Application URL') });
    await field.getByRole('alert').filter({ hasText: 'Must be a valid URL.' }).waitFor();
    assert.equal(await page.getByLabel('Application URL').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Application URL').inputValue(), 'not a url');
    assert.equal((await pb.settings.getAll()).meta.appURL, 'http://localhost:8090');
    await page.getByRole('button', { name: 'Discard' }).click();
    assert.equal(await page.getByLabel('Application URL').inputValue(), 'http://localhost:8090');
    assert.equal(await page.getByLabel('Application URL').getAttribute('aria-invalid'), null);
    assert.deepEqual(problems.take(), []);
  });

  it('adds and removes rate-limit rules, with per-row errors', async () => {
    const before = (await pb.settings.getAll()).rateLimits.rules.length;
    await page.getByRole('button', { name: '+ Add rule' }).click();
    const n = before + 1;
    await page.getByLabel(`Rule ${n} label`).fill('not a label!');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.settings-rules').getByRole('alert').filter({ hasText: 'Invalid rate limit label.' }).waitFor();
    await page.getByLabel(`Rule ${n} label`).fill('posts:list');
    await page.getByLabel(`Rule ${n} audience`).selectOption('@guest');
    await page.getByRole('button', { name: 'Remove rule 1' }).click();
    await page.getByLabel('Enable rate limiting').check();
    assert.deepEqual(Object.keys((await save()) as object), ['rateLimits']);
    const rules = (await pb.settings.getAll()).rateLimits;
    assert.equal(rules.enabled, true);
    assert.equal(rules.rules.length, before);
    assert.deepEqual(rules.rules.at(-1), { label: 'posts:list', audience: '@guest', duration: 10, maxRequests: 100 });
    await screenshot(page, 'settings');
    assert.deepEqual(problems.take(), []);
  });

  it('never shows a stored SMTP password and keeps it when left empty', async () => {
    await pb.settings.update({ smtp: { enabled: true, host: 'smtp.example.com', port: 587, password: 'stored-secret' } });
    await page.reload();
    await page.getByLabel('SMTP host').waitFor();
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
    await page.getByLabel('Username').fill('mailer');
    assert.deepEqual(await save(), { smtp: { username: 'mailer' } });
    assert.deepEqual(problems.take(), []);
  });

  it('sends a test email request and shows the server\'s answer inline', async () => {
    const test = page.getByRole('group', { name: 'Send a test email' });
    await test.getByLabel('To').fill('not-an-email');
    await test.getByLabel('Template', { exact: true }).selectOption('password-reset');
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/settings/test/email'));
    await test.getByRole('button', { name: 'Send test email' }).click();
    assert.deepEqual((await sent).postDataJSON(), { email: 'not-an-email', template: 'password-reset', collection: '_superusers' });
    await test.getByRole('alert').filter({ hasText: /email: / }).waitFor();
    assert.deepEqual(problems.take(), []);
  });

  it('fits a phone screen in the dark theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().right <= 0);
    assert.equal(await page.evaluate(fitsScreen), true);
    await page.getByRole('heading', { name: 'Rate limits' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-phone-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(problems.take(), []);
  });
}
