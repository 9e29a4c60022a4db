/**
 * A real Basalt instance for black-box tests: a temporary data directory, the REST server on an
 * ephemeral loopback port, a superuser, and official `pocketbase` SDK clients pointed at it.
 *
 * Storage engines: `startTestServer({ dialect })` runs on SQLite (a temporary file) or on
 * PostgreSQL (a fresh schema `basalt_test_<random>`, dropped on close). Suites run on every
 * engine by wrapping their top-level describe in `forEachDialect((dialect) => …)` and passing
 * `dialect` to startTestServer. Environment:
 * - BASALT_TEST_DIALECTS: comma list of engines to run (default `sqlite,postgres`);
 * - BASALT_TEST_POSTGRES_URL: server for the postgres variant (default
 *   postgres://postgres@127.0.0.1:5432/test);
 * - BASALT_TEST_REQUIRE_SERVICES=1: an unreachable PostgreSQL fails instead of skipping.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import PocketBase from 'pocketbase';
import { App, type AppOptions } from '../../src/core/app.ts';
import { superuserUpsert } from '../../src/core/operations/superuser-upsert.ts';
import { LocalFileStore } from '../../src/files/local/local-file-store.ts';
import { createS3FileStore } from '../../src/files/s3/s3-file-store.ts';
import { createSmtpMailer } from '../../src/mail/smtp/smtp-mailer.ts';
import type { Database } from '../../src/storage/types.ts';
import { PostgresDatabase } from '../../src/storage/postgres/postgres-database.ts';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import type { FastifyInstance } from 'fastify';
import { buildRestServer, type RestServerOptions } from '../../src/transports/rest/server.ts';

export type DialectName = 'sqlite' | 'postgres';

export const POSTGRES_TEST_URL = process.env.BASALT_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** The engines this run covers (BASALT_TEST_DIALECTS, default `sqlite,postgres`). */
export const TEST_DIALECTS: readonly DialectName[] = (() => {
  const raw = (process.env.BASALT_TEST_DIALECTS ?? 'sqlite,postgres').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = raw.filter((d) => d !== 'sqlite' && d !== 'postgres');
  if (bad.length) throw new Error(`BASALT_TEST_DIALECTS: unknown engine(s) ${bad.join(', ')}; expected sqlite and/or postgres`);
  return raw as DialectName[];
})();

async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    const u = new URL(POSTGRES_TEST_URL);
    return `PostgreSQL on ${u.hostname}:${u.port || 5432} unreachable (${(err as Error).message || (err as { code?: string }).code}); start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Why the postgres variant cannot run here, or undefined when it can (probed once). */
export const POSTGRES_UNAVAILABLE: string | undefined = TEST_DIALECTS.includes('postgres') ? await probePostgres() : undefined;

const REQUIRE_SERVICES = process.env.BASALT_TEST_REQUIRE_SERVICES === '1';

/**
 * Runs `suite` once per engine of TEST_DIALECTS, each inside a describe named after the engine.
 * The postgres variant is skipped, with the reason, when the server is unreachable (it fails
 * instead under BASALT_TEST_REQUIRE_SERVICES=1).
 */
export function forEachDialect(suite: (dialect: DialectName) => void): void {
  for (const dialect of TEST_DIALECTS) {
    if (dialect === 'postgres' && POSTGRES_UNAVAILABLE) {
      if (REQUIRE_SERVICES) {
        describe(`[${dialect}]`, () => {
          it('needs PostgreSQL (BASALT_TEST_REQUIRE_SERVICES=1)', () => {
            throw new Error(POSTGRES_UNAVAILABLE);
          });
        });
      } else {
        describe(`[${dialect}]`, { skip: POSTGRES_UNAVAILABLE }, () => {});
      }
      continue;
    }
    describe(`[${dialect}]`, () => suite(dialect));
  }
}

/**
 * Opens an empty database of `dialect`; `dispose` closes it and removes its files or schema.
 * `postgresUrl` reaches the test server another way (e.g. through a proxy that watches traffic).
 */
export async function openTestDatabase(dialect: DialectName, options: { postgresUrl?: string } = {}): Promise<{ db: Database; dispose(): Promise<void> }> {
  if (dialect === 'postgres') {
    if (POSTGRES_UNAVAILABLE) throw new Error(POSTGRES_UNAVAILABLE);
    const schema = `basalt_test_${randomBytes(6).toString('hex')}`;
    const db = await PostgresDatabase.open({ url: options.postgresUrl ?? POSTGRES_TEST_URL, schema, maxConnections: 5 });
    return {
      db,
      // Drops the schema on a connection of its own, so it also goes when the App under test
      // already closed the database (App.close does).
      async dispose() {
        await db.close();
        const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await client.end();
        }
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'basalt-test-'));
  // NORMAL durability: tests don't need fsync per commit, and it keeps the suite fast.
  const db = new SqliteDatabase(join(dir, 'data.db'), { synchronous: 'NORMAL' });
  return {
    db,
    async dispose() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const SUPERUSER_EMAIL = 'admin@example.com';
export const SUPERUSER_PASSWORD = 'correct-horse-battery';

export interface TestServer {
  url: string;
  app: App;
  /** The storage engine this server runs on. */
  dialect: DialectName;
  dir: string;
  /** A client signed in as the superuser. */
  admin: PocketBase;
  /** A new unauthenticated client. */
  client(): PocketBase;
  /** Raw fetch against the server. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  bodyLimit?: number;
  dialect?: DialectName;
  postgresUrl?: string;
  /** The App's clock (tokens are checked against it). */
  now?: () => Date;
  /** False: no superuser exists (first-run state), and `admin` is a guest client. */
  superuser?: boolean;
  /** More App options (encryption key, logger…). */
  app?: Partial<AppOptions>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dialect = options.dialect ?? (TEST_DIALECTS.includes('sqlite') ? 'sqlite' : (TEST_DIALECTS[0] ?? 'sqlite'));
  const dir = mkdtempSync(join(tmpdir(), 'basalt-test-'));
  const storage = await openTestDatabase(dialect, { postgresUrl: options.postgresUrl });
  const app = await App.open(storage.db, { smtpMailer: createSmtpMailer, files: new LocalFileStore(join(dir, 'storage')), s3FileStore: createS3FileStore, now: options.now, ...options.app });
  const signIn = options.superuser !== false;
  if (signIn) await superuserUpsert(app, SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
  const { server, url, client, admin } = await serveForTests(app, { bodyLimit: options.bodyLimit }, { signIn });
  return {
    url,
    app,
    dialect,
    dir,
    admin,
    client,
    fetch: (path, init) => fetch(url + path, init),
    async close() {
      await server.close();
      // Background work (mail after a response) and buffered request-log entries finish
      // before their database goes away.
      await app.idle();
      await app.logs.close();
      await storage.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Serves `app` on a free port and signs an SDK client in as the test superuser (who must exist,
 * unless `signIn` is false). `client()` makes more clients, with auto-cancellation off (tests run
 * requests concurrently).
 */
export async function serveForTests(app: App, options: RestServerOptions = {}, { signIn = true } = {}): Promise<{ server: FastifyInstance; url: string; client: () => PocketBase; admin: PocketBase }> {
  const server = await buildRestServer(app, options);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const client = () => {
    const pb = new PocketBase(url);
    pb.autoCancellation(false);
    return pb;
  };
  const admin = client();
  if (signIn) await admin.collection('_superusers').authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
  return { server, url, client, admin };
}

/** Reads `{status, data}` of a rejected SDK call (ClientResponseError). */
export async function sdkError(promise: Promise<unknown>): Promise<{ status: number; message: string; data: Record<string, any> }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { status: number; response: { message: string; data: Record<string, any> } };
    return { status: e.status, message: e.response?.message, data: e.response?.data ?? {} };
  }
  throw new Error('Expected the call to fail, but it succeeded.');
}
