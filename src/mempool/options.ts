/** Mempool bounds; what happens at each bound: the newest transaction is rejected. */
export interface MempoolOptions {
  /** Transactions held in total. */
  maxTotal: number;
  /** Transactions held per sender. */
  maxPerSender: number;
  /** Largest accepted distance between a nonce and the sender's account nonce. */
  maxNonceGap: number;
  /** Minimum fee increase, percent, for a same-nonce replacement. */
  priceBumpPercent: number;
}

/** Defaults sized for thousands of transfers per second with 1 s blocks. */
export const DEFAULT_MEMPOOL_OPTIONS: MempoolOptions = {
  maxTotal: 50_000,
  maxPerSender: 256,
  maxNonceGap: 256,
  priceBumpPercent: 10,
};
