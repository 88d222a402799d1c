import type { Address } from "../crypto/address.ts";
import type { Account, Block, QuorumCert, Receipt } from "../ledger/types.ts";
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
export interface RpcBackend extends LightBackend {
  readonly chainId: number;
  readonly clientVersion: string;
  /** Slots per DPoS round (activeDelegates × blocksPerTurn, from genesis). */
  readonly slotsPerRound: number;

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
  getAccountProof(address: Address, height: number): Promise<AccountProof>;

  /** Admit a signed transaction to the mempool; resolves with its hash once accepted. */
  submitRawTransaction(raw: Uint8Array): Promise<Uint8Array>;
  /** A transaction by hash: included (with location) or pending. */
  getTransaction(hash: Uint8Array): Promise<TxLookup | undefined>;
  /** All receipts of a block, in transaction order. */
  getBlockReceipts(blockHash: Uint8Array): Promise<Receipt[] | undefined>;
  /** A receipt by transaction hash (included transactions only). */
  getReceipt(hash: Uint8Array): Promise<ReceiptLookup | undefined>;

  /** Base fee of the next block (= minimum gas price; fees go to the producer, none burnt). */
  baseFee(): bigint;
  /** Suggested priority fee (tip) per gas. */
  suggestedTip(): bigint;
  /**
   * Gas a call would use on the state at `height` (default: the head). Calls to system
   * addresses (DPoS) are executed on a throwaway copy of that state; throws a TX_* / MEMPOOL_*
   * LvoError when the call cannot be sent, and a `CallErrorCode` one when it would fail.
   */
  estimateGas(call: CallRequest, height?: number): bigint;
  /**
   * eth_call: for a contract address, runs the method read-only (a view) on the state at
   * `height` and returns its JSON result as UTF-8 bytes; a failing view throws CALL_REVERTED
   * with the LVM code and message. Other addresses: runs the call like estimateGas and returns
   * empty bytes (accounts have no code; system methods return nothing).
   */
  call(call: CallRequest, height: number): Uint8Array;

  /** A Genesis-contract proposal at a height, with its audit report. */
  getProposal(id: number, height: number): ProposalView | undefined;
  /** Proposals newest first: ids below `before` (default: all), at most `limit`, optionally one status. */
  getProposals(height: number, opts: { before?: number; limit: number; status?: string }): ProposalView[];
  /** A contract by address or name, with its health; the source when `withSource`. */
  getContract(ref: string, height: number, withSource: boolean): ContractView | undefined;
  /** Every contract in release order (no sources). */
  getContracts(height: number): ContractView[];

  /** A parameter-governance proposal at a height. */
  getParamProposal(id: number, height: number): ParamProposalView | undefined;
  /** Parameter proposals newest first (ids below `before`), at most `limit`, optionally one status. */
  getParamProposals(
    height: number,
    opts: { before?: number; limit: number; status?: string },
  ): ParamProposalView[];

  /** Sync progress, or false when at the network's head. */
  syncing(): false | { startingBlock: number; currentBlock: number; highestBlock: number };
  /** The chain's consensus parameters, as in the genesis file's `params` (amounts: decimal strings). */
  paramsJson(): Record<string, unknown>;
  /** Chain status for lvo_getChainStatus. */
  chainStatus(): ChainStatus;
  /** Sum of all balances at a height (must equal the fixed supply) and the account count. */
  getSupply(height: number): { total: bigint; accounts: number };

  /** DPoS candidates (election order), the active set and the pending snapshot at a height. */
  getDelegates(height: number): Promise<DelegatesView>;
  /** A staker's stake, votes, unbonding entries and claimable rewards at a height. */
  getStaker(address: Address, height: number): StakerView;
  /** Slot of the head block (schedules start after it). */
  headSlot(): number;
  /**
   * Expected producers of `count` slots from `fromSlot` (after the head's slot) on top of the
   * head state: exact up to the next round boundary, a forecast beyond it; and the head's round
   * so far, with the block of each slot or none (missed).
   */
  getSchedule(fromSlot: number, count: number): Promise<ScheduleView>;
  /** Head, safe (justified) and finalized blocks, with the certificate that finalized the last. */
  finality(): FinalityView;
}

/** Codes of the LvoErrors `estimateGas` throws for a call that would fail when executed. */
export const CallErrorCode = {
  /** The call ran and failed (status 0); the message is the handler's reason. */
  CALL_REVERTED: "CALL_REVERTED",
  /** The call needs more gas than the caller's `gas` allows (context: `allowance`). */
  CALL_GAS_EXCEEDS_ALLOWANCE: "CALL_GAS_EXCEEDS_ALLOWANCE",
} as const;
/** One of {@link CallErrorCode}. */
export type CallErrorCode = (typeof CallErrorCode)[keyof typeof CallErrorCode];

/** One DPoS candidate as lvo_getDelegates shows it. */
export interface DelegateView {
  address: Address;
  name: string;
  selfStake: bigint;
  /** Sum of the stakes voting for it. */
  votes: bigint;
  /** selfStake + votes: what the election ranks by. */
  weight: bigint;
  jailed: boolean;
  /** Height it was last jailed at (0 if never). */
  jailedAt: number;
  /** Consecutive scheduled slots missed. */
  missed: number;
  /** Member of the active set in force at this height. */
  active: boolean;
}

/** The DPoS election at one height. */
export interface DelegatesView {
  height: number;
  /** Slot and round of the block at `height`. */
  slot: number;
  round: number;
  /** Every candidate, in election order (weight desc, address asc). */
  candidates: DelegateView[];
  /** The active set the block at `height` was produced under, and the round it took effect. */
  active: { sinceRound: number; members: Address[] };
  /** Snapshot waiting to become active once `basedOnHeight` is final; null when none. */
  pending: { basedOnHeight: number; members: Address[] } | null;
}

/** A staking account at one height (zeros for an address that never staked). */
export interface StakerView {
  address: Address;
  height: number;
  stake: bigint;
  /** Candidates voted for, ascending address. */
  votes: Address[];
  /** Funds on their way back, ascending release height. */
  unbonding: Array<{ amount: bigint; releaseHeight: number }>;
  /** What claimRewards would pay now. */
  pendingRewards: bigint;
}

/** One slot of the producer schedule. */
export interface ScheduledSlot {
  slot: number;
  round: number;
  /** Slot start (= the timestamp of a block in it), ms since the epoch. */
  startMs: number;
  producer: Address;
}

/** A slot of the head's round up to the head: who was scheduled and whether a block filled it. */
export interface PastSlot extends ScheduledSlot {
  /** Height of the canonical block in this slot; null: the producer missed it. */
  height: number | null;
}

/** Producer schedule and the head it was computed on. */
export interface ScheduleView {
  head: { height: number; slot: number };
  slots: ScheduledSlot[];
  /** The head's round from its first slot to the head's slot, in slot order. */
  past: PastSlot[];
}

/** One step of a proposal's audit. */
export interface AuditCheckView {
  name: string;
  ok: boolean;
  detail: string;
  gasUsed: number;
}

/** A Genesis-contract proposal. */
export interface ProposalView {
  id: number;
  kind: string;
  status: string;
  proposer: Address;
  target: Address;
  name: string;
  codeHash: string | null;
  initArgs: unknown[];
  deposit: bigint;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  reason: string | null;
  approvals: Address[];
  rejections: Address[];
  audit: {
    ok: boolean;
    sourceBytes: number;
    codeHash: string;
    gasUsed: number;
    checks: AuditCheckView[];
  } | null;
}

/** A contract released through (or installed with) the Genesis contract. */
export interface ContractView {
  address: Address;
  name: string;
  owner: Address;
  codeHash: string;
  version: number;
  status: string;
  releasedAt: number;
  proposalId: number | null;
  balance: bigint;
  health: { calls: number; failures: number; gasUsed: bigint; flagged: boolean; flaggedAt: number | null };
  source?: string;
}

/** A stake-weighted parameter-change proposal (src/governance). */
export interface ParamProposalView {
  id: number;
  proposer: Address;
  /** Parameter name → new value (decimal string). */
  changes: Record<string, string>;
  status: string;
  createdAt: number;
  endsAt: number;
  yes: Address[];
  no: Address[];
  tally: { yes: bigint; no: bigint; bonded: bigint } | null;
  round: number | null;
  reason: string | null;
}

/** A block reference. */
export interface BlockRef {
  height: number;
  hash: Uint8Array;
}

/** Finality as the node sees it now. */
export interface FinalityView {
  head: BlockRef & { slot: number };
  safe: BlockRef;
  /** `cert` is the quorum certificate (source = this block, target = its child); null at genesis. */
  finalized: BlockRef & {
    cert: { source: BlockRef; target: BlockRef; signatures: number } | null;
  };
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

// ---- Light client (src/rpc/methods/light.ts, src/light/) ----

/** A canonical header as a light client checks it: the exact hashed bytes and the signature. */
export interface LightHeader {
  height: number;
  hash: Uint8Array;
  /** RLP of the header fields (keccak of these bytes is `hash`); includes the certificate. */
  encoded: Uint8Array;
  /** Producer's 65-byte signature over blockSigningDigest(chainId, hash) (empty for genesis). */
  signature: Uint8Array;
  /** The certificate inside `encoded`, decoded (a convenience: clients read it from `encoded`). */
  cert: QuorumCert | null;
}

/** A state-trie proof of any key against the state root of the canonical block at `height`. */
export interface StateKeyProof {
  height: number;
  blockHash: Uint8Array;
  stateRoot: Uint8Array;
  key: Uint8Array;
  /** The value under the key, or null when the proof shows it absent. */
  value: Uint8Array | null;
  /** The proof in its JSON form (docs/state-commitment.md). */
  proof: unknown;
}

/** What the light-client methods need beyond RpcBackend's core (implemented by NodeBackend). */
export interface LightBackend {
  /** Canonical headers from `fromHeight`, at most `count`, stopping at the head. */
  getHeaders(fromHeight: number, count: number): Promise<LightHeader[]>;
  /** Proof of a state-trie key at a canonical height (throws STATE_UNAVAILABLE when not retained). */
  getStateProof(key: Uint8Array, height: number): Promise<StateKeyProof>;
}

// ---- end light client ----

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
