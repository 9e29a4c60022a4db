/**
 * A bounded cache for values derived from request input (parsed filters, compiled rules, SQL
 * texts), evicting roughly the least recently used entry.
 *
 * Eviction is CLOCK ("second chance"): a hit only sets a flag, and the entry is moved to the
 * young end when eviction reaches it. A strict LRU moves the entry on every hit (a Map delete and
 * set), which on the hot path cost more than the lookup it saves.
 *
 * A key is stored only the second time it is offered. Clients often send a different filter on
 * every request (`views > 812`, then `views > 377`, …): cached on first sight, each would sit in
 * the cache for hundreds of requests, outlive two young-generation collections and be copied
 * into the old generation, where only a full collection reclaims it. That made GC the largest
 * per-request cost of a list. Remembering first sightings costs one slot of a fixed typed array
 * (a 32-bit hash), which allocates nothing; a key seen twice is likely to come again.
 * @module
 */

const SIGHTINGS = 4096;
/** Slot = the hash's top 12 bits (4096 slots). */
const SIGHTING_SHIFT = 32 - Math.log2(SIGHTINGS);

interface Entry<V> {
  value: V;
  used: boolean;
}

export class LruCache<V> {
  readonly #capacity: number;
  readonly #entries = new Map<string, Entry<V>>();
  readonly #sightings = new Int32Array(SIGHTINGS);

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const hit = this.#entries.get(key);
    if (hit === undefined) return undefined;
    hit.used = true;
    return hit.value;
  }

  /** Stores `value` if `key` was offered before (a hash collision may admit a key early). */
  offer(key: string, value: V): void {
    const h = hash(key);
    const slot = h >>> SIGHTING_SHIFT;
    const tag = h | 1; // 0 marks an empty slot
    if (this.#sightings[slot] !== tag) {
      this.#sightings[slot] = tag;
      return;
    }
    if (this.#entries.has(key)) return;
    if (this.#entries.size >= this.#capacity) this.#evictOne();
    this.#entries.set(key, { value, used: false });
  }

  #evictOne(): void {
    // Terminates: every entry passed over loses its flag, so a full turn finds one without.
    for (const [key, entry] of this.#entries) {
      this.#entries.delete(key);
      if (!entry.used) return;
      entry.used = false;
      this.#entries.set(key, entry);
    }
  }

  /** The cached value of `key`, else `make()` (offered to the cache). */
  through(key: string, make: () => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    this.offer(key, value);
    return value;
  }
}

/** FNV-1a over UTF-16 code units. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h;
}
