import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hook } from './hook.ts';

describe('Hook', () => {
  it('runs handlers by priority, then the action last, middleware style', async () => {
    const h = new Hook<{ log: string[] }>();
    h.bind({ id: 'b', priority: 10, fn: async (e) => { e.log.push('b:before'); await e.next(); e.log.push('b:after'); } });
    h.bind({ id: 'a', priority: 0, fn: async (e) => { e.log.push('a:before'); await e.next(); e.log.push('a:after'); } });
    const e = { log: [] as string[] };
    await h.trigger(e, (ev) => { ev.log.push('action'); });
    assert.deepEqual(e.log, ['a:before', 'b:before', 'action', 'b:after', 'a:after']);
  });

  it('a handler that does not call next() stops the chain and the action', async () => {
    const h = new Hook<{ n: number }>();
    h.bind({ fn: () => {} });
    const e = { n: 0 };
    await h.trigger(e, (ev) => { ev.n++; });
    assert.equal(e.n, 0);
  });

  it('filters by collection name or id, and unbind removes a handler', async () => {
    const h = new Hook<{ collection: { id: string; name: string }; hits: string[] }>();
    const id = h.bind({ collections: ['posts'], fn: async (e) => { e.hits.push('posts'); await e.next(); } });
    h.bind({ collections: ['pbc_1'], fn: async (e) => { e.hits.push('by-id'); await e.next(); } });
    const posts = { collection: { id: 'pbc_1', name: 'posts' }, hits: [] as string[] };
    await h.trigger(posts);
    assert.deepEqual(posts.hits, ['posts', 'by-id']);
    const other = { collection: { id: 'pbc_2', name: 'tags' }, hits: [] as string[] };
    await h.trigger(other);
    assert.deepEqual(other.hits, []);
    h.unbind(id);
    const again = { collection: { id: 'pbc_1', name: 'posts' }, hits: [] as string[] };
    await h.trigger(again);
    assert.deepEqual(again.hits, ['by-id']);
  });

  it('rejects a second next() call and propagates handler errors', async () => {
    const h = new Hook<object>();
    h.bind({ id: 'twice', fn: async (e) => { await e.next(); await e.next(); } });
    await assert.rejects(h.trigger({}), /called next\(\) twice/);
    const g = new Hook<object>();
    g.bind({ fn: () => { throw new Error('boom'); } });
    await assert.rejects(g.trigger({}), /boom/);
  });
});
