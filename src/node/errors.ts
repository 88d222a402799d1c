/** Error codes of the node's own start-up (each part has its own: ledger, rpc, p2p, …). */
export const NodeErrorCode = {
  /** Start-up was interrupted (a shutdown signal): what had started was stopped again. */
  NODE_START_ABORTED: "NODE_START_ABORTED",
} as const;
export type NodeErrorCode = (typeof NodeErrorCode)[keyof typeof NodeErrorCode];
