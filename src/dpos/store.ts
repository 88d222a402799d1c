import type { Address } from "../crypto/address.ts";
import type { StateReader, StateWriter } from "../ledger/chain-records.ts";
import type { Account } from "../ledger/types.ts";
import { LvoError } from "../util/errors.ts";
import { DposErrorCode } from "./errors.ts";
import { candidateKey, DposRecord, metaKey, offenceKey, stakerKey, unbondingKey } from "./keys.ts";
import {
  type Candidate,
  type DelegateSet,
  decodeAddresses,
  decodeCandidate,
  decodeInts,
  decodeQueue,
  decodeSet,
  decodeStaker,
  encodeAddresses,
  encodeCandidate,
  encodeInts,
  encodeOffence,
  encodeQueue,
  encodeSet,
  encodeStaker,
  type RewardBooks,
  type Staker,
} from "./records.ts";

// The DPoS repository: one read and one write per record kind, so the encodings and keys are
// used in exactly one place.

/** What the DPoS state transition needs from the state (StateOverlay has it). */
export interface DposState extends StateWriter {
  getAccount(a: Address): Account;
  addBalance(a: Address, delta: bigint): void;
}

/** Candidate record, or undefined when `a` never registered. */
export function readCandidate(r: StateReader, a: Address): Candidate | undefined {
  const v = r.get(candidateKey(a));
  return v ? decodeCandidate(v) : undefined;
}

/** Store a candidate record. */
export function writeCandidate(w: StateWriter, a: Address, c: Candidate): void {
  w.set(candidateKey(a), encodeCandidate(c));
}

/** Every registered candidate, ascending address. */
export function readCandidateList(r: StateReader): Address[] {
  const v = r.get(metaKey(DposRecord.CANDIDATES));
  return v ? decodeAddresses(v) : [];
}

/** Store the candidate list (callers keep it sorted). */
export function writeCandidateList(w: StateWriter, list: readonly Address[]): void {
  w.set(metaKey(DposRecord.CANDIDATES), encodeAddresses(list));
}

/** A staker with nothing. */
export function emptyStaker(): Staker {
  return { stake: 0n, pending: 0n, votes: [], unbonding: [] };
}

/** Staker record (empty when absent). */
export function readStaker(r: StateReader, a: Address): Staker {
  const v = r.get(stakerKey(a));
  return v ? decodeStaker(v) : emptyStaker();
}

/** Store a staker record; an empty one is deleted so the state holds only what matters. */
export function writeStaker(w: StateWriter, a: Address, s: Staker): void {
  const empty = s.stake === 0n && s.pending === 0n && s.votes.length === 0 && s.unbonding.length === 0;
  w.set(stakerKey(a), empty ? null : encodeStaker(s));
}

/** Unbonding funds released at `height`. */
export function readQueue(r: StateReader, height: number): Array<{ staker: Address; amount: bigint }> {
  const v = r.get(unbondingKey(height));
  return v ? decodeQueue(v) : [];
}

/** Store (or delete, when empty) the unbonding queue entry of `height`. */
export function writeQueue(
  w: StateWriter,
  height: number,
  q: Array<{ staker: Address; amount: bigint }>,
): void {
  w.set(unbondingKey(height), q.length === 0 ? null : encodeQueue(q));
}

/** The active set in force (empty before genesis entries exist). */
export function readActive(r: StateReader): DelegateSet {
  const v = r.get(metaKey(DposRecord.ACTIVE));
  return v ? decodeSet(v) : { at: 0, members: [] };
}

/** Store the active set. */
export function writeActive(w: StateWriter, s: DelegateSet): void {
  w.set(metaKey(DposRecord.ACTIVE), encodeSet(s));
}

/** The pending snapshot, if one waits. */
export function readPending(r: StateReader): DelegateSet | undefined {
  const v = r.get(metaKey(DposRecord.PENDING));
  return v ? decodeSet(v) : undefined;
}

/** Store or clear the pending snapshot. */
export function writePending(w: StateWriter, s: DelegateSet | null): void {
  w.set(metaKey(DposRecord.PENDING), s ? encodeSet(s) : null);
}

/** Slot of the newest block applied to this state (0 at genesis). */
export function readLastSlot(r: StateReader): number {
  const v = r.get(metaKey(DposRecord.CLOCK));
  return v ? Number(decodeInts(v, 1)[0]) : 0;
}

/** Store the slot of the block being applied. */
export function writeLastSlot(w: StateWriter, slot: number): void {
  w.set(metaKey(DposRecord.CLOCK), encodeInts([slot]));
}

/** Voter-reward books. */
export function readBooks(r: StateReader): RewardBooks {
  const v = r.get(metaKey(DposRecord.REWARDS));
  if (!v) return { held: 0n, dustScaled: 0n };
  const [held, dustScaled] = decodeInts(v, 2) as [bigint, bigint];
  return { held, dustScaled };
}

/** Store the voter-reward books (deleted when both are zero). */
export function writeBooks(w: StateWriter, b: RewardBooks): void {
  const zero = b.held === 0n && b.dustScaled === 0n;
  w.set(metaKey(DposRecord.REWARDS), zero ? null : encodeInts([b.held, b.dustScaled]));
}

/** True when this offence was already punished. */
export function isOffenceProcessed(r: StateReader, offenceId: Uint8Array): boolean {
  return r.get(offenceKey(offenceId)) !== undefined;
}

/** Record a punished offence. */
export function markOffence(w: StateWriter, offenceId: Uint8Array, height: number, offender: Address): void {
  w.set(offenceKey(offenceId), encodeOffence(height, offender));
}

/**
 * Move wei between balances. Every DPoS payment goes through here: a shortfall means the DPoS
 * books and the DPoS balance disagree (state damage), so it throws rather than go negative.
 */
export function move(s: DposState, from: Address, to: Address, amount: bigint): void {
  if (amount === 0n || from === to) return;
  if (s.getAccount(from).balance < amount) {
    throw new LvoError(DposErrorCode.DPOS_INVARIANT, `balance of ${from} does not cover ${amount} wei`, {
      from,
      amount,
    });
  }
  s.addBalance(from, -amount);
  s.addBalance(to, amount);
}
