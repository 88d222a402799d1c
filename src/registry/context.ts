import type { Address } from "../crypto/address.ts";
import type { ChainParams } from "../genesis/types.ts";
import type { CallEnv } from "./contract-call.ts";

/** Block data the Genesis contract and contract calls need. */
export interface RegistryContext {
  params: ChainParams;
  height: number;
  /** Milliseconds (block header time). */
  timestamp: number;
  /** Hash of the parent block (what `lvo.blockhash()` returns). */
  parentHash: Uint8Array;
  /** Where forfeited proposal deposits go (the global-promotion bucket). */
  rewardPool: Address;
}

/** What a Lua contract sees of the block. */
export function callEnv(ctx: RegistryContext): CallEnv {
  return { height: ctx.height, timestamp: Math.floor(ctx.timestamp / 1000), blockHash: ctx.parentHash };
}
