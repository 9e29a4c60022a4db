/**
 * The App's log: request entries and unexpected errors, buffered in memory and written to a
 * {@link LogStore} in batches, so that recording a request costs it an array push. Retention
 * (`settings.logs.maxDays`) is applied at start and by the `__pbLogsCleanup__` job (core/crons).
 * @module
 */
import { formatDateTime } from '../../tools/datetime.ts';
import { weakRandomString } from '../../tools/ids.ts';
import type { Settings } from '../settings/settings.ts';
import { isSecretKey, REDACTED, redactUrl, redactValue } from './log-redaction.ts';
import type { LogStore, NewLogRow } from './log-store.ts';

/** Longest time an entry waits in memory before it is written. */
export const LOG_FLUSH_INTERVAL_MS = 250;
/** Pending entries that trigger a write at once. */
export const LOG_FLUSH_BATCH = 1000;
/** Most entries one write transaction holds. */
export const LOG_WRITE_CHUNK = 1000;
/** Most entries waiting in memory; past it the oldest are dropped (and counted in a warning). */
export const MAX_PENDING_LOGS = 10_000;

const DAY_MS = 24 * 60 * 60 * 1000;

interface PendingLog {
  time: number;
  level: number;
  message: string;
  data: Record<string, unknown>;
}

export interface AppLogsOptions {
  /** The live `settings.logs`. */
  settings: () => Settings['logs'];
  /** Where problems of the log itself go (never into the log, which may be what is failing). */
  warn: (message: string, details: Record<string, unknown>) => void;
}

/**
 * Buffered access to the log store. `add` never waits and never throws; `flush` writes what is
 * pending; `close` flushes and stops recording.
 */
export class AppLogs {
  readonly store: LogStore;
  readonly #settings: () => Settings['logs'];
  readonly #warn: AppLogsOptions['warn'];
  #pending: PendingLog[] = [];
  #dropped = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(store: LogStore, options: AppLogsOptions) {
    this.store = store;
    this.#settings = options.settings;
    this.#warn = options.warn;
  }

  /** Creates the store's table and purges expired entries. */
  async start(): Promise<void> {
    await this.store.init();
    await this.purgeExpired();
  }

  /** True when entries of `level` are recorded now (`maxDays` 0 turns the log off). */
  accepts(level: number): boolean {
    const s = this.#settings();
    return s.maxDays > 0 && level >= s.minLevel && !this.#closed;
  }

  /** Queues an entry (when {@link accepts} its level). `data` must not be mutated afterwards. */
  add(level: number, message: string, data: Record<string, unknown>, time: number = Date.now()): void {
    if (!this.accepts(level)) return;
    if (this.#pending.length >= MAX_PENDING_LOGS) {
      this.#pending.shift();
      this.#dropped++;
    }
    this.#pending.push({ time, level, message, data });
    this.#schedule();
  }

  /** A write now when a batch is full, else one within LOG_FLUSH_INTERVAL_MS. */
  #schedule(): void {
    if (this.#pending.length >= LOG_FLUSH_BATCH) void this.#write(false);
    else if (this.#pending.length) this.#timer ??= setTimeout(this.#onTimer, LOG_FLUSH_INTERVAL_MS).unref();
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    void this.#write(false);
  };

  /** Writes every pending entry; resolves once they are stored (or dropped after a failure). */
  flush(): Promise<void> {
    return this.#write(true);
  }

  /**
   * Writes what is pending when it starts (`all`: until nothing is). Entries that arrive during a
   * background write wait for the next one: draining them at once kept a writer running back to
   * back under load, with batches of a few dozen rows, several times the database work per entry.
   */
  #write(all: boolean): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#flushing) return all ? this.#flushing.then(() => this.#write(true)) : this.#flushing;
    this.#flushing = this.#drain(all ? Infinity : this.#pending.length).finally(() => {
      this.#flushing = undefined;
      if (!this.#closed) this.#schedule();
    });
    return this.#flushing;
  }

  async #drain(count: number): Promise<void> {
    while (this.#pending.length && count > 0) {
      const batch = this.#pending.splice(0, Math.min(LOG_WRITE_CHUNK, count));
      count -= batch.length;
      if (this.#dropped) {
        this.#warn('log: the buffer was full, oldest entries were dropped', { dropped: this.#dropped });
        this.#dropped = 0;
      }
      // Entries of the same millisecond (several, under load) share one formatted time.
      let lastTime = -1;
      let created = '';
      let idPrefix = '';
      const rows: NewLogRow[] = batch.map((e) => {
        if (e.time !== lastTime) {
          lastTime = e.time;
          created = formatDateTime(new Date(e.time));
          idPrefix = logIdPrefix(e.time);
        }
        return { id: idPrefix + weakRandomString(6), created, level: e.level, message: e.message, data: safeJson(e.data) };
      });
      try {
        await this.store.insert(rows);
      } catch (err) {
        this.#warn('log: writing entries failed; they were dropped', { err, entries: rows.length });
      }
    }
  }

  /** Deletes entries older than `logs.maxDays` days (none when it is 0). */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    const days = this.#settings().maxDays;
    if (!(days > 0)) return 0;
    return this.store.deleteOlderThan(formatDateTime(new Date(now.getTime() - days * DAY_MS)));
  }

  /** Deletes every entry, pending ones included. */
  async clear(): Promise<void> {
    await this.flush();
    await this.store.deleteAll();
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }
}

/**
 * The first 9 of a log id's 15 `[a-z0-9]` characters: the time in base 36, so consecutive entries
 * append to the end of the primary-key index instead of touching a random page of it per row.
 * The 6 that follow only have to tell entries of one millisecond apart (ids are not secrets):
 * weakRandomString, picked a character at a time, since formatting a random number in base 36
 * costs V8 a slow runtime call.
 */
function logIdPrefix(time: number): string {
  return time.toString(36).padStart(9, '0').slice(-9);
}

function safeJson(data: Record<string, unknown>): string {
  try {
    return JSON.stringify(data) ?? '{}';
  } catch {
    return '{}';
  }
}

/**
 * The `data` of an entry for an App logger call: errors become `error` (message) and `details`
 * (stack); other details are redacted like request bodies.
 */
export function appLogData(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { type: 'app' };
  for (const [key, value] of Object.entries(details)) {
    if (value instanceof Error) {
      out.error = value.message;
      out.details = redactValue(value.stack ?? String(value));
    } else if (key === 'url' && typeof value === 'string') {
      out.url = redactUrl(value);
    } else {
      out[key] = isSecretKey(key) ? REDACTED : redactValue(value);
    }
  }
  return out;
}
