/** Mempool bounds; what happens at each bound: the newest transaction is rejected. */
export interface MempoolOptions {
  /** Transactions held in total. */
  maxTotal: number;
  /** Transactions held per sender. */
  maxPerSender: number;
  /**
   * Future-nonce ("queued": behind a nonce gap, not executable yet) transactions held in all.
   * A separate, smaller cap than maxTotal, so transactions that cannot be mined can never fill
   * the pool and lock honest executable ones out (geth keeps the same split).
   */
  maxQueued: number;
  /** Largest accepted distance between a nonce and the sender's account nonce. */
  maxNonceGap: number;
  /** Minimum fee increase, percent, for a same-nonce replacement. */
  priceBumpPercent: number;
}

/** Defaults sized for thousands of transfers per second with 1 s blocks. */
export const DEFAULT_MEMPOOL_OPTIONS: MempoolOptions = {
  maxTotal: 50_000,
  maxPerSender: 256,
  maxQueued: 10_000,
  maxNonceGap: 256,
  priceBumpPercent: 10,
};
