import { WEI_PER_LVO } from "./constants.ts";
import type { ChainParams } from "./types.ts";

const GWEI = 10n ** 9n;

/** Parameters of a public network (genesis new): 21 delegates, 1 s blocks. */
export const PUBLIC_PARAMS: ChainParams = {
  blockIntervalMs: 1000,
  activeDelegates: 21,
  blocksPerTurn: 6,
  quorumNumerator: 2,
  quorumDenominator: 3,
  unbondingPeriodBlocks: 3 * 24 * 3600,
  minSelfStake: 100_000n * WEI_PER_LVO,
  slashFractionBps: 1000,
  reporterRewardBps: 1000,
  missedSlotsToJail: 100,
  blockReward: 1n * WEI_PER_LVO,
  voterShareBps: 5000,
  minGasPrice: 1n * GWEI,
  blockGasLimit: 210_000_000n,
  maxTxBytes: 128 * 1024,
  gas: {
    txBase: 21000,
    txDataZero: 4,
    txDataNonZero: 16,
    accessListAddress: 2400,
    accessListStorageKey: 1900,
  },
  proposalDeposit: 10_000n * WEI_PER_LVO,
  proposalExpiryBlocks: 7 * 24 * 3600,
  contractHealthThresholdBps: 5000,
};

/** Devnet: 4 delegates, 1 s blocks, short unbonding and expiry so flows can be watched. */
export const DEVNET_PARAMS: ChainParams = {
  ...PUBLIC_PARAMS,
  activeDelegates: 4,
  blocksPerTurn: 1,
  unbondingPeriodBlocks: 30,
  minSelfStake: 10_000n * WEI_PER_LVO,
  missedSlotsToJail: 30,
  proposalDeposit: 1_000n * WEI_PER_LVO,
  proposalExpiryBlocks: 600,
};
