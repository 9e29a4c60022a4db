/**
 * App: the services of one Basalt instance wired together (database, collections, settings).
 * Transports and the CLI hold an App and call operations with it; nothing here knows HTTP.
 * @module
 */
import type { Database } from '../storage/types.ts';
import { nowDateTime } from '../tools/datetime.ts';
import type { CollectionModel } from './collections/collection.ts';
import { systemCollections } from './collections/collection-defaults.ts';
import { CollectionStore, collectionsTableSql } from './collections/collection-store.ts';
import { createCollectionTable } from './collections/table-sync.ts';
import { AppEvents } from './events.ts';
import './fields/index.ts';
import { SettingsStore } from './settings/settings.ts';

/** Where the App reports problems nobody else can see (failed after-commit hooks). */
export interface AppLogger {
  error(details: Record<string, unknown>, message: string): void;
}

export interface AppOptions {
  /** Clock used for tokens and datetime macros; tests freeze it. */
  now?: () => Date;
  logger?: AppLogger;
}

export class App {
  readonly db: Database;
  readonly collections: CollectionStore;
  readonly settings: SettingsStore;
  readonly now: () => Date;
  readonly events = new AppEvents();
  readonly logger: AppLogger;

  private constructor(db: Database, options: AppOptions) {
    this.db = db;
    this.collections = new CollectionStore(db);
    this.settings = new SettingsStore(db);
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? { error: (details, message) => console.error(`basalt: ${message}`, details) };
  }

  /**
   * Opens an instance on `db`: creates the internal tables and, on a new database, the system
   * collections and the default `users` collection (spec §5.7), all in one transaction.
   */
  static async open(db: Database, options: AppOptions = {}): Promise<App> {
    const app = new App(db, options);
    const q = db.dialect.quote.bind(db.dialect);
    await db.transaction(async (tx) => {
      await tx.exec(collectionsTableSql(q));
      await tx.exec(
        `CREATE TABLE IF NOT EXISTS ${q('_params')} (${q('id')} TEXT PRIMARY KEY NOT NULL, ${q('value')} JSON DEFAULT NULL, ${q('created')} TEXT DEFAULT '' NOT NULL, ${q('updated')} TEXT DEFAULT '' NOT NULL)`,
      );
      const existing = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${q('_collections')}`);
      if (Number(existing?.n ?? 0) === 0) {
        const now = nowDateTime();
        for (const c of systemCollections()) {
          const model: CollectionModel = { ...c, created: now, updated: now };
          await createCollectionTable(tx, db.dialect, model);
          await app.collections.write(tx, model);
        }
      }
      await app.collections.reload(tx);
      await app.settings.load(tx);
    });
    return app;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
