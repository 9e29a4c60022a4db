/**
 * End-to-end test of the SQL page on a real `basalt serve`: a read typed and run with Ctrl+Enter
 * shows its rows in a table, a write run with the button reports the rows it changed (and the
 * records API sees the change), and an engine error is shown as the server words it.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachEngine, screenshot, signedInSession, type Engine } from './e2e-helpers.ts';

const EMAIL = 'sql-admin@example.com';
const PASSWORD = 'sql admin password';

await describeEachEngine('sql console', sqlSession);

function sqlSession(engine: Engine) {
  const s = signedInSession(engine, EMAIL, PASSWORD, async (pb) => {
    await pb.collections.create({ name: 'notes', type: 'base', fields: [{ name: 'title', type: 'text' }] });
    for (const title of ['first', 'second']) await pb.collection('notes').create({ title });
  });

  it('runs a read, a write and a failing statement', async () => {
    await s.page.getByRole('link', { name: 'SQL', exact: true }).click();
    await s.page.getByRole('heading', { name: 'SQL', exact: true }).waitFor();
    const query = s.page.getByLabel('Query');

    await query.fill('SELECT title, NULL AS nothing_here FROM notes ORDER BY title');
    await query.press('Control+Enter');
    const table = s.page.getByRole('table', { name: 'Query result' });
    await table.waitFor();
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(rows, [
      ['first', 'NULL'],
      ['second', 'NULL'],
    ]);
    await s.page.getByRole('status').filter({ hasText: '2 rows in' }).waitFor();

    await query.fill(`UPDATE notes SET title = 'renamed' WHERE title = 'first'`);
    await s.page.getByRole('button', { name: 'Run' }).click();
    await s.page.getByRole('status').filter({ hasText: '1 row affected in' }).waitFor();
    assert.equal(await table.count(), 0);
    assert.deepEqual((await s.pb.collection('notes').getFullList({ sort: 'title' })).map((r) => r.title), ['renamed', 'second']);

    // The page keeps Run busy while it reloads the collections after a write, and a Ctrl+Enter
    // meanwhile is ignored: wait for it to be free (this raced on PostgreSQL in CI).
    await s.page.waitForFunction(() => !document.querySelector('button[aria-busy]'));
    await query.fill('SELECT * FROM no_such_table');
    await query.press('Control+Enter');
    const alert = s.page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /^Failed to execute query\. Raw error:\s+.*no_such_table/s);
    await screenshot(s.page, `sql-console-${engine}`);
    assert.deepEqual(s.problems.take(), []);
  });
}
