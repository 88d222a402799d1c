import type { Address } from "../crypto/address.ts";

/**
 * Gas schedule (genesis). Costs follow Ethereum where Ethereum has the same thing, so wallets'
 * estimates line up: a plain transfer costs `txBase` = 21000.
 */
export interface GasSchedule {
  /** Every transaction. */
  txBase: number;
  /** Per zero byte of calldata. */
  txDataZero: number;
  /** Per non-zero byte of calldata. */
  txDataNonZero: number;
  /** Per access-list address / storage key (type 2 envelopes; no other effect). */
  accessListAddress: number;
  accessListStorageKey: number;
}

/** Every consensus parameter. Fixed by genesis; the governable ones change by stake vote later. */
export interface ChainParams {
  /** Slot length in milliseconds: 500 to 5000. */
  blockIntervalMs: number;
  /** Size N of the active delegate set. */
  activeDelegates: number;
  /** Consecutive slots each active delegate produces per turn. */
  blocksPerTurn: number;
  /** Finality quorum: a block is final with signatures of MORE than num/den of the active set. */
  quorumNumerator: number;
  quorumDenominator: number;
  /** Blocks before unstaked funds are returned. */
  unbondingPeriodBlocks: number;
  /** Minimum self-stake of a delegate candidate (wei). */
  minSelfStake: bigint;
  /** Fraction of self-stake slashed for double signing, in basis points. */
  slashFractionBps: number;
  /** Share of the slashed amount paid to the reporter, in basis points. */
  reporterRewardBps: number;
  /** Consecutive missed slots after which a delegate is jailed. */
  missedSlotsToJail: number;
  /** Reward paid from the reward pool per block (wei). */
  blockReward: bigint;
  /** Share of the block reward paid to the producer's voters, in basis points. */
  voterShareBps: number;
  /** Lowest accepted gas price; also the base fee (paid to the producer, never burnt). */
  minGasPrice: bigint;
  /** Gas available per block. */
  blockGasLimit: bigint;
  /** Largest accepted signed transaction, bytes. */
  maxTxBytes: number;
  gas: GasSchedule;
  /** Deposit to propose a contract (wei). */
  proposalDeposit: bigint;
  /** Blocks before an undecided contract proposal expires. */
  proposalExpiryBlocks: number;
  /** Failure rate (bps) past which a contract is flagged unhealthy. */
  contractHealthThresholdBps: number;
  /**
   * Delegates the election keeps, when stake governance changed `activeDelegates` (never in a
   * genesis file: src/governance sets it; absent = activeDelegates). activeDelegates itself
   * keeps setting the round length, so round numbers never move.
   */
  electionSize?: number;
}

/** The six genesis allocation buckets (white paper 6.2), in basis points of the supply. */
export const BUCKETS = {
  foundation: 2000,
  foundingTeam: 1500,
  applicationConstruction: 2000,
  globalPromotion: 1500,
  cornerstoneInvestment: 1500,
  exchangeEcology: 1500,
} as const;

export type BucketName = keyof typeof BUCKETS;

/** An amount carved out of a bucket for an account (devnet funding, team members...). */
export interface Grant {
  from: BucketName;
  address: Address;
  amount: bigint;
}

/** An initial delegate; its self-stake is carved out of a bucket like a grant. */
export interface GenesisDelegate {
  name: string;
  address: Address;
  selfStake: bigint;
  from: BucketName;
}

/**
 * A contract installed at genesis (the devnet's video contracts): audited and released like
 * an approved proposal, at genesisContractAddress(name), with `init(initArgs...)` run as `owner`.
 */
export interface GenesisContract {
  name: string;
  owner: Address;
  /** Lua source text. */
  source: string;
  /** JSON arguments of init (numbers: 32-bit integers; amounts as decimal strings). */
  initArgs: unknown[];
}

/** A parsed, validated genesis. Amounts are bigint; addresses lowercase. */
export interface Genesis {
  chainId: number;
  networkName: string;
  /** Milliseconds since the epoch; slot 0 starts here. */
  genesisTime: number;
  /** Address holding each bucket's remainder. `globalPromotion` is the reward pool. */
  buckets: Record<BucketName, Address>;
  grants: Grant[];
  delegates: GenesisDelegate[];
  /** Contracts released at genesis, in order (later ones may name earlier ones in initArgs). */
  contracts: GenesisContract[];
  params: ChainParams;
}
