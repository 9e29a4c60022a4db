/**
 * Realtime over one WebSocket (Basalt extension, docs/realtime.md): the same topics and rules as
 * the SSE protocol, plus broadcast topics and presence, with a small JSON message protocol at
 * {@link WS_PATH}. A thin adapter over the broker (core/realtime); `ws` is owned by this folder.
 *
 * Client → server: `subscribe {topics}`, `unsubscribe {topics}`, `auth {token}`, `ping`,
 * `publish {topic, data}`, `presence {topic}`; each may carry an `id`, echoed in the reply.
 * Server → client: `connected {clientId, auth}`, `subscribed`, `unsubscribed`, `auth`,
 * `event {topic, data}`, `presence`, `pong`, `error {code, message}`.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { App } from '../../core/app.ts';
import { BasaltError } from '../../core/errors.ts';
import type { AuthState } from '../../core/operations/context.ts';
import { resolveAuthToken } from '../../core/operations/record-auth.ts';
import { CLOSE_REASON_TEXT, type RealtimeClient, type RealtimeCloseReason, type RealtimeMessage, type RealtimeSink } from '../../core/realtime/realtime-client.ts';
import { BROADCAST_PREFIX } from '../../core/realtime/realtime-subscription.ts';

/** Where the WebSocket endpoint is upgraded. */
export const WS_PATH = '/api/realtime/ws';
/** Largest client message; bigger ones close the socket with 1009 (RFC 6455 §7.4.1). */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024;
/** Time a dropped slow consumer gets to take the close frame before the socket is destroyed. */
export const WS_CLOSE_GRACE_MS = 2000;

/** Close codes per reason: 1001 "going away" (RFC 6455 §7.4.1), 4000–4999 for application reasons. */
export const WS_CLOSE_CODES: Record<RealtimeCloseReason, number> = {
  closed: 1000,
  shutdown: 1001,
  idle: 4000,
  slow_consumer: 4001,
};

class WsSink implements RealtimeSink {
  readonly #ws: WebSocket;
  alive = true;

  constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  send(message: RealtimeMessage): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    // `data` is serialised once for every subscriber: splice it in rather than parse it again.
    const text =
      message.type === 'event'
        ? `{"type":"event","topic":${JSON.stringify(message.topic)},"data":${message.data}}`
        : JSON.stringify(message);
    this.#ws.send(text);
  }

  bufferedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  heartbeat(): void {
    // No pong since the last ping: the peer is gone without a close frame.
    if (!this.alive) {
      this.#ws.terminate();
      return;
    }
    this.alive = false;
    this.#ws.ping();
  }

  close(reason: RealtimeCloseReason): void {
    const ws = this.#ws;
    if (ws.readyState === ws.CLOSED) return;
    ws.close(WS_CLOSE_CODES[reason], CLOSE_REASON_TEXT[reason]);
    // A peer that stopped reading never answers the close handshake.
    setTimeout(() => ws.terminate(), reason === 'slow_consumer' ? WS_CLOSE_GRACE_MS : WS_CLOSE_GRACE_MS * 2).unref();
  }
}

function authSummary(client: RealtimeClient) {
  return client.peer().auth;
}

/** Attaches the WebSocket endpoint to `server`'s HTTP server. */
export function realtimeWsRoutes(server: FastifyInstance, app: App): void {
  const broker = app.realtime;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES, perMessageDeflate: false });
  let closing = false;

  const reject = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) return reject(socket, 404, 'Not Found');
    if (closing) return reject(socket, 503, 'Service Unavailable');
    const token = url.searchParams.get('token') || req.headers.authorization || undefined;
    socket.on('error', () => socket.destroy());
    resolveAuthToken(app, token)
      .then((auth) => {
        wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req, auth, token !== undefined && auth === null));
      })
      .catch((err) => {
        app.logger.error({ err }, 'websocket upgrade failed');
        reject(socket, 500, 'Internal Server Error');
      });
  });

  function onConnection(ws: WebSocket, req: IncomingMessage, auth: AuthState | null, badToken: boolean): void {
    const sink = new WsSink(ws);
    const client = broker.connect(sink, { transport: 'ws', ip: req.socket.remoteAddress ?? '', auth });
    const reply = (message: Record<string, unknown>, id?: unknown) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(id === undefined ? message : { ...message, id }));
    };
    const fail = (code: string, message: string, id?: unknown) => reply({ type: 'error', code, message }, id);

    reply({ type: 'connected', clientId: client.id, auth: authSummary(client) });
    if (badToken) fail('unauthorized', 'The token is invalid or expired; connected as a guest.');

    ws.on('pong', () => {
      sink.alive = true;
      client.lastActivity = Date.now();
    });
    ws.on('close', () => broker.disconnect(client, 'closed'));
    ws.on('error', () => ws.terminate());

    // Messages are handled one at a time, in order: `auth` resolves a token asynchronously and a
    // `subscribe` sent right after it must see the new auth.
    let chain = Promise.resolve();
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      client.lastActivity = Date.now();
      sink.alive = true;
      chain = chain.then(() => handle(raw, isBinary)).catch((err) => app.logger.error({ err }, 'websocket message failed'));
    });

    async function handle(raw: RawData, isBinary: boolean): Promise<void> {
      if (client.closed) return;
      let msg: Record<string, unknown>;
      try {
        if (isBinary) throw new TypeError('binary');
        const parsed = JSON.parse(raw.toString()) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not an object');
        msg = parsed as Record<string, unknown>;
      } catch {
        return fail('invalid_message', 'Messages must be JSON text objects with a "type".');
      }
      const id = typeof msg.id === 'string' || typeof msg.id === 'number' ? msg.id : undefined;
      const topics = (): string[] => {
        const list = msg.topics;
        if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) throw new InvalidMessage('"topics" must be a list of strings.');
        return list as string[];
      };
      try {
        switch (msg.type) {
          case 'ping':
            return reply({ type: 'pong' }, id);
          case 'subscribe': {
            const list = topics();
            broker.subscribe(client, list);
            return reply({ type: 'subscribed', topics: list }, id);
          }
          case 'unsubscribe': {
            const list = topics();
            broker.unsubscribe(client, list);
            return reply({ type: 'unsubscribed', topics: list }, id);
          }
          case 'auth': {
            const token = typeof msg.token === 'string' && msg.token !== '' ? msg.token : undefined;
            const next = await resolveAuthToken(app, token);
            if (token && !next) return fail('unauthorized', 'The token is invalid or expired; the auth is unchanged.', id);
            broker.setAuth(client, next);
            return reply({ type: 'auth', auth: authSummary(client) }, id);
          }
          case 'publish': {
            if (typeof msg.topic !== 'string') throw new InvalidMessage('"topic" must be a string.');
            broker.publishFrom(client, msg.topic, msg.data);
            return;
          }
          case 'presence': {
            if (typeof msg.topic !== 'string' || !msg.topic.startsWith(BROADCAST_PREFIX)) throw new InvalidMessage('"topic" must be a broadcast/<name> topic.');
            if (!broker.canSubscribe(client.auth, msg.topic)) return fail('forbidden', `Not allowed to see ${msg.topic}.`, id);
            return reply({ type: 'presence', topic: msg.topic, clients: broker.presence(msg.topic) }, id);
          }
          default:
            return fail('unknown_type', `Unknown message type ${JSON.stringify(msg.type)}.`, id);
        }
      } catch (err) {
        if (err instanceof InvalidMessage) return fail('invalid_message', err.message, id);
        if (err instanceof BasaltError) return fail(err.code, err.message, id);
        throw err;
      }
    }
  }

  server.addHook('preClose', async () => {
    closing = true;
    // Each socket gets a 1001 close frame; the sink destroys those that don't answer in time.
    broker.closeClients('shutdown', 'ws');
    wss.close();
  });
}

class InvalidMessage extends Error {}
