/**
 * End-to-end smoke test of the API preview page: the endpoints of an auth collection, examples
 * built from its fields, the rule in force, and Try it sending a real request as the superuser.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildDashboard, createFirstSuperuser, describeEachEngine, openSignedInPage, fitsScreen, screenshot, startServer, type Engine, type ProblemLog, type RunningServer } from './e2e-helpers.ts';

const EMAIL = 'api-admin@example.com';
const PASSWORD = 'api admin password';


await describeEachEngine('API preview', apiPreviewSession);

/** The API preview of a fresh server on `engine`. */
function apiPreviewSession(engine: Engine) {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let problems: ProblemLog;

  before(async () => {
    await buildDashboard();
    server = await startServer(engine);
    const pb = await createFirstSuperuser(server, EMAIL, PASSWORD);
    await pb.collections.create({
      name: 'tasks',
      type: 'base',
      listRule: 'owner = @request.auth.id',
      createRule: null,
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'done', type: 'bool' },
        { name: 'priority', type: 'select', values: ['low', 'high'], maxSelect: 1 },
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      ],
    });
    await pb.collection('tasks').create({ title: 'First task', priority: 'high' });
    ({ browser, page, problems } = await openSignedInPage(server, EMAIL, PASSWORD));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('describes the list endpoint from the collection and tries it as the superuser', async () => {
    await page.goto(`${server.url}/_/#/collections/tasks/api`);
    await page.getByRole('heading', { name: 'List / search records' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Endpoints' });
    for (const title of ['View a record', 'Create a record', 'Update a record', 'Delete a record', 'Subscribe to changes', 'Batch (transactional)']) {
      await nav.getByRole('button', { name: title }).waitFor();
    }
    assert.equal(await nav.getByRole('button', { name: 'Authenticate with password' }).count(), 0, 'a base collection has no auth endpoints');
    assert.match(await page.getByLabel('listRule expression').innerText(), /owner = @request\.auth\.id/);
    const response = await page.getByLabel('Example HTTP response').innerText();
    assert.match(response, /"collectionName": "tasks"/);
    assert.match(response, /"priority": "low"/);

    await page.getByRole('button', { name: /^Send as / }).click();
    const tried = page.getByLabel('Try it response');
    await tried.waitFor();
    const text = await tried.innerText();
    assert.match(text, /^HTTP\/1\.1 200 OK\n/);
    assert.match(text, /\ncontent-type: application\/json/i);
    assert.match(text, /"title": "First task"/);
    await screenshot(page, 'api-preview-list');
    assert.deepEqual(problems.take(), []);
  });

  it('shows a create rule locked to superusers, the body from the fields and a 400 from Try it', async () => {
    await page.getByRole('navigation', { name: 'Endpoints' }).getByRole('button', { name: 'Create a record' }).click();
    await page.getByRole('heading', { name: 'Create a record' }).waitFor();
    assert.match(await page.getByLabel('Access').innerText(), /Superusers only/);
    const curl = await page.getByLabel('curl example').innerText();
    assert.match(curl, /-H "Authorization: \$BASALT_TOKEN"/);
    assert.match(curl, /--data-raw '\{"title":"Hello world","done":true,"priority":"low","owner":"u8x2m1k9q0c3bdf"\}'/);
    await page.getByRole('tab', { name: 'JavaScript SDK' }).click();
    assert.match(await page.getByLabel('SDK example').innerText(), /pb\.collection\('tasks'\)\.create\(\{\n\s+title: "Hello world"/);
    await page.getByLabel('JSON body').fill('{"title": ""}');
    await page.getByRole('button', { name: /^Send as / }).click();
    const text = await page.getByLabel('Try it response').innerText();
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\n/);
    assert.match(text, /"code": "validation_required"/);
    assert.deepEqual(problems.take(), []);
  });

  it('lists the auth endpoints of an auth collection', async () => {
    await page.goto(`${server.url}/_/#/collections/users/api`);
    const nav = page.getByRole('navigation', { name: 'Endpoints' });
    for (const title of ['List auth methods', 'Authenticate with password', 'Refresh the auth token', 'Request a one-time password', 'Authenticate with OAuth2', 'Request a password reset', 'Confirm an email change']) {
      await nav.getByRole('button', { name: title }).waitFor();
    }
    await nav.getByRole('button', { name: 'List auth methods' }).click();
    await page.getByRole('button', { name: /^Send as / }).click();
    assert.match(await page.getByLabel('Try it response').innerText(), /"password": \{\n\s+"enabled": true/);
    await page.setViewportSize({ width: 390, height: 844 });
    // The sidebar slides off-screen at phone width; wait for it so the screenshot shows the page.
    await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().right <= 0);
    assert.equal(await page.evaluate(fitsScreen), true);
    await page.getByRole('heading', { name: 'List auth methods' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'api-preview-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(problems.take(), []);
  });
}
