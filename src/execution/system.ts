import type { Address } from "../crypto/address.ts";
import { dposHandler } from "../dpos/index.ts";
import { DPOS_ADDRESS, GENESIS_CONTRACT_ADDRESS } from "../genesis/constants.ts";
import type { ChainParams } from "../genesis/types.ts";
import type { StateOverlay } from "../ledger/state.ts";
import type { Log } from "../ledger/types.ts";
import { genesisContractHandler } from "../registry/index.ts";
import type { Tx } from "../tx/types.ts";

/** Addresses 0x…0000 to 0x…03ff are reserved for the system (DPoS, Genesis contract, pools). */
export function isSystemAddress(a: Address): boolean {
  // 0x + 37 zeros then 3 hex digits ≤ 0x3ff.
  return a.startsWith("0x0000000000000000000000000000000000000") && Number.parseInt(a.slice(39), 16) <= 0x3ff;
}

/** Context a system handler runs in. */
export interface SystemCallContext {
  params: ChainParams;
  height: number;
  /** Milliseconds (header time). */
  timestamp: number;
  producer: Address;
  /** Where forfeited deposits go (the global-promotion bucket). */
  rewardPool: Address;
  /** Hash of the parent block. */
  parentHash: Uint8Array;
}

/** Outcome of a system call; thrown errors mean status 0 with the error as reason. */
export interface SystemCallResult {
  /** Gas used beyond the intrinsic gas. */
  gasUsed: bigint;
  logs: Log[];
}

/** A system-address handler (DPoS, Genesis contract). It moves `tx.value` itself if it accepts any. */
export type SystemHandler = (tx: Tx, state: StateOverlay, ctx: SystemCallContext) => SystemCallResult;

/**
 * The system handlers every node runs: the DPoS address and the Genesis contract. Nodes must all use the same map, or they compute different states.
 */
export function systemHandlers(): Map<Address, SystemHandler> {
  return new Map<Address, SystemHandler>([
    [DPOS_ADDRESS, dposHandler],
    [GENESIS_CONTRACT_ADDRESS, genesisContractHandler],
  ]);
}
