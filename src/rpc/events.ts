import type { Block, QuorumCert, Receipt } from "../ledger/types.ts";

/** A block that just became the canonical head (or joined the canonical chain in a reorg). */
export interface HeadEvent {
  block: Block;
  /** One receipt per transaction of `block`, in order. */
  receipts: Receipt[];
}

/** A newly finalized block and the quorum certificate that finalized it (null at genesis). */
export interface FinalizedEvent {
  height: number;
  hash: Uint8Array;
  cert: QuorumCert | null;
}

/**
 * The chain events the JSON-RPC server pushes to WebSocket subscribers. The node implements it
 * over the consensus Chain's "head" and "finalized" events. Each `on*` returns the function that
 * removes the listener. Callbacks run synchronously inside the emitter: they must not throw
 * (the server catches everything) and must stay cheap (the server only queues writes).
 */
export interface ChainEvents {
  /** Each block that becomes canonical, in chain order; after a reorg, each block of the new branch. */
  onNewHead(cb: (e: HeadEvent) => void): () => void;
  onFinalized(cb: (e: FinalizedEvent) => void): () => void;
}
