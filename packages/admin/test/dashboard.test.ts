/**
 * End-to-end: the built dashboard served by a real `basalt serve`, driven in headless Chromium.
 * The steps share one server and one browser page and run in order, like a user's first session:
 * first-run setup, sign in, create a collection, add and edit records, inspect a failed request.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import PocketBase from 'pocketbase';
import { buildDashboard, describeEachEngine, launchBrowser, screenshot, startServer, watchProblems, type Engine, type ProblemLog, type RunningServer } from './e2e-helpers.ts';

const EMAIL = 'admin@example.com';
const PASSWORD = 'correct horse battery';
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

await describeEachEngine('dashboard', dashboardSession, 240_000);

/** One user's first session against a fresh server on `engine`. */
function dashboardSession(engine: Engine) {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let problems: ProblemLog;

  before(async () => {
    await buildDashboard();
    server = await startServer(engine);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    problems = watchProblems(page);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Fails the current step on any console or page error it caused. */
  function assertNoProblems() {
    assert.deepEqual(problems.take(), []);
  }

  it('creates the first superuser from the setup link the server prints', async () => {
    const [link] = await server.waitFor(/http:\/\/\S+\/_\/#\/setup\/\S+/);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Create the first superuser' }).waitFor();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(`${PASSWORD}!`);
    await page.getByRole('button', { name: 'Create superuser and sign in' }).click();
    await page.getByText('The passwords do not match.').waitFor();
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create superuser and sign in' }).click();
    await page.getByRole('heading', { name: 'Collections', exact: true, level: 1 }).waitFor();
    assert.match(await page.locator('.sidebar-foot').innerText(), new RegExp(EMAIL));
    await screenshot(page, `${engine}-setup-done`);
    assertNoProblems();
  });

  it('signs out and signs in again, showing a wrong password as an error', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Failed to authenticate.' }).waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Collections', exact: true, level: 1 }).waitFor();
    // The session survives a reload (the SDK keeps the token in localStorage).
    await page.reload();
    await page.getByRole('heading', { name: 'Collections', exact: true, level: 1 }).waitFor();
    await screenshot(page, `${engine}-signed-in`);
    assertNoProblems();
  });

  it('creates a collection with several field types and checks a rule against the server', async () => {
    await page.getByRole('button', { name: 'New collection' }).click();
    await page.getByRole('button', { name: 'Base collection' }).click();
    const editor = page.getByRole('dialog');
    await editor.getByLabel('Name', { exact: true }).fill('posts');
    const addField = async (type: string, name: string) => {
      await editor.getByLabel('New field type').selectOption({ label: type });
      await editor.getByRole('button', { name: 'Add field' }).click();
      await editor.locator('.field-card').last().getByPlaceholder('field_name').fill(name);
    };
    await addField('Plain text', 'title');
    await editor.locator('[data-field="title"]').getByLabel('Required').check();
    await addField('Number', 'views');
    await addField('Bool', 'published');
    await addField('Select', 'tags');
    const tags = editor.locator('[data-field="tags"]');
    await tags.getByLabel('Choices').fill('news, tech, life');
    await tags.getByLabel('Max select').fill('3');
    await addField('JSON', 'meta');
    await addField('Datetime', 'when');
    await addField('Autodate', 'created');

    await editor.getByRole('tab', { name: 'API rules' }).click();
    const listRule = editor.getByRole('group', { name: 'listRule' });
    await listRule.getByLabel('Superusers only').uncheck();
    await listRule.getByLabel('listRule expression').fill('title = ');
    // The server's parser reports the position of the problem.
    await listRule.getByText(/Invalid rule\. Raw error: Invalid filter: .*at position 8/).waitFor();
    await listRule.getByLabel('listRule expression').fill('nope = 1');
    await listRule.getByText(/nope/).filter({ hasText: 'Invalid rule' }).waitFor();
    await listRule.getByLabel('listRule expression').fill('title != "" && published = true');
    await listRule.getByText('valid', { exact: true }).waitFor();
    await screenshot(page, `${engine}-collection-rules`);

    await editor.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'posts' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'posts' }).getAttribute('aria-current'), 'page');
    assertNoProblems();
  });

  it('adds a record, shows validation errors next to fields, edits it and filters the table', async () => {
    await page.getByRole('button', { name: 'New record' }).click();
    let form = page.getByRole('dialog');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.locator('[data-field="title"]').getByText('Cannot be blank.').waitFor();

    await form.locator('[data-field="title"]').getByRole('textbox').fill('Hello Basalt');
    await form.locator('[data-field="views"]').getByRole('spinbutton').fill('42');
    await form.locator('[data-field="published"]').getByRole('checkbox').check();
    await form.locator('[data-field="tags"]').getByLabel('news').check();
    await form.locator('[data-field="tags"]').getByLabel('tech').check();
    const meta = form.locator('[data-field="meta"]').getByRole('textbox');
    await meta.fill('{"a": ');
    await form.getByText(/Invalid JSON/).waitFor();
    await meta.fill('{"a": 1}');
    await form.locator('[data-field="when"] input').fill('2024-05-06T07:08:09');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.waitFor({ state: 'detached' });

    const row = page.getByRole('row').filter({ hasText: 'Hello Basalt' });
    await row.waitFor();
    assert.match(await row.innerText(), /42/);
    assert.match(await row.innerText(), /news/);

    await row.getByText('Hello Basalt').click();
    form = page.getByRole('dialog');
    const title = form.locator('[data-field="title"]').getByRole('textbox');
    assert.equal(await title.inputValue(), 'Hello Basalt');
    assert.equal(await form.locator('[data-field="meta"]').getByRole('textbox').inputValue(), '{\n  "a": 1\n}');
    await title.fill('Hello again');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'Hello again' }).waitFor();

    const filter = page.getByLabel('Filter');
    await filter.fill('title ~ ');
    await filter.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Invalid filter' }).waitFor();
    await filter.fill('title ~ "again"');
    await filter.press('Enter');
    await page.getByRole('row').filter({ hasText: 'Hello again' }).waitFor();
    await filter.fill('title ~ "absent"');
    await filter.press('Enter');
    await page.getByText('No records match the filter.').waitFor();
    await filter.fill('');
    await filter.press('Enter');
    await page.getByRole('row').filter({ hasText: 'Hello again' }).waitFor();
    await screenshot(page, `${engine}-records`);
    assertNoProblems();
  });

  it('creates a user and links it to a post through the relation picker', async () => {
    await page.getByRole('link', { name: 'users auth', exact: true }).click();
    await page.getByRole('heading', { name: 'users', exact: true }).waitFor();
    await page.getByRole('button', { name: 'New record' }).click();
    let form = page.getByRole('dialog', { name: 'New users record' });
    await form.locator('[data-field="email"] input').fill('ada@example.com');
    const passwords = form.locator('[data-field="password"] input[type="password"]');
    await passwords.nth(0).fill('analytical engine');
    await passwords.nth(1).fill('different');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByText(/match/i).first().waitFor();
    await passwords.nth(1).fill('analytical engine');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'ada@example.com' }).waitFor();

    await page.getByRole('link', { name: 'posts' }).click();
    await page.getByRole('button', { name: 'Edit collection' }).click();
    const editor = page.getByRole('dialog', { name: 'Edit posts' });
    await editor.getByLabel('New field type').selectOption({ label: 'Relation' });
    await editor.getByRole('button', { name: 'Add field' }).click();
    const card = editor.locator('.field-card').last();
    await card.getByPlaceholder('field_name').fill('author');
    await card.getByLabel('Related collection').selectOption({ label: 'users' });
    await screenshot(page, `${engine}-collection-fields`);
    await editor.getByRole('button', { name: 'Save changes' }).click();
    await editor.waitFor({ state: 'detached' });

    await page.getByRole('row').filter({ hasText: 'Hello again' }).getByRole('button').first().click();
    form = page.getByRole('dialog', { name: /^posts · / });
    await form.locator('[data-field="author"]').getByRole('button', { name: 'Choose…' }).click();
    const picker = page.getByRole('dialog', { name: 'Choose from users' });
    await picker.getByLabel('Search').fill('ada');
    await picker.getByLabel(/ada@example\.com/).check();
    await picker.getByRole('button', { name: 'Select (1)' }).click();
    await picker.waitFor({ state: 'detached' });
    await form.locator('[data-field="author"]').getByText('ada@example.com').waitFor();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });

    await page.getByRole('row').filter({ hasText: 'Hello again' }).getByRole('button').first().click();
    form = page.getByRole('dialog', { name: /^posts · / });
    await form.locator('[data-field="author"]').getByText('ada@example.com').waitFor();
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    assertNoProblems();
  });

  it('uploads a file with a preview, shows it as a chosen column and removes it', async () => {
    await page.getByRole('button', { name: 'Edit collection' }).click();
    const editor = page.getByRole('dialog', { name: 'Edit posts' });
    await editor.getByLabel('New field type').selectOption({ label: 'File' });
    await editor.getByRole('button', { name: 'Add field' }).click();
    await editor.locator('.field-card').last().getByPlaceholder('field_name').fill('cover');
    await editor.getByRole('button', { name: 'Save changes' }).click();
    await editor.waitFor({ state: 'detached' });

    // Columns beyond the first seven are opt-in, and the choice survives a reload.
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('group', { name: 'Visible columns' }).getByLabel('cover').check();
    await page.keyboard.press('Escape');
    await page.reload();
    await page.getByRole('columnheader', { name: 'cover' }).waitFor();

    await page.getByRole('row').filter({ hasText: 'Hello again' }).getByRole('button').first().click();
    let form = page.getByRole('dialog', { name: /^posts · / });
    await form.locator('[data-field="cover"] input[type="file"]').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from(PNG_1X1, 'base64') });
    await form.locator('[data-field="cover"] .file-item img').waitFor();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    const thumb = page.getByRole('row').filter({ hasText: 'Hello again' }).locator('img.thumb');
    await thumb.waitFor();
    await page.waitForFunction((img) => (img as HTMLImageElement).complete, await thumb.elementHandle());
    assert.ok(await thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth > 0), 'the thumbnail loads');
    await screenshot(page, `${engine}-file-thumbnail`);

    await page.getByRole('row').filter({ hasText: 'Hello again' }).getByRole('button').first().click();
    form = page.getByRole('dialog', { name: /^posts · / });
    await form.locator('[data-field="cover"]').getByRole('button', { name: /^Remove dot_/ }).click();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'Hello again' }).locator('img.thumb').waitFor({ state: 'detached' });
    assertNoProblems();
  });

  it('creates view and auth collections, imports JSON, bulk-deletes records and deletes a collection', async () => {
    await page.getByRole('button', { name: '+ New' }).click();
    await page.getByRole('button', { name: 'View collection' }).click();
    let editor = page.getByRole('dialog', { name: 'New view collection' });
    await editor.getByLabel('Name', { exact: true }).fill('post_titles');
    await editor.getByLabel('SQL query').fill('SELECT id, title FROM nope');
    await editor.getByRole('button', { name: 'Create' }).click();
    await editor.getByText(/Invalid view query/).waitFor();
    await editor.getByLabel('SQL query').fill('SELECT id, title FROM posts');
    await editor.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'post_titles' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'Hello again' }).waitFor();

    await page.getByRole('button', { name: '+ New' }).click();
    await page.getByRole('button', { name: 'Auth collection' }).click();
    editor = page.getByRole('dialog', { name: 'New auth collection' });
    await editor.getByLabel('Name', { exact: true }).fill('members');
    await editor.getByRole('tab', { name: 'Auth options' }).click();
    await editor.getByRole('group', { name: 'One-time password (email)' }).getByLabel('Enabled').check();
    await editor.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'members' }).waitFor();

    await page.getByRole('link', { name: 'Import / export' }).click();
    await page.getByLabel('Collections JSON').fill(JSON.stringify([{ name: 'notes', type: 'base', fields: [{ name: 'body', type: 'text' }] }]));
    await page.getByRole('button', { name: 'Import 1 collection' }).click();
    await page.getByRole('link', { name: 'notes', exact: true }).click();
    await page.getByRole('heading', { name: 'notes' }).waitFor();

    for (const body of ['one', 'two', 'three']) {
      await page.getByRole('button', { name: 'New record' }).click();
      const form = page.getByRole('dialog', { name: 'New notes record' });
      await form.locator('[data-field="body"] input').fill(body);
      await form.getByRole('button', { name: 'Create' }).click();
      await form.waitFor({ state: 'detached' });
    }
    await page.getByText('3 records').waitFor();
    await page.getByLabel('Select all on this page').check();
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await page.getByRole('dialog', { name: 'Delete 3 records?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No records yet.').waitFor();
    await screenshot(page, `${engine}-bulk-deleted`);

    await page.getByRole('button', { name: 'Edit collection' }).click();
    editor = page.getByRole('dialog', { name: 'Edit notes' });
    await editor.getByRole('tab', { name: 'Danger zone' }).click();
    const remove = editor.getByRole('button', { name: 'Delete collection' });
    assert.equal(await remove.isDisabled(), true);
    await editor.getByLabel('Collection name').fill('notes');
    await remove.click();
    await page.getByRole('heading', { name: 'Collections', exact: true, level: 1 }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'notes', exact: true }).count(), 0);
    assertNoProblems();
  });

  it('works from the keyboard: rows open with Enter, Escape closes and returns focus', async () => {
    await page.getByRole('link', { name: 'posts', exact: true }).click();
    const open = page.getByRole('row').filter({ hasText: 'Hello again' }).getByRole('button').first();
    await open.focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('dialog');
    await form.getByRole('heading').filter({ hasText: 'posts ·' }).waitFor();
    await screenshot(page, `${engine}-keyboard-record`);
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    assert.equal(await open.evaluate((el) => el === document.activeElement), true);
    assertNoProblems();
  });

  it('keeps the chosen dark theme across reloads', async () => {
    await page.getByLabel('Theme').selectOption('dark');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.reload();
    await page.getByRole('heading', { name: 'posts' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(18, 22, 29)');
    await screenshot(page, `${engine}-records-dark`);
    await page.getByLabel('Theme').selectOption('system');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), undefined);
    assertNoProblems();
  });

  it('turns the sidebar into a drawer on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const menu = page.getByRole('button', { name: 'Menu', exact: true });
    await menu.waitFor();
    // The drawer slides away when the layout narrows; wait for it to be off-screen.
    await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().right <= 0);
    await menu.click();
    await page.locator('[aria-controls="sidebar"][aria-expanded="true"]').waitFor();
    await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().x >= 0);
    await screenshot(page, `${engine}-phone-drawer`);
    await page.keyboard.press('Escape');
    await page.locator('[aria-controls="sidebar"][aria-expanded="false"]').waitFor();
    await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().right <= 0);
    await page.setViewportSize({ width: 1280, height: 800 });
    assertNoProblems();
  });

  it('shows the failed filter request in the log inspector', async () => {
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('heading', { name: 'Logs', exact: true }).waitFor();
    await page.getByLabel('Errors only').check();
    const hideSuperusers = page.getByLabel('Hide superuser requests');
    if (await hideSuperusers.isChecked()) await hideSuperusers.uncheck();
    await page.locator('button.log-request').filter({ hasText: '/api/collections/posts/records' }).first().click();
    const inspector = page.getByRole('dialog');
    await inspector.getByRole('heading', { name: 'Request' }).waitFor();
    const text = await inspector.innerText();
    assert.match(text, /GET 400/);
    assert.match(text, /Invalid filter/);
    assert.match(text, /curl /);
    await screenshot(page, `${engine}-logs-inspector`);
    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'detached' });
    assertNoProblems();
  });

  it('asks for an emailed one-time code when MFA is on for superusers', async () => {
    const sdk = new PocketBase(server.url);
    await sdk.collection('_superusers').authWithPassword(EMAIL, PASSWORD);
    const superusers = await sdk.collections.getOne('_superusers');
    await sdk.collections.update('_superusers', { otp: { ...superusers.otp, enabled: true }, mfa: { ...superusers.mfa, enabled: true } });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('One-time code').waitFor();

    const code = await mailedCode(sdk, EMAIL);
    await page.getByLabel('One-time code').fill('00000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('One-time code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await screenshot(page, `${engine}-mfa-signed-in`);
    assertNoProblems();
  });
}

type OutboxMail = { to: Array<{ address: string }>; text: string };

/** The one-time code mailed to `to`, read from the outbox once the mail is there (it is sent after the response). */
async function mailedCode(sdk: PocketBase, to: string): Promise<string> {
  for (;;) {
    const { items } = await sdk.send<{ items: OutboxMail[] }>('/api/outbox', {});
    const code = items.filter((m) => m.to.some((t) => t.address === to)).map((m) => /\b\d{6,}\b/.exec(m.text)?.[0]).find((c) => c !== undefined);
    if (code) return code;
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}
