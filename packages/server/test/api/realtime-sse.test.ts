/**
 * Realtime over SSE (spec §7) driven by the official `pocketbase` SDK and raw HTTP: the
 * PB_CONNECT frame (A32), POST /api/realtime validation and auth binding (A31), exact event-name
 * echo (A33), rule-gated delivery for guests / owners / superusers, expand and fields shaping as
 * REST returns them, delete events, batches, and auth invalidation.
 *
 * Negative assertions ("X receives nothing") are made without timers: after the write under
 * test, a sentinel record is written to a collection every client may see; each client's stream
 * is ordered, so once the sentinel arrives anything the earlier write would have sent is there too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import type PocketBase from 'pocketbase';
import { forEachDialect, startTestServer, sdkError, type TestServer } from '../helpers/test-server.ts';

(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const PASSWORD = 'password123';

interface Received {
  topic: string;
  action: string;
  record: Record<string, any>;
}

/** Collects events per SDK client and waits for them without timers. */
class Inbox {
  readonly events: Received[] = [];
  #waiters: Array<() => void> = [];
  handler(topic: string) {
    return (e: { action: string; record: Record<string, any> }) => {
      this.events.push({ topic, action: e.action, record: e.record });
      for (const w of this.#waiters.splice(0)) w();
    };
  }
  async until(pred: (events: Received[]) => boolean): Promise<void> {
    while (!pred(this.events)) await new Promise<void>((r) => this.#waiters.push(r));
  }
  ofTopic(topic: string): Received[] {
    return this.events.filter((e) => e.topic === topic);
  }
  clear(): void {
    this.events.length = 0;
  }
}

/** Reads an SSE response until `n` messages arrived; returns them raw. */
async function readMessages(res: Response, n: number): Promise<string[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const out: string[] = [];
  while (out.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buffer.indexOf('\n\n')) !== -1) {
      out.push(buffer.slice(0, i + 2));
      buffer = buffer.slice(i + 2);
    }
  }
  reader.releaseLock();
  return out;
}

forEachDialect((dialect) =>
  describe('realtime over SSE', () => {
    let t: TestServer;
    const clients: PocketBase[] = [];
    let alice: PocketBase;
    let bob: PocketBase;
    let aliceId = '';

    async function signUp(email: string, name: string): Promise<{ pb: PocketBase; id: string }> {
      const pb = client();
      const r = await pb.collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD, name });
      await pb.collection('users').authWithPassword(email, PASSWORD);
      return { pb, id: r.id };
    }
    function client(): PocketBase {
      const pb = t.client();
      clients.push(pb);
      return pb;
    }
    /** Writes a sentinel every subscriber of `pings/*` sees, and waits until `inboxes` got it. */
    async function sync(...inboxes: Inbox[]): Promise<void> {
      const ping = await t.admin.collection('pings').create({});
      await Promise.all(inboxes.map((ib) => ib.until((ev) => ev.some((e) => e.record.id === ping.id))));
    }
    async function subscribeAll(pb: PocketBase, inbox: Inbox, topics: Array<[string, string, Record<string, unknown>?]>): Promise<void> {
      for (const [coll, topic, opts] of topics) await pb.collection(coll).subscribe(topic, inbox.handler(`${coll}/${topic}`), opts as never);
    }

    before(async () => {
      t = await startTestServer({ dialect });
      ({ pb: alice, id: aliceId } = await signUp('alice@example.com', 'Alice'));
      ({ pb: bob } = await signUp('bob@example.com', 'Bob'));
      const owner = 'author = @request.auth.id';
      await t.admin.collections.create({
        name: 'posts',
        listRule: owner,
        viewRule: owner,
        createRule: '',
        updateRule: owner,
        deleteRule: owner,
        fields: [
          { name: 'title', type: 'text' },
          { name: 'secret', type: 'text', hidden: true },
          { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
        ],
      });
      await t.admin.collections.create({ name: 'news', listRule: 'status = "live"', viewRule: 'status = "live"', fields: [{ name: 'status', type: 'text' }] });
      await t.admin.collections.create({ name: 'locked', listRule: null, viewRule: null, fields: [{ name: 'title', type: 'text' }] });
      await t.admin.collections.create({ name: 'pings', listRule: '', viewRule: '', fields: [{ name: 'n', type: 'number' }] });
      await t.admin.settings.update({ batch: { enabled: true } });
    });
    after(async () => {
      for (const pb of clients) await pb.realtime.unsubscribe().catch(() => {});
      await t.admin.realtime.unsubscribe().catch(() => {});
      await t.close();
    });

    it('answers GET /api/realtime with the PB_CONNECT frame, id = client id (A32)', async () => {
      const ac = new AbortController();
      const res = await t.fetch('/api/realtime', { signal: ac.signal });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/event-stream');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('x-accel-buffering'), 'no');
      const [first] = await readMessages(res, 1);
      const m = /^id:([A-Za-z0-9]{40})\nevent:PB_CONNECT\ndata:\{"clientId":"([A-Za-z0-9]{40})"\}\n\n$/.exec(first);
      assert.ok(m, first);
      assert.equal(m[1], m[2]);
      ac.abort();
    });

    it('validates POST /api/realtime: 400 / 404 / 403 / 204 (A31)', async () => {
      const post = (body: unknown, token?: string) =>
        t.fetch('/api/realtime', { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) }, body: JSON.stringify(body) });
      let r = await post({ subscriptions: [] });
      assert.equal(r.status, 400);
      assert.equal((await r.json()).data.clientId.code, 'validation_required');
      r = await post({ clientId: 'nope', subscriptions: [] });
      assert.equal(r.status, 404);
      assert.equal((await r.json()).message, 'Missing or invalid client id.');

      const ac = new AbortController();
      const res = await t.fetch('/api/realtime', { signal: ac.signal });
      const [first] = await readMessages(res, 1);
      const clientId = /^id:(\w+)/.exec(first)![1];
      r = await post({ clientId, subscriptions: Array.from({ length: 1001 }, (_, i) => `posts/${i}`) });
      assert.equal(r.status, 400);
      assert.deepEqual((await r.json()).data, {
        subscriptions: { code: 'validation_length_too_long', message: 'The length must be no more than 1000.', params: { min: 0, max: 1000 } },
      });
      r = await post({ clientId, subscriptions: ['posts/*', 'x'.repeat(2501)] });
      assert.equal(r.status, 400);
      assert.deepEqual((await r.json()).data, {
        subscriptions: { 1: { code: 'validation_length_too_long', message: 'The length must be no more than 2500.', params: { min: 0, max: 2500 } } },
      });
      // The client id has a minimum as well as a maximum (PocketBase: Length(1, 255)).
      r = await post({ clientId: 'c'.repeat(256), subscriptions: [] });
      assert.equal(r.status, 400);
      assert.deepEqual((await r.json()).data, {
        clientId: { code: 'validation_length_out_of_range', message: 'The length must be between 1 and 255.', params: { min: 1, max: 255 } },
      });
      // Guest → alice is allowed; alice → bob and alice → guest are not.
      r = await post({ clientId, subscriptions: ['posts/*'] });
      assert.equal(r.status, 204);
      r = await post({ clientId, subscriptions: ['posts/*'] }, alice.authStore.token);
      assert.equal(r.status, 204);
      r = await post({ clientId, subscriptions: ['posts/*'] }, bob.authStore.token);
      assert.equal(r.status, 403);
      assert.equal((await r.json()).message, "The current and the previous request authorization don't match.");
      r = await post({ clientId, subscriptions: [] });
      assert.equal(r.status, 403);
      r = await post({ clientId, subscriptions: [] }, alice.authStore.token);
      assert.equal(r.status, 204);
      ac.abort();
    });

    it('echoes the exact subscription string as the event name, options included (A33)', async () => {
      const ac = new AbortController();
      const res = await t.fetch('/api/realtime', { signal: ac.signal });
      const [first] = await readMessages(res, 1);
      const clientId = /^id:(\w+)/.exec(first)![1];
      const sub = `pings/*?options=${encodeURIComponent(JSON.stringify({ query: { fields: 'id,n' }, headers: { 'X-Test': 'a b' } }))}`;
      const r = await t.fetch('/api/realtime', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId, subscriptions: [sub] }) });
      assert.equal(r.status, 204);
      const ping = await t.admin.collection('pings').create({ n: 7 });
      const [msg] = await readMessages(res, 1);
      assert.equal(msg, `id:${clientId}\nevent:${sub}\ndata:${JSON.stringify({ action: 'create', record: { id: ping.id, n: 7 } })}\n\n`);
      ac.abort();
    });

    it('delivers create/update/delete only to subscribers the list/view rule lets see the record', async () => {
      const guest = client();
      const inboxes = { guest: new Inbox(), alice: new Inbox(), bob: new Inbox(), admin: new Inbox() };
      const pbs = { guest, alice, bob, admin: t.admin };
      for (const [who, pb] of Object.entries(pbs)) await subscribeAll(pb, inboxes[who as keyof typeof inboxes], [['posts', '*'], ['locked', '*'], ['pings', '*']]);

      const post = await alice.collection('posts').create({ title: 'hello', author: aliceId, secret: 's3' });
      await alice.collection('posts').update(post.id, { title: 'hello 2' });
      await t.admin.collection('locked').create({ title: 'only admins' });
      await alice.collection('posts').delete(post.id);
      await sync(...Object.values(inboxes));

      const actions = (ib: Inbox, topic: string) => ib.ofTopic(topic).map((e) => e.action);
      assert.deepEqual(actions(inboxes.alice, 'posts/*'), ['create', 'update', 'delete']);
      assert.deepEqual(actions(inboxes.admin, 'posts/*'), ['create', 'update', 'delete']);
      assert.deepEqual(actions(inboxes.bob, 'posts/*'), []);
      assert.deepEqual(actions(inboxes.guest, 'posts/*'), []);
      assert.deepEqual(actions(inboxes.admin, 'locked/*'), ['create']);
      assert.deepEqual(actions(inboxes.alice, 'locked/*'), []);
      // Hidden fields: superusers only, as in REST (a non-superuser cannot set them either).
      assert.equal(inboxes.admin.ofTopic('posts/*')[0].record.secret, '');
      assert.equal('secret' in inboxes.alice.ofTopic('posts/*')[0].record, false);
      assert.equal(inboxes.alice.ofTopic('posts/*')[1].record.title, 'hello 2');
      for (const pb of Object.values(pbs)) await pb.realtime.unsubscribe();
    });

    it('uses the view rule for single-record topics and evaluates auth-independent rules once', async () => {
      const guest = client();
      const ib = new Inbox();
      const item = await t.admin.collection('news').create({ status: 'draft' });
      await guest.collection('news').subscribe(item.id, ib.handler('one'));
      await guest.collection('news').subscribe('*', ib.handler('all'));
      await guest.collection('pings').subscribe('*', ib.handler('pings'));
      await t.admin.collection('news').update(item.id, { status: 'live' });
      await t.admin.collection('news').update(item.id, { status: 'draft' });
      await sync(ib);
      assert.deepEqual(ib.ofTopic('one').map((e) => e.record.status), ['live']);
      assert.deepEqual(ib.ofTopic('all').map((e) => e.record.status), ['live']);
      await guest.realtime.unsubscribe();
    });

    it('shapes the record with the subscription expand/fields exactly as the REST API does', async () => {
      const ib = new Inbox();
      const post = await alice.collection('posts').create({ title: 'shaped', author: aliceId });
      const options = { expand: 'author', fields: 'id,title,expand.author.name,expand.author.email' };
      await alice.collection('posts').subscribe(post.id, ib.handler('one'), options);
      await alice.collection('pings').subscribe('*', ib.handler('pings'));
      await alice.collection('posts').update(post.id, { title: 'shaped 2' });
      await sync(ib);
      const rest = await alice.collection('posts').getOne(post.id, options);
      const [event] = ib.ofTopic('one');
      assert.equal(event.action, 'update');
      assert.deepEqual(event.record, rest);
      assert.deepEqual(event.record, { id: post.id, title: 'shaped 2', expand: { author: { name: 'Alice', email: 'alice@example.com' } } });
      await alice.realtime.unsubscribe();
    });

    it('applies the filter option and a non-superuser filter with @request never matches', async () => {
      const ib = new Inbox();
      await alice.collection('posts').subscribe('*', ib.handler('filtered'), { filter: 'title ~ "keep"' });
      await alice.collection('posts').subscribe('*', ib.handler('request'), { filter: 'author = @request.auth.id' });
      await alice.collection('pings').subscribe('*', ib.handler('pings'));
      await alice.collection('posts').create({ title: 'drop me', author: aliceId });
      await alice.collection('posts').create({ title: 'keep me', author: aliceId });
      await sync(ib);
      assert.deepEqual(ib.ofTopic('filtered').map((e) => e.record.title), ['keep me']);
      assert.deepEqual(ib.ofTopic('request'), []);
      await alice.realtime.unsubscribe();
    });

    it('emits nothing for a rolled-back batch and each record after a committed one', async () => {
      const ib = new Inbox();
      await t.admin.collection('pings').subscribe('*', ib.handler('pings'));
      const failing = t.admin.createBatch();
      failing.collection('pings').create({ n: 1 });
      failing.collection('nope').create({ n: 2 });
      assert.equal((await sdkError(failing.send())).status, 400);
      const batch = t.admin.createBatch();
      batch.collection('pings').create({ n: 3 });
      batch.collection('pings').create({ n: 4 });
      await batch.send();
      await ib.until((ev) => ev.length >= 2);
      await sync(ib);
      assert.deepEqual(ib.events.map((e) => e.record.n).slice(0, 2), [3, 4]);
      assert.equal(ib.events.some((e) => e.record.n === 1), false);
      await t.admin.realtime.unsubscribe();
    });

    it('stops delivering protected events once the subscriber changes its password (token invalidated)', async () => {
      const { pb: carol, id: carolId } = await signUp('carol@example.com', 'Carol');
      const ib = new Inbox();
      await carol.collection('posts').subscribe('*', ib.handler('posts'));
      await carol.collection('pings').subscribe('*', ib.handler('pings'));
      await carol.collection('posts').create({ title: 'before', author: carolId });
      await sync(ib);
      assert.deepEqual(ib.ofTopic('posts').map((e) => e.record.title), ['before']);
      // A second session changes the password: the token the stream was bound with is now invalid.
      const other = client();
      await other.collection('users').authWithPassword('carol@example.com', PASSWORD);
      await other.collection('users').update(carolId, { oldPassword: PASSWORD, password: 'newpassword1', passwordConfirm: 'newpassword1' });
      await t.admin.collection('posts').create({ title: 'after', author: carolId });
      await sync(ib);
      assert.deepEqual(ib.ofTopic('posts').map((e) => e.record.title), ['before']);
      await carol.realtime.unsubscribe();
    });

    it('unsubscribe(topic) stops that topic only; the last unsubscribe closes the stream', async () => {
      const ib = new Inbox();
      const guest = client();
      const off = await guest.collection('news').subscribe('*', ib.handler('news'));
      await guest.collection('pings').subscribe('*', ib.handler('pings'));
      await off();
      await t.admin.collection('news').create({ status: 'live' });
      await sync(ib);
      assert.deepEqual(ib.ofTopic('news'), []);
      await guest.realtime.unsubscribe();
      assert.equal(guest.realtime.isConnected, false);
      assert.equal(t.app.realtime.stats().clients >= 0, true);
    });
  }),
);
