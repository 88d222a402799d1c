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

/**
 * Slots in one round: activeDelegates × blocksPerTurn, from the parameters rather than the size
 * of the set in force, so round numbers never depend on state (a light client, the slot clock
 * and an election all agree on where rounds start).
 */
export function roundLength(p: ChainParams): number {
  return p.activeDelegates * p.blocksPerTurn;
}

/** Round of a slot. */
export function roundOf(slot: number, p: ChainParams): number {
  return Math.floor(slot / roundLength(p));
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

/** Position in the round order of the delegate scheduled for a slot. */
export function turnOf(slot: number, activeCount: number, p: ChainParams): number {
  // A set smaller than activeDelegates (few eligible candidates) cycles through its order
  // again within the round, so every slot still has a producer.
  return Math.floor((slot % roundLength(p)) / p.blocksPerTurn) % activeCount;
}

/** Delegate scheduled for a slot under the active set `active` (non-empty, election order). */
export function producerForSlot(active: readonly Address[], slot: number, p: ChainParams): Address {
  return roundOrder(active, roundOf(slot, p))[turnOf(slot, active.length, p)]!;
}
