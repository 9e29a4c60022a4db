/**
 * End-to-end smoke test of the Settings page: it sends only what changed, shows 400 validation
 * messages under their fields, and edits the rate-limit rules table.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import PocketBase from 'pocketbase';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, skipReason, startServer, watchProblems, type ProblemLog, type RunningServer } from './e2e-helpers.ts';

const EMAIL = 'settings-admin@example.com';
const PASSWORD = 'settings admin password';

/**
 * Builds the dashboard into a folder of this file's own and has the server serve it
 * (BASALT_ADMIN_DIR): test files run in parallel, and rebuilding the shared dist/ would pull
 * assets from under another file's server.
 */
async function buildOwnDashboard(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'basalt-admin-build-'));
  const adminDir = resolve(import.meta.dirname, '..');
  await promisify(execFile)(process.execPath, [resolve(adminDir, '../../node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', out, '--emptyOutDir'], { cwd: adminDir });
  process.env.BASALT_ADMIN_DIR = out;
  return out;
}

/** Nothing wider than the screen, neither the document nor the scrolling main area (wide tables scroll in their own box). */
const fitsScreen = () => {
  const main = document.querySelector('main.content')!;
  return document.documentElement.scrollWidth <= window.innerWidth && main.scrollWidth <= main.clientWidth;
};

const skip = skipReason();
if (skip) console.log(`# skipping the settings e2e test: ${skip}`);

describe('settings', { skip, timeout: 180_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let problems: ProblemLog;
  let build = '';
  let pb: PocketBase;

  before(async () => {
    build = await buildOwnDashboard();
    server = await startServer();
    const [, token] = await server.waitFor(/\/_\/#\/setup\/(\S+)/);
    const created = await fetch(`${server.url}/api/collections/_superusers/records`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: token },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD, passwordConfirm: PASSWORD }),
    });
    assert.equal(created.status, 200, await created.text());
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(EMAIL, PASSWORD);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    problems = watchProblems(page);
    await page.goto(`${server.url}/_/`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (build) await rm(build, { recursive: true, force: true });
  });

  it('saves only the changed keys', async () => {
    const save = page.getByRole('button', { name: 'Save changes' });
    assert.equal(await save.isDisabled(), true, 'nothing to save yet');
    await page.getByLabel('Application name').fill('Acme Notes');
    await page.getByLabel('Keep logs for (days)').fill('9');
    const patch = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith('/api/settings'));
    await save.click();
    assert.deepEqual((await patch).postDataJSON(), { meta: { appName: 'Acme Notes' }, logs: { maxDays: 9 } });
    await page.getByText('Settings saved.').waitFor();
    const stored = await pb.settings.getAll();
    assert.equal(stored.meta.appName, 'Acme Notes');
    assert.equal(stored.logs.maxDays, 9);
    assert.equal(await save.isDisabled(), true);
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
    const patch = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith('/api/settings'));
    await page.getByRole('button', { name: 'Save changes' }).click();
    const body = (await patch).postDataJSON();
    assert.deepEqual(Object.keys(body), ['rateLimits']);
    await page.getByText('Settings saved.').first().waitFor();
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
    const patch = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith('/api/settings'));
    await page.getByRole('button', { name: 'Save changes' }).click();
    assert.deepEqual((await patch).postDataJSON(), { smtp: { username: 'mailer' } });
    await page.getByText('Settings saved.').first().waitFor();
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
});
