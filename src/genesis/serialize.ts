import { keccak256 } from "../crypto/hash.ts";
import { utf8 } from "../util/bytes.ts";
import type { ChainParams, Genesis } from "./types.ts";

/** Genesis to its JSON file form (amounts as decimal strings, time as ISO-8601). */
export function genesisToJson(g: Genesis): Record<string, unknown> {
  return {
    chainId: g.chainId,
    networkName: g.networkName,
    genesisTime: new Date(g.genesisTime).toISOString(),
    buckets: { ...g.buckets },
    grants: g.grants.map((x) => ({ from: x.from, address: x.address, amount: x.amount.toString() })),
    delegates: g.delegates.map((d) => ({
      name: d.name,
      address: d.address,
      selfStake: d.selfStake.toString(),
      from: d.from,
    })),
    // left out when empty, so genesis files (and their hashes) from before contracts still match
    ...(g.contracts.length > 0
      ? {
          contracts: g.contracts.map((c) => ({
            name: c.name,
            owner: c.owner,
            source: c.source,
            initArgs: c.initArgs,
          })),
        }
      : {}),
    params: paramsToJson(g.params),
  };
}

/** Chain parameters in their file form (amounts as decimal strings). */
export function paramsToJson(p: ChainParams): Record<string, unknown> {
  return {
    ...p,
    minSelfStake: p.minSelfStake.toString(),
    blockReward: p.blockReward.toString(),
    minGasPrice: p.minGasPrice.toString(),
    blockGasLimit: p.blockGasLimit.toString(),
    proposalDeposit: p.proposalDeposit.toString(),
    gas: { ...p.gas },
  };
}

/** JSON with keys sorted at every level: the one canonical text of a value. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * The genesis identity: keccak-256 of its canonical JSON. It is the genesis block's parent
 * hash, so two nodes with any difference in genesis have different chains and refuse to peer.
 */
export function genesisConfigHash(g: Genesis): Uint8Array {
  return keccak256(utf8(canonicalJson(genesisToJson(g))));
}
