/**
 * Mail routes: the test e-mail (spec §10.1) and the outbox (Basalt's own; superusers only).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../core/app.ts';
import { mailOutboxClear, mailOutboxList } from '../../core/operations/mail-outbox.ts';
import { settingsTestEmail } from '../../core/operations/settings-test-email.ts';
import { bodyOf, contextOf, sendJson, sendNoContent } from './rest-context.ts';

export function mailRoutes(server: FastifyInstance, app: App): void {
  server.post('/api/settings/test/email', async (request, reply) => {
    await settingsTestEmail(await contextOf(app, request), bodyOf(request));
    return sendNoContent(reply);
  });
  server.get('/api/outbox', async (request, reply) => sendJson(request, reply, mailOutboxList(await contextOf(app, request))));
  server.delete('/api/outbox', async (request, reply) => {
    mailOutboxClear(await contextOf(app, request));
    return sendNoContent(reply);
  });
}
