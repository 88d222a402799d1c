/** Mempool admission error codes (each reaches JSON-RPC as a geth-style -32000 message). */
export const MempoolErrorCode = {
  /** Nonce below the sender's account nonce: already used. */
  MEMPOOL_NONCE_TOO_LOW: "MEMPOOL_NONCE_TOO_LOW",
  /** Nonce too far ahead of the account nonce (gap over the limit). */
  MEMPOOL_NONCE_TOO_HIGH: "MEMPOOL_NONCE_TOO_HIGH",
  /** Balance below the cost of this and the sender's earlier pending transactions. */
  MEMPOOL_INSUFFICIENT_FUNDS: "MEMPOOL_INSUFFICIENT_FUNDS",
  /** The pool holds its global maximum. */
  MEMPOOL_FULL: "MEMPOOL_FULL",
  /** A future-nonce transaction while the pool holds its maximum of those (maxQueued). */
  MEMPOOL_QUEUE_FULL: "MEMPOOL_QUEUE_FULL",
  /** The sender holds its per-sender maximum. */
  MEMPOOL_SENDER_FULL: "MEMPOOL_SENDER_FULL",
  /** The same transaction is already in the pool. */
  MEMPOOL_ALREADY_KNOWN: "MEMPOOL_ALREADY_KNOWN",
  /** A replacement for an existing nonce does not raise the fees enough. */
  MEMPOOL_UNDERPRICED: "MEMPOOL_UNDERPRICED",
} as const;

export type MempoolErrorCode = (typeof MempoolErrorCode)[keyof typeof MempoolErrorCode];
