import type { Address } from "../crypto/address.ts";
import type { Account, Block, Receipt } from "../ledger/types.ts";
import type { Tx } from "../tx/types.ts";

/**
 * What the JSON-RPC layer needs from the node. The node implements it; rpc never imports
 * consensus or ledger internals, and unit tests pass a plain stub.
 *
 * Heights are block numbers. Methods that read state take a height and throw LvoError
 * `STATE_UNAVAILABLE` when that state is no longer retained (only recent states are kept).
 * Errors thrown are LvoError with domain codes (TX_*, MEMPOOL_*, ...) that rpc maps to
 * JSON-RPC errors.
 */
export interface RpcBackend {
  readonly chainId: number;
  readonly clientVersion: string;

  /** Height of the current head. */
  headHeight(): number;
  /** Height of the newest final block (X-DPoS finality). */
  finalizedHeight(): number;
  /** Height of the newest justified ("safe") block; equals finalized on a single delegate. */
  safeHeight(): number;

  /** Block at a height on the canonical chain. */
  getBlockByHeight(height: number): Promise<Block | undefined>;
  /** Block by hash (canonical or not yet pruned). */
  getBlockByHash(hash: Uint8Array): Promise<Block | undefined>;

  /** Account at a height (absent accounts read as nonce 0, balance 0). */
  getAccount(address: Address, height: number): Account;
  /** Next nonce counting the sender's pending transactions in the mempool. */
  pendingNonce(address: Address): bigint;
  /** Proof of an account against the state root of the block at `height`. */
  getAccountProof(address: Address, height: number): AccountProof;

  /** Admit a signed transaction to the mempool; resolves with its hash once accepted. */
  submitRawTransaction(raw: Uint8Array): Promise<Uint8Array>;
  /** A transaction by hash: included (with location) or pending. */
  getTransaction(hash: Uint8Array): Promise<TxLookup | undefined>;
  /** A receipt by transaction hash (included transactions only). */
  getReceipt(hash: Uint8Array): Promise<ReceiptLookup | undefined>;

  /** Base fee of the next block (= minimum gas price; fees go to the producer, none burnt). */
  baseFee(): bigint;
  /** Suggested priority fee (tip) per gas. */
  suggestedTip(): bigint;
  /** Gas a call would use; throws a TX_* LvoError when it cannot succeed. */
  estimateGas(call: CallRequest): bigint;

  /** Sync progress, or false when at the network's head. */
  syncing(): false | { startingBlock: number; currentBlock: number; highestBlock: number };
  /** Chain status for lvo_getChainStatus. */
  chainStatus(): ChainStatus;
  /** Sum of all balances at a height (must equal the fixed supply) and the account count. */
  getSupply(height: number): { total: bigint; accounts: number };
}

/** A call description as in eth_call / eth_estimateGas (already parsed and validated). */
export interface CallRequest {
  from?: Address;
  to?: Address;
  value?: bigint;
  data?: Uint8Array;
  gas?: bigint;
}

/** Where a transaction is. */
export type TxLookup =
  | { tx: Tx; pending: false; blockHash: Uint8Array; height: number; index: number; baseFee: bigint }
  | { tx: Tx; pending: true };

/** A receipt with its location, for eth_getTransactionReceipt. */
export interface ReceiptLookup {
  receipt: Receipt;
  tx: Tx;
  blockHash: Uint8Array;
  height: number;
  index: number;
  /** Index of this transaction's first log within the block. */
  firstLogIndex: number;
}

/** Account proof against a block's state root (JSON-ready: hex strings). */
export interface AccountProof {
  address: Address;
  height: number;
  blockHash: Uint8Array;
  stateRoot: Uint8Array;
  nonce: bigint;
  balance: bigint;
  /** The state trie key of the account and the proof in its JSON form. */
  key: Uint8Array;
  proof: unknown;
}

/** Head, finality and delegate summary. */
export interface ChainStatus {
  chainId: number;
  networkName: string;
  head: { height: number; hash: Uint8Array; timestamp: number };
  finalized: { height: number; hash: Uint8Array };
  safe: { height: number; hash: Uint8Array };
  genesisHash: Uint8Array;
  /** This node's delegate address, when it produces blocks. */
  delegate: Address | null;
  activeDelegates: Address[];
  mempool: { pending: number; queued: number };
  peers: number;
  syncing: boolean;
}
