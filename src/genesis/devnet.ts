import type { Address } from "../crypto/address.ts";
import { DEV_MNEMONIC, deriveKey, deriveKeys } from "../keys/index.ts";
import { REWARD_POOL_ADDRESS, WEI_PER_LVO } from "./constants.ts";
import { devnetContracts } from "./devnet-contracts.ts";
import { DEVNET_PARAMS } from "./params.ts";
import { parseGenesis } from "./parse.ts";
import { paramsToJson } from "./serialize.ts";
import type { ChainParams, Genesis } from "./types.ts";

/** Devnet chain id (distinct from Hardhat/Anvil's 31337 so wallets do not mix them up). */
export const DEVNET_CHAIN_ID = 1919;

/** Dev-mnemonic accounts funded on the devnet: m/44'/60'/0'/0/0 .. /19, as in Hardhat and Anvil. */
export const DEVNET_FUNDED_ACCOUNTS = 20;

/** Balance of each funded dev account. */
export const DEVNET_ACCOUNT_BALANCE = 100_000n * WEI_PER_LVO;

/** Delegate i's key is the dev mnemonic at index DEVNET_DELEGATE_KEY_BASE + i (devnet only). */
export const DEVNET_DELEGATE_KEY_BASE = 100;

/** Dev-mnemonic index of each bucket's holder on the devnet (the reward pool is keyless). */
const BUCKET_KEY_INDEX = {
  foundation: 20,
  foundingTeam: 21,
  applicationConstruction: 22,
  cornerstoneInvestment: 23,
  exchangeEcology: 24,
} as const;

/** Secret key of devnet delegate i (derived from the public dev mnemonic: never use on a real net). */
export function devnetDelegateKey(i: number): { secretKey: Uint8Array; address: Address } {
  return deriveKey(DEV_MNEMONIC, DEVNET_DELEGATE_KEY_BASE + i);
}

/**
 * The devnet genesis for `nodes` delegates starting at `genesisTime` (ms), with the video
 * contracts (contracts/*.lua) released at genesis unless `contracts: false`.
 */
export function devnetGenesis(
  nodes: number,
  genesisTime: number,
  overrides: Partial<ChainParams> = {},
  o: { contracts?: boolean } = {},
): Genesis {
  // One seed derivation for all dev accounts (BIP-39 stretching is the slow part).
  const dev = deriveKeys(DEV_MNEMONIC, 25);
  const addr = (i: number) => dev[i]!.address;
  const grants = [];
  for (let i = 0; i < DEVNET_FUNDED_ACCOUNTS; i++) {
    grants.push({
      from: "applicationConstruction",
      address: addr(i),
      amount: DEVNET_ACCOUNT_BALANCE.toString(),
    });
  }
  const params = {
    ...DEVNET_PARAMS,
    activeDelegates: Math.min(nodes, DEVNET_PARAMS.activeDelegates),
    ...overrides,
  };
  const delegates = [];
  const delegateKeys = deriveKeys(DEV_MNEMONIC, nodes, "", DEVNET_DELEGATE_KEY_BASE);
  for (let i = 0; i < nodes; i++) {
    delegates.push({
      name: `delegate-${i}`,
      address: delegateKeys[i]!.address,
      selfStake: (params.minSelfStake * 10n).toString(),
      from: "foundation",
    });
  }
  const json = {
    chainId: DEVNET_CHAIN_ID,
    networkName: "lvo-devnet",
    genesisTime: new Date(genesisTime).toISOString(),
    buckets: {
      foundation: addr(BUCKET_KEY_INDEX.foundation),
      foundingTeam: addr(BUCKET_KEY_INDEX.foundingTeam),
      applicationConstruction: addr(BUCKET_KEY_INDEX.applicationConstruction),
      globalPromotion: REWARD_POOL_ADDRESS,
      cornerstoneInvestment: addr(BUCKET_KEY_INDEX.cornerstoneInvestment),
      exchangeEcology: addr(BUCKET_KEY_INDEX.exchangeEcology),
    },
    grants,
    delegates,
    ...(o.contracts === false ? {} : { contracts: devnetContracts(addr(0)) }),
    params: paramsToJson(params),
  };
  return parseGenesis(json);
}
