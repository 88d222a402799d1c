import type { Address } from "../crypto/address.ts";

/** 10^18: LVO has 18 decimals. */
export const WEI_PER_LVO = 10n ** 18n;

/** Total supply, fixed forever: 1,000,000,000 LVO. */
export const TOTAL_SUPPLY = 1_000_000_000n * WEI_PER_LVO;

/** DPoS system address: staking and delegate actions; holds all stakes and unbonding funds. */
export const DPOS_ADDRESS = "0x0000000000000000000000000000000000000100" as Address;

/** Genesis contract: contract proposals and governance; holds proposal deposits. */
export const GENESIS_CONTRACT_ADDRESS = "0x0000000000000000000000000000000000000200" as Address;

/** Keyless reward pool used by the devnet preset for the global-promotion bucket. */
export const REWARD_POOL_ADDRESS = "0x0000000000000000000000000000000000000300" as Address;

/** The all-zero address (genesis block producer). */
export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as Address;
