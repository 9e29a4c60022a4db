/**
 * One realtime connection as core sees it: an id, the auth attached to it, its subscriptions, and
 * a sink (the transport's side: SSE stream or WebSocket) that turns messages into bytes.
 * @module
 */
import { randomString } from '../../tools/ids.ts';
import type { AuthState } from '../operations/context.ts';
import type { ParsedSubscription } from './realtime-subscription.ts';

/** Length of a client id (spec §7.1: 40 characters of `[A-Za-z0-9]`). */
export const CLIENT_ID_LENGTH = 40;

/** Who a presence entry or a broadcast sender is. */
export interface RealtimePeer {
  clientId: string;
  /** The attached auth record, or null for guests. Only ids and the collection are shown. */
  auth: { collectionId: string; collectionName: string; id: string } | null;
}

/** What core hands to a transport. `data` is already serialised JSON (shared by many clients). */
export type RealtimeMessage =
  /** A record event or a broadcast: `topic` is the subscription string exactly as submitted. */
  | { type: 'event'; topic: string; data: string }
  /** Someone subscribed to or left a broadcast topic this client is subscribed to. */
  | { type: 'presence'; topic: string; action: 'join' | 'leave'; client: RealtimePeer }
  /** The attached auth changed without the client asking (token invalidated, record deleted). */
  | { type: 'auth'; auth: RealtimePeer['auth'] };

/** Why a connection was closed by the server. */
export type RealtimeCloseReason =
  /** The client stopped reading and its send buffer passed the limit. */
  | 'slow_consumer'
  /** Nothing was sent or received for the idle timeout. */
  | 'idle'
  /** The server is shutting down. */
  | 'shutdown'
  /** The peer went away (transport-detected). */
  | 'closed';

/** Human-readable text of each close reason (sent as the SSE comment / WebSocket close reason). */
export const CLOSE_REASON_TEXT: Record<RealtimeCloseReason, string> = {
  slow_consumer: 'slow consumer: the client did not read its messages fast enough',
  idle: 'idle timeout',
  shutdown: 'server shutting down',
  closed: 'connection closed',
};

/** The transport side of a client. */
export interface RealtimeSink {
  /** Queues one message for the peer. Must not throw. */
  send(message: RealtimeMessage): void;
  /** Bytes written but not yet handed to the OS: what a slow reader makes grow. */
  bufferedBytes(): number;
  /** Liveness probe, called every heartbeat interval (SSE comment, WebSocket ping frame). */
  heartbeat(): void;
  /** Closes the connection. Called once, by the broker; the transport must not call back. */
  close(reason: RealtimeCloseReason): void;
}

export class RealtimeClient {
  readonly id = randomString(CLIENT_ID_LENGTH);
  readonly transport: string;
  readonly ip: string;
  readonly sink: RealtimeSink;
  /** The attached auth; kept fresh by the broker when the record changes. */
  auth: AuthState | null;
  /** Subscriptions keyed by their exact string. */
  readonly subscriptions = new Map<string, ParsedSubscription>();
  /** Last time a message was sent or the client did something (ms since epoch). */
  lastActivity: number;
  closed = false;

  constructor(sink: RealtimeSink, init: { transport: string; ip: string; auth: AuthState | null; now: number }) {
    this.sink = sink;
    this.transport = init.transport;
    this.ip = init.ip;
    this.auth = init.auth;
    this.lastActivity = init.now;
  }

  /** The public description of this client (presence, broadcast sender). */
  peer(): RealtimePeer {
    const a = this.auth;
    return { clientId: this.id, auth: a ? { collectionId: a.collection.id, collectionName: a.collection.name, id: String(a.record.id) } : null };
  }
}
