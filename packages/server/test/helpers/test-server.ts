/**
 * A real Basalt instance for black-box tests: a temporary data directory, the REST server on an
 * ephemeral loopback port, a superuser, and official `pocketbase` SDK clients pointed at it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { App } from '../../src/core/app.ts';
import { superuserUpsert } from '../../src/core/operations/superuser-upsert.ts';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import { buildRestServer } from '../../src/transports/rest/server.ts';

export const SUPERUSER_EMAIL = 'admin@example.com';
export const SUPERUSER_PASSWORD = 'correct-horse-battery';

export interface TestServer {
  url: string;
  app: App;
  dir: string;
  /** A client signed in as the superuser. */
  admin: PocketBase;
  /** A new unauthenticated client. */
  client(): PocketBase;
  /** Raw fetch against the server. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestServer(options: { bodyLimit?: number } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-test-'));
  // NORMAL durability: tests don't need fsync per commit, and it keeps the suite fast.
  const app = await App.open(new SqliteDatabase(join(dir, 'data.db'), { synchronous: 'NORMAL' }));
  await superuserUpsert(app, SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
  const server = await buildRestServer(app, { bodyLimit: options.bodyLimit });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const client = () => {
    const pb = new PocketBase(url);
    pb.autoCancellation(false);
    return pb;
  };
  const admin = client();
  await admin.collection('_superusers').authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
  return {
    url,
    app,
    dir,
    admin,
    client,
    fetch: (path, init) => fetch(url + path, init),
    async close() {
      await server.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
