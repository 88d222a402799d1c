import type { Address } from "../crypto/address.ts";
import { DPOS_ADDRESS } from "../genesis/constants.ts";
import type { ChainParams } from "../genesis/types.ts";
import type { Log } from "../ledger/types.ts";
import { LvoError } from "../util/errors.ts";
import { argAddresses, argAmount, argName, expectArgs } from "./call.ts";
import { DposErrorCode } from "./errors.ts";
import { DposEvent, dposLog } from "./events.ts";
import type { Staker } from "./records.ts";
import { settle } from "./rewards.ts";
import { roundLength } from "./schedule.ts";
import {
  type DposState,
  move,
  readBooks,
  readCandidate,
  readCandidateList,
  readQueue,
  readStaker,
  writeBooks,
  writeCandidate,
  writeCandidateList,
  writeQueue,
  writeStaker,
} from "./store.ts";

/** Most candidates one staker may vote for (SPEC: up to 30). */
export const MAX_VOTES = 30;
/** Most registered candidates: bounds the election's per-round scan and the candidate list. */
export const MAX_CANDIDATES = 1000;
/** Most unbonding entries a staker may have waiting: bounds the staker record. */
export const MAX_UNBONDING_ENTRIES = 32;

/**
 * Gas of each method beyond the transaction's intrinsic gas: a flat cost, plus a cost per
 * candidate record the call reads or rewrites (settling rewards, moving tallies).
 */
export const DposGas = {
  registerDelegate: 50_000n,
  base: 30_000n,
  perVote: 5_000n,
} as const;

/** Inputs of one method call. */
export interface MethodCall {
  state: DposState;
  from: Address;
  value: bigint;
  args: unknown[];
  params: ChainParams;
  height: number;
}

/** What a method returns on success. */
export interface MethodResult {
  gasUsed: bigint;
  logs: Log[];
}

type Method = (c: MethodCall) => MethodResult;

function fail(code: DposErrorCode, msg: string, context: Record<string, unknown> = {}): never {
  throw new LvoError(code, msg, context);
}

/** Change the tallies of the candidates a staker votes for by `delta` (stake moved in or out). */
function retally(state: DposState, s: Staker, delta: bigint): void {
  for (const v of s.votes) {
    const c = readCandidate(state, v.candidate)!;
    c.votes += delta;
    writeCandidate(state, v.candidate, c);
  }
}

/** Settle a staker's rewards (books updated) before its stake or votes change. */
function settled(state: DposState, who: Address): Staker {
  const s = readStaker(state, who);
  const books = readBooks(state);
  settle(state, s, books);
  writeBooks(state, books);
  return s;
}

const registerDelegate: Method = ({ state, from, value, args, params }) => {
  expectArgs(args, 1, "registerDelegate");
  const name = argName(args[0]);
  const existing = readCandidate(state, from);
  if (existing) {
    // A registered candidate may top up its self-stake and rename itself.
    existing.name = name;
    existing.selfStake += value;
    writeCandidate(state, from, existing);
  } else {
    if (value < params.minSelfStake) {
      fail(DposErrorCode.DPOS_SELF_STAKE_TOO_LOW, `self-stake ${value} below minimum ${params.minSelfStake}`);
    }
    const list = readCandidateList(state);
    if (list.length >= MAX_CANDIDATES)
      fail(DposErrorCode.DPOS_TOO_MANY_CANDIDATES, "candidate registry is full");
    writeCandidate(state, from, {
      name,
      selfStake: value,
      votes: 0n,
      jailed: false,
      jailedAt: 0,
      missed: 0,
      rewardPerVote: 0n,
    });
    list.push(from);
    list.sort();
    writeCandidateList(state, list);
  }
  move(state, from, DPOS_ADDRESS, value);
  return { gasUsed: DposGas.registerDelegate, logs: [dposLog(DposEvent.REGISTERED, from, [value])] };
};

const stake: Method = ({ state, from, value, args }) => {
  expectArgs(args, 0, "stake");
  if (value === 0n) fail(DposErrorCode.DPOS_ZERO_AMOUNT, "stake() needs a value");
  const s = settled(state, from);
  s.stake += value;
  retally(state, s, value);
  writeStaker(state, from, s);
  move(state, from, DPOS_ADDRESS, value);
  return {
    gasUsed: DposGas.base + DposGas.perVote * BigInt(s.votes.length),
    logs: [dposLog(DposEvent.STAKED, from, [value])],
  };
};

const unstake: Method = ({ state, from, args, params, height }) => {
  expectArgs(args, 1, "unstake");
  const amount = argAmount(args[0], "amount");
  if (amount === 0n) fail(DposErrorCode.DPOS_ZERO_AMOUNT, "unstake amount must be above 0");
  const s = settled(state, from);
  if (amount > s.stake) {
    fail(DposErrorCode.DPOS_INSUFFICIENT_STAKE, `unstake ${amount} above stake ${s.stake}`, {
      stake: s.stake,
    });
  }
  s.stake -= amount;
  retally(state, s, -amount);
  const release = height + params.unbondingPeriodBlocks;
  if (params.unbondingPeriodBlocks === 0) {
    move(state, DPOS_ADDRESS, from, amount);
  } else {
    // Two unstakes in one block share a release height: one entry, in the record and the queue.
    const mine = s.unbonding.find((u) => u.releaseHeight === release);
    if (mine) mine.amount += amount;
    else if (s.unbonding.length >= MAX_UNBONDING_ENTRIES) {
      fail(DposErrorCode.DPOS_TOO_MANY_UNBONDING, `at most ${MAX_UNBONDING_ENTRIES} unbonding entries`);
    } else s.unbonding.push({ releaseHeight: release, amount });
    const q = readQueue(state, release);
    const qe = q.find((x) => x.staker === from);
    if (qe) qe.amount += amount;
    else q.push({ staker: from, amount });
    writeQueue(state, release, q);
  }
  writeStaker(state, from, s);
  return {
    gasUsed: DposGas.base + DposGas.perVote * BigInt(s.votes.length),
    logs: [dposLog(DposEvent.UNSTAKED, from, [amount, release])],
  };
};

const vote: Method = ({ state, from, args }) => {
  expectArgs(args, 1, "vote");
  if (Array.isArray(args[0]) && args[0].length > MAX_VOTES) {
    fail(DposErrorCode.DPOS_TOO_MANY_VOTES, `at most ${MAX_VOTES} candidates`);
  }
  const wanted = argAddresses(args[0], "candidates");
  const seen = new Set<Address>();
  for (const a of wanted) {
    if (seen.has(a)) fail(DposErrorCode.DPOS_DUPLICATE_VOTE, `${a} listed twice`, { candidate: a });
    seen.add(a);
    if (!readCandidate(state, a))
      fail(DposErrorCode.DPOS_NOT_CANDIDATE, `${a} is not a candidate`, { candidate: a });
  }
  const s = settled(state, from);
  const touched = s.votes.length + wanted.length;
  retally(state, s, -s.stake);
  s.votes = [...seen].sort().map((candidate) => ({
    candidate,
    snapshot: readCandidate(state, candidate)!.rewardPerVote,
  }));
  retally(state, s, s.stake);
  writeStaker(state, from, s);
  return {
    gasUsed: DposGas.base + DposGas.perVote * BigInt(touched),
    logs: [dposLog(DposEvent.VOTED, from, [wanted.length])],
  };
};

const unjail: Method = ({ state, from, args, params, height }) => {
  expectArgs(args, 0, "unjail");
  const c = readCandidate(state, from);
  if (!c) return fail(DposErrorCode.DPOS_NOT_CANDIDATE, `${from} is not a candidate`);
  if (!c.jailed) fail(DposErrorCode.DPOS_NOT_JAILED, "candidate is not jailed");
  // One round of blocks spans at least one round boundary: the snapshot taken there (when none
  // is waiting for finality) leaves the candidate out, so the jail is more than a formality.
  const free = c.jailedAt + roundLength(params);
  if (height < free) fail(DposErrorCode.DPOS_JAIL_NOT_OVER, `jailed until height ${free}`, { until: free });
  c.jailed = false;
  c.missed = 0;
  writeCandidate(state, from, c);
  return { gasUsed: DposGas.base, logs: [dposLog(DposEvent.UNJAILED, from)] };
};

const claimRewards: Method = ({ state, from, args }) => {
  expectArgs(args, 0, "claimRewards");
  const s = settled(state, from);
  const amount = s.pending;
  if (amount === 0n) fail(DposErrorCode.DPOS_NOTHING_TO_CLAIM, "no rewards to claim");
  const books = readBooks(state);
  if (books.held < amount) fail(DposErrorCode.DPOS_INVARIANT, "claim exceeds rewards held");
  books.held -= amount;
  s.pending = 0n;
  writeBooks(state, books);
  writeStaker(state, from, s);
  move(state, DPOS_ADDRESS, from, amount);
  return {
    gasUsed: DposGas.base + DposGas.perVote * BigInt(s.votes.length),
    logs: [dposLog(DposEvent.REWARDS_CLAIMED, from, [amount])],
  };
};

/** Methods of the DPoS address, and whether each takes a value. */
export const DPOS_METHODS: ReadonlyMap<string, { run: Method; payable: boolean }> = new Map([
  ["registerDelegate", { run: registerDelegate, payable: true }],
  ["stake", { run: stake, payable: true }],
  ["unstake", { run: unstake, payable: false }],
  ["vote", { run: vote, payable: false }],
  ["unjail", { run: unjail, payable: false }],
  ["claimRewards", { run: claimRewards, payable: false }],
]);
