import type { Address } from "../crypto/address.ts";
import type { ChainParams } from "../genesis/types.ts";
import { readRecordedFinality, type StateReader } from "../ledger/chain-records.ts";
import { LvoError } from "../util/errors.ts";
import { DposErrorCode } from "./errors.ts";
import type { Candidate } from "./records.ts";
import { producerForSlot, roundOf } from "./schedule.ts";
import { readActive, readCandidate, readCandidateList, readLastSlot, readPending } from "./store.ts";

/**
 * Election weight: self-stake counts as the candidate's own vote, beside the stakes of its
 * voters (so a fresh candidate ranks by what it put at risk, and the reward split treats the
 * self-stake like one more voter).
 */
export function weightOf(c: Candidate): bigint {
  return c.selfStake + c.votes;
}

/** True when a candidate may enter a snapshot: not jailed, self-stake at least the minimum. */
export function isEligible(c: Candidate, p: ChainParams): boolean {
  return !c.jailed && c.selfStake >= p.minSelfStake;
}

/** Election order: weight descending, then address ascending (addresses are unique: total order). */
export function byElectionOrder(
  a: { address: Address; c: Candidate },
  b: { address: Address; c: Candidate },
) {
  const wa = weightOf(a.c);
  const wb = weightOf(b.c);
  if (wa !== wb) return wa > wb ? -1 : 1;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

/** Top `params.electionSize ?? params.activeDelegates` eligible candidates, in election order. */
export function elect(r: StateReader, p: ChainParams): Address[] {
  const all: Array<{ address: Address; c: Candidate }> = [];
  for (const address of readCandidateList(r)) {
    const c = readCandidate(r, address);
    if (c && isEligible(c, p)) all.push({ address, c });
  }
  return all
    .sort(byElectionOrder)
    .slice(0, p.electionSize ?? p.activeDelegates)
    .map((x) => x.address);
}

/**
 * The active set a block at `slot` is produced and voted under, on top of the state `view`
 * (the parent's state). When `slot` opens a later round than the state's last block, the
 * rotation rule of beginBlock is applied read-only: the pending snapshot replaces the set
 * once the height it was elected from is recorded final in that state.
 */
export function activeSetFor(view: StateReader, slot: number, p: ChainParams): Address[] {
  if (roundOf(slot, p) > roundOf(readLastSlot(view), p)) {
    const pending = readPending(view);
    if (pending && pending.at <= readRecordedFinality(view)) return pending.members;
  }
  return readActive(view).members;
}

/**
 * The producer the chain expects for a block at `slot` on top of the state `view`. Consensus
 * uses it both to decide when to produce and to validate a block's producer.
 */
export function scheduleFor(view: StateReader, slot: number, p: ChainParams): Address {
  const set = activeSetFor(view, slot, p);
  if (set.length === 0) throw new LvoError(DposErrorCode.DPOS_INVARIANT, "the state has no active set");
  return producerForSlot(set, slot, p);
}
