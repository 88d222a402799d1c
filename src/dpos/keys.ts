import type { Address } from "../crypto/address.ts";
import { delegateKey, StateNs, u64 } from "../ledger/keys.ts";
import { fromHex } from "../util/bytes.ts";

/**
 * DPoS state-trie namespaces (first key byte), next to StateNs in src/ledger/keys.ts, which
 * reserves 0x02..0x06 for DPoS (0x07 is contract storage). One byte each, never reused.
 * `key → value` (values are RLP, see records.ts); wei amounts are minimal big-endian integers.
 */
export const DposNs = {
  /** 0x02 | candidate(20) → [name, selfStake, votes, jailed, jailedAt, missed, rewardPerVote] */
  CANDIDATE: StateNs.DELEGATE,
  /** 0x03 | staker(20) → [stake, pending, [[candidate, snapshot]…], [[releaseHeight, amount]…]] */
  STAKER: 0x03,
  /** 0x04 | releaseHeight(u64 BE) → [[staker, amount]…] funds returned at that height */
  UNBONDING: 0x04,
  /** 0x05 | offenceId(32) → [height, offender] an offence already punished */
  OFFENCE: 0x05,
  /** 0x06 | record(1) → singleton records, see DposRecord */
  META: 0x06,
} as const;

/** Singleton records under DposNs.META (second key byte). */
export const DposRecord = {
  /** 0x06 0x01 → [candidate…] every registered candidate, ascending address */
  CANDIDATES: 0x01,
  /** 0x06 0x02 → [sinceRound, [member…]] active set in force, election order */
  ACTIVE: 0x02,
  /** 0x06 0x03 → [basedOnHeight, [member…]] snapshot waiting for its height to be final */
  PENDING: 0x03,
  /** 0x06 0x04 → [lastSlot] slot of the newest block applied (absent: 0, genesis) */
  CLOCK: 0x04,
  /** 0x06 0x05 → [rewardsHeld, dustScaled] voter-reward books (see rewards.ts) */
  REWARDS: 0x05,
} as const;

function addrKey(ns: number, a: Address): Uint8Array {
  const k = new Uint8Array(21);
  k[0] = ns;
  k.set(fromHex(a), 1);
  return k;
}

/** Trie key of a candidate record (the ledger's delegate key). */
export const candidateKey = delegateKey;

/** Trie key of a staker record. */
export function stakerKey(a: Address): Uint8Array {
  return addrKey(DposNs.STAKER, a);
}

/** Trie key of the unbonding queue entry released at `height`. */
export function unbondingKey(height: number): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = DposNs.UNBONDING;
  k.set(u64(height), 1);
  return k;
}

/** Trie key of a processed offence. */
export function offenceKey(id: Uint8Array): Uint8Array {
  const k = new Uint8Array(1 + id.length);
  k[0] = DposNs.OFFENCE;
  k.set(id, 1);
  return k;
}

/** Trie key of a singleton record. */
export function metaKey(record: (typeof DposRecord)[keyof typeof DposRecord]): Uint8Array {
  return Uint8Array.from([DposNs.META, record]);
}
