/**
 * The realtime broker without a transport: fake sinks, a real App on each engine. Checks the
 * limits (slow consumers, idle timeout, subscriptions per client, shutdown) and that rule checks
 * for many subscribers are batched: SQL statements per event do not grow with subscribers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RealtimeCloseReason, RealtimeMessage, RealtimeSink } from '../../src/core/realtime/realtime-client.ts';
import { MAX_SUBSCRIPTION_LENGTH, MAX_SUBSCRIPTIONS_PER_CLIENT } from '../../src/core/realtime/realtime-subscription.ts';
import { resolveAuthToken } from '../../src/core/operations/record-auth.ts';
import { deliverOAuth2Redirect, OAUTH2_TOPIC } from '../../src/core/auth/oauth2-redirect.ts';
import { forEachDialect, startTestServer, type TestServer } from '../helpers/test-server.ts';

class FakeSink implements RealtimeSink {
  readonly messages: RealtimeMessage[] = [];
  buffered = 0;
  heartbeats = 0;
  closedWith: RealtimeCloseReason | undefined;
  send(m: RealtimeMessage): void {
    this.messages.push(m);
  }
  bufferedBytes(): number {
    return this.buffered;
  }
  heartbeat(): void {
    this.heartbeats++;
  }
  close(reason: RealtimeCloseReason): void {
    this.closedWith = reason;
  }
  events(): Array<{ topic: string; data: any }> {
    return this.messages.flatMap((m) => (m.type === 'event' ? [{ topic: m.topic, data: JSON.parse(m.data) }] : []));
  }
}

forEachDialect((dialect) =>
  describe('realtime broker', () => {
    let t: TestServer;
    const users: Array<{ id: string; token: string }> = [];

    before(async () => {
      t = await startTestServer({ dialect });
      await t.admin.collections.create({
        name: 'posts',
        listRule: 'author = @request.auth.id',
        viewRule: 'author = @request.auth.id',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'status', type: 'text' },
          { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
        ],
      });
      await t.admin.collections.create({ name: 'news', listRule: 'status = "live"', fields: [{ name: 'status', type: 'text' }] });
      for (let i = 0; i < 70; i++) {
        const u = await t.admin.collection('users').create({ email: `u${i}@example.com`, password: 'password123', passwordConfirm: 'password123' });
        const pb = t.client();
        await pb.collection('users').authWithPassword(`u${i}@example.com`, 'password123');
        users.push({ id: u.id, token: pb.authStore.token });
      }
    });
    after(() => t.close());

    /** Counts SQL statements the App runs while `fn` runs (reads outside transactions). */
    async function countQueries(fn: () => Promise<void>): Promise<number> {
      const db = t.app.db as { get: (...a: unknown[]) => Promise<unknown>; all: (...a: unknown[]) => Promise<unknown> };
      const [get, all] = [db.get, db.all];
      let n = 0;
      db.get = function (...a: unknown[]) {
        n++;
        return get.apply(this, a);
      };
      db.all = function (...a: unknown[]) {
        n++;
        return all.apply(this, a);
      };
      try {
        await fn();
      } finally {
        db.get = get;
        db.all = all;
      }
      return n;
    }

    it('batches per-auth rule checks: one statement per 64 distinct auths, not one per subscriber', async () => {
      const broker = t.app.realtime;
      // What the write itself reads outside its transaction (the admin's token).
      const base = await countQueries(async () => {
        await t.admin.collection('posts').create({ title: 'x', author: users[5].id });
        await broker.idle();
      });
      const sinks: FakeSink[] = [];
      for (const u of users) {
        const auth = await resolveAuthToken(t.app, u.token);
        // Two subscriptions per user: the access key is shared, so still one check per auth.
        for (let k = 0; k < 2; k++) {
          const sink = new FakeSink();
          broker.setSubscriptions(broker.connect(sink, { transport: 'test', ip: '127.0.0.1', auth }), ['posts/*']);
          sinks.push(sink);
        }
      }
      const n = await countQueries(async () => {
        await t.admin.collection('posts').create({ title: 'x', author: users[5].id });
        await broker.idle();
      });
      const delivered = sinks.filter((s) => s.events().length > 0);
      assert.equal(delivered.length, 2);
      // 140 subscribers, 70 distinct auths: the broker adds ceil(70 / 64) = 2 statements.
      assert.equal(n - base, 2);
      broker.closeClients('shutdown', 'test');
    });

    it('evaluates an auth-independent rule once for every subscriber', async () => {
      const broker = t.app.realtime;
      const base = await countQueries(async () => {
        await t.admin.collection('news').create({ status: 'live' });
        await broker.idle();
      });
      const sinks = Array.from({ length: 500 }, () => new FakeSink());
      for (const s of sinks) broker.setSubscriptions(broker.connect(s, { transport: 'test', ip: '127.0.0.1' }), ['news/*']);
      const n = await countQueries(async () => {
        await t.admin.collection('news').create({ status: 'live' });
        await broker.idle();
      });
      assert.equal(n - base, 1);
      assert.ok(sinks.every((s) => s.events().length === 1));
      // Same serialised payload for all of them (shaped and stringified once).
      const first = sinks[0].messages[0];
      assert.ok(sinks.every((s) => s.messages[0] === first || (s.messages[0] as { data: string }).data === (first as { data: string }).data));
      broker.closeClients('shutdown', 'test');
    });

    it('evaluates delete events against the pre-delete values', async () => {
      const broker = t.app.realtime;
      const auth = await resolveAuthToken(t.app, users[1].token);
      const owner = new FakeSink();
      const other = new FakeSink();
      broker.setSubscriptions(broker.connect(owner, { transport: 'test', ip: '1', auth }), ['posts/*']);
      broker.setSubscriptions(broker.connect(other, { transport: 'test', ip: '1', auth: await resolveAuthToken(t.app, users[2].token) }), ['posts/*']);
      const p = await t.admin.collection('posts').create({ title: 'gone', author: users[1].id });
      await t.admin.collection('posts').delete(p.id);
      await broker.idle();
      assert.deepEqual(owner.events().map((e) => e.data.action), ['create', 'delete']);
      assert.deepEqual(other.events(), []);
      broker.closeClients('shutdown', 'test');
    });

    it('drops a slow consumer with a reason instead of buffering without bound', async () => {
      const broker = t.app.realtime;
      const slow = new FakeSink();
      const client = broker.connect(slow, { transport: 'test', ip: '1' });
      broker.setSubscriptions(client, ['news/*']);
      slow.buffered = broker.maxBufferedBytes + 1;
      const before = broker.stats().droppedSlowConsumers;
      await t.admin.collection('news').create({ status: 'live' });
      await broker.idle();
      assert.equal(slow.closedWith, 'slow_consumer');
      assert.equal(slow.events().length, 0);
      assert.equal(client.closed, true);
      assert.equal(broker.stats().droppedSlowConsumers, before + 1);
      assert.equal(broker.findClient(client.id), undefined);
    });

    it('closes idle clients and heartbeats the others', () => {
      const broker = t.app.realtime;
      const idle = new FakeSink();
      const busy = new FakeSink();
      const a = broker.connect(idle, { transport: 'test', ip: '1' });
      const b = broker.connect(busy, { transport: 'test', ip: '1' });
      const now = Date.now();
      a.lastActivity = now - broker.idleTimeoutMs - 1;
      b.lastActivity = now;
      broker.sweep(now);
      assert.equal(idle.closedWith, 'idle');
      assert.equal(busy.closedWith, undefined);
      assert.equal(busy.heartbeats, 1);
      broker.closeClients('shutdown', 'test');
      assert.equal(busy.closedWith, 'shutdown');
    });

    it('limits subscriptions per client', () => {
      const broker = t.app.realtime;
      const client = broker.connect(new FakeSink(), { transport: 'test', ip: '1' });
      broker.subscribe(client, Array.from({ length: MAX_SUBSCRIPTIONS_PER_CLIENT }, (_, i) => `news/${i}`));
      assert.throws(() => broker.subscribe(client, ['news/extra']), /at most 1000 subscriptions/);
      assert.throws(() => broker.setSubscriptions(client, Array.from({ length: MAX_SUBSCRIPTIONS_PER_CLIENT + 1 }, (_, i) => `n/${i}`)), {
        code: 'validation_failed',
        fields: { subscriptions: { code: 'validation_length_too_long', message: 'The length must be no more than 1000.', params: { min: 0, max: 1000 } } },
      });
      assert.throws(() => broker.setSubscriptions(client, ['x'.repeat(MAX_SUBSCRIPTION_LENGTH + 1)]), {
        code: 'validation_failed',
        fields: { subscriptions: { 0: { code: 'validation_length_too_long', message: 'The length must be no more than 2500.', params: { min: 0, max: 2500 } } } },
      });
      broker.closeClients('shutdown', 'test');
    });

    it('emitTo reaches one subscribed client only, and counts what it sends', () => {
      const broker = t.app.realtime;
      const [a, b, quiet] = [new FakeSink(), new FakeSink(), new FakeSink()];
      const ca = broker.connect(a, { transport: 'test', ip: '1' });
      const cb = broker.connect(b, { transport: 'test', ip: '1' });
      const cq = broker.connect(quiet, { transport: 'test', ip: '1' });
      broker.setSubscriptions(ca, ['@oauth2']);
      broker.setSubscriptions(cb, ['@oauth2']);
      broker.setSubscriptions(cq, ['news/*']);
      const before = broker.stats().messagesSent;
      assert.equal(broker.emitTo(ca.id, '@oauth2', { code: 'for-a' }), 1);
      assert.equal(broker.emitTo(cq.id, '@oauth2', { code: 'for-quiet' }), 0, 'not subscribed to the topic');
      assert.equal(broker.emitTo('no-such-client', '@oauth2', { code: 'x' }), 0);
      assert.deepEqual(a.events(), [{ topic: '@oauth2', data: { code: 'for-a' } }]);
      assert.deepEqual(b.events(), []);
      assert.deepEqual(quiet.events(), []);
      assert.equal(broker.stats().messagesSent, before + 1);
      broker.closeClients('shutdown', 'test');
      assert.equal(broker.emitTo(ca.id, '@oauth2', { code: 'late' }), 0, 'a closed client gets nothing');
    });

    it('the OAuth2 redirect gives the code to the client named by state, not to another @oauth2 subscriber', () => {
      const broker = t.app.realtime;
      const [a, b] = [new FakeSink(), new FakeSink()];
      const ca = broker.connect(a, { transport: 'test', ip: '10.0.0.1' });
      const cb = broker.connect(b, { transport: 'test', ip: '10.0.0.1' });
      broker.setSubscriptions(ca, [OAUTH2_TOPIC]);
      broker.setSubscriptions(cb, [OAUTH2_TOPIC]);
      assert.equal(deliverOAuth2Redirect(t.app, { state: ca.id, code: 'code-for-a', error: '', ip: '10.0.0.1' }), true);
      assert.deepEqual(a.events(), [{ topic: OAUTH2_TOPIC, data: { state: ca.id, code: 'code-for-a' } }]);
      assert.deepEqual(b.events(), []);
      // The flow is over for a: its subscription is gone, so a replayed redirect reaches no one.
      assert.equal(ca.subscriptions.has(OAUTH2_TOPIC), false);
      assert.equal(deliverOAuth2Redirect(t.app, { state: ca.id, code: 'again', error: '', ip: '10.0.0.1' }), false);
      // A redirect from another address than the client's is refused.
      assert.equal(deliverOAuth2Redirect(t.app, { state: cb.id, code: 'code-for-b', error: '', ip: '10.0.0.2' }), false);
      assert.deepEqual(b.events(), []);
      assert.equal(a.events().length, 1);
      broker.closeClients('shutdown', 'test');
    });

    it('unauthenticates clients whose auth record is deleted', async () => {
      const broker = t.app.realtime;
      const u = users[69];
      const sink = new FakeSink();
      const client = broker.connect(sink, { transport: 'test', ip: '1', auth: await resolveAuthToken(t.app, u.token) });
      await t.admin.collection('users').delete(u.id);
      assert.equal(client.auth, null);
      assert.deepEqual(sink.messages.at(-1), { type: 'auth', auth: null });
      broker.closeClients('shutdown', 'test');
    });
  }),
);
