import type { Address } from "../crypto/address.ts";
import type { ChainParams } from "../genesis/types.ts";
import type { StateReader } from "../ledger/chain-records.ts";
import { activeSetFor, byElectionOrder, weightOf } from "./election.ts";
import type { Candidate, DelegateSet } from "./records.ts";
import { claimable } from "./rewards.ts";
import { roundOf, roundOrder, turnOf } from "./schedule.ts";
import { readActive, readCandidate, readCandidateList, readPending, readStaker } from "./store.ts";

// Read-only views for RPC. Amounts stay bigint (the RPC formats them).

/** A candidate as RPC shows it. */
export interface CandidateInfo extends Candidate {
  address: Address;
  /** selfStake + votes: what the election ranks by. */
  weight: bigint;
}

/** A staker as RPC shows it. */
export interface StakerInfo {
  address: Address;
  stake: bigint;
  votes: Address[];
  unbonding: Array<{ releaseHeight: number; amount: bigint }>;
  /** What claimRewards would pay now. */
  pendingRewards: bigint;
}

/** Most slots getSchedule answers at once. */
export const MAX_SCHEDULE_SLOTS = 10_000;

function info(address: Address, c: Candidate): CandidateInfo {
  return { address, ...c, weight: weightOf(c) };
}

/** Every registered candidate, in election order (weight desc, address asc). */
export function listCandidates(view: StateReader): CandidateInfo[] {
  const all: Array<{ address: Address; c: Candidate }> = [];
  for (const address of readCandidateList(view)) {
    const c = readCandidate(view, address);
    if (c) all.push({ address, c });
  }
  return all.sort(byElectionOrder).map((x) => info(x.address, x.c));
}

/** One candidate, or null when `addr` never registered. */
export function getCandidate(view: StateReader, addr: Address): CandidateInfo | null {
  const c = readCandidate(view, addr);
  return c ? info(addr, c) : null;
}

/** A staker's stake, votes, unbonding entries and claimable rewards (zeros for a stranger). */
export function getStaker(view: StateReader, addr: Address): StakerInfo {
  const s = readStaker(view, addr);
  return {
    address: addr,
    stake: s.stake,
    votes: s.votes.map((v) => v.candidate),
    unbonding: s.unbonding.map((u) => ({ ...u })),
    pendingRewards: claimable(view, s),
  };
}

/** The active set in force (with the round it took effect in) and any pending snapshot. */
export function getActiveSet(view: StateReader): { active: DelegateSet; pending: DelegateSet | null } {
  return { active: readActive(view), pending: readPending(view) ?? null };
}

/**
 * Expected producers of `count` slots from `fromSlot` on top of `view`. Exact for the rounds
 * this state decides; beyond the next round boundary it is a forecast (later blocks may
 * rotate again or change the election).
 */
export function getSchedule(
  view: StateReader,
  fromSlot: number,
  count: number,
  p: ChainParams,
): Array<{ slot: number; producer: Address }> {
  const n = Math.max(0, Math.min(count, MAX_SCHEDULE_SLOTS));
  const out: Array<{ slot: number; producer: Address }> = [];
  // Same answer as scheduleFor slot by slot, with the round order computed once per round.
  let round = -1;
  let order: Address[] = [];
  for (let slot = fromSlot; slot < fromSlot + n; slot++) {
    if (roundOf(slot, p) !== round) {
      round = roundOf(slot, p);
      const set = activeSetFor(view, slot, p);
      if (set.length === 0) return out;
      order = roundOrder(set, round);
    }
    out.push({ slot, producer: order[turnOf(slot, order.length, p)]! });
  }
  return out;
}
