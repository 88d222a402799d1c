import type { Address } from "../crypto/address.ts";
import { sha256 } from "../crypto/hash.ts";
import type { ChainParams } from "../genesis/types.ts";
import { u64 } from "../ledger/keys.ts";
import { concatBytes, fromHex } from "../util/bytes.ts";

/** Slot timing from genesis: slot s covers [genesisTime + s*interval, +interval). */
export class SlotClock {
  readonly genesisTime: number;
  readonly intervalMs: number;

  constructor(genesisTime: number, intervalMs: number) {
    this.genesisTime = genesisTime;
    this.intervalMs = intervalMs;
  }

  /** Slot containing time `t` (ms); -1 before genesis. */
  slotAt(t: number): number {
    return t < this.genesisTime ? -1 : Math.floor((t - this.genesisTime) / this.intervalMs);
  }

  /** Start time of a slot (ms). */
  slotStart(slot: number): number {
    return this.genesisTime + slot * this.intervalMs;
  }
}

/** Slots in one round: every active delegate gets `blocksPerTurn` consecutive slots. */
export function slotsPerRound(activeCount: number, p: ChainParams): number {
  return activeCount * p.blocksPerTurn;
}

/**
 * Producer order for a round: the active set shuffled by sha256(round | address), a pure
 * function of the round number and the set, so every node derives the same order.
 */
export function roundOrder(active: readonly Address[], round: number): Address[] {
  const seed = u64(round);
  const keyed = active.map((a) => ({ a, k: Buffer.from(sha256(concatBytes(seed, fromHex(a)))) }));
  keyed.sort((x, y) => Buffer.compare(x.k, y.k));
  return keyed.map((x) => x.a);
}

/** Delegate scheduled for a slot (active set in the order it was elected; non-empty). */
export function producerForSlot(active: readonly Address[], slot: number, p: ChainParams): Address {
  const per = slotsPerRound(active.length, p);
  const round = Math.floor(slot / per);
  const turn = Math.floor((slot % per) / p.blocksPerTurn);
  return roundOrder(active, round)[turn]!;
}
