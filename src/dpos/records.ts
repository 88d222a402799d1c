import type { Address } from "../crypto/address.ts";
import {
  addr,
  addrBytes,
  big,
  bytes,
  list,
  num,
  type RlpItem,
  rlpDecode,
  rlpEncode,
  uint,
} from "../ledger/rlp.ts";

// Canonical RLP of every DPoS record: fixed field order, integers minimal big-endian (0 is the
// empty string), lists in a defined order. Same state, same bytes, same root on every node.

/** A delegate candidate. */
export interface Candidate {
  name: string;
  /** Own stake (wei), held by the DPoS address; slashable. */
  selfStake: bigint;
  /** Sum of the stakes of every staker voting for it (approval voting). */
  votes: bigint;
  jailed: boolean;
  /** Height it was last jailed at (0 if never). */
  jailedAt: number;
  /** Consecutive slots it was scheduled for and missed. */
  missed: number;
  /** Voter rewards per wei of vote, scaled by REWARD_SCALE, ever credited (F1 accumulator). */
  rewardPerVote: bigint;
}

/** A vote of a staker, with the candidate's accumulator when last settled. */
export interface VoteEntry {
  candidate: Address;
  snapshot: bigint;
}

/** Funds on their way back to a staker. */
export interface UnbondingEntry {
  releaseHeight: number;
  amount: bigint;
}

/** A staking account. */
export interface Staker {
  stake: bigint;
  /** Settled voter rewards not yet claimed (wei). */
  pending: bigint;
  /** Ascending candidate address. */
  votes: VoteEntry[];
  /** Ascending release height. */
  unbonding: UnbondingEntry[];
}

/** A set of delegates: the active set in force, or a pending snapshot. */
export interface DelegateSet {
  /** Active set: the round it took effect in. Pending: the height whose state it was elected from. */
  at: number;
  /** Election order (weight desc, address asc). */
  members: Address[];
}

/** Books of the voter rewards held by the DPoS address (rewards.ts). */
export interface RewardBooks {
  /** Wei credited to voters and not yet claimed or swept, including dust. */
  held: bigint;
  /** Rounding remainders, scaled by REWARD_SCALE; whole wei of it are swept to the pool. */
  dustScaled: bigint;
}

const flag = (b: boolean) => uint(b ? 1 : 0);
const text = new TextDecoder("utf-8", { fatal: true });

/** Encode a candidate record. */
export function encodeCandidate(c: Candidate): Uint8Array {
  return rlpEncode([
    new TextEncoder().encode(c.name),
    uint(c.selfStake),
    uint(c.votes),
    flag(c.jailed),
    uint(c.jailedAt),
    uint(c.missed),
    uint(c.rewardPerVote),
  ]);
}

/** Decode a candidate record. */
export function decodeCandidate(v: Uint8Array): Candidate {
  const f = list(rlpDecode(v), 7);
  return {
    name: text.decode(bytes(f[0])),
    selfStake: big(f[1]),
    votes: big(f[2]),
    jailed: num(f[3]) === 1,
    jailedAt: num(f[4]),
    missed: num(f[5]),
    rewardPerVote: big(f[6]),
  };
}

/** Encode a staker record. */
export function encodeStaker(s: Staker): Uint8Array {
  return rlpEncode([
    uint(s.stake),
    uint(s.pending),
    s.votes.map((x) => [addrBytes(x.candidate), uint(x.snapshot)]),
    s.unbonding.map((x) => [uint(x.releaseHeight), uint(x.amount)]),
  ]);
}

/** Decode a staker record. */
export function decodeStaker(v: Uint8Array): Staker {
  const f = list(rlpDecode(v), 4);
  return {
    stake: big(f[0]),
    pending: big(f[1]),
    votes: list(f[2]).map((x) => {
      const e = list(x, 2);
      return { candidate: addr(e[0]), snapshot: big(e[1]) };
    }),
    unbonding: list(f[3]).map((x) => {
      const e = list(x, 2);
      return { releaseHeight: num(e[0]), amount: big(e[1]) };
    }),
  };
}

/** Encode an unbonding queue entry (one release height). */
export function encodeQueue(q: Array<{ staker: Address; amount: bigint }>): Uint8Array {
  return rlpEncode(q.map((x) => [addrBytes(x.staker), uint(x.amount)]));
}

/** Decode an unbonding queue entry. */
export function decodeQueue(v: Uint8Array): Array<{ staker: Address; amount: bigint }> {
  return list(rlpDecode(v)).map((x) => {
    const e = list(x, 2);
    return { staker: addr(e[0]), amount: big(e[1]) };
  });
}

/** Encode a list of addresses. */
export function encodeAddresses(a: readonly Address[]): Uint8Array {
  return rlpEncode(a.map(addrBytes));
}

/** Decode a list of addresses. */
export function decodeAddresses(v: Uint8Array): Address[] {
  return list(rlpDecode(v)).map(addr);
}

/** Encode an active set or a pending snapshot. */
export function encodeSet(s: DelegateSet): Uint8Array {
  return rlpEncode([uint(s.at), s.members.map(addrBytes)]);
}

/** Decode an active set or a pending snapshot. */
export function decodeSet(v: Uint8Array): DelegateSet {
  const f = list(rlpDecode(v), 2);
  return { at: num(f[0]), members: list(f[1]).map(addr) };
}

/** Encode a list of small integers (clock, offence record). */
export function encodeInts(xs: ReadonlyArray<number | bigint>): Uint8Array {
  return rlpEncode(xs.map((x) => uint(x)));
}

/** Decode a list of integers as bigints. */
export function decodeInts(v: Uint8Array, len: number): bigint[] {
  return list(rlpDecode(v), len).map((x: RlpItem) => big(x));
}

/** Encode the offence record. */
export function encodeOffence(height: number, offender: Address): Uint8Array {
  return rlpEncode([uint(height), addrBytes(offender)]);
}
