/**
 * Scheduled jobs of one App (spec §10.3): each job has an id, a five-field cron expression in
 * UTC (tools/cron.ts) and work to run. One timer wakes at every minute boundary and starts the
 * jobs due in that minute. Mirrors PocketBase tools/cron (one ticker per app, jobs by id).
 * @module
 */
import { isCronDue, parseCron, type CronSchedule } from '../../tools/cron.ts';
import { NotFoundError } from '../errors.ts';

/** Ids of system jobs start with this; they are listed after the others (PocketBase apis/cron.go). */
export const SYSTEM_CRON_PREFIX = '__pb';

const MINUTE_MS = 60_000;
const MAX_CACHED_SCHEDULES = 256;
/**
 * How long after a minute boundary the timer wakes: a timer may fire a little before the wall
 * clock reads the new minute, which would be taken for the previous one.
 */
export const CRON_WAKE_DELAY_MS = 50;

/** A job as `GET /api/crons` lists it. */
export interface CronJobInfo {
  id: string;
  expression: string;
}

/** A job to schedule. */
export interface CronJob {
  /** Unique id; adding a job with an id already taken replaces that job (as in PocketBase). */
  id: string;
  /**
   * When it runs: a five-field expression or macro (`*\/5 * * * *`, `@daily`), in UTC. A function
   * is read again at every minute and every listing, for schedules that live in the settings;
   * while it returns `''` the job is suspended: neither listed, nor run, nor runnable by id.
   */
  expression: string | (() => string);
  /** The work. `now` is when the run started. A rejection is logged with the job id. */
  run(now: Date): Promise<void> | void;
}

/** Where the scheduler reports: failed runs at error level, skipped runs at debug level. */
export interface CronLogger {
  error(details: Record<string, unknown>, message: string): void;
  debug(details: Record<string, unknown>, message: string): void;
}

export interface CronSchedulerOptions {
  /** The clock (the App's). */
  now: () => Date;
  logger: CronLogger;
}

/**
 * The job registry and its minute timer.
 *
 * Guarantees: a job never runs twice at the same time (a run that is due, or asked for, while
 * the previous one is still going is skipped and logged at debug level); a failing job is
 * logged with its id and never stops the timer or the process; the timer does not keep the
 * process alive. Does not: catch up on minutes missed while the process was stopped or
 * suspended; coordinate several processes (each one serving an App runs its own jobs).
 *
 * @example
 * app.crons.add({ id: 'sendDigest', expression: '0 8 * * 1', run: async () => { await sendDigest(app); } });
 */
export class CronScheduler {
  readonly #now: () => Date;
  readonly #logger: CronLogger;
  readonly #jobs = new Map<string, CronJob>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #schedules = new Map<string, CronSchedule | undefined>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The minute (ms since the epoch / 60 000) whose due jobs were last started. */
  #lastMinute = -1;
  #closed = false;

  constructor(options: CronSchedulerOptions) {
    this.#now = options.now;
    this.#logger = options.logger;
  }

  /**
   * Registers `job`, replacing any job with the same id. Throws a TypeError for an empty id or
   * an invalid fixed expression (a programming error, caught at startup).
   */
  add(job: CronJob): void {
    if (typeof job.id !== 'string' || job.id === '') throw new TypeError('a cron job needs a non-empty id');
    if (typeof job.expression === 'string' && !parseCron(job.expression)) throw new TypeError(`cron job ${JSON.stringify(job.id)}: invalid cron expression ${JSON.stringify(job.expression)}`);
    this.#jobs.set(job.id, job);
  }

  /** The active jobs: others sorted by id, then system jobs (`__pb…`) sorted by id. */
  list(): CronJobInfo[] {
    const out: CronJobInfo[] = [];
    for (const job of this.#jobs.values()) {
      const expression = expressionOf(job);
      if (expression) out.push({ id: job.id, expression });
    }
    const isSystem = (id: string) => id.startsWith(SYSTEM_CRON_PREFIX);
    return out.sort((a, b) => Number(isSystem(a.id)) - Number(isSystem(b.id)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Starts the job `id` now, without waiting for it (`idle()` does). Returns false when it was
   * skipped because a run of it is still going. Throws NotFoundError for an unknown or
   * suspended job.
   */
  run(id: string): boolean {
    const job = this.#jobs.get(id);
    if (!job || !expressionOf(job)) throw new NotFoundError('Missing or invalid cron job.');
    return this.#launch(job, this.#now());
  }

  /**
   * Starts the jobs due in the minute of `at` (UTC), once per minute: a second call for the
   * same minute starts nothing. The timer calls it; tests call it with the time they want.
   */
  tick(at: Date): void {
    const minute = Math.floor(at.getTime() / MINUTE_MS);
    if (minute === this.#lastMinute || this.#closed) return;
    this.#lastMinute = minute;
    for (const job of this.#jobs.values()) {
      const schedule = this.#schedule(expressionOf(job));
      if (schedule && isCronDue(schedule, at)) this.#launch(job, at);
    }
  }

  /** Starts the minute timer (the `basalt serve` command does; App.open does not). */
  start(): void {
    if (this.#timer || this.#closed) return;
    this.#arm();
  }

  /** Resolves once every run started so far has finished. */
  async idle(): Promise<void> {
    while (this.#running.size) await Promise.all(this.#running.values());
  }

  /** Stops the timer for good and waits for the runs still going. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.idle();
  }

  #arm(): void {
    const now = this.#now().getTime();
    this.#timer = setTimeout(this.#wake, MINUTE_MS - (((now % MINUTE_MS) + MINUTE_MS) % MINUTE_MS) + CRON_WAKE_DELAY_MS);
    this.#timer.unref();
  }

  readonly #wake = (): void => {
    this.#timer = undefined;
    if (this.#closed) return;
    this.tick(this.#now());
    this.#arm();
  };

  /** The parsed `expression`, cached (settings-driven expressions change rarely). */
  #schedule(expression: string): CronSchedule | undefined {
    if (!expression) return undefined;
    if (!this.#schedules.has(expression)) {
      // Bounded: each settings change of a schedule leaves an entry behind.
      if (this.#schedules.size >= MAX_CACHED_SCHEDULES) this.#schedules.clear();
      this.#schedules.set(expression, parseCron(expression));
    }
    return this.#schedules.get(expression);
  }

  #launch(job: CronJob, now: Date): boolean {
    const { id } = job;
    if (this.#running.has(id)) {
      this.#logger.debug({ cron: id }, 'cron job skipped: its previous run is still going');
      return false;
    }
    const run = (async () => job.run(now))()
      .catch((err: unknown) => this.#logger.error({ err, cron: id }, `cron job ${id} failed`))
      .finally(() => this.#running.delete(id));
    this.#running.set(id, run);
    return true;
  }
}

function expressionOf(job: CronJob): string {
  return typeof job.expression === 'string' ? job.expression : job.expression();
}
