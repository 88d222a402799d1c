/**
 * The contract between p2p and the node. p2p moves bytes and knows peers; it never decodes
 * blocks or judges consensus: the node supplies validators and handlers through this interface.
 */

/** Gossip topics; the wire topic name is `/lvo/<chainId>/<genesis hash, 8 hex>/<kind>/1`. */
export type GossipKind = "blocks" | "txs" | "votes" | "evidence";

/** What a validator decides about a gossip message (gossipsub's accept / ignore / reject). */
export type GossipVerdict = "accept" | "ignore" | "reject";

/** A peer's view of its chain, exchanged at connection and on request. */
export interface PeerStatus {
  chainId: number;
  /** Genesis block hash: peers with a different one are refused at handshake. */
  genesisHash: Uint8Array;
  head: { height: number; hash: Uint8Array };
  finalized: { height: number; hash: Uint8Array };
}

/** What the node provides to p2p. */
export interface P2pHandlers {
  /** This node's current status. */
  status(): PeerStatus;
  /**
   * Wire-encoded canonical blocks from `fromHeight`, at most `count` (the node may return fewer,
   * e.g. past its head). Serves the block-range protocol.
   */
  getBlocks(fromHeight: number, count: number): Promise<Uint8Array[]>;
  /**
   * Validate (and, when accepted, act on) a gossip message. Cheap checks first; the verdict
   * drives gossipsub propagation and the sender's score. Must not throw.
   */
  onGossip(kind: GossipKind, data: Uint8Array, fromPeer: string): Promise<GossipVerdict>;
  /**
   * Import wire-encoded blocks fetched during sync, in order. Resolves with how many were
   * imported; throws (any error) when a block is invalid — the serving peer is then penalised.
   */
  importBlocks(blocks: Uint8Array[], fromPeer: string): Promise<number>;
}
