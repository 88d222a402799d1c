import type { Address } from "../crypto/address.ts";
import { REWARD_POOL_ADDRESS } from "./constants.ts";
import { PUBLIC_PARAMS } from "./params.ts";
import { parseGenesis } from "./parse.ts";
import { genesisToJson } from "./serialize.ts";
import type { BucketName, ChainParams, Genesis, GenesisContract, GenesisDelegate, Grant } from "./types.ts";

/** What `lvo genesis new` asks for: a new chain forked from the template ("network forking"). */
export interface GenesisTemplateOptions {
  chainId: number;
  networkName: string;
  genesisTime: number;
  /** Holder of each bucket; the reward pool defaults to the keyless system pool address. */
  buckets: Partial<Record<BucketName, Address>> & Omit<Record<BucketName, Address>, "globalPromotion">;
  delegates: Array<Omit<GenesisDelegate, "selfStake" | "from"> & Partial<GenesisDelegate>>;
  grants?: Grant[];
  contracts?: GenesisContract[];
  params?: Partial<ChainParams>;
}

/** Build and validate a genesis from the template; throws GENESIS_* errors like a file would. */
export function genesisTemplate(o: GenesisTemplateOptions): Genesis {
  const params: ChainParams = { ...PUBLIC_PARAMS, ...o.params };
  const draft: Genesis = {
    chainId: o.chainId,
    networkName: o.networkName,
    genesisTime: o.genesisTime,
    buckets: { globalPromotion: REWARD_POOL_ADDRESS, ...o.buckets },
    grants: o.grants ?? [],
    delegates: o.delegates.map((d) => ({
      name: d.name,
      address: d.address,
      selfStake: d.selfStake ?? params.minSelfStake,
      from: d.from ?? "foundation",
    })),
    contracts: o.contracts ?? [],
    params,
  };
  // Round-trip through the file form so a template is validated exactly like a file.
  return parseGenesis(genesisToJson(draft));
}
