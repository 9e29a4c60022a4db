/**
 * End-to-end test of the SQL page on a real `basalt serve`: a read typed and run with Ctrl+Enter
 * shows its rows in a table, a write run with the button reports the rows it changed (and the
 * records API sees the change), and an engine error is shown as the server words it.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type PocketBase from 'pocketbase';
import type { Browser, Page } from 'playwright-core';
import { buildDashboard, createFirstSuperuser, describeEachEngine, openSignedInPage, screenshot, startServer, type Engine, type ProblemLog, type RunningServer } from './e2e-helpers.ts';

const EMAIL = 'sql-admin@example.com';
const PASSWORD = 'sql admin password';

await describeEachEngine('sql console', sqlSession);

function sqlSession(engine: Engine) {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let problems: ProblemLog;
  let pb: PocketBase;

  before(async () => {
    await buildDashboard();
    server = await startServer(engine);
    pb = await createFirstSuperuser(server, EMAIL, PASSWORD);
    await pb.collections.create({ name: 'notes', type: 'base', fields: [{ name: 'title', type: 'text' }] });
    for (const title of ['first', 'second']) await pb.collection('notes').create({ title });
    ({ browser, page, problems } = await openSignedInPage(server, EMAIL, PASSWORD));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('runs a read, a write and a failing statement', async () => {
    await page.getByRole('link', { name: 'SQL', exact: true }).click();
    await page.getByRole('heading', { name: 'SQL', exact: true }).waitFor();
    const query = page.getByLabel('Query');

    await query.fill('SELECT title, NULL AS nothing_here FROM notes ORDER BY title');
    await query.press('Control+Enter');
    const table = page.getByRole('table', { name: 'Query result' });
    await table.waitFor();
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(rows, [
      ['first', 'NULL'],
      ['second', 'NULL'],
    ]);
    await page.getByRole('status').filter({ hasText: '2 rows in' }).waitFor();

    await query.fill(`UPDATE notes SET title = 'renamed' WHERE title = 'first'`);
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('status').filter({ hasText: '1 row affected in' }).waitFor();
    assert.equal(await table.count(), 0);
    assert.deepEqual((await pb.collection('notes').getFullList({ sort: 'title' })).map((r) => r.title), ['renamed', 'second']);

    await query.fill('SELECT * FROM no_such_table');
    await query.press('Control+Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /^Failed to execute query\. Raw error:\s+.*no_such_table/s);
    await screenshot(page, `sql-console-${engine}`);
    assert.deepEqual(problems.take(), []);
  });
}
