import type { Address } from "../crypto/address.ts";
import { DPOS_ADDRESS } from "../genesis/constants.ts";
import type { ChainParams } from "../genesis/types.ts";
import type { StateReader } from "../ledger/chain-records.ts";
import { LvoError } from "../util/errors.ts";
import { DposErrorCode } from "./errors.ts";
import type { Candidate, RewardBooks, Staker } from "./records.ts";
import { type DposState, move, readCandidate, writeCandidate } from "./store.ts";

/**
 * Fixed-point scale of the reward accumulators (1e27, "ray"). All stakes together are below
 * 1e27 wei, so one distribution loses less than one wei to the division, and that loss is
 * kept in the dust books rather than vanishing.
 */
export const REWARD_SCALE = 10n ** 27n;

/**
 * Bank a staker's accrued voter rewards into `pending` and move its snapshots up to each
 * candidate's accumulator (F1 distribution: O(votes) per staker action, nothing per voter per
 * block). Must run before any change to the staker's stake or votes. The fractional wei that
 * the floor drops go to `books.dustScaled`, so nothing is lost from the books.
 */
export function settle(r: StateReader, s: Staker, books: RewardBooks): void {
  for (const v of s.votes) {
    const acc = readCandidate(r, v.candidate)?.rewardPerVote ?? v.snapshot;
    const owed = s.stake * (acc - v.snapshot);
    const paid = owed / REWARD_SCALE;
    books.dustScaled += owed - paid * REWARD_SCALE;
    s.pending += paid;
    v.snapshot = acc;
  }
}

/** What `claimRewards` would pay now (read-only `settle`). */
export function claimable(r: StateReader, s: Staker): bigint {
  let total = s.pending;
  for (const v of s.votes) {
    const acc = readCandidate(r, v.candidate)?.rewardPerVote ?? v.snapshot;
    total += (s.stake * (acc - v.snapshot)) / REWARD_SCALE;
  }
  return total;
}

/** Credit `amount` (already moved to the DPoS address) to the voters of `c`, pro rata to stake. */
function creditVoters(c: Candidate, amount: bigint, books: RewardBooks): void {
  const delta = (amount * REWARD_SCALE) / c.votes;
  c.rewardPerVote += delta;
  books.held += amount;
  books.dustScaled += amount * REWARD_SCALE - delta * c.votes;
}

/** Return whole wei of rounding dust to the reward pool, so no wei stays stranded for good. */
export function sweepDust(s: DposState, pool: Address, books: RewardBooks): void {
  const wei = books.dustScaled / REWARD_SCALE;
  if (wei === 0n) return;
  if (books.held < wei) throw new LvoError(DposErrorCode.DPOS_INVARIANT, "reward dust exceeds rewards held");
  move(s, DPOS_ADDRESS, pool, wei);
  books.held -= wei;
  books.dustScaled -= wei * REWARD_SCALE;
}

/** How one block reward was split. */
export interface RewardSplit {
  /** Taken from the pool (0 once it is empty). */
  reward: bigint;
  /** Paid straight to the producer (its share plus its self-stake's part of the voters' share). */
  producer: bigint;
  /** Credited to the producer's voters, claimable with claimRewards. */
  voters: bigint;
}

/**
 * Pay one block reward from the pool: (10000 - voterShareBps)/10000 to the producer, the rest
 * split between the producer's self-stake (paid to the producer) and its voters' stakes
 * (credited through the accumulator, held by the DPoS address until claimed). A producer with
 * no voters, or that is no candidate, takes it all; a jailed producer earns nothing (it keeps
 * its scheduled slots until the next rotation, but is not paid for them).
 */
export function payBlockReward(
  s: DposState,
  ctx: { params: ChainParams; producer: Address; rewardPool: Address },
  books: RewardBooks,
): RewardSplit {
  const none = { reward: 0n, producer: 0n, voters: 0n };
  const poolBalance = s.getAccount(ctx.rewardPool).balance;
  const reward = poolBalance < ctx.params.blockReward ? poolBalance : ctx.params.blockReward;
  if (reward === 0n || ctx.rewardPool === ctx.producer) return none;
  const c = readCandidate(s, ctx.producer);
  if (c?.jailed) return none;
  if (!c || c.votes === 0n) {
    move(s, ctx.rewardPool, ctx.producer, reward);
    return { reward, producer: reward, voters: 0n };
  }
  const voterShare = (reward * BigInt(ctx.params.voterShareBps)) / 10_000n;
  const selfPart = (voterShare * c.selfStake) / (c.selfStake + c.votes);
  const voters = voterShare - selfPart;
  const producer = reward - voters;
  move(s, ctx.rewardPool, ctx.producer, producer);
  if (voters > 0n) {
    move(s, ctx.rewardPool, DPOS_ADDRESS, voters);
    creditVoters(c, voters, books);
    writeCandidate(s, ctx.producer, c);
  }
  return { reward, producer, voters };
}
