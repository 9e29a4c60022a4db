/**
 * End-to-end smoke test of the Crons page on a real `basalt serve`: the jobs are listed in the
 * API's order, the automatic backup job appears once a schedule is set, and "Run now" starts a
 * job that does its work (a new automatic backup).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeEachEngine, screenshot, signedInSession, type Engine } from './e2e-helpers.ts';

const EMAIL = 'crons-admin@example.com';
const PASSWORD = 'crons admin password';

await describeEachEngine('crons', cronsSession);

function cronsSession(engine: Engine) {
  const s = signedInSession(engine, EMAIL, PASSWORD);

  it('lists the jobs and runs one with "Run now"', async () => {
    await s.pb.settings.update({ backups: { cron: '0 3 * * *' } });
    await s.page.getByRole('link', { name: 'Crons' }).click();
    await s.page.getByRole('heading', { name: 'Crons', exact: true }).waitFor();
    const table = s.page.getByRole('table', { name: 'Scheduled jobs' });
    await table.getByText('__pbAutoBackup__').waitFor();
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)));
    assert.deepEqual(rows, [
      ['__pbAutoBackup__', '0 3 * * *'],
      ['__pbDBOptimize__', '0 0 * * *'],
      ['__pbLogsCleanup__', '0 */6 * * *'],
      ['__pbMFACleanup__', '0 * * * *'],
      ['__pbOTPCleanup__', '0 * * * *'],
    ]);

    const answered = s.page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/crons/__pbAutoBackup__'));
    await s.page.getByRole('button', { name: 'Run __pbAutoBackup__' }).click();
    assert.equal((await answered).status(), 204);
    await s.page.getByText('Started __pbAutoBackup__.').waitFor();
    let keys: string[] = [];
    for (let i = 0; i < 200 && !keys.some((k) => k.startsWith('@auto_pb_backup_')); i++) {
      keys = (await s.pb.backups.getFullList()).map((b) => b.key);
      if (!keys.some((k) => k.startsWith('@auto_pb_backup_'))) await sleep(50);
    }
    assert.ok(keys.some((k) => k.startsWith('@auto_pb_backup_')), `an automatic backup was made: ${keys.join(', ')}`);
    await screenshot(s.page, `crons-${engine}`);
    assert.deepEqual(s.problems.take(), []);
  });
}
