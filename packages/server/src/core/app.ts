/**
 * App: the services of one Basalt instance wired together (database, collections, settings).
 * Transports and the CLI hold an App and call operations with it; nothing here knows HTTP.
 * @module
 */
import type { FileStore, S3FileStoreFactory, S3StoreConfig } from '../files/types.ts';
import type { SmtpMailerFactory } from '../mail/mailer.ts';
import { OutboxMailer, type OutboxListener } from '../mail/outbox/outbox-mailer.ts';
import type { Database, Executor, SqlDialect } from '../storage/types.ts';
import { nowDateTime } from '../tools/datetime.ts';
import type { CollectionModel } from './collections/collection.ts';
import { systemCollections } from './collections/collection-defaults.ts';
import { CollectionStore, collectionsTableSql } from './collections/collection-store.ts';
import { createCollectionTable } from './collections/table-sync.ts';
import { AppEvents } from './events.ts';
import { BackupService, type BackupServiceOptions } from './backups/backup-service.ts';
import { CronScheduler } from './crons/cron-scheduler.ts';
import { registerSystemCronJobs } from './crons/system-cron-jobs.ts';
import { authTablesSql } from './auth/auth-tables.ts';
import { AppMailer } from './mail/app-mailer.ts';
import { AppLogs, appLogData } from './logs/app-logs.ts';
import { LOG_LEVEL, SqlLogStore } from './logs/log-store.ts';
import './fields/index.ts';
import { RealtimeBroker, type RealtimeBrokerOptions } from './realtime/realtime-broker.ts';
import { SettingsStore } from './settings/settings.ts';
import { StoredSecrets } from './auth/stored-secrets.ts';

/** Where the App reports problems nobody else can see (failed after-commit hooks). */
export interface AppLogger {
  error(details: Record<string, unknown>, message: string): void;
}

export interface AppOptions {
  /** Clock used for tokens and datetime macros; tests freeze it. */
  now?: () => Date;
  logger?: AppLogger;
  /** Builds the SMTP mailer when `settings.smtp.enabled` (the CLI passes nodemailer's). */
  smtpMailer?: SmtpMailerFactory;
  /** Told about each message stored in the outbox (the CLI prints it; links only in dev mode). */
  onOutboxMessage?: OutboxListener;
  /** Limits and broadcast permissions of realtime connections. */
  realtime?: RealtimeBrokerOptions;
  /** The default file store (the CLI passes a local one under `<dataDir>/storage`). */
  files?: FileStore;
  /** Builds the S3 store used instead of `files` while `settings.s3.enabled`. */
  s3FileStore?: S3FileStoreFactory;
  /** Where backups are kept and how the database is snapshot; without it the backups API answers 400. */
  backups?: BackupServiceOptions;
  /**
   * Where the request log lives (a `_logs` table); defaults to `db`. The CLI gives SQLite its
   * own `auxiliary.db` so log writes never queue behind data writes. The App closes it.
   */
  logsDatabase?: Database;
  /**
   * Key sealing stored secrets (SMTP/S3, OAuth2 client and TOTP secrets) with AES-256-GCM: 32
   * characters, 64 hex digits or base64 of 32 bytes. The CLI reads BASALT_ENCRYPTION_KEY.
   */
  encryptionKey?: string;
}

/**
 * Creates Basalt's internal tables (`_collections`, `_params`) when missing, inside `tx`. App.open
 * calls it; `copyDatabase` uses it to prepare an empty target.
 */
export async function createInternalTables(tx: Executor, dialect: SqlDialect): Promise<void> {
  const q = dialect.quote.bind(dialect);
  await tx.exec(collectionsTableSql(q));
  await tx.exec(
    `CREATE TABLE IF NOT EXISTS ${q('_params')} (${q('id')} TEXT PRIMARY KEY NOT NULL, ${q('value')} JSON DEFAULT NULL, ${q('created')} TEXT DEFAULT '' NOT NULL, ${q('updated')} TEXT DEFAULT '' NOT NULL)`,
  );
  await tx.exec(authTablesSql(dialect));
}

export class App {
  readonly db: Database;
  readonly collections: CollectionStore;
  readonly settings: SettingsStore;
  /** Seals and opens secrets stored outside the settings and collections (TOTP secrets). */
  readonly secrets: StoredSecrets;
  readonly now: () => Date;
  readonly events = new AppEvents();
  readonly logger: AppLogger;
  readonly mailer: AppMailer;
  /** Realtime clients, subscriptions and delivery; server code publishes to broadcast topics here. */
  readonly realtime: RealtimeBroker;
  /** Backups and restores of the database and the stored files (spec §10.4). */
  readonly backups: BackupService;
  /** The request and error log (spec §10.2). */
  readonly logs: AppLogs;
  /**
   * Scheduled jobs (spec §10.3): the system ones (log retention, OTP/MFA cleanup, database
   * upkeep, automatic backups) and any added with `crons.add`. Their timer runs once
   * `crons.start()` is called, as `basalt serve` does; App.open does not start it.
   */
  readonly crons: CronScheduler;
  readonly #background = new Set<Promise<void>>();
  readonly #localFiles: FileStore | undefined;
  readonly #s3Factory: S3FileStoreFactory | undefined;
  #s3: { signature: string; store: FileStore } | undefined;

  private constructor(db: Database, options: AppOptions) {
    this.db = db;
    const secrets = new StoredSecrets(options.encryptionKey);
    this.secrets = secrets;
    this.collections = new CollectionStore(db, secrets);
    this.settings = new SettingsStore(db, secrets);
    this.now = options.now ?? (() => new Date());
    const consoleLogger = options.logger ?? { error: (details, message) => console.error(`basalt: ${message}`, details) };
    this.logs = new AppLogs(new SqlLogStore(options.logsDatabase ?? db), {
      settings: () => this.settings.current.logs,
      warn: (message, details) => consoleLogger.error(details, message),
    });
    // Unexpected errors keep going to the console and are also kept in the log at error level.
    this.logger = {
      error: (details, message) => {
        consoleLogger.error(details, message);
        this.logs.add(LOG_LEVEL.error, message, appLogData(details));
      },
    };
    // Note: the outbox (an in-memory Mailer without dependencies) is the one concrete mail adapter
    // core constructs: it is every instance's fallback, as an in-memory bus would be.
    this.mailer = new AppMailer(this.settings, new OutboxMailer(options.onOutboxMessage), options.smtpMailer);
    this.realtime = new RealtimeBroker(this, options.realtime);
    this.#localFiles = options.files;
    this.#s3Factory = options.s3FileStore;
    this.backups = new BackupService(this, options.backups, options.s3FileStore);
    this.crons = new CronScheduler({
      now: this.now,
      logger: { error: this.logger.error, debug: (details, message) => this.logs.add(LOG_LEVEL.debug, message, appLogData(details)) },
    });
    registerSystemCronJobs(this);
  }

  /**
   * The active file store: S3 while `settings.s3.enabled`, else the local one. Read it for each
   * operation rather than keeping it, so a settings change applies to the next file written.
   * Warning: files written to the other store stay there; switching does not move them.
   */
  get files(): FileStore {
    const s3 = this.settings.current.s3;
    if (s3.enabled) {
      const config: S3StoreConfig = { bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint, accessKey: s3.accessKey, secret: s3.secret ?? '', forcePathStyle: s3.forcePathStyle };
      const signature = JSON.stringify(config);
      if (this.#s3?.signature !== signature) {
        const previous = this.#s3;
        this.#s3 = { signature, store: this.openS3Store(config) };
        if (previous) this.runInBackground('close the previous S3 store', () => previous.store.close());
      }
      return this.#s3.store;
    }
    if (!this.#localFiles) throw new TypeError('this App was opened without a file store (AppOptions.files)');
    return this.#localFiles;
  }

  /** A new S3 store for `config` (the settings' S3 test, backups to S3); the caller closes it. */
  openS3Store(config: S3StoreConfig): FileStore {
    if (!this.#s3Factory) throw new TypeError('this App was opened without an s3FileStore factory (AppOptions.s3FileStore)');
    return this.#s3Factory(config);
  }

  /**
   * Runs `task` after the current request, without making the request wait: used for work whose
   * duration must not show in response times (mail to an account that may not exist). Failures
   * are logged. `close()` waits for tasks still running.
   */
  runInBackground(name: string, task: () => Promise<void>): void {
    const p: Promise<void> = Promise.resolve()
      .then(task)
      .catch((err) => this.logger.error({ err, task: name }, 'a background task failed'))
      .finally(() => this.#background.delete(p));
    this.#background.add(p);
  }

  /** Resolves once every background task started so far has finished. */
  async idle(): Promise<void> {
    while (this.#background.size) await Promise.all([...this.#background]);
  }

  /**
   * Opens an instance on `db`: creates the internal tables and, on a new database, the system
   * collections and the default `users` collection (spec §5.7), all in one transaction.
   */
  static async open(db: Database, options: AppOptions = {}): Promise<App> {
    const app = new App(db, options);
    const q = db.dialect.quote.bind(db.dialect);
    await db.transaction(async (tx) => {
      await createInternalTables(tx, db.dialect);
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
    await app.logs.start();
    return app;
  }

  async close(): Promise<void> {
    await this.crons.close();
    await this.backups.close();
    await this.idle();
    await this.realtime.close();
    await this.mailer.close();
    await this.#s3?.store.close();
    await this.#localFiles?.close();
    await this.logs.close();
    if (this.logs.store.database !== this.db) await this.logs.store.database.close();
    await this.db.close();
  }
}
