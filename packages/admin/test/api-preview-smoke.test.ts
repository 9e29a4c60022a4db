/**
 * End-to-end smoke test of the API preview page: the endpoints of an auth collection, examples
 * built from its fields, the rule in force, and Try it sending a real request as the superuser.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachEngine, fitsScreen, screenshot, signedInSession, type Engine } from './e2e-helpers.ts';

const EMAIL = 'api-admin@example.com';
const PASSWORD = 'api admin password';


await describeEachEngine('API preview', apiPreviewSession);

/** The API preview of a fresh server on `engine`. */
function apiPreviewSession(engine: Engine) {
  const s = signedInSession(engine, EMAIL, PASSWORD, async (pb) => {
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
  });

  it('describes the list endpoint from the collection and tries it as the superuser', async () => {
    await s.page.goto(`${s.server.url}/_/#/collections/tasks/api`);
    await s.page.getByRole('heading', { name: 'List / search records' }).waitFor();
    const nav = s.page.getByRole('navigation', { name: 'Endpoints' });
    for (const title of ['View a record', 'Create a record', 'Update a record', 'Delete a record', 'Subscribe to changes', 'Batch (transactional)']) {
      await nav.getByRole('button', { name: title }).waitFor();
    }
    assert.equal(await nav.getByRole('button', { name: 'Authenticate with password' }).count(), 0, 'a base collection has no auth endpoints');
    assert.match(await s.page.getByLabel('listRule expression').innerText(), /owner = @request\.auth\.id/);
    const response = await s.page.getByLabel('Example HTTP response').innerText();
    assert.match(response, /"collectionName": "tasks"/);
    assert.match(response, /"priority": "low"/);

    await s.page.getByRole('button', { name: /^Send as / }).click();
    const tried = s.page.getByLabel('Try it response');
    await tried.waitFor();
    const text = await tried.innerText();
    assert.match(text, /^HTTP\/1\.1 200 OK\n/);
    assert.match(text, /\ncontent-type: application\/json/i);
    assert.match(text, /"title": "First task"/);
    await screenshot(s.page, 'api-preview-list');
    assert.deepEqual(s.problems.take(), []);
  });

  it('shows a create rule locked to superusers, the body from the fields and a 400 from Try it', async () => {
    await s.page.getByRole('navigation', { name: 'Endpoints' }).getByRole('button', { name: 'Create a record' }).click();
    await s.page.getByRole('heading', { name: 'Create a record' }).waitFor();
    assert.match(await s.page.getByLabel('Access').innerText(), /Superusers only/);
    const curl = await s.page.getByLabel('curl example').innerText();
    assert.match(curl, /-H "Authorization: \$BASALT_TOKEN"/);
    assert.match(curl, /--data-raw '\{"title":"Hello world","done":true,"priority":"low","owner":"u8x2m1k9q0c3bdf"\}'/);
    await s.page.getByRole('tab', { name: 'JavaScript SDK' }).click();
    assert.match(await s.page.getByLabel('SDK example').innerText(), /pb\.collection\('tasks'\)\.create\(\{\n\s+title: "Hello world"/);
    await s.page.getByLabel('JSON body').fill('{"title": ""}');
    await s.page.getByRole('button', { name: /^Send as / }).click();
    const text = await s.page.getByLabel('Try it response').innerText();
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\n/);
    assert.match(text, /"code": "validation_required"/);
    assert.deepEqual(s.problems.take(), []);
  });

  it('lists the auth endpoints of an auth collection', async () => {
    await s.page.goto(`${s.server.url}/_/#/collections/users/api`);
    const nav = s.page.getByRole('navigation', { name: 'Endpoints' });
    for (const title of ['List auth methods', 'Authenticate with password', 'Refresh the auth token', 'Request a one-time password', 'Authenticate with OAuth2', 'Request a password reset', 'Confirm an email change']) {
      await nav.getByRole('button', { name: title }).waitFor();
    }
    await nav.getByRole('button', { name: 'List auth methods' }).click();
    await s.page.getByRole('button', { name: /^Send as / }).click();
    assert.match(await s.page.getByLabel('Try it response').innerText(), /"password": \{\n\s+"enabled": true/);
    await s.page.setViewportSize({ width: 390, height: 844 });
    // The sidebar slides off-screen at phone width; wait for it so the screenshot shows the page.
    await s.page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().right <= 0);
    assert.equal(await s.page.evaluate(fitsScreen), true);
    await s.page.getByRole('heading', { name: 'List auth methods' }).scrollIntoViewIfNeeded();
    await screenshot(s.page, 'api-preview-phone');
    await s.page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(s.problems.take(), []);
  });
}
