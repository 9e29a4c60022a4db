/**
 * Reloading what the App caches from its database after a write that went around Basalt's own
 * stores (the SQL console, a backup restore).
 * @module
 */
import type { Executor } from '../storage/types.ts';
import type { App } from './app.ts';
import type { FieldErrors } from './errors.ts';
import { validateSettings } from './settings/settings.ts';

/**
 * A write left what the App caches unreadable or invalid: its transaction must roll back. The
 * message is a clause without a final period (callers quote it inside a sentence of theirs).
 */
export class RawWriteReloadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message.replace(/\.+$/, ''), options);
    this.name = 'RawWriteReloadError';
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
 * are unreadable or the settings it changed are invalid, so the write rolls back; `onCommit`
 * puts what was read in place, so the caches change exactly when the data does.
 *
 * Everything else derived from the database reads these caches live (rate limits, the mailer,
 * the file store, `backups.cron`, the log settings, compiled rules keyed by the collections), so
 * nothing more is reloaded. Does not: run record hooks or send realtime events for changed rows.
 * Warning: a new cache of table data in the App must be read here too.
 * @example
 * await app.db.writeRawSql(sql, { timeoutMs, ...rawWriteReload(app) });
 */
export function rawWriteReload(app: App): RawWriteReload {
  let apply: (() => void) | undefined;
  return {
    async beforeCommit(tx) {
      const collections = await app.collections.read(tx).catch((err: unknown) => {
        throw new RawWriteReloadError(`the collection definitions (_collections) would be unreadable: ${(err as Error).message}`, { cause: err });
      });
      const settings = await app.settings.read(tx).catch((err: unknown) => {
        throw new RawWriteReloadError(`the settings (_params) would be unreadable: ${(err as Error).message}`, { cause: err });
      });
      // Settings the write left as they were are taken as they are: settings stored before a
      // rule was added must not block every later raw write.
      if (JSON.stringify(settings) !== JSON.stringify(app.settings.current)) {
        const errors = validateSettings(settings);
        if (Object.keys(errors).length) throw new RawWriteReloadError(`the settings (_params) would be invalid: ${describe(errors)}`);
      }
      apply = () => {
        app.collections.apply(collections);
        app.settings.apply(settings);
      };
    },
    onCommit() {
      apply?.();
    },
  };
}

/** `meta.appName: Cannot be blank.; smtp.port: …` */
function describe(errors: FieldErrors, prefix = ''): string {
  return Object.entries(errors)
    .map(([k, v]) => ('code' in v && typeof v.code === 'string' ? `${prefix}${k}: ${String(v.message)}` : describe(v as FieldErrors, `${prefix}${k}.`)))
    .join('; ');
}
