/**
 * DPoS error codes. A call to the DPoS address that throws one of these ends with receipt
 * status 0 and the message as reason (fee charged, nothing else changed); a block hook that
 * throws one makes the block invalid.
 */
export const DposErrorCode = {
  /** `data` is not UTF-8 JSON `{"method": string, "args": array}` (no other keys). */
  DPOS_BAD_CALL: "DPOS_BAD_CALL",
  /** No DPoS method of that name. */
  DPOS_UNKNOWN_METHOD: "DPOS_UNKNOWN_METHOD",
  /** Wrong number or shape of args: names, decimal wei strings, 0x addresses. */
  DPOS_BAD_ARGS: "DPOS_BAD_ARGS",
  /** A method that takes no value was sent a non-zero `tx.value`. */
  DPOS_VALUE_NOT_ACCEPTED: "DPOS_VALUE_NOT_ACCEPTED",
  /** `stake()` without value, or `unstake("0")`. */
  DPOS_ZERO_AMOUNT: "DPOS_ZERO_AMOUNT",
  /** First `registerDelegate` with a value below params.minSelfStake. */
  DPOS_SELF_STAKE_TOO_LOW: "DPOS_SELF_STAKE_TOO_LOW",
  /** The candidate registry is full (MAX_CANDIDATES). */
  DPOS_TOO_MANY_CANDIDATES: "DPOS_TOO_MANY_CANDIDATES",
  /** `unstake` of more than the caller has staked. */
  DPOS_INSUFFICIENT_STAKE: "DPOS_INSUFFICIENT_STAKE",
  /** The caller already has MAX_UNBONDING_ENTRIES unbonding entries waiting. */
  DPOS_TOO_MANY_UNBONDING: "DPOS_TOO_MANY_UNBONDING",
  /** `vote` with more than MAX_VOTES candidates. */
  DPOS_TOO_MANY_VOTES: "DPOS_TOO_MANY_VOTES",
  /** `vote` naming one candidate twice. */
  DPOS_DUPLICATE_VOTE: "DPOS_DUPLICATE_VOTE",
  /** `vote` for, or `unjail` by, an address that is not a registered candidate. */
  DPOS_NOT_CANDIDATE: "DPOS_NOT_CANDIDATE",
  /** `unjail` by a candidate that is not jailed. */
  DPOS_NOT_JAILED: "DPOS_NOT_JAILED",
  /** `unjail` before the jail term (one round of blocks) is over. */
  DPOS_JAIL_NOT_OVER: "DPOS_JAIL_NOT_OVER",
  /** `claimRewards` with nothing accrued. */
  DPOS_NOTHING_TO_CLAIM: "DPOS_NOTHING_TO_CLAIM",
  /** Block hook: the block's slot is not after the state's last slot, or parentSlot disagrees with it. */
  DPOS_BAD_SLOT: "DPOS_BAD_SLOT",
  /** Evidence input malformed (offence id not 32 bytes). */
  DPOS_BAD_EVIDENCE: "DPOS_BAD_EVIDENCE",
  /** The DPoS books do not cover a payment: state damage, never a user error. */
  DPOS_INVARIANT: "DPOS_INVARIANT",
} as const;

export type DposErrorCode = (typeof DposErrorCode)[keyof typeof DposErrorCode];
