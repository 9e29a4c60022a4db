/**
 * End-to-end: a request that fails (a guest's create with a blank required field) shows up in the
 * Logs page, and the inspector shows it as HTTP on the wire and as a curl command that replays it
 * without any token. Real server, real build, headless Chromium (harness: e2e-helpers.ts).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachEngine, fitsScreen, screenshot, signedInSession, type Engine } from './e2e-helpers.ts';

const EMAIL = 'logs-admin@example.com';
const PASSWORD = 'logs admin password';


await describeEachEngine('logs inspector', logsSession);

/** One superuser looking for a failed request, against a fresh server on `engine`. */
function logsSession(engine: Engine) {
  const s = signedInSession(engine, EMAIL, PASSWORD, async (pb) => {
    await pb.collections.create({
      name: 'notes',
      type: 'base',
      createRule: '',
      listRule: '',
      fields: [{ name: 'title', type: 'text', required: true }],
    });
  });
  /** The failed create's log entry, found through the SDK. */
  let failedId = '';

  it('shows a failed create in the list and in the inspector as HTTP and curl', async () => {
    // The failing request, as any client would send it: a guest create with a blank title.
    const failed = await fetch(`${s.server.url}/api/collections/notes/records?fields=id,title`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'logs-e2e/1' },
      body: JSON.stringify({ title: '', password: 'not-a-field-but-a-secret' }),
    });
    assert.equal(failed.status, 400);
    // Log writes are buffered by the server; wait until this one is stored before looking.
    let entry: { id: string } | undefined;
    while (!entry) {
      const list = await s.pb.logs.getList(1, 1, { filter: 'data.url ~ "/api/collections/notes/records" && data.status = 400' });
      entry = list.items[0];
      if (!entry) await new Promise((r) => setTimeout(r, 100));
    }
    failedId = entry.id;

    await s.page.getByRole('link', { name: 'Logs' }).click();
    await s.page.getByRole('heading', { name: 'Logs', exact: true }).waitFor();

    // The guest's request is listed with the superuser requests hidden and errors only on.
    await s.page.getByLabel('Errors only').check();
    assert.equal(await s.page.getByLabel('Hide superuser requests').isChecked(), true);
    const row = s.page.locator('button.log-request').filter({ hasText: '/api/collections/notes/records' });
    await row.first().waitFor();
    assert.equal(await s.page.getByRole('img', { name: /Requests per hour: \d+ in total, \d+ errors/ }).count(), 1);

    // The filter language works in the search bar, and a bad filter is reported inline.
    await s.page.getByLabel('Filter').fill('data.status >= ');
    await s.page.getByRole('button', { name: 'Apply' }).click();
    await s.page.locator('#logs-error').waitFor();
    await s.page.getByLabel('Filter').fill('data.status = 400 && data.method = "POST"');
    await s.page.getByRole('button', { name: 'Apply' }).click();
    await s.page.locator('#logs-error').waitFor({ state: 'detached' });
    await row.first().waitFor();

    await row.first().click();
    const inspector = s.page.getByRole('dialog');
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
    assert.match(curl, new RegExp(`^curl '${s.server.url}/api/collections/notes/records\\?fields=id,title'`));
    assert.match(curl, /--data-raw '\{"title":"","password":"\[REDACTED\]"\}'/);
    assert.doesNotMatch(curl, /Authorization/, 'a guest request replays without a token');
    assert.match(await inspector.innerText(), /were secrets and are not in the log/);

    await screenshot(s.page, 'logs-inspector-failed-create');
    assert.deepEqual(s.problems.take(), []);
  });

  it('replays a superuser request with the token variable, never the token', async () => {
    await s.page.keyboard.press('Escape');
    await s.page.getByRole('dialog').waitFor({ state: 'detached' });
    await s.page.getByLabel('Hide superuser requests').uncheck();
    await s.page.getByLabel('Errors only').uncheck();
    // The collection this suite created through the SDK as a superuser.
    await s.page.getByLabel('Filter').fill('data.auth = "_superusers" && data.method = "POST" && data.url = "/api/collections"');
    await s.page.getByRole('button', { name: 'Apply' }).click();
    await s.page.locator('button.log-request[title="POST /api/collections"]').first().click();
    const inspector = s.page.getByRole('dialog');
    const curl = await inspector.getByLabel('curl command').innerText();
    assert.match(curl, /-H "Authorization: \$BASALT_TOKEN"/);
    assert.doesNotMatch(curl, /eyJ/);
    assert.doesNotMatch(await inspector.innerText(), new RegExp(s.pb.authStore.token.slice(-20)));
    await s.page.keyboard.press('Escape');
    // Closing the inspector navigates back to #/logs; the filter changes only after that.
    await inspector.waitFor({ state: 'detached' });

    // The screenshot for the docs: the list with its chart, everything shown.
    await s.page.getByLabel('Filter').fill('');
    await s.page.getByRole('button', { name: 'Apply' }).click();
    await s.page.locator('button.log-request').first().waitFor();
    await screenshot(s.page, 'logs-list');
    await s.page.locator('button.log-request').filter({ hasText: '/api/collections/notes/records' }).first().click();
    await s.page.getByRole('dialog').getByLabel('curl command').waitFor();
    // docs/images/dashboard-logs.png is a copy of this one, refreshed by hand when the page changes;
    // tall enough to show the request, the response and the curl command at once.
    await s.page.setViewportSize({ width: 1280, height: 1320 });
    await screenshot(s.page, 'logs-inspector');
    await s.page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(s.problems.take(), []);
  });

  it('opens an entry from a link, and Back closes it', async () => {
    await s.page.goto(`${s.server.url}/_/#/logs`);
    await s.page.goto(`${s.server.url}/_/#/logs/${failedId}`);
    const inspector = s.page.getByRole('dialog');
    assert.match(await inspector.getByLabel('Request as HTTP').innerText(), /^POST \/api\/collections\/notes\/records/);
    await s.page.goBack();
    await inspector.waitFor({ state: 'detached' });
    assert.match(s.page.url(), /#\/logs$/);
    await s.page.goto(`${s.server.url}/_/#/logs/nosuchlogentry1`);
    await s.page.getByRole('alert').filter({ hasText: 'Log entry nosuchlogentry1:' }).waitFor();
    assert.equal(await inspector.count(), 0);
    assert.deepEqual(s.problems.take(), []);
  });

  it('fits a phone screen in the dark theme', async () => {
    await s.page.goto(`${s.server.url}/_/#/logs`);
    await s.page.locator('button.log-request').first().waitFor();
    await s.page.emulateMedia({ colorScheme: 'dark' });
    await s.page.setViewportSize({ width: 390, height: 844 });
    await s.page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().right <= 0);
    // Nothing wider than the screen: the table scrolls inside its own box.
    assert.equal(await s.page.evaluate(fitsScreen), true);
    await screenshot(s.page, 'logs-phone-dark');
    await s.page.locator('button.log-request').first().click();
    await s.page.getByRole('dialog').getByLabel('curl command').waitFor();
    assert.equal(await s.page.evaluate(fitsScreen), true);
    await screenshot(s.page, 'logs-inspector-phone-dark');
    await s.page.keyboard.press('Escape');
    await s.page.emulateMedia({ colorScheme: 'light' });
    await s.page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(s.problems.take(), []);
  });
}
