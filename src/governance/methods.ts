import type { Address } from "../crypto/address.ts";
import { roundOf } from "../dpos/index.ts";
import { readBooks, readCandidate, readStaker } from "../dpos/store.ts";
import { DPOS_ADDRESS } from "../genesis/constants.ts";
import type { ChainParams } from "../genesis/types.ts";
import type { StateReader } from "../ledger/chain-records.ts";
import type { StateOverlay } from "../ledger/state.ts";
import type { Log } from "../ledger/types.ts";
import { LvoError } from "../util/errors.ts";
import { GovErrorCode } from "./errors.ts";
import { GOVERNABLE, type ParamChanges } from "./params.ts";
import {
  type ParamProposal,
  readNextParamId,
  readOpen,
  readOverrides,
  readParamProposal,
  readScheduled,
  writeNextParamId,
  writeOpen,
  writeOverrides,
  writeParamProposal,
  writeScheduled,
} from "./store.ts";

/** Open proposals at once, in all (each proposer may have one). */
export const MAX_OPEN_PARAM_PROPOSALS = 32;
/** Voters per proposal (the tally reads each voter's stake). */
export const MAX_PARAM_VOTERS = 2000;
/** Gas of the methods beyond intrinsic gas. */
export const GovGas = { propose: 50_000, vote: 20_000 } as const;

/** Inputs of a governance method (called through the Genesis contract, 0x…0200). */
export interface GovCall {
  state: StateOverlay;
  from: Address;
  value: bigint;
  args: unknown[];
  params: ChainParams;
  height: number;
}

const fail = (code: GovErrorCode, msg: string): never => {
  throw new LvoError(code, msg);
};

/** Voting weight: staked LVO plus self-stake (the stake as it is now). */
export function stakeWeight(r: StateReader, who: Address): bigint {
  return readStaker(r, who).stake + (readCandidate(r, who)?.selfStake ?? 0n);
}

function noValue(c: GovCall, method: string): void {
  if (c.value !== 0n) fail(GovErrorCode.GOV_BAD_VALUE, `${method} takes no value`);
}

function parseChanges(x: unknown, genesis: ChainParams): ParamChanges {
  if (typeof x !== "object" || x === null || Array.isArray(x)) {
    return fail(
      GovErrorCode.GOV_BAD_ARGS,
      'changes must be an object, e.g. {"blockReward": "2000000000000000000"}',
    );
  }
  const names = Object.keys(x);
  if (names.length === 0 || names.length > Object.keys(GOVERNABLE).length) {
    fail(GovErrorCode.GOV_BAD_ARGS, "changes must name 1 to 6 parameters");
  }
  const out: ParamChanges = {};
  for (const name of names.sort()) {
    const g = GOVERNABLE[name];
    if (!g)
      fail(
        GovErrorCode.GOV_NOT_GOVERNABLE,
        `${name.slice(0, 40)} is not governable (${Object.keys(GOVERNABLE).join(", ")})`,
      );
    const v = (x as Record<string, unknown>)[name];
    const text = typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v;
    if (typeof text !== "string" || g!.parse(text, genesis) === null) {
      fail(GovErrorCode.GOV_BAD_ARGS, `${name}: value out of range or not a decimal`);
    }
    out[name] = text as string;
  }
  return out;
}

/** `proposeParameters({name: value, ...})`: a staker opens a vote on new parameter values. */
function propose(c: GovCall): { gasUsed: number; logs: Log[] } {
  noValue(c, "proposeParameters");
  if (c.args.length !== 1)
    fail(GovErrorCode.GOV_BAD_ARGS, "proposeParameters takes 1 argument (the changes)");
  const changes = parseChanges(c.args[0], c.params);
  if (stakeWeight(c.state, c.from) === 0n) fail(GovErrorCode.GOV_NO_STAKE, `${c.from} has no stake`);
  const open = readOpen(c.state);
  if (open.length >= MAX_OPEN_PARAM_PROPOSALS)
    fail(GovErrorCode.GOV_LIMIT, "too many open parameter proposals");
  for (const id of open) {
    if (readParamProposal(c.state, id)!.proposer === c.from) {
      fail(GovErrorCode.GOV_LIMIT, `${c.from} already has an open proposal (${id})`);
    }
  }
  const id = readNextParamId(c.state);
  writeNextParamId(c.state, id + 1);
  const p: ParamProposal = {
    id,
    proposer: c.from,
    changes,
    createdAt: c.height,
    endsAt: c.height + c.params.proposalExpiryBlocks,
    status: "voting",
    yes: [c.from],
    no: [],
    tally: null,
    round: null,
    reason: null,
  };
  writeParamProposal(c.state, p);
  writeOpen(c.state, [...open, id]);
  return { gasUsed: GovGas.propose, logs: [] };
}

/** `voteParameters(id, support)`: one vote per account; its stake counts at the tally. */
function vote(c: GovCall): { gasUsed: number; logs: Log[] } {
  noValue(c, "voteParameters");
  const [idArg, support] = c.args;
  if (c.args.length !== 2 || typeof support !== "boolean") {
    fail(GovErrorCode.GOV_BAD_ARGS, "voteParameters takes (id, true|false)");
  }
  if (typeof idArg !== "number" || !Number.isSafeInteger(idArg) || idArg < 1) {
    fail(GovErrorCode.GOV_BAD_ARGS, "id must be a positive integer");
  }
  const p =
    readParamProposal(c.state, idArg as number) ??
    fail(GovErrorCode.GOV_UNKNOWN_PROPOSAL, `no parameter proposal ${idArg}`);
  if (p.status !== "voting" || c.height > p.endsAt)
    fail(GovErrorCode.GOV_CLOSED, `voting on proposal ${p.id} is over`);
  if (p.yes.includes(c.from) || p.no.includes(c.from))
    fail(GovErrorCode.GOV_ALREADY_VOTED, `${c.from} already voted on ${p.id}`);
  if (stakeWeight(c.state, c.from) === 0n) fail(GovErrorCode.GOV_NO_STAKE, `${c.from} has no stake`);
  if (p.yes.length + p.no.length >= MAX_PARAM_VOTERS)
    fail(GovErrorCode.GOV_LIMIT, "too many voters on this proposal");
  (support ? p.yes : p.no).push(c.from);
  writeParamProposal(c.state, p);
  return { gasUsed: GovGas.vote, logs: [] };
}

/** Governance methods of the Genesis contract. */
export const GOVERNANCE_METHODS: ReadonlyMap<string, (c: GovCall) => { gasUsed: number; logs: Log[] }> =
  new Map([
    ["proposeParameters", propose],
    ["voteParameters", vote],
  ]);

/**
 * Passing rule: the stake that voted is at least 1/3 of the bonded stake (the DPoS address's
 * balance less unclaimed voter rewards: funds unbonding count in it, so the quorum errs high),
 * and more than half of the stake that voted says yes.
 */
export function tally(
  r: StateOverlay,
  p: ParamProposal,
): { yes: bigint; no: bigint; bonded: bigint; passed: boolean } {
  let yes = 0n;
  let no = 0n;
  for (const a of p.yes) yes += stakeWeight(r, a);
  for (const a of p.no) no += stakeWeight(r, a);
  const bonded = r.getAccount(DPOS_ADDRESS).balance - readBooks(r).held;
  const passed = (yes + no) * 3n >= bonded && yes * 2n > yes + no && bonded > 0n;
  return { yes, no, bonded, passed };
}

/**
 * End of block: proposals whose voting ends at this height are tallied; a passed one is
 * scheduled for the next round's first block (every node applies it at the same height).
 */
export function tallyEnding(state: StateOverlay, params: ChainParams, height: number, slot: number): void {
  const open = readOpen(state);
  if (open.length === 0) return;
  const still: number[] = [];
  const scheduled = readScheduled(state);
  for (const id of open) {
    const p = readParamProposal(state, id)!;
    if (p.endsAt > height) {
      still.push(id);
      continue;
    }
    const t = tally(state, p);
    p.tally = { yes: t.yes.toString(), no: t.no.toString(), bonded: t.bonded.toString() };
    if (t.passed) {
      p.status = "passed";
      p.round = roundOf(slot, params) + 1;
      scheduled.push({ id: p.id, round: p.round, changes: p.changes });
    } else {
      p.status = "rejected";
      p.reason = (t.yes + t.no) * 3n < t.bonded ? "quorum not reached" : "majority against";
    }
    writeParamProposal(state, p);
  }
  writeOpen(state, still);
  writeScheduled(state, scheduled);
}

/** Start of block: changes scheduled for this block's round or earlier take effect. */
export function applyScheduled(state: StateOverlay, params: ChainParams, slot: number): void {
  const scheduled = readScheduled(state);
  if (scheduled.length === 0) return;
  const round = roundOf(slot, params);
  const due = scheduled.filter((s) => s.round <= round);
  if (due.length === 0) return;
  const overrides = readOverrides(state);
  for (const s of due) {
    Object.assign(overrides, s.changes);
    const p = readParamProposal(state, s.id)!;
    p.status = "applied";
    writeParamProposal(state, p);
  }
  const sorted: ParamChanges = {};
  for (const k of Object.keys(overrides).sort()) sorted[k] = overrides[k]!;
  writeOverrides(state, sorted);
  writeScheduled(
    state,
    scheduled.filter((s) => s.round > round),
  );
}
