import type { Address } from "../crypto/address.ts";
import { DPOS_ADDRESS } from "../genesis/constants.ts";
import type { ChainParams } from "../genesis/types.ts";
import { readRecordedFinality, type StateReader } from "../ledger/chain-records.ts";
import { LvoError } from "../util/errors.ts";
import { activeSetFor, elect } from "./election.ts";
import { DposErrorCode } from "./errors.ts";
import { payBlockReward, type RewardSplit, sweepDust } from "./rewards.ts";
import { roundLength, roundOf, roundOrder, turnOf } from "./schedule.ts";
import {
  type DposState,
  move,
  readActive,
  readBooks,
  readCandidate,
  readLastSlot,
  readPending,
  readQueue,
  readStaker,
  writeActive,
  writeBooks,
  writeCandidate,
  writeLastSlot,
  writePending,
  writeQueue,
  writeStaker,
} from "./store.ts";

/** Block inputs the DPoS hooks need (a subset of the executor's BlockContext). */
export interface DposBlockContext {
  params: ChainParams;
  height: number;
  /** The block's slot; must be above the slot of the state's last block. */
  slot: number;
  /** Optional cross-check: when given it must equal the state's last slot. */
  parentSlot?: number;
  producer: Address;
  /** Holder of the global-promotion bucket: block rewards come from here. */
  rewardPool: Address;
}

/** What beginBlock did (for logs and tests). */
export interface BeginBlockResult {
  /** The pending snapshot became the active set. */
  rotated: boolean;
  /** A new snapshot was taken (from the parent's state). */
  snapshot: boolean;
  /** Candidates jailed for missed slots in this block. */
  jailed: Address[];
  /** Unbonding funds returned at this height. */
  released: bigint;
}

/**
 * Start-of-block DPoS work, before the block's transactions, on the parent's state:
 * 1. Round rotation (first block of a later round): the pending snapshot becomes the active
 *    set once the height it was elected from is recorded final; if no snapshot is pending
 *    (none yet, or the one waiting was just applied), a new one is elected from this state.
 *    A snapshot that is not final yet is kept, not replaced, so rotation cannot starve when
 *    finality lags by more than a round.
 * 2. Missed slots between the parent's slot and this one (see countMissed).
 * 3. Unbonding funds due at this height go back to their stakers.
 */
export function beginBlock(state: DposState, ctx: DposBlockContext): BeginBlockResult {
  const p = ctx.params;
  const last = readLastSlot(state);
  if (!(Number.isSafeInteger(ctx.slot) && ctx.slot > last)) {
    throw new LvoError(DposErrorCode.DPOS_BAD_SLOT, `slot ${ctx.slot} is not after ${last}`, { last });
  }
  if (ctx.parentSlot !== undefined && ctx.parentSlot !== last) {
    throw new LvoError(DposErrorCode.DPOS_BAD_SLOT, `parent slot ${ctx.parentSlot}, state says ${last}`, {
      last,
    });
  }
  const out: BeginBlockResult = { rotated: false, snapshot: false, jailed: [], released: 0n };
  const parentSet = readActive(state).members;
  let set = parentSet;
  if (roundOf(ctx.slot, p) > roundOf(last, p)) {
    let pending = readPending(state);
    if (pending && pending.at <= readRecordedFinality(state)) {
      set = pending.members;
      writeActive(state, { at: roundOf(ctx.slot, p), members: set });
      writePending(state, null);
      pending = undefined;
      out.rotated = true;
    }
    if (!pending) {
      const members = elect(state, p);
      if (members.length > 0) {
        writePending(state, { at: ctx.height - 1, members });
        out.snapshot = true;
      }
    }
  }

  for (const [who, n] of countMissed(last, ctx.slot, parentSet, set, p)) {
    const c = readCandidate(state, who);
    if (!c || c.jailed) continue;
    c.missed = Math.min(c.missed + n, p.missedSlotsToJail);
    if (c.missed >= p.missedSlotsToJail) {
      c.jailed = true;
      c.jailedAt = ctx.height;
      out.jailed.push(who);
    }
    writeCandidate(state, who, c);
  }
  const me = readCandidate(state, ctx.producer);
  if (me && me.missed !== 0) {
    me.missed = 0;
    writeCandidate(state, ctx.producer, me);
  }

  out.released = releaseUnbonding(state, ctx.height);
  writeLastSlot(state, ctx.slot);
  return out;
}

/**
 * The missed slots a block at `slot` records on top of the parent's state `view`: what its
 * beginBlock counts, read-only (for metrics; the jailing itself is beginBlock's). Delegates
 * already jailed are included: they were scheduled and did not produce.
 */
export function missedSlotsBefore(view: StateReader, slot: number, p: ChainParams): Map<Address, number> {
  return countMissed(readLastSlot(view), slot, readActive(view).members, activeSetFor(view, slot, p), p);
}

/**
 * Missed slots per scheduled delegate for the slots strictly between `parentSlot` and `slot`.
 * Each missed slot belongs to the producer scheduleFor(parent state, s) names: the parent's set
 * for slots in the parent's round, the set after this block's rotation for later slots.
 * A gap of a whole round or more means nobody produced for a full round: the chain was halted
 * (or every node restarted), not one delegate failing, so it counts nothing; otherwise every
 * delegate would come back jailed after a devnet restart.
 */
export function countMissed(
  parentSlot: number,
  slot: number,
  parentSet: readonly Address[],
  set: readonly Address[],
  p: ChainParams,
): Map<Address, number> {
  const missed = new Map<Address, number>();
  if (slot - parentSlot - 1 >= roundLength(p)) return missed;
  const orders = new Map<number, Address[]>();
  for (let s = parentSlot + 1; s < slot; s++) {
    const r = roundOf(s, p);
    const members = r === roundOf(parentSlot, p) ? parentSet : set;
    if (members.length === 0) continue;
    let order = orders.get(r);
    if (!order) {
      order = roundOrder(members, r);
      orders.set(r, order);
    }
    const who = order[turnOf(s, members.length, p)]!;
    missed.set(who, (missed.get(who) ?? 0) + 1);
  }
  return missed;
}

/** Pay out the unbonding queue entry of `height` and drop it from the stakers' records. */
function releaseUnbonding(state: DposState, height: number): bigint {
  const q = readQueue(state, height);
  let total = 0n;
  for (const { staker, amount } of q) {
    const s = readStaker(state, staker);
    s.unbonding = s.unbonding.filter((u) => u.releaseHeight !== height);
    writeStaker(state, staker, s);
    move(state, DPOS_ADDRESS, staker, amount);
    total += amount;
  }
  if (q.length > 0) writeQueue(state, height, []);
  return total;
}

/**
 * End-of-block DPoS work, after the block's transactions: the block reward from the pool
 * (payBlockReward), then whole wei of rounding dust back to the pool.
 */
export function endBlock(state: DposState, ctx: DposBlockContext): RewardSplit {
  const books = readBooks(state);
  const before = { ...books };
  const split = payBlockReward(state, ctx, books);
  sweepDust(state, ctx.rewardPool, books);
  if (books.held !== before.held || books.dustScaled !== before.dustScaled) writeBooks(state, books);
  return split;
}
