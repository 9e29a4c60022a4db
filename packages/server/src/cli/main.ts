/**
 * The `basalt` command: the composition root. It reads configuration, opens the concrete storage,
 * builds the App and starts the transports. Nothing else imports concrete adapters.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { App } from '../core/app.ts';
import { BasaltError, ValidationError } from '../core/errors.ts';
import { hasSuperuser, newSetupToken } from '../core/operations/superuser-setup.ts';
import { superuserUpsert } from '../core/operations/superuser-upsert.ts';
import type { OutboxEntry } from '../mail/outbox/outbox-mailer.ts';
import { LocalFileStore } from '../files/local/local-file-store.ts';
import { createS3FileStore } from '../files/s3/s3-file-store.ts';
import { createSmtpMailer } from '../mail/smtp/smtp-mailer.ts';
import { PostgresDatabase } from '../storage/postgres/postgres-database.ts';
import { SqliteDatabase } from '../storage/sqlite/sqlite-database.ts';
import type { Database } from '../storage/types.ts';
import { buildRestServer } from '../transports/rest/server.ts';
import { backup, BACKUP_HELP, backupOptions } from './backup.ts';
import { migrate, MIGRATE_FLAGS_HELP, MIGRATE_HELP } from './migrate.ts';
import { UsageError } from './usage-error.ts';

export const VERSION = '0.1.0';

const HELP = `Basalt ${VERSION} — an open-source backend in one process (PocketBase Web API compatible).

Usage:
  basalt serve [--http 127.0.0.1:8090] [--dir ./basalt_data] [--origins '*'] [--dev]
  basalt superuser upsert EMAIL PASSWORD [--dir DIR]   create a superuser or set its password
  basalt superuser create EMAIL PASSWORD [--dir DIR]   create a superuser (fails if it exists)
  basalt superuser update EMAIL PASSWORD [--dir DIR]   set the password of an existing superuser
  basalt superuser delete EMAIL [--dir DIR]            delete a superuser
${MIGRATE_HELP}
${BACKUP_HELP}
  basalt --help | --version

Global flags:
  --dir DIR         data directory (default ./basalt_data); holds data.db
  --http ADDR       address to listen on (default 127.0.0.1:8090)
  --origins LIST    comma-separated CORS origins, '*' wildcards allowed (default *)
  --dev             log every request (errors are always logged)
  --durability M    full (default: a commit survives power loss) or normal (survives a crash only)
  --db URL          store data in PostgreSQL instead of SQLite, e.g.
                    postgres://user:pass@host:5432/dbname (add ?schema=NAME for a schema)
  --db-pool N       most PostgreSQL connections (default 10)
${MIGRATE_FLAGS_HELP}

Environment: BASALT_DATA_DIR overrides the default --dir; BASALT_DATABASE_URL and
BASALT_DATABASE_POOL set the defaults of --db and --db-pool. BASALT_ENCRYPTION_KEY (32
characters, 64 hex digits or base64 of 32 bytes) encrypts stored secrets (SMTP/S3, OAuth2, TOTP).
`;

const OPTIONS = {
  dir: { type: 'string' },
  http: { type: 'string' },
  origins: { type: 'string' },
  dev: { type: 'boolean' },
  durability: { type: 'string' },
  db: { type: 'string' },
  'db-pool': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  force: { type: 'boolean' },
  batch: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];


function parseAddress(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]*):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UsageError(`invalid --http address ${JSON.stringify(value)}: expected HOST:PORT, e.g. 127.0.0.1:8090`);
  return { host: m[1].replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

/** Where data lives: `--db`/BASALT_DATABASE_URL (PostgreSQL), else SQLite in `--dir`. */
interface StorageChoice {
  dir: string;
  durability: string | undefined;
  url: string | undefined;
  pool: string | undefined;
}

function storageChoice(values: Record<string, string | boolean | undefined>, dir: string): StorageChoice {
  const url = (values.db as string | undefined) ?? (process.env.BASALT_DATABASE_URL || undefined);
  const pool = (values['db-pool'] as string | undefined) ?? (process.env.BASALT_DATABASE_POOL || undefined);
  return { dir, durability: values.durability as string | undefined, url, pool };
}

/** A printable name of the storage, without a password. */
function storageName(choice: StorageChoice): string {
  return choice.url ? choice.url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@') : resolve(choice.dir);
}

async function openDatabase(choice: StorageChoice): Promise<Database> {
  if (choice.url !== undefined) {
    if (!/^postgres(ql)?:\/\//i.test(choice.url)) throw new UsageError(`invalid --db ${JSON.stringify(storageName(choice))}: expected postgres://user:password@host:5432/dbname`);
    const size = choice.pool === undefined ? undefined : Number(choice.pool);
    if (size !== undefined && (!Number.isInteger(size) || size < 1 || size > 1000)) throw new UsageError(`invalid --db-pool ${JSON.stringify(choice.pool)}: expected a whole number from 1 to 1000`);
    let url: URL;
    try {
      url = new URL(choice.url);
    } catch {
      throw new UsageError(`invalid --db ${JSON.stringify(storageName(choice))}: expected postgres://user:password@host:5432/dbname`);
    }
    // `?schema=` is Basalt's own parameter; the driver must not see it.
    const schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new UsageError(`invalid schema ${JSON.stringify(schema)} in --db: letters, digits and _ only`);
    return PostgresDatabase.open({ url: url.toString(), schema, maxConnections: size });
  }
  const durability = choice.durability;
  if (durability !== undefined && durability !== 'full' && durability !== 'normal') throw new UsageError(`invalid --durability ${JSON.stringify(durability)}: expected full or normal`);
  mkdirSync(choice.dir, { recursive: true });
  return new SqliteDatabase(join(choice.dir, 'data.db'), { synchronous: durability === 'normal' ? 'NORMAL' : 'FULL' });
}

/**
 * Announces a message kept in the outbox (SMTP disabled). In dev mode the links it contains are
 * printed, so sign-up and reset flows can be finished from the console; otherwise only who it is
 * for, since links carry live tokens (superusers read them at GET /api/outbox).
 */
function outboxAnnouncer(dev: boolean): (entry: OutboxEntry) => void {
  return (entry) => {
    const to = entry.to.map((a) => a.address).join(', ');
    const links = dev ? [...entry.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')) : [];
    const codes = dev ? [...entry.text.matchAll(/\b\d{6,}\b/g)].map((m) => m[0]) : [];
    const details = dev ? [...links.map((l) => `\n   link: ${l}`), ...codes.map((c) => `\n   code: ${c}`)].join('') : ' (SMTP is off: read it at GET /api/outbox as a superuser)';
    console.log(`mail to ${to}: "${entry.subject}"${details}`);
  };
}

async function openApp(choice: StorageChoice, dev = false): Promise<App> {
  const db = await openDatabase(choice);
  // SQLite keeps the request log in a file of its own, so log writes never wait for data writes.
  const logsDatabase = choice.url === undefined ? new SqliteDatabase(join(choice.dir, 'auxiliary.db'), { synchronous: 'NORMAL' }) : undefined;
  try {
    // Log rows are many and small: checkpointing every ~40 MB of WAL instead of every 4 MB
    // makes each row a quarter cheaper to write (fewer copies and syncs of the same pages).
    await logsDatabase?.exec('PRAGMA wal_autocheckpoint = 10000');
    return await App.open(db, { logsDatabase, smtpMailer: createSmtpMailer, onOutboxMessage: outboxAnnouncer(dev), encryptionKey: process.env.BASALT_ENCRYPTION_KEY || undefined, files: new LocalFileStore(join(choice.dir, 'storage')), s3FileStore: createS3FileStore, backups: backupOptions(choice.dir, choice.url) });
  } catch (err) {
    await db.close().catch(() => {});
    await logsDatabase?.close().catch(() => {});
    throw err;
  }
}

function describeError(err: unknown): string {
  if (err instanceof ValidationError) {
    const details = Object.entries(err.fields)
      .map(([k, v]) => `${k}: ${'message' in v ? String(v.message) : JSON.stringify(v)}`)
      .join('; ');
    return `${err.message}${details ? ` (${details})` : ''}`;
  }
  if (err instanceof BasaltError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

async function serve(values: Record<string, string | boolean | undefined>, dir: string): Promise<number> {
  // V8 starts allocating an object literal's objects straight in the old generation once most of
  // them outlive a young collection, which a burst of large batch requests makes happen. A server
  // then allocates every later row and response at those sites there, where only a full
  // collection frees them: list requests spent about three times as long in GC, and 12% more CPU
  // in all. The flag is read at each collection, so setting it now is enough.
  setFlagsFromString('--no-allocation-site-pretenuring');
  const { host, port } = parseAddress(String(values.http ?? '127.0.0.1:8090'));
  const origins = String(values.origins ?? '*').split(',').map((s) => s.trim()).filter(Boolean);
  const choice = storageChoice(values, dir);
  const app = await openApp(choice, values.dev === true);
  // Unexpected errors (with their cause and request id) always go to the App logger; --dev also
  // turns on Fastify's request log. Without --dev Fastify logs nothing: a per-request child
  // logger costs about a quarter of the throughput of a simple read.
  const server = await buildRestServer(app, { origins, logger: values.dev ? { level: 'info' } : false, adminDir: process.env.BASALT_ADMIN_DIR || undefined, uploadDir: join(dir, '.tmp') });
  await server.listen({ host, port });
  // Scheduled jobs (automatic backups, log retention, cleanups) run only in a serving process,
  // as PocketBase starts its cron ticker on serve.
  app.crons.start();
  app.backups.removeInterruptedWork();
  // With port 0 the system picks one: print the port actually bound.
  const bound = server.server.address();
  const realPort = typeof bound === 'object' && bound ? bound.port : port;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${realPort}`;
  console.log(`Basalt ${VERSION} serving ${storageName(choice)}\n├─ REST API:  ${base}/api/\n├─ Dashboard: ${base}/_/\n└─ Health:    ${base}/api/health`);
  if (!(await hasSuperuser(app))) {
    // A wildcard listen address is not something a browser can open: link to loopback instead.
    const linkHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    console.log(`\nNo superuser yet. Create the first one in the dashboard (this link works for 1 hour, until a superuser exists):\n  http://${linkHost}:${realPort}/_/#/setup/${await newSetupToken(app)}\n`);
  }

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal} received: finishing in-flight requests…`);
      try {
        await server.close();
        await app.close();
        console.log('Stopped cleanly.');
        resolveExit(0);
      } catch (err) {
        console.error(`basalt: error while stopping: ${describeError(err)}`);
        resolveExit(1);
      }
    };
    // `on`, not `once`: a repeated signal (the terminal's Ctrl-C plus the one bin/basalt.js
    // forwards under an older Node) must not kill the process halfway through a clean stop.
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

async function superuser(args: string[], choice: StorageChoice): Promise<number> {
  const [action, email, password] = args;
  if (!action || !['upsert', 'create', 'update', 'delete'].includes(action)) throw new UsageError('superuser needs an action: upsert, create, update or delete');
  if (!email || (action !== 'delete' && !password)) throw new UsageError('missing email and password arguments');
  if (!EMAIL.test(email)) throw new UsageError('missing or invalid email address');
  const app = await openApp(choice);
  try {
    const q = app.db.dialect.quote.bind(app.db.dialect);
    const existing = await app.db.get<{ id: string }>(`SELECT ${q('id')} AS id FROM ${q('_superusers')} WHERE ${app.db.dialect.lower(q('email'))} = ${app.db.dialect.lower('?')}`, [email]);
    if (action === 'delete') {
      if (existing) await app.db.run(`DELETE FROM ${q('_superusers')} WHERE ${q('id')} = ?`, [existing.id]);
      console.log(existing ? `Deleted superuser ${email}.` : `No superuser ${email}; nothing to delete.`);
      return 0;
    }
    if (action === 'create' && existing) {
      console.error(`basalt: a superuser with email ${email} already exists (use 'superuser upsert' to set its password)`);
      return 1;
    }
    if (action === 'update' && !existing) {
      console.error(`basalt: no superuser with email ${email} (use 'superuser create' or 'superuser upsert')`);
      return 1;
    }
    const r = await superuserUpsert(app, email, password!);
    console.log(r.created ? `Created superuser ${email}.` : `Updated the password of superuser ${email}.`);
    return 0;
  } finally {
    await app.close();
  }
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`basalt: ${(err as Error).message}\nRun 'basalt --help' for usage.`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.version) {
    console.log(VERSION);
    return 0;
  }
  const dir = String(values.dir ?? process.env.BASALT_DATA_DIR ?? './basalt_data');
  const [command, ...rest] = positionals;
  try {
    switch (command) {
      case 'serve':
        if (rest.length) throw new UsageError(`serve takes no arguments (got ${rest.join(' ')})`);
        return await serve(values, dir);
      case 'superuser':
        return await superuser(rest, storageChoice(values, dir));
      case 'backup':
        return await backup(rest, { openApp: () => openApp(storageChoice(values, dir)), storageName: storageName(storageChoice(values, dir)), dir, force: values.force === true });
      case 'migrate':
        return await migrate(values, rest);
      case undefined:
        console.log(HELP);
        return 2;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`basalt: ${err.message}\nRun 'basalt --help' for usage.`);
      return 2;
    }
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') console.error(`basalt: the address ${String(values.http ?? '127.0.0.1:8090')} is already in use. Stop the other server or pick another port with --http.`);
    else if (code === 'EACCES') console.error(`basalt: permission denied (${(err as Error).message}). Check the --dir folder or use a port above 1024.`);
    else console.error(`basalt: ${describeError(err)}`);
    return 1;
  }
}
