/**
 * The realtime broker: every connected client of every transport, their auth and subscriptions,
 * delivery of committed record events (spec §7.4), broadcast topics, presence, and the limits
 * that keep all of it bounded. Transports (transports/realtime/sse.ts, ws.ts) only move bytes.
 *
 * Contract:
 * - Record events come from the `onRecordAfter{Create,Update,Delete}Success` hooks, so nothing
 *   is sent for a write that did not commit, and a batch's events go out after the whole batch
 *   commits. The hooks only queue the event; one dispatcher delivers events in commit order, so
 *   writers never wait for subscribers (unless {@link MAX_PENDING_EVENTS} are already queued:
 *   then the writer waits, instead of memory growing).
 * - Delivery is best-effort: no replay, no acknowledgement. A client whose transport buffer
 *   holds more than `maxBufferedBytes` is disconnected with reason `slow_consumer`.
 * - When the record a client is authenticated as changes its `tokenKey` (password or email
 *   change) or is deleted, the client silently becomes a guest (spec §7.2).
 * @module
 */
import type { App } from '../app.ts';
import type { CollectionModel } from '../collections/collection.ts';
import { BadRequestError, ForbiddenError, ValidationError, fieldError, type FieldErrors } from '../errors.ts';
import type { AuthState } from '../operations/context.ts';
import type { RecordData } from '../records/record.ts';
import { RealtimeClient, type RealtimeCloseReason, type RealtimePeer, type RealtimeSink } from './realtime-client.ts';
import { planRecordDeliveries, type Candidate, type RecordAction } from './realtime-delivery.ts';
import {
  MAX_SUBSCRIPTION_LENGTH,
  MAX_SUBSCRIPTIONS_PER_CLIENT,
  parseSubscription,
  recordEventTopics,
  type ParsedSubscription,
} from './realtime-subscription.ts';

/** Default idle timeout: a connection with no message either way for this long is closed (spec §7.1: 5 min). */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
/** Default interval of heartbeats (SSE comments, WebSocket pings) and of the idle sweep. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 25_000;
/** Default most bytes a client may leave unread before it is dropped as a slow consumer. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Committed events waiting for delivery before writers are made to wait. */
export const MAX_PENDING_EVENTS = 10_000;
/** Most members listed by one presence query. */
export const MAX_PRESENCE_LIST = 1000;

/** Who may publish to a broadcast topic: a client's auth (null for guests) and the topic. */
export type BroadcastRule = (auth: AuthState | null, topic: string) => boolean;

export interface RealtimeBrokerOptions {
  idleTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxBufferedBytes?: number;
  /** Default: authenticated clients may publish; superusers always may. */
  canPublish?: BroadcastRule;
  /** Default: anyone may subscribe to a broadcast topic. */
  canSubscribe?: BroadcastRule;
}

/** Counters for monitoring and the benchmark. */
export interface RealtimeStats {
  clients: number;
  subscriptions: number;
  eventsDispatched: number;
  messagesSent: number;
  droppedSlowConsumers: number;
  closedIdle: number;
  pendingEvents: number;
}

interface PendingEvent {
  action: RecordAction;
  collection: CollectionModel;
  record: RecordData;
  candidates: Candidate[];
}

const isSuperuserAuth = (auth: AuthState | null): boolean => auth?.collection.name === '_superusers';

const DEFAULT_CAN_PUBLISH: BroadcastRule = (auth) => auth !== null;
const DEFAULT_CAN_SUBSCRIBE: BroadcastRule = () => true;

export class RealtimeBroker {
  readonly #app: App;
  readonly #clients = new Map<string, RealtimeClient>();
  /** Topic (subscription string before `?`) → subscriptions to it. */
  readonly #byTopic = new Map<string, Map<RealtimeClient, Set<ParsedSubscription>>>();
  /** `collectionId/recordId` of an attached auth record → its clients. */
  readonly #byAuth = new Map<string, Set<RealtimeClient>>();
  readonly #queue: PendingEvent[] = [];
  #draining: Promise<void> | undefined;
  #queueWaiters: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #stats = { eventsDispatched: 0, messagesSent: 0, droppedSlowConsumers: 0, closedIdle: 0 };
  readonly idleTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxBufferedBytes: number;
  canPublish: BroadcastRule;
  canSubscribe: BroadcastRule;

  constructor(app: App, options: RealtimeBrokerOptions = {}) {
    this.#app = app;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.canPublish = options.canPublish ?? DEFAULT_CAN_PUBLISH;
    this.canSubscribe = options.canSubscribe ?? DEFAULT_CAN_SUBSCRIBE;
    const ev = app.events;
    ev.onRecordAfterCreateSuccess.bind({ id: '__realtime', fn: async (e) => { await this.#onRecord('create', e.collection, e.record); await e.next(); } });
    ev.onRecordAfterUpdateSuccess.bind({ id: '__realtime', fn: async (e) => { await this.#onRecord('update', e.collection, e.record); await e.next(); } });
    ev.onRecordAfterDeleteSuccess.bind({ id: '__realtime', fn: async (e) => { await this.#onRecord('delete', e.collection, e.record); await e.next(); } });
  }

  // ── clients ───────────────────────────────────────────────────────────────────────────────

  /** Registers a connection. The transport sends its greeting (PB_CONNECT, `connected`) itself. */
  connect(sink: RealtimeSink, init: { transport: string; ip: string; auth?: AuthState | null }): RealtimeClient {
    if (this.#closed) throw new TypeError('The realtime broker is closed.');
    const client = new RealtimeClient(sink, { transport: init.transport, ip: init.ip, auth: init.auth ?? null, now: Date.now() });
    this.#clients.set(client.id, client);
    this.#indexAuth(client);
    this.#ensureTimer();
    return client;
  }

  /** Finds a connected client by id. */
  findClient(id: string): RealtimeClient | undefined {
    return this.#clients.get(id);
  }

  /**
   * Forgets a client: its subscriptions (presence `leave` to the others), its auth. With a reason
   * other than `closed` (the transport saw the peer go), the sink is told to close.
   */
  disconnect(client: RealtimeClient, reason: RealtimeCloseReason): void {
    if (client.closed) return;
    client.closed = true;
    for (const sub of [...client.subscriptions.values()]) this.#removeSubscription(client, sub);
    this.#unindexAuth(client);
    this.#clients.delete(client.id);
    if (reason !== 'closed') {
      try {
        client.sink.close(reason);
      } catch {
        // A transport that fails to close has nothing more to tell us.
      }
    }
  }

  /** Attaches auth to a client (or detaches it with null). */
  setAuth(client: RealtimeClient, auth: AuthState | null): void {
    this.#unindexAuth(client);
    client.auth = auth;
    this.#indexAuth(client);
    client.lastActivity = Date.now();
  }

  // ── subscriptions ─────────────────────────────────────────────────────────────────────────

  /**
   * Validates a list of subscription strings (spec §7.2); throws ValidationError. Both limits are
   * maximums only, so they report `validation_length_too_long` with `{min: 0, max}`, as PocketBase's
   * `validation.Length(0, N)` does (apis/realtime.go realtimeSubscribeForm).
   */
  static validateSubscriptions(value: unknown, field = 'subscriptions'): string[] {
    if (value === undefined || value === null) return [];
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list)) throw new ValidationError('An error occurred while validating the submitted data.', { [field]: fieldError('validation_invalid_value', 'Must be a list of strings.') });
    if (list.length > MAX_SUBSCRIPTIONS_PER_CLIENT) {
      throw new ValidationError('An error occurred while validating the submitted data.', {
        [field]: fieldError('validation_length_too_long', `The length must be no more than ${MAX_SUBSCRIPTIONS_PER_CLIENT}.`, { min: 0, max: MAX_SUBSCRIPTIONS_PER_CLIENT }),
      });
    }
    const errors: FieldErrors = {};
    list.forEach((s, i) => {
      if (typeof s !== 'string') errors[String(i)] = fieldError('validation_invalid_value', 'Must be a string.');
      else if (s.length > MAX_SUBSCRIPTION_LENGTH) errors[String(i)] = fieldError('validation_length_too_long', `The length must be no more than ${MAX_SUBSCRIPTION_LENGTH}.`, { min: 0, max: MAX_SUBSCRIPTION_LENGTH });
    });
    if (Object.keys(errors).length) throw new ValidationError('An error occurred while validating the submitted data.', { [field]: errors });
    return list as string[];
  }

  /** Replaces all subscriptions of `client` (SSE `POST /api/realtime` semantics; empty = none). */
  setSubscriptions(client: RealtimeClient, subscriptions: readonly string[]): void {
    const wanted = new Set(RealtimeBroker.validateSubscriptions([...subscriptions]));
    for (const sub of [...client.subscriptions.values()]) if (!wanted.has(sub.raw)) this.#removeSubscription(client, sub);
    for (const raw of wanted) if (!client.subscriptions.has(raw)) this.#addSubscription(client, parseSubscription(raw));
    client.lastActivity = Date.now();
  }

  /**
   * Adds subscriptions (WebSocket `subscribe`). Throws BadRequestError when the client would hold
   * more than {@link MAX_SUBSCRIPTIONS_PER_CLIENT}, ForbiddenError for a broadcast topic it may not join.
   */
  subscribe(client: RealtimeClient, subscriptions: readonly string[]): void {
    const list = RealtimeBroker.validateSubscriptions([...subscriptions], 'topics');
    const fresh = [...new Set(list)].filter((raw) => !client.subscriptions.has(raw));
    if (client.subscriptions.size + fresh.length > MAX_SUBSCRIPTIONS_PER_CLIENT) {
      throw new BadRequestError(`A client may hold at most ${MAX_SUBSCRIPTIONS_PER_CLIENT} subscriptions.`);
    }
    const parsed = fresh.map(parseSubscription);
    for (const p of parsed) {
      if (p.target.kind === 'broadcast' && !this.canSubscribe(client.auth, p.topic)) throw new ForbiddenError(`Not allowed to subscribe to ${p.topic}.`);
    }
    for (const p of parsed) this.#addSubscription(client, p);
    client.lastActivity = Date.now();
  }

  /** Removes subscriptions (WebSocket `unsubscribe`); unknown strings are ignored. */
  unsubscribe(client: RealtimeClient, subscriptions: readonly string[]): void {
    for (const raw of subscriptions) {
      const sub = client.subscriptions.get(raw);
      if (sub) this.#removeSubscription(client, sub);
    }
    client.lastActivity = Date.now();
  }

  #addSubscription(client: RealtimeClient, sub: ParsedSubscription): void {
    client.subscriptions.set(sub.raw, sub);
    let byClient = this.#byTopic.get(sub.topic);
    if (!byClient) this.#byTopic.set(sub.topic, (byClient = new Map()));
    let set = byClient.get(client);
    const joined = !set;
    if (!set) byClient.set(client, (set = new Set()));
    set.add(sub);
    if (joined && sub.target.kind === 'broadcast') this.#presence(sub.topic, 'join', client);
  }

  #removeSubscription(client: RealtimeClient, sub: ParsedSubscription): void {
    client.subscriptions.delete(sub.raw);
    const byClient = this.#byTopic.get(sub.topic);
    const set = byClient?.get(client);
    if (!byClient || !set) return;
    set.delete(sub);
    if (set.size === 0) {
      byClient.delete(client);
      if (byClient.size === 0) this.#byTopic.delete(sub.topic);
      if (sub.target.kind === 'broadcast') this.#presence(sub.topic, 'leave', client);
    }
  }

  // ── broadcast and presence ────────────────────────────────────────────────────────────────

  /**
   * Sends `payload` to every subscriber of `topic` (any topic string; clients subscribe to it as
   * is). The event data is `{action: "broadcast", from, payload}`; `from` is null for server code.
   * Returns the number of messages queued. Note: no rules apply here; server code decides.
   * @example app.realtime.publish('broadcast/lobby', { text: 'maintenance in 5 minutes' });
   */
  publish(topic: string, payload: unknown, from: RealtimeClient | null = null): number {
    const byClient = this.#byTopic.get(topic);
    if (!byClient) return 0;
    const data = JSON.stringify({ action: 'broadcast', from: from?.peer() ?? null, payload: payload ?? null });
    let sent = 0;
    for (const [client, subs] of [...byClient]) for (const sub of subs) if (this.#send(client, { type: 'event', topic: sub.raw, data })) sent++;
    return sent;
  }

  /**
   * Sends `data` as is (no broadcast envelope) to every subscriber of `topic`: for server-defined
   * topics whose payload shape is fixed elsewhere, such as PocketBase's `@oauth2` (spec §6.7.2).
   */
  emit(topic: string, data: unknown): number {
    const byClient = this.#byTopic.get(topic);
    if (!byClient) return 0;
    const json = JSON.stringify(data ?? null);
    let sent = 0;
    for (const [client, subs] of [...byClient]) for (const sub of subs) if (this.#send(client, { type: 'event', topic: sub.raw, data: json })) sent++;
    return sent;
  }

  /**
   * Sends `data` as is to one client, and only if it is subscribed to `topic`: for replies meant
   * for a single client, such as the OAuth2 code of the flow that client started (spec §6.7.2),
   * where {@link emit} would reach every subscriber. Returns the number of messages queued (one
   * per subscription of that client to `topic`; 0 when it is unknown, closed or not subscribed).
   * @example app.realtime.emitTo(clientId, '@oauth2', { state: clientId, code });
   */
  emitTo(clientId: string, topic: string, data: unknown): number {
    const client = this.#clients.get(clientId);
    const subs = client && this.#byTopic.get(topic)?.get(client);
    if (!subs) return 0;
    const json = JSON.stringify(data ?? null);
    let sent = 0;
    for (const sub of [...subs]) if (this.#send(client, { type: 'event', topic: sub.raw, data: json })) sent++;
    return sent;
  }

  /** A client publishes to a broadcast topic: checked with `canPublish` (superusers always may). */
  publishFrom(client: RealtimeClient, topic: string, payload: unknown): number {
    const target = parseSubscription(topic).target;
    if (target.kind !== 'broadcast' || topic.includes('?')) throw new BadRequestError('Clients can only publish to broadcast/<name> topics.');
    if (!isSuperuserAuth(client.auth) && !this.canPublish(client.auth, topic)) throw new ForbiddenError(`Not allowed to publish to ${topic}.`);
    client.lastActivity = Date.now();
    return this.publish(topic, payload, client);
  }

  /** Who is subscribed to `topic` (at most {@link MAX_PRESENCE_LIST}). */
  presence(topic: string): RealtimePeer[] {
    const byClient = this.#byTopic.get(topic);
    if (!byClient) return [];
    const out: RealtimePeer[] = [];
    for (const client of byClient.keys()) {
      if (out.length >= MAX_PRESENCE_LIST) break;
      out.push(client.peer());
    }
    return out;
  }

  #presence(topic: string, action: 'join' | 'leave', who: RealtimeClient): void {
    const byClient = this.#byTopic.get(topic);
    if (!byClient) return;
    const peer = who.peer();
    for (const client of [...byClient.keys()]) if (client !== who) this.#send(client, { type: 'presence', topic, action, client: peer });
  }

  // ── record events ─────────────────────────────────────────────────────────────────────────

  async #onRecord(action: RecordAction, collection: CollectionModel, record: RecordData): Promise<void> {
    if (this.#closed) return;
    if (collection.type === 'auth') this.#syncAuth(action, collection, record);
    // Nobody subscribed to anything: skip building this record's topics (every write comes here).
    if (collection.type === 'view' || this.#byTopic.size === 0) return;
    const candidates: Candidate[] = [];
    for (const topic of recordEventTopics(collection, String(record.id))) {
      const byClient = this.#byTopic.get(topic);
      if (!byClient) continue;
      for (const [client, subs] of byClient) for (const subscription of subs) candidates.push({ client, subscription });
    }
    if (candidates.length === 0) return;
    if (this.#queue.length >= MAX_PENDING_EVENTS) await new Promise<void>((resolve) => this.#queueWaiters.push(resolve));
    this.#queue.push({ action, collection, record, candidates });
    this.#draining ??= this.#drain();
  }

  /** Keeps attached auth in sync with its record (spec §7.2, last paragraph). */
  #syncAuth(action: RecordAction, collection: CollectionModel, record: RecordData): void {
    const clients = this.#byAuth.get(`${collection.id}/${String(record.id)}`);
    if (!clients) return;
    for (const client of [...clients]) {
      const current = client.auth;
      if (!current) continue;
      if (action === 'delete' || String(record.tokenKey ?? '') !== String(current.record.tokenKey ?? '')) {
        this.setAuth(client, null);
        this.#send(client, { type: 'auth', auth: null });
      } else {
        client.auth = { ...current, collection, record };
      }
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length) {
        const ev = this.#queue.shift()!;
        if (this.#queue.length < MAX_PENDING_EVENTS / 2 && this.#queueWaiters.length) {
          for (const wake of this.#queueWaiters.splice(0)) wake();
        }
        await this.#dispatch(ev);
      }
    } finally {
      this.#draining = undefined;
      for (const wake of this.#queueWaiters.splice(0)) wake();
    }
  }

  async #dispatch(ev: PendingEvent): Promise<void> {
    // Subscriptions dropped while the event waited get nothing.
    const live = ev.candidates.filter((c) => !c.client.closed && c.client.subscriptions.get(c.subscription.raw) === c.subscription);
    if (!live.length) return;
    this.#stats.eventsDispatched++;
    try {
      const collection = this.#app.collections.find(ev.collection.id) ?? ev.collection;
      const deliveries = await planRecordDeliveries(this.#app, collection, ev.action, ev.record, live);
      for (const d of deliveries) this.#send(d.client, { type: 'event', topic: d.topic, data: d.data });
    } catch (err) {
      this.#app.logger.error({ err, collection: ev.collection.name, id: ev.record.id }, 'realtime delivery failed');
    }
  }

  /** Resolves once every queued event has been delivered (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  // ── sending and limits ────────────────────────────────────────────────────────────────────

  #send(client: RealtimeClient, message: Parameters<RealtimeSink['send']>[0]): boolean {
    if (client.closed) return false;
    if (client.sink.bufferedBytes() > this.maxBufferedBytes) {
      this.#stats.droppedSlowConsumers++;
      this.disconnect(client, 'slow_consumer');
      return false;
    }
    client.sink.send(message);
    client.lastActivity = Date.now();
    this.#stats.messagesSent++;
    return true;
  }

  #indexAuth(client: RealtimeClient): void {
    const a = client.auth;
    if (!a) return;
    const key = `${a.collection.id}/${String(a.record.id)}`;
    let set = this.#byAuth.get(key);
    if (!set) this.#byAuth.set(key, (set = new Set()));
    set.add(client);
  }

  #unindexAuth(client: RealtimeClient): void {
    const a = client.auth;
    if (!a) return;
    const key = `${a.collection.id}/${String(a.record.id)}`;
    const set = this.#byAuth.get(key);
    set?.delete(client);
    if (set?.size === 0) this.#byAuth.delete(key);
  }

  #ensureTimer(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setInterval(() => this.sweep(), Math.min(this.heartbeatIntervalMs, this.idleTimeoutMs));
    this.#timer.unref();
  }

  /** Closes idle clients and sends heartbeats to the rest (runs on a timer; public for tests). */
  sweep(now = Date.now()): void {
    for (const client of [...this.#clients.values()]) {
      if (now - client.lastActivity >= this.idleTimeoutMs) {
        this.#stats.closedIdle++;
        this.disconnect(client, 'idle');
        continue;
      }
      try {
        client.sink.heartbeat();
      } catch {
        this.disconnect(client, 'closed');
      }
    }
    if (this.#clients.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  stats(): RealtimeStats {
    let subscriptions = 0;
    for (const c of this.#clients.values()) subscriptions += c.subscriptions.size;
    return { clients: this.#clients.size, subscriptions, pendingEvents: this.#queue.length, ...this.#stats };
  }

  /** Closes the clients of one transport (its server is stopping), or all of them. */
  closeClients(reason: RealtimeCloseReason, transport?: string): void {
    for (const client of [...this.#clients.values()]) if (!transport || client.transport === transport) this.disconnect(client, reason);
  }

  /** Graceful shutdown: delivers what is queued, then closes every client with reason `shutdown`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.idle();
    this.#closed = true;
    this.closeClients('shutdown');
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
