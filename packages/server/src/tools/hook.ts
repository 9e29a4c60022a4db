/**
 * The one hook primitive: an ordered chain of handlers around a built-in action, the way
 * middleware wraps a route. Every handler receives the event and must call `await e.next()` to
 * continue the chain; the built-in action runs last, so code before `next()` runs before it and
 * code after `next()` sees its result. A handler that does not call `next()` stops the chain.
 * @module
 */

/** What a handler receives: the event data plus `next`. */
export type HookEvent<E> = E & { next(): Promise<void> };

export interface HookHandler<E> {
  /** Unique within the hook; generated when omitted. Reserved built-in ids start with `__`. */
  id?: string;
  /** Lower runs first; equal priorities keep binding order. */
  priority?: number;
  /** Runs only for events whose `collection.name` or `collection.id` is listed. */
  collections?: readonly string[];
  fn(e: HookEvent<E>): Promise<void> | void;
}

interface Bound<E> {
  id: string;
  priority: number;
  order: number;
  collections?: ReadonlySet<string>;
  fn(e: HookEvent<E>): Promise<void> | void;
}

let sequence = 0;

export class Hook<E extends object> {
  #handlers: Bound<E>[] = [];

  /**
   * Adds a handler; returns its id (to `unbind` it later).
   * @example
   * app.events.onRecordCreate.bind({ collections: ['posts'], fn: async (e) => {
   *   e.record.slug = String(e.record.title).toLowerCase();
   *   await e.next();
   * }});
   */
  bind(handler: HookHandler<E>): string {
    const id = handler.id ?? `h${++sequence}`;
    this.#handlers = this.#handlers.filter((h) => h.id !== id);
    this.#handlers.push({
      id,
      priority: handler.priority ?? 0,
      order: ++sequence,
      collections: handler.collections ? new Set(handler.collections) : undefined,
      fn: handler.fn,
    });
    this.#handlers.sort((a, b) => a.priority - b.priority || a.order - b.order);
    return id;
  }

  unbind(id: string): void {
    this.#handlers = this.#handlers.filter((h) => h.id !== id);
  }

  get length(): number {
    return this.#handlers.length;
  }

  /** Runs the handlers that apply to `event`, then `action`. */
  async trigger(event: E, action: (e: E) => Promise<void> | void = () => {}): Promise<void> {
    const collection = (event as { collection?: { id: string; name: string } }).collection;
    const chain = this.#handlers.filter((h) => !h.collections || (collection && (h.collections.has(collection.name) || h.collections.has(collection.id))));
    if (chain.length === 0) return action(event);
    let index = 0;
    const e = event as HookEvent<E>;
    const next = async (): Promise<void> => {
      const h = chain[index++];
      if (h) {
        let called = false;
        e.next = () => {
          if (called) return Promise.reject(new TypeError(`Hook handler ${h.id} called next() twice.`));
          called = true;
          return next();
        };
        await h.fn(e);
      } else {
        await action(e);
      }
    };
    await next();
  }
}
