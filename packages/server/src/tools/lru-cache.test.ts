import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruCache } from './lru-cache.ts';

describe('LruCache', () => {
  it('stores a key only the second time it is offered', () => {
    const cache = new LruCache<number>(10);
    cache.offer('a', 1);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.size, 0);
    cache.offer('a', 2);
    assert.equal(cache.get('a'), 2);
  });

  it('through() computes on a miss and returns the cached value once admitted', () => {
    const cache = new LruCache<object>(10);
    let made = 0;
    const make = () => ({ n: ++made });
    const first = cache.through('k', make);
    const second = cache.through('k', make);
    const third = cache.through('k', make);
    assert.equal(made, 2);
    assert.notEqual(first, second);
    assert.equal(third, second);
  });

  it('keeps one-off keys out: a stream of distinct keys leaves the cache empty', () => {
    const cache = new LruCache<number>(100);
    for (let i = 0; i < 10_000; i++) cache.through(`views > ${i}`, () => i);
    // Distinct keys can only be admitted by a hash collision in the sightings table.
    assert.ok(cache.size < 50, `size ${cache.size}`);
  });

  it('drops the least recently used entry when full; get() counts as a use', () => {
    const cache = new LruCache<string>(2);
    for (const k of ['a', 'b', 'a', 'b']) cache.offer(k, k);
    assert.equal(cache.get('a'), 'a'); // b is now least recently used
    cache.offer('c', 'c');
    cache.offer('c', 'c');
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 'a');
    assert.equal(cache.get('c'), 'c');
  });

  it('offering a stored key again evicts nothing', () => {
    const cache = new LruCache<string>(2);
    for (const k of ['a', 'b', 'a', 'b']) cache.offer(k, k);
    cache.offer('a', 'a2');
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a'), 'a');
    assert.equal(cache.get('b'), 'b');
  });
});
