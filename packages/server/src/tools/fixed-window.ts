/**
 * Fixed-window counters kept in memory: a window opens at a key's first hit and lasts
 * `durationMs`; up to `max` hits are allowed in it. Used for rate limits and attempt limits.
 * @module
 */

/** Entries kept before expired ones are swept. */
export const FIXED_WINDOW_SWEEP_AT = 10_000;

export interface WindowHit {
  allowed: boolean;
  /** Milliseconds until the window resets. */
  retryAfterMs: number;
}

export class FixedWindowCounter {
  readonly #windows = new Map<string, { start: number; count: number; durationMs: number }>();

  /** Counts one hit on `key` at `nowMs`; `allowed` is false past `max` hits in the window. */
  hit(key: string, max: number, durationMs: number, nowMs: number): WindowHit {
    let w = this.#windows.get(key);
    if (!w || nowMs - w.start >= w.durationMs) {
      if (this.#windows.size >= FIXED_WINDOW_SWEEP_AT) this.#sweep(nowMs);
      w = { start: nowMs, count: 0, durationMs };
      this.#windows.set(key, w);
    }
    w.count++;
    return { allowed: w.count <= max, retryAfterMs: Math.max(0, w.start + w.durationMs - nowMs) };
  }

  /** Forgets `key` (e.g. after a successful sign-in). */
  reset(key: string): void {
    this.#windows.delete(key);
  }

  clear(): void {
    this.#windows.clear();
  }

  #sweep(nowMs: number): void {
    for (const [k, w] of this.#windows) if (nowMs - w.start >= w.durationMs) this.#windows.delete(k);
  }
}
