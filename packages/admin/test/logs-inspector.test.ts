/**
 * End-to-end: a request that fails (a guest's create with a blank required field) shows up in the
 * Logs page, and the inspector shows it as HTTP on the wire and as a curl command that replays it
 * without any token. Real server, real build, headless Chromium (harness: e2e-helpers.ts).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import PocketBase from 'pocketbase';
import type { Browser, Page } from 'playwright-core';
import { buildDashboard, createFirstSuperuser, describeEachEngine, fitsScreen, launchBrowser, screenshot, startServer, watchProblems, type Engine, type ProblemLog, type RunningServer } from './e2e-helpers.ts';

const EMAIL = 'logs-admin@example.com';
const PASSWORD = 'logs admin password';


await describeEachEngine('logs inspector', logsSession);

/** One superuser looking for a failed request, against a fresh server on `engine`. */
function logsSession(engine: Engine) {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let problems: ProblemLog;
  let pb: PocketBase;
  /** The failed create's log entry, found through the SDK. */
  let failedId = '';

  before(async () => {
    await buildDashboard();
    server = await startServer(engine);
    pb = await createFirstSuperuser(server, EMAIL, PASSWORD);
    await pb.collections.create({
      name: 'notes',
      type: 'base',
      createRule: '',
      listRule: '',
      fields: [{ name: 'title', type: 'text', required: true }],
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    problems = watchProblems(page);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows a failed create in the list and in the inspector as HTTP and curl', async () => {
    // The failing request, as any client would send it: a guest create with a blank title.
    const failed = await fetch(`${server.url}/api/collections/notes/records?fields=id,title`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'logs-e2e/1' },
      body: JSON.stringify({ title: '', password: 'not-a-field-but-a-secret' }),
    });
    assert.equal(failed.status, 400);
    // Log writes are buffered by the server; wait until this one is stored before looking.
    let entry: { id: string } | undefined;
    while (!entry) {
      const list = await pb.logs.getList(1, 1, { filter: 'data.url ~ "/api/collections/notes/records" && data.status = 400' });
      entry = list.items[0];
      if (!entry) await new Promise((r) => setTimeout(r, 100));
    }
    failedId = entry.id;

    await page.goto(`${server.url}/_/`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('heading', { name: 'Logs', exact: true }).waitFor();

    // The guest's request is listed with the superuser requests hidden and errors only on.
    await page.getByLabel('Errors only').check();
    assert.equal(await page.getByLabel('Hide superuser requests').isChecked(), true);
    const row = page.locator('button.log-request').filter({ hasText: '/api/collections/notes/records' });
    await row.first().waitFor();
    assert.equal(await page.getByRole('img', { name: /Requests per hour: \d+ in total, \d+ errors/ }).count(), 1);

    // The filter language works in the search bar, and a bad filter is reported inline.
    await page.getByLabel('Filter').fill('data.status >= ');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#logs-error').waitFor();
    await page.getByLabel('Filter').fill('data.status = 400 && data.method = "POST"');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#logs-error').waitFor({ state: 'detached' });
    await row.first().waitFor();

    await row.first().click();
    const inspector = page.getByRole('dialog');
    await inspector.getByRole('heading', { name: 'Request', exact: true }).waitFor();
    const wire = await inspector.getByLabel('Request as HTTP').innerText();
    assert.match(wire, /^POST \/api\/collections\/notes\/records\?fields=id,title HTTP\/1\.1\n/);
    assert.match(wire, /\nContent-Type: application\/json\n/);
    assert.match(wire, /\nUser-Agent: logs-e2e\/1\n/);
    assert.match(wire, /"password": "\[REDACTED\]"/);
    assert.doesNotMatch(wire, /not-a-field-but-a-secret/);
    const response = await inspector.getByLabel('Response as HTTP').innerText();
    assert.match(response, /^HTTP\/1\.1 400 Bad Request\n/);
    assert.match(response, /"title": \{\n\s+"code": "[^"]+",\n\s+"message": "Cannot be blank\."/);
    const curl = await inspector.getByLabel('curl command').innerText();
    assert.match(curl, new RegExp(`^curl '${server.url}/api/collections/notes/records\\?fields=id,title'`));
    assert.match(curl, /--data-raw '\{"title":"","password":"\[REDACTED\]"\}'/);
    assert.doesNotMatch(curl, /Authorization/, 'a guest request replays without a token');
    assert.match(await inspector.innerText(), /were secrets and are not in the log/);

    await screenshot(page, 'logs-inspector-failed-create');
    assert.deepEqual(problems.take(), []);
  });

  it('replays a superuser request with the token variable, never the token', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByLabel('Hide superuser requests').uncheck();
    await page.getByLabel('Errors only').uncheck();
    // The collection this suite created through the SDK as a superuser.
    await page.getByLabel('Filter').fill('data.auth = "_superusers" && data.method = "POST" && data.url = "/api/collections"');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('button.log-request[title="POST /api/collections"]').first().click();
    const inspector = page.getByRole('dialog');
    const curl = await inspector.getByLabel('curl command').innerText();
    assert.match(curl, /-H "Authorization: \$BASALT_TOKEN"/);
    assert.doesNotMatch(curl, /eyJ/);
    assert.doesNotMatch(await inspector.innerText(), new RegExp(pb.authStore.token.slice(-20)));
    await page.keyboard.press('Escape');

    // The screenshot for the docs: the list with its chart, everything shown.
    await page.getByLabel('Filter').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('button.log-request').first().waitFor();
    await screenshot(page, 'logs-list');
    await page.locator('button.log-request').filter({ hasText: '/api/collections/notes/records' }).first().click();
    await page.getByRole('dialog').getByLabel('curl command').waitFor();
    // docs/images/dashboard-logs.png is a copy of this one, refreshed by hand when the page changes;
    // tall enough to show the request, the response and the curl command at once.
    await page.setViewportSize({ width: 1280, height: 1320 });
    await screenshot(page, 'logs-inspector');
    await page.setViewportSize({ width: 1280, height: 860 });
    assert.deepEqual(problems.take(), []);
  });

  it('opens an entry from a link, and Back closes it', async () => {
    await page.goto(`${server.url}/_/#/logs`);
    await page.goto(`${server.url}/_/#/logs/${failedId}`);
    const inspector = page.getByRole('dialog');
    assert.match(await inspector.getByLabel('Request as HTTP').innerText(), /^POST \/api\/collections\/notes\/records/);
    await page.goBack();
    await inspector.waitFor({ state: 'detached' });
    assert.match(page.url(), /#\/logs$/);
    await page.goto(`${server.url}/_/#/logs/nosuchlogentry1`);
    await page.getByRole('alert').filter({ hasText: 'Log entry nosuchlogentry1:' }).waitFor();
    assert.equal(await inspector.count(), 0);
    assert.deepEqual(problems.take(), []);
  });

  it('fits a phone screen in the dark theme', async () => {
    await page.goto(`${server.url}/_/#/logs`);
    await page.locator('button.log-request').first().waitFor();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().right <= 0);
    // Nothing wider than the screen: the table scrolls inside its own box.
    assert.equal(await page.evaluate(fitsScreen), true);
    await screenshot(page, 'logs-phone-dark');
    await page.locator('button.log-request').first().click();
    await page.getByRole('dialog').getByLabel('curl command').waitFor();
    assert.equal(await page.evaluate(fitsScreen), true);
    await screenshot(page, 'logs-inspector-phone-dark');
    await page.keyboard.press('Escape');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 860 });
    assert.deepEqual(problems.take(), []);
  });
}
