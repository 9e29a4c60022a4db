/**
 * The public API of the `basalt` package, for programs that embed Basalt instead of running the
 * `basalt` command: open a database, open an {@link App} on it, bind hooks and cron jobs, and serve
 * the REST API with {@link buildRestServer}. Anything not exported here is internal and may change
 * in any release.
 *
 * @example
 * import { App, LocalFileStore, SqliteDatabase, buildRestServer } from 'basalt';
 *
 * const app = await App.open(new SqliteDatabase('./basalt_data/data.db'), { files: new LocalFileStore('./basalt_data/storage') });
 * app.events.onRecordCreate.bind({ collections: ['posts'], fn: async (e) => {
 *   e.record.slug = String(e.record.title).toLowerCase();
 *   await e.next();
 * }});
 * app.crons.add({ id: 'nightly', expression: '@daily', run: () => console.log('tick') });
 * app.crons.start();
 * const server = await buildRestServer(app);
 * await server.listen({ host: '127.0.0.1', port: 8090 });
 * @module
 */

export { App, type AppLogger, type AppOptions } from './core/app.ts';
export { AppEvents, type RecordCommittedEvent, type RecordWriteEvent } from './core/events.ts';
export { Hook, type HookEvent, type HookHandler } from './tools/hook.ts';
export type { CronJob, CronJobInfo, CronScheduler } from './core/crons/cron-scheduler.ts';
export {
  BadRequestError,
  BasaltError,
  fieldError,
  ForbiddenError,
  InternalError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
  type AnyBasaltError,
  type BasaltErrorCode,
  type FieldError,
  type FieldErrors,
} from './core/errors.ts';
export type { CollectionModel, CollectionType, FieldModel } from './core/collections/collection.ts';
export type { RecordData } from './core/records/record.ts';

export { SqliteDatabase, type SqliteOptions } from './storage/sqlite/sqlite-database.ts';
export { PostgresDatabase, type PostgresOptions } from './storage/postgres/postgres-database.ts';
export type { Database, Executor, Row, SqlValue } from './storage/types.ts';
export { LocalFileStore } from './files/local/local-file-store.ts';
export { createS3FileStore } from './files/s3/s3-file-store.ts';
export type { FileStore, S3StoreConfig } from './files/types.ts';
export { createSmtpMailer } from './mail/smtp/smtp-mailer.ts';
export type { MailMessage, Mailer, SmtpConfig } from './mail/mailer.ts';

export { buildRestServer, type RestServerOptions } from './transports/rest/server.ts';
export { main, VERSION } from './cli/main.ts';
