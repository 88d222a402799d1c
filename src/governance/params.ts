import type { ChainParams } from "../genesis/types.ts";

/** A governable parameter: how a value is read and its allowed range. */
interface Governable {
  /** Parse a decimal string; null when out of range or malformed. */
  parse(v: string, genesis: ChainParams): bigint | number | null;
}

const DEC = /^(0|[1-9][0-9]{0,77})$/;

function int(min: number, max: (g: ChainParams) => number): Governable {
  return {
    parse(v, g) {
      if (!DEC.test(v) || v.length > 15) return null;
      const n = Number(v);
      return n >= min && n <= max(g) ? n : null;
    },
  };
}

function wei(min: bigint, max: bigint): Governable {
  return {
    parse(v) {
      if (!DEC.test(v)) return null;
      const n = BigInt(v);
      return n >= min && n <= max ? n : null;
    },
  };
}

/**
 * The parameters stakers may change (SPEC, "Token-weighted governance"): everything else changes
 * only with a new genesis. `activeDelegates` governs how many delegates are *elected*; the round
 * length stays genesis activeDelegates × blocksPerTurn (round numbers never move), so it ranges
 * from 1 to the genesis value (a smaller set cycles through the round, see dpos/schedule.ts).
 */
export const GOVERNABLE: Readonly<Record<string, Governable>> = {
  activeDelegates: int(1, (g) => g.activeDelegates),
  blockReward: wei(0n, 10n ** 24n),
  voterShareBps: int(0, () => 10_000),
  minGasPrice: wei(1n, 10n ** 15n),
  proposalDeposit: wei(0n, 10n ** 27n),
  contractHealthThresholdBps: int(1, () => 10_000),
};

/** Parameter values as stored: name → decimal string. */
export type ParamChanges = Record<string, string>;

/**
 * Genesis parameters with governed values applied. `activeDelegates` changes `electionSize`
 * only (the number the election keeps); `activeDelegates` itself, which sets the round length,
 * stays the genesis value.
 */
export function applyChanges(genesis: ChainParams, changes: ParamChanges): ChainParams {
  const p: ChainParams = { ...genesis };
  for (const name of Object.keys(changes).sort()) {
    const v = GOVERNABLE[name]?.parse(changes[name]!, genesis);
    if (v === null || v === undefined) continue;
    if (name === "activeDelegates") p.electionSize = v as number;
    else (p as unknown as Record<string, unknown>)[name] = v;
  }
  return p;
}
