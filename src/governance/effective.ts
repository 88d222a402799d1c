import { roundOf } from "../dpos/index.ts";
import type { ChainParams } from "../genesis/types.ts";
import type { StateReader } from "../ledger/chain-records.ts";
import { applyChanges, type ParamChanges } from "./params.ts";
import { readOverrides, readScheduled } from "./store.ts";

/**
 * The parameters a block at `slot` runs under, on top of its parent's state: genesis values,
 * the overrides in force, and any passed change whose round starts at or before `slot` (the
 * block's beginning applies it: see applyScheduled). A pure function of (state, slot), so the
 * producer, every importer, the mempool and RPC agree.
 */
export function paramsForBlock(parent: StateReader, genesis: ChainParams, slot: number): ChainParams {
  const overrides = readOverrides(parent);
  const due = readScheduled(parent).filter((s) => s.round <= roundOf(slot, genesis));
  if (due.length === 0 && Object.keys(overrides).length === 0) return genesis;
  const merged: ParamChanges = { ...overrides };
  for (const s of due) Object.assign(merged, s.changes);
  return applyChanges(genesis, merged);
}
