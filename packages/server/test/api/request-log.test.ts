/**
 * The request log's per-route body hiding (transports/rest/request-log.ts): a route that names
 * body keys in its Fastify config (`unloggedBodyKeys`) gets them replaced in a failed request's
 * entry; the same body on a route without that config is logged as sent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import type PocketBase from 'pocketbase';
import { App } from '../../src/core/app.ts';
import { BadRequestError } from '../../src/core/errors.ts';
import { superuserUpsert } from '../../src/core/operations/superuser-upsert.ts';
import { LocalFileStore } from '../../src/files/local/local-file-store.ts';
import { restErrorHandler } from '../../src/transports/rest/errors.ts';
import { requestLogHooks } from '../../src/transports/rest/request-log.ts';
import { forEachDialect, openTestDatabase, serveForTests, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from '../helpers/test-server.ts';

/** The body of the newest failed request to `url` in the log, waiting for its entry. */
async function loggedBodyOf(admin: PocketBase, url: string): Promise<unknown> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const [entry] = (await admin.logs.getList(1, 1, { filter: `data.url = "${url}" && data.status = 400`, sort: '-created' })).items;
    if (entry) return (entry as unknown as { data: { body?: unknown } }).data.body;
    await sleep(10);
  }
  throw new Error(`no failed request to ${url} was logged`);
}

forEachDialect((dialect) =>
  describe('request log: body keys hidden by route config', () => {
    let dir: string;
    let storage: Awaited<ReturnType<typeof openTestDatabase>>;
    let app: App;
    /** The REST server, to read the log through the logs API. */
    let rest: FastifyInstance;
    let admin: PocketBase;
    /** A server with the request log hooks and routes of its own, as an embedding app would add them. */
    let custom: FastifyInstance;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'basalt-request-log-'));
      storage = await openTestDatabase(dialect);
      app = await App.open(storage.db, { files: new LocalFileStore(join(dir, 'storage')) });
      await superuserUpsert(app, SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
      ({ server: rest, admin } = await serveForTests(app));
      custom = Fastify();
      requestLogHooks(custom, app);
      custom.setErrorHandler(restErrorHandler);
      const refuse = async () => {
        throw new BadRequestError('Refused.');
      };
      custom.post('/api/test/hidden', { config: { unloggedBodyKeys: ['note', 'absent'] } }, refuse);
      custom.post('/api/test/plain', refuse);
      await custom.ready();
    });
    after(async () => {
      await custom.close();
      await rest.close();
      await app.close();
      await storage.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    const post = async (url: string, payload: unknown) => (await custom.inject({ method: 'POST', url, payload: payload as object })).statusCode;

    it('replaces the keys the route names, keeps the others, and adds none that were not sent', async () => {
      assert.equal(await post('/api/test/hidden', { note: 'LEAKED-NOTE-41c9', kept: 'visible' }), 400);
      assert.deepEqual(await loggedBodyOf(admin, '/api/test/hidden'), { note: '[REDACTED]', kept: 'visible' });
    });

    it('logs the same body as sent on a route without the config', async () => {
      assert.equal(await post('/api/test/plain', { note: 'plain-note', kept: 'visible' }), 400);
      assert.deepEqual(await loggedBodyOf(admin, '/api/test/plain'), { note: 'plain-note', kept: 'visible' });
    });

    it('leaves a body that is not an object as it is', async () => {
      assert.equal(await post('/api/test/hidden?case=array', ['note']), 400);
      assert.deepEqual(await loggedBodyOf(admin, '/api/test/hidden?case=array'), ['note']);
    });
  }),
);
