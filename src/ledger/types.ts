import type { Address } from "../crypto/address.ts";
import type { Tx } from "../tx/types.ts";

/** A block named by height and hash (a vote's source or target). */
export interface Checkpoint {
  height: number;
  hash: Uint8Array;
}

/**
 * A finality vote (Casper FFG style): "my newest justified block is `source`, and I accept
 * `target`, a descendant of it". The voter is recovered from the 65-byte signature.
 */
export interface SignedVote {
  source: Checkpoint;
  target: Checkpoint;
  signature: Uint8Array;
}

/**
 * A quorum certificate: votes with one (source, target) from more than 2/3 of the target's
 * active set. It justifies `target`; when target is source's child it also makes `source` final.
 * Carried in a later block's header so a light client can check finality from headers alone.
 */
export interface QuorumCert {
  source: Checkpoint;
  target: Checkpoint;
  /** One 65-byte recoverable signature (r, s, recovery) per voter, sorted by voter address. */
  signatures: Uint8Array[];
}

/** A header with its producer's signature (as evidence of double production). */
export interface SignedHeader {
  header: BlockHeader;
  signature: Uint8Array;
}

/** Proof that a delegate signed two conflicting things. */
export type Evidence =
  | { kind: "double-block"; a: SignedHeader; b: SignedHeader }
  | { kind: "double-vote"; a: SignedVote; b: SignedVote };

/** Everything hashed into a block's identity. The producer's signature is over `hash`. */
export interface BlockHeader {
  parentHash: Uint8Array;
  height: number;
  /** Slot number since genesis time (slot = floor((t - genesisTime) / interval)). */
  slot: number;
  /** Milliseconds since the epoch: the slot's start time. */
  timestamp: number;
  producer: Address;
  stateRoot: Uint8Array;
  txRoot: Uint8Array;
  receiptRoot: Uint8Array;
  gasUsed: bigint;
  gasLimit: bigint;
  baseFee: bigint;
  /** Root over the evidence list in the body. */
  evidenceRoot: Uint8Array;
  /** The newest quorum certificate the producer knew on this branch (null before the first). */
  cert: QuorumCert | null;
}

/** A block: header, producer's signature over the header hash, transactions. */
export interface Block {
  header: BlockHeader;
  hash: Uint8Array;
  /** 65 bytes: r (32) | s (32) | recovery (1). */
  signature: Uint8Array;
  txs: Tx[];
  /** Double-signing evidence included by the producer (the producer is the reporter). */
  evidence: Evidence[];
}

/** An event log, Ethereum-shaped. */
export interface Log {
  address: Address;
  topics: Uint8Array[];
  data: Uint8Array;
}

/** Result of one transaction, stored per block. */
export interface Receipt {
  txHash: Uint8Array;
  /** 1 success, 0 failure (reverted; fee still charged). */
  status: 0 | 1;
  gasUsed: bigint;
  cumulativeGasUsed: bigint;
  effectiveGasPrice: bigint;
  logs: Log[];
  /** Short reason when status is 0. */
  error?: string;
}

/** The account record in the state trie. */
export interface Account {
  nonce: bigint;
  balance: bigint;
}
