/**
 * The PocketBase realtime protocol over Server-Sent Events (spec §7): `GET /api/realtime` opens
 * the stream, `POST /api/realtime` sets the client's subscriptions and binds its auth. A thin
 * adapter: every decision is the broker's (core/realtime); this file writes the event-stream format.
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { App } from '../../core/app.ts';
import { BadRequestError, ForbiddenError, NotFoundError, ValidationError, fieldError } from '../../core/errors.ts';
import { resolveAuthToken } from '../../core/operations/record-auth.ts';
import { RealtimeBroker } from '../../core/realtime/realtime-broker.ts';
import { CLOSE_REASON_TEXT, type RealtimeClient, type RealtimeCloseReason, type RealtimeMessage, type RealtimeSink } from '../../core/realtime/realtime-client.ts';

/** Grace period for a dropped slow consumer to read the closing comment before the socket is destroyed. */
export const SSE_CLOSE_GRACE_MS = 2000;
/** Longest accepted client id in `POST /api/realtime` (spec §7.2). */
export const MAX_CLIENT_ID_LENGTH = 255;

/** One event-stream message (WHATWG HTML §9.2.6): `id`, `event`, `data` lines and a blank line. */
export function sseMessage(id: string, event: string, data: string): string {
  return `id:${id}\nevent:${event}\ndata:${data}\n\n`;
}

/** A client's stream as a broker sink. */
class SseSink implements RealtimeSink {
  readonly #res: ServerResponse;
  client!: RealtimeClient;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  send(message: RealtimeMessage): void {
    // Presence and auth notices have no SSE form (the PocketBase SDK would not understand them).
    if (message.type !== 'event') return;
    // An event name cannot hold a line break: such a subscription can never be echoed exactly.
    if (/[\r\n]/.test(message.topic)) return;
    this.#res.write(sseMessage(this.client.id, message.topic, message.data));
  }

  bufferedBytes(): number {
    return this.#res.writableLength;
  }

  heartbeat(): void {
    // A comment line: ignored by EventSource, keeps proxies from timing the stream out.
    this.#res.write(':\n\n');
  }

  close(reason: RealtimeCloseReason): void {
    const res = this.#res;
    if (res.writableEnded) return;
    res.end(`: closed: ${CLOSE_REASON_TEXT[reason]}\n\n`);
    // A reader that stopped reading may never take the last bytes: don't wait for it.
    if (reason === 'slow_consumer' || reason === 'shutdown') setTimeout(() => res.socket?.destroy(), reason === 'shutdown' ? 0 : SSE_CLOSE_GRACE_MS).unref();
  }
}

function subscriptionsOf(body: Record<string, unknown>): unknown {
  const s = body.subscriptions;
  // Form bodies repeat the key or send a single value.
  return typeof s === 'string' ? (s === '' ? [] : [s]) : s;
}

/** Registers `GET /api/realtime` and `POST /api/realtime` on `server`. */
export function realtimeSseRoutes(server: FastifyInstance, app: App): void {
  const broker = app.realtime;

  let closing = false;
  server.get('/api/realtime', (request: FastifyRequest, reply) => {
    // A client reconnecting while the server stops would open a stream nobody closes.
    if (closing) return reply.code(503).header('connection', 'close').send({ status: 503, message: 'The server is shutting down.', data: {} });
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx buffers proxied responses unless told not to.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const sink = new SseSink(res);
    const client = broker.connect(sink, { transport: 'sse', ip: request.ip });
    sink.client = client;
    // The SDK reads the client id from the event's `id` field (lastEventId), not from the data.
    res.write(sseMessage(client.id, 'PB_CONNECT', JSON.stringify({ clientId: client.id })));
    res.on('close', () => broker.disconnect(client, 'closed'));
  });

  server.post('/api/realtime', async (request, reply) => {
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
    const clientId = typeof body.clientId === 'string' ? body.clientId : '';
    if (clientId === '') throw new ValidationError('An error occurred while validating the submitted data.', { clientId: fieldError('validation_required', 'Cannot be blank.') });
    if (clientId.length > MAX_CLIENT_ID_LENGTH) {
      // A real range, unlike the subscription limits: PocketBase validates Length(1, 255) here
      // (apis/realtime.go realtimeSubscribeForm), so this is out_of_range, not too_long.
      throw new ValidationError('An error occurred while validating the submitted data.', {
        clientId: fieldError('validation_length_out_of_range', `The length must be between 1 and ${MAX_CLIENT_ID_LENGTH}.`, { min: 1, max: MAX_CLIENT_ID_LENGTH }),
      });
    }
    const subscriptions = RealtimeBroker.validateSubscriptions(subscriptionsOf(body));
    const client = broker.findClient(clientId);
    if (!client || client.transport !== 'sse') throw new NotFoundError('Missing or invalid client id.');
    if (client.ip !== request.ip) throw new BadRequestError('Invalid realtime client.');
    const auth = await resolveAuthToken(app, request.headers.authorization);
    // A guest client may become authenticated; an authenticated one may not switch or sign out (spec §7.2, A31).
    const previous = client.auth;
    if (previous && (!auth || auth.collection.id !== previous.collection.id || String(auth.record.id) !== String(previous.record.id))) {
      throw new ForbiddenError("The current and the previous request authorization don't match.");
    }
    broker.setAuth(client, auth);
    broker.setSubscriptions(client, subscriptions);
    return reply.code(204).send();
  });

  // Long-lived streams would keep `server.close()` waiting forever.
  server.addHook('preClose', async () => {
    closing = true;
    broker.closeClients('shutdown', 'sse');
  });
}
