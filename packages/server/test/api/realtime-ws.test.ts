/**
 * Realtime over WebSocket (docs/realtime.md) with the `ws` client: the JSON protocol, auth at the
 * upgrade and by message, rule-gated record events, broadcast topics, presence and limits.
 * Negative assertions use a sentinel write, as in realtime-sse.test.ts (a socket is ordered).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type PocketBase from 'pocketbase';
import { MAX_WS_MESSAGE_BYTES } from '../../src/transports/realtime/ws.ts';
import { forEachDialect, startTestServer, type TestServer } from '../helpers/test-server.ts';

const PASSWORD = 'password123';

type Msg = Record<string, any>;

/** A ws client that queues every message and lets tests wait for one matching a predicate. */
class WsClient {
  readonly ws: WebSocket;
  readonly messages: Msg[] = [];
  #waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | undefined;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)));
      this.#wake();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.#wake();
    });
    this.ws.on('error', () => {});
  }
  #wake() {
    for (const w of this.#waiters.splice(0)) w();
  }
  send(msg: Msg): void {
    this.ws.send(JSON.stringify(msg));
  }
  /** Waits for (and returns) the first message matching `pred`, scanning from the start. */
  async next(pred: (m: Msg) => boolean): Promise<Msg> {
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting`);
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }
  async waitClosed(): Promise<{ code: number; reason: string }> {
    while (!this.closed) await new Promise<void>((r) => this.#waiters.push(r));
    return this.closed;
  }
  /** Sends a request with an id and waits for the reply carrying it. */
  async request(msg: Msg): Promise<Msg> {
    const id = Math.random().toString(36).slice(2);
    this.send({ ...msg, id });
    return this.next((m) => m.id === id);
  }
  events(topic: string): Msg[] {
    return this.messages.filter((m) => m.type === 'event' && m.topic === topic);
  }
  close(): void {
    this.ws.close();
  }
}

forEachDialect((dialect) =>
  describe('realtime over WebSocket', () => {
    let t: TestServer;
    let wsUrl = '';
    let alice: PocketBase;
    let aliceId = '';
    let bob: PocketBase;
    const sockets: WsClient[] = [];

    function connect(query = '', headers: Record<string, string> = {}): WsClient {
      const c = new WsClient(`${wsUrl}${query}`, headers);
      sockets.push(c);
      return c;
    }
    async function ready(c: WsClient): Promise<Msg> {
      return c.next((m) => m.type === 'connected');
    }
    async function sync(...cs: WsClient[]): Promise<void> {
      const ping = await t.admin.collection('pings').create({});
      await Promise.all(cs.map((c) => c.next((m) => m.type === 'event' && m.data.record?.id === ping.id)));
    }

    before(async () => {
      t = await startTestServer({ dialect });
      wsUrl = `${t.url.replace(/^http/, 'ws')}/api/realtime/ws`;
      for (const [email, name] of [['alice@example.com', 'Alice'], ['bob@example.com', 'Bob']]) {
        const pb = t.client();
        const r = await pb.collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD, name });
        await pb.collection('users').authWithPassword(email, PASSWORD);
        if (name === 'Alice') [alice, aliceId] = [pb, r.id];
        else bob = pb;
      }
      const owner = 'author = @request.auth.id';
      await t.admin.collections.create({
        name: 'posts',
        listRule: owner,
        viewRule: owner,
        createRule: '',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
        ],
      });
      await t.admin.collections.create({ name: 'pings', listRule: '', viewRule: '', fields: [{ name: 'n', type: 'number' }] });
    });
    after(async () => {
      for (const s of sockets) s.close();
      await t.close();
    });

    it('greets with connected, answers ping with pong, rejects junk with error messages', async () => {
      const c = connect();
      const hello = await ready(c);
      assert.match(hello.clientId, /^[A-Za-z0-9]{40}$/);
      assert.equal(hello.auth, null);
      assert.deepEqual(await c.request({ type: 'ping' }), { type: 'pong', id: (c.messages.at(-1) as Msg).id });
      c.ws.send('not json');
      assert.equal((await c.next((m) => m.type === 'error' && m.code === 'invalid_message')).code, 'invalid_message');
      assert.equal((await c.request({ type: 'dance' })).code, 'unknown_type');
      assert.equal((await c.request({ type: 'subscribe', topics: 'posts/*' })).code, 'invalid_message');
      const tooMany = await c.request({ type: 'subscribe', topics: Array.from({ length: 1001 }, (_, i) => `pings/${i}`) });
      assert.equal(tooMany.type, 'error');
    });

    it('delivers record events by the subscriber\'s auth: ?token=, Authorization header, auth message', async () => {
      const guest = connect();
      const byQuery = connect(`?token=${alice.authStore.token}`);
      const byHeader = connect('', { authorization: alice.authStore.token });
      const switcher = connect();
      for (const c of [guest, byQuery, byHeader, switcher]) await ready(c);
      assert.equal((await byQuery.next((m) => m.type === 'connected')).auth.id, aliceId);
      assert.equal((await switcher.request({ type: 'auth', token: alice.authStore.token })).auth.id, aliceId);
      for (const c of [guest, byQuery, byHeader, switcher]) assert.equal((await c.request({ type: 'subscribe', topics: ['posts/*', 'pings/*'] })).type, 'subscribed');
      const post = await alice.collection('posts').create({ title: 'mine', author: aliceId });
      await sync(guest, byQuery, byHeader, switcher);
      for (const c of [byQuery, byHeader, switcher]) {
        const [ev] = c.events('posts/*');
        assert.deepEqual(ev.data, { action: 'create', record: await alice.collection('posts').getOne(post.id) });
      }
      assert.deepEqual(guest.events('posts/*'), []);
      // Signing out by message: no more protected events.
      assert.equal((await switcher.request({ type: 'auth', token: null })).auth, null);
      await alice.collection('posts').create({ title: 'second', author: aliceId });
      await sync(switcher, byQuery);
      assert.equal(switcher.events('posts/*').length, 1);
      assert.equal(byQuery.events('posts/*').length, 2);
      assert.equal((await switcher.request({ type: 'auth', token: 'garbage' })).code, 'unauthorized');
    });

    it('a bad ?token= connects as a guest with an error message', async () => {
      const c = connect('?token=garbage');
      assert.equal((await ready(c)).auth, null);
      assert.equal((await c.next((m) => m.type === 'error')).code, 'unauthorized');
    });

    it('broadcast topics: authenticated clients and server code publish, guests may not', async () => {
      const guest = connect();
      const user = connect(`?token=${bob.authStore.token}`);
      await Promise.all([ready(guest), ready(user)]);
      for (const c of [guest, user]) await c.request({ type: 'subscribe', topics: ['broadcast/room1'] });
      assert.equal((await guest.request({ type: 'publish', topic: 'broadcast/room1', data: { text: 'hi' } })).code, 'forbidden');
      assert.equal((await user.request({ type: 'publish', topic: 'posts/*', data: {} })).code, 'bad_request');
      user.send({ type: 'publish', topic: 'broadcast/room1', data: { text: 'hello' } });
      const got = await guest.next((m) => m.type === 'event' && m.topic === 'broadcast/room1');
      const hello = await user.next((m) => m.type === 'connected');
      assert.deepEqual(got.data, { action: 'broadcast', from: { clientId: hello.clientId, auth: hello.auth }, payload: { text: 'hello' } });
      assert.equal(t.app.realtime.publish('broadcast/room1', { text: 'from the server' }), 2);
      const server = await guest.next((m) => m.type === 'event' && m.data.from === null);
      assert.deepEqual(server.data.payload, { text: 'from the server' });
    });

    it('presence: join/leave events to the other subscribers and a presence query', async () => {
      const a = connect(`?token=${alice.authStore.token}`);
      const b = connect();
      const [ha, hb] = await Promise.all([ready(a), ready(b)]);
      await a.request({ type: 'subscribe', topics: ['broadcast/lobby'] });
      await b.request({ type: 'subscribe', topics: ['broadcast/lobby'] });
      const join = await a.next((m) => m.type === 'presence' && m.action === 'join');
      assert.deepEqual(join, { type: 'presence', topic: 'broadcast/lobby', action: 'join', client: { clientId: hb.clientId, auth: null } });
      const list = await b.request({ type: 'presence', topic: 'broadcast/lobby' });
      assert.deepEqual(new Set(list.clients.map((c: Msg) => c.clientId)), new Set([ha.clientId, hb.clientId]));
      assert.equal(list.clients.find((c: Msg) => c.clientId === ha.clientId).auth.id, aliceId);
      b.close();
      const leave = await a.next((m) => m.type === 'presence' && m.action === 'leave');
      assert.equal(leave.client.clientId, hb.clientId);
    });

    it('closes a socket that sends a message over the size limit (1009)', async () => {
      const c = connect();
      await ready(c);
      c.ws.send('x'.repeat(MAX_WS_MESSAGE_BYTES + 1));
      assert.equal((await c.waitClosed()).code, 1009);
    });

    it('unsubscribe stops events of that topic', async () => {
      const c = connect();
      await ready(c);
      await c.request({ type: 'subscribe', topics: ['pings/*', 'pings'] });
      assert.deepEqual((await c.request({ type: 'unsubscribe', topics: ['pings'] })).topics, ['pings']);
      await sync(c);
      assert.equal(c.events('pings').length, 0);
      assert.equal(c.events('pings/*').length, 1);
    });
  }),
);
