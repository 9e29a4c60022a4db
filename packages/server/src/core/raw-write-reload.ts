/**
 * Reloading what the App caches from its database after a write that went around Basalt's own
 * stores (the SQL console, a backup restore).
 * @module
 */
import type { Executor } from '../storage/types.ts';
import type { App } from './app.ts';
import { BasaltError, describeFieldErrors, ServiceUnavailableError } from './errors.ts';
import { REDACTED } from './logs/log-redaction.ts';
import { validateSettings } from './settings/settings.ts';

/**
 * A write left what the App caches unreadable or invalid: its transaction must roll back. The
 * message is a clause without a final period (callers quote it inside a sentence of theirs).
 */
export class RawWriteReloadError extends Error {
  /**
   * The message without the text of the error that made the data unreadable, which can quote the
   * data (JSON.parse quotes the text around its failure, a settings secret say): what a log keeps.
   */
  readonly reason: string;
  /**
   * The database's error code when the read-back itself failed there. Note: the storage layer
   * classifies this error by it as it would the database's own, so a connection lost during the
   * read-back answers 503 like any other statement's, not 400.
   */
  readonly code: unknown;

  constructor(reason: string, options?: { cause?: unknown }) {
    const cause = options?.cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    super(`${reason}${detail}`.replace(/\.+$/, ''), options);
    this.name = 'RawWriteReloadError';
    // Basalt's own errors (a sealed secret that cannot be opened) quote no data.
    this.reason = detail && !(cause instanceof BasaltError) ? `${reason}: ${REDACTED}` : this.message;
    this.code = cause instanceof BasaltError ? undefined : (cause as { code?: unknown } | undefined)?.code;
  }
}

/** The transaction hooks {@link rawWriteReload} returns (RawWriteOptions and CopyOptions take them). */
export interface RawWriteReload {
  beforeCommit(tx: Executor): Promise<void>;
  onCommit(): void;
}

/**
 * Hooks for one write that went around Basalt: `beforeCommit` reads back, inside the write's
 * transaction, everything the App caches from tables (the collection definitions from
 * `_collections`, the settings from `_params`) and throws a {@link RawWriteReloadError} when they
 * are unreadable or (with `validate`, the default) the settings it changed are invalid, so the
 * write rolls back; `onCommit` puts what was read in place, so the caches change exactly when the
 * data does, or reads them again when a change of Basalt's own committed meanwhile.
 *
 * Everything else derived from the database reads these caches live (rate limits, the mailer,
 * the file store, `backups.cron`, the log settings, compiled rules keyed by the collections), so
 * nothing more is reloaded. Does not: run record hooks or send realtime events for changed rows.
 * `validate: false` (a backup restore) takes any settings that can be read: a backup holds what an
 * older version stored, and a rule added since must not make it impossible to restore.
 * Warning: a new cache of table data in the App must be read here too.
 * @example
 * await app.db.writeRawSql(sql, { timeoutMs, ...rawWriteReload(app) });
 */
export function rawWriteReload(app: App, { validate = true }: { validate?: boolean } = {}): RawWriteReload {
  let apply: (() => void) | undefined;
  return {
    async beforeCommit(tx) {
      // What the caches held before the read-back: a change that commits between the read-back and
      // this write's commit (PATCH /api/settings, a collection change) replaces them, and what was
      // read here then lacks it.
      const seenVersion = app.collections.version;
      const seenSettings = app.settings.current;
      const collections = await app.collections.read(tx).catch(refuse('the collection definitions (_collections) would be unreadable'));
      const settings = await app.settings.read(tx).catch(refuse('the settings (_params) would be unreadable'));
      // Settings the write left as they were are taken as they are: settings stored before a
      // rule was added must not block every later raw write.
      if (validate && JSON.stringify(settings) !== JSON.stringify(seenSettings)) {
        const errors = validateSettings(settings);
        if (Object.keys(errors).length) throw new RawWriteReloadError(`the settings (_params) would be invalid: ${describeFieldErrors(errors)}`);
      }
      apply = () => {
        if (app.collections.version === seenVersion) app.collections.apply(collections);
        else void app.collections.reload().catch((err: unknown) => app.logger.error({ err }, 'the collection definitions could not be reloaded after a raw write'));
        if (app.settings.current === seenSettings) app.settings.apply(settings);
        else void app.settings.load().catch((err: unknown) => app.logger.error({ err }, 'the settings could not be reloaded after a raw write'));
      };
    },
    onCommit() {
      apply?.();
    },
  };
}

/**
 * Turns a failed read-back into a RawWriteReloadError, except a ServiceUnavailableError (the
 * database is busy or gone; retrying may succeed), which keeps its 503.
 */
function refuse(reason: string): (err: unknown) => never {
  return (err) => {
    if (err instanceof ServiceUnavailableError) throw err;
    throw new RawWriteReloadError(reason, { cause: err });
  };
}

