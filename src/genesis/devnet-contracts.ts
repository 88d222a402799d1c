import { readFileSync } from "node:fs";
import type { Address } from "../crypto/address.ts";
import { genesisContractAddress } from "../crypto/contract-address.ts";
import { WEI_PER_LVO } from "./constants.ts";

/** The video contracts the devnet releases at genesis, in order (ads names content). */
export const DEVNET_CONTRACT_NAMES = ["token", "content", "escrow", "review", "ads"] as const;
export type DevnetContractName = (typeof DEVNET_CONTRACT_NAMES)[number];

/** Where each devnet contract lives: keccak256("lvo:genesis-contract:" + name), last 20 bytes. */
export function devnetContractAddress(name: DevnetContractName): Address {
  return genesisContractAddress(name);
}

/** Source of a shipped contract (contracts/<name>.lua in the repository). */
export function contractSource(name: string): string {
  return readFileSync(new URL(`../../contracts/${name}.lua`, import.meta.url), "utf8");
}

/** Genesis `contracts` entries of the devnet, owned by `owner` (dev account 0). */
export function devnetContracts(owner: Address): Array<Record<string, unknown>> {
  const lvo = (n: bigint) => (n * WEI_PER_LVO).toString();
  const init: Record<DevnetContractName, unknown[]> = {
    // a sample asset: 1,000,000 LVA (18 decimals) minted to the owner
    token: ["LIVE VIDEO Asset", "LVA", 18, lvo(1_000_000n)],
    content: [],
    // disputes wait at most 600 blocks for a 2/3 delegate decision
    escrow: [600],
    // author stake ≥ 100 LVO, bids ≥ 10 LVO, 60-block bidding and voting, minority loses half its bid
    review: [lvo(100n), lvo(10n), 60, 60, 5000],
    ads: [devnetContractAddress("content")],
  };
  return DEVNET_CONTRACT_NAMES.map((name) => ({
    name,
    owner,
    source: contractSource(name),
    initArgs: init[name],
  }));
}
