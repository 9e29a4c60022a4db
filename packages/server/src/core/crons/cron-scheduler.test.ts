/**
 * CronScheduler timing with a mocked clock and timers (node:test mock.timers): wakes at minute
 * boundaries, runs each due job once per minute, skips overlapping runs, logs failures with the
 * job id and keeps going, lists and runs jobs by id, stops on close.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { NotFoundError } from '../errors.ts';
import { CRON_WAKE_DELAY_MS, CronScheduler } from './cron-scheduler.ts';

const START = Date.parse('2026-05-01T10:00:30.000Z');

function setup() {
  const logs: Array<{ level: 'error' | 'debug'; details: Record<string, unknown>; message: string }> = [];
  const scheduler = new CronScheduler({
    now: () => new Date(),
    logger: {
      error: (details, message) => logs.push({ level: 'error', details, message }),
      debug: (details, message) => logs.push({ level: 'debug', details, message }),
    },
  });
  return { scheduler, logs };
}

/** Advances the mocked clock by `ms` and lets the runs it started settle. */
async function advance(scheduler: CronScheduler, ms: number): Promise<void> {
  mock.timers.tick(ms);
  await scheduler.idle();
}

/** A deferred the test resolves by hand, to keep a run going. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('CronScheduler', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: START }));
  afterEach(() => mock.timers.reset());

  it('wakes just after each minute boundary and starts the jobs due in that minute', async () => {
    const { scheduler } = setup();
    const runs: Array<[string, string]> = [];
    scheduler.add({ id: 'everyMinute', expression: '* * * * *', run: (now) => void runs.push(['everyMinute', now.toISOString()]) });
    scheduler.add({ id: 'evenMinutes', expression: '*/2 * * * *', run: (now) => void runs.push(['evenMinutes', now.toISOString()]) });
    scheduler.add({ id: 'tenOClock', expression: '0 10 * * *', run: (now) => void runs.push(['tenOClock', now.toISOString()]) });
    scheduler.start();

    await advance(scheduler, 30_000 + CRON_WAKE_DELAY_MS - 1);
    assert.equal(runs.length, 0, 'nothing before the first boundary (+ the wake delay)');
    await advance(scheduler, 1);
    assert.deepEqual(runs, [['everyMinute', '2026-05-01T10:01:00.050Z']]);
    await advance(scheduler, 60_000);
    assert.deepEqual(runs.slice(1), [
      ['everyMinute', '2026-05-01T10:02:00.050Z'],
      ['evenMinutes', '2026-05-01T10:02:00.050Z'],
    ]);
    // Through 11:00 (58 more minutes): tenOClock is not due at 11:00, the others keep their pace.
    for (let i = 0; i < 58; i++) await advance(scheduler, 60_000);
    assert.equal(runs.filter(([id]) => id === 'everyMinute').length, 60);
    assert.equal(runs.filter(([id]) => id === 'evenMinutes').length, 30);
    assert.equal(runs.filter(([id]) => id === 'tenOClock').length, 0);
    await scheduler.close();
  });

  it('starts a job once per minute, however often that minute is ticked', async () => {
    const { scheduler } = setup();
    let runs = 0;
    scheduler.add({ id: 'job', expression: '* * * * *', run: () => void runs++ });
    scheduler.tick(new Date('2026-05-01T10:05:00.000Z'));
    scheduler.tick(new Date('2026-05-01T10:05:59.999Z'));
    await scheduler.idle();
    assert.equal(runs, 1);
    scheduler.tick(new Date('2026-05-01T10:06:00.000Z'));
    await scheduler.idle();
    assert.equal(runs, 2);
  });

  it('skips a run while the previous one is still going, and logs the skip at debug level', async () => {
    const { scheduler, logs } = setup();
    const g = gate();
    let started = 0;
    scheduler.add({
      id: 'slow',
      expression: '* * * * *',
      run: async () => {
        started++;
        await g.promise;
      },
    });
    scheduler.start();
    mock.timers.tick(30_000 + CRON_WAKE_DELAY_MS);
    mock.timers.tick(60_000);
    assert.equal(scheduler.run('slow'), false, 'a manual run is skipped too');
    assert.equal(started, 1);
    assert.deepEqual(
      logs.map((l) => [l.level, l.details.cron]),
      [
        ['debug', 'slow'],
        ['debug', 'slow'],
      ],
    );
    g.open();
    await scheduler.idle();
    await advance(scheduler, 60_000);
    assert.equal(started, 2, 'the next minute runs it again');
    await scheduler.close();
  });

  it('logs a failing job with its id and keeps running it and the others', async () => {
    const { scheduler, logs } = setup();
    let okRuns = 0;
    let failures = 0;
    scheduler.add({
      id: 'broken',
      expression: '* * * * *',
      run: () => {
        failures++;
        throw new Error('boom');
      },
    });
    scheduler.add({ id: 'fine', expression: '* * * * *', run: () => void okRuns++ });
    scheduler.start();
    await advance(scheduler, 30_000 + CRON_WAKE_DELAY_MS);
    await advance(scheduler, 60_000);
    assert.deepEqual([failures, okRuns], [2, 2]);
    assert.equal(logs.length, 2);
    for (const l of logs) {
      assert.equal(l.level, 'error');
      assert.equal(l.details.cron, 'broken');
      assert.equal((l.details.err as Error).message, 'boom');
      assert.match(l.message, /broken/);
    }
    await scheduler.close();
  });

  it('follows a schedule read from a function, suspended while it is empty', async () => {
    const { scheduler } = setup();
    let expression = '';
    let runs = 0;
    scheduler.add({ id: '__pbAutoBackup__', expression: () => expression, run: () => void runs++ });
    assert.deepEqual(scheduler.list(), []);
    assert.throws(() => scheduler.run('__pbAutoBackup__'), NotFoundError);
    scheduler.tick(new Date('2026-05-01T03:30:00Z'));
    expression = '30 3 * * *';
    assert.deepEqual(scheduler.list(), [{ id: '__pbAutoBackup__', expression: '30 3 * * *' }]);
    scheduler.tick(new Date('2026-05-01T03:31:00Z'));
    scheduler.tick(new Date('2026-05-02T03:30:00Z'));
    await scheduler.idle();
    assert.equal(runs, 1);
  });

  it('lists other jobs by id, then system jobs by id; replaces a job added again under its id', () => {
    const { scheduler } = setup();
    for (const id of ['__pbOTPCleanup__', 'zeta', '__pbDBOptimize__', 'Alpha', 'beta']) scheduler.add({ id, expression: '0 * * * *', run: () => {} });
    scheduler.add({ id: 'beta', expression: '*/5 * * * *', run: () => {} });
    assert.deepEqual(scheduler.list(), [
      { id: 'Alpha', expression: '0 * * * *' },
      { id: 'beta', expression: '*/5 * * * *' },
      { id: 'zeta', expression: '0 * * * *' },
      { id: '__pbDBOptimize__', expression: '0 * * * *' },
      { id: '__pbOTPCleanup__', expression: '0 * * * *' },
    ]);
  });

  it('runs a job by id at once, with the current time; an unknown id is a NotFoundError', async () => {
    const { scheduler } = setup();
    const seen: string[] = [];
    scheduler.add({ id: 'job', expression: '0 0 1 1 *', run: (now) => void seen.push(now.toISOString()) });
    assert.equal(scheduler.run('job'), true);
    await scheduler.idle();
    assert.deepEqual(seen, ['2026-05-01T10:00:30.000Z']);
    assert.throws(
      () => scheduler.run('nope'),
      (err: unknown) => err instanceof NotFoundError && err.message === 'Missing or invalid cron job.',
    );
  });

  it('refuses an empty id or an invalid expression with a TypeError', () => {
    const { scheduler } = setup();
    assert.throws(() => scheduler.add({ id: '', expression: '* * * * *', run: () => {} }), TypeError);
    assert.throws(() => scheduler.add({ id: 'x', expression: '61 * * * *', run: () => {} }), /invalid cron expression "61 \* \* \* \*"/);
    assert.deepEqual(scheduler.list(), []);
  });

  it('close() stops the timer and waits for the runs still going', async () => {
    const { scheduler } = setup();
    const g = gate();
    let runs = 0;
    let finished = false;
    scheduler.add({
      id: 'job',
      expression: '* * * * *',
      run: async () => {
        runs++;
        await g.promise;
        finished = true;
      },
    });
    scheduler.start();
    mock.timers.tick(30_000 + CRON_WAKE_DELAY_MS);
    const closing = scheduler.close();
    g.open();
    await closing;
    assert.equal(finished, true);
    for (let i = 0; i < 3; i++) await advance(scheduler, 60_000);
    assert.equal(runs, 1);
    scheduler.start();
    for (let i = 0; i < 3; i++) await advance(scheduler, 60_000);
    assert.equal(runs, 1, 'a closed scheduler does not start again');
  });
});
