import type { Address } from "../crypto/address.ts";
import type { Tx } from "../tx/types.ts";

/**
 * A finality certificate: signatures of more than 2/3 of the active set on one block. Carried
 * in a later block's header so a light client can check finality from headers alone.
 */
export interface FinalityCert {
  height: number;
  blockHash: Uint8Array;
  /** One 65-byte recoverable signature (r, s, recovery) per voter, in voter-address order. */
  signatures: Uint8Array[];
}

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
  /** Certificate for the newest block this producer knew final (null before the first). */
  cert: FinalityCert | null;
}

/** A block: header, producer's signature over the header hash, transactions. */
export interface Block {
  header: BlockHeader;
  hash: Uint8Array;
  /** 65 bytes: r (32) | s (32) | recovery (1). */
  signature: Uint8Array;
  txs: Tx[];
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
