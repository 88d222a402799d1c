/**
 * Per-peer token buckets: `ratePerSecond` tokens refill per second, burst of the same size.
 * Bounded to `maxKeys` buckets; at the bound the oldest bucket is dropped (its peer starts
 * again with a full bucket — harmless, since the node holds far fewer peers than the bound).
 */
export class RateLimiter {
  private readonly rate: number;
  private readonly maxKeys: number;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(ratePerSecond: number, maxKeys: number) {
    this.rate = ratePerSecond;
    this.maxKeys = maxKeys;
  }

  /** Take one token for `key`; false when its bucket is empty. */
  take(key: string, now = Date.now()): boolean {
    return this.takeUpTo(key, 1, now) === 1;
  }

  /** Take up to `n` tokens for `key`; returns how many it got (whole tokens only). */
  takeUpTo(key: string, n: number, now = Date.now()): number {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      b = { tokens: this.rate, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.rate, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    const got = Math.max(0, Math.min(n, Math.floor(b.tokens)));
    b.tokens -= got;
    return got;
  }

  /** Drop a peer's bucket (on disconnect). */
  forget(key: string): void {
    this.buckets.delete(key);
  }

  /** Buckets held. */
  get size(): number {
    return this.buckets.size;
  }
}
