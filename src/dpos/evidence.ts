import type { Address } from "../crypto/address.ts";
import { DPOS_ADDRESS } from "../genesis/constants.ts";
import type { ChainParams } from "../genesis/types.ts";
import { LvoError } from "../util/errors.ts";
import { DposErrorCode } from "./errors.ts";
import {
  type DposState,
  isOffenceProcessed,
  markOffence,
  move,
  readCandidate,
  writeCandidate,
} from "./store.ts";

/** A double-signing offence whose two signatures consensus has already verified. */
export interface VerifiedOffence {
  offender: Address;
  /**
   * 32 bytes naming the offence, not the proof: every pair of conflicting messages for the
   * same (offender, kind, slot or vote target) must give the same id, so a third conflicting
   * block cannot be reported as a second offence.
   */
  offenceId: Uint8Array;
}

/** What a punished offence cost and paid. */
export interface Punishment {
  slashed: bigint;
  reward: bigint;
}

/**
 * Punish a double-signing offence once: slash params.slashFractionBps of the offender's
 * self-stake, pay params.reporterRewardBps of that to the reporter, send the rest to the
 * reward pool (supply is fixed: nothing is burnt), jail the offender and record the offence id.
 * Returns null and changes nothing when the id was already punished or the offender is not a
 * candidate. An offender reporting itself gets no reporter reward (all goes to the pool).
 */
export function applyEvidence(
  state: DposState,
  ev: VerifiedOffence,
  reporter: Address,
  ctx: { params: ChainParams; height: number; rewardPool: Address },
): Punishment | null {
  if (ev.offenceId.length !== 32)
    throw new LvoError(DposErrorCode.DPOS_BAD_EVIDENCE, "offence id must be 32 bytes");
  if (isOffenceProcessed(state, ev.offenceId)) return null;
  const c = readCandidate(state, ev.offender);
  if (!c) return null;
  const p = ctx.params;
  const slashed = (c.selfStake * BigInt(p.slashFractionBps)) / 10_000n;
  const reward = reporter === ev.offender ? 0n : (slashed * BigInt(p.reporterRewardBps)) / 10_000n;
  c.selfStake -= slashed;
  c.jailed = true;
  c.jailedAt = ctx.height;
  writeCandidate(state, ev.offender, c);
  markOffence(state, ev.offenceId, ctx.height, ev.offender);
  move(state, DPOS_ADDRESS, reporter, reward);
  move(state, DPOS_ADDRESS, ctx.rewardPool, slashed - reward);
  return { slashed, reward };
}
