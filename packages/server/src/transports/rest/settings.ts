/**
 * Settings and health routes (spec §10.1, §10.5).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../core/app.ts';
import { health, settingsUpdate, settingsView } from '../../core/operations/settings.ts';
import { bodyOf, contextOf, sendJson } from './rest-context.ts';

export function settingsRoutes(server: FastifyInstance, app: App): void {
  server.get('/api/health', async (request, reply) => sendJson(request, reply, health(await contextOf(app, request))));
  server.get('/api/settings', async (request, reply) => sendJson(request, reply, settingsView(await contextOf(app, request))));
  server.patch('/api/settings', async (request, reply) => sendJson(request, reply, await settingsUpdate(await contextOf(app, request), bodyOf(request))));
}
