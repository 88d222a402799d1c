import { type Address, parseAddress } from "../crypto/address.ts";
import { releasedContractAddress } from "../crypto/contract-address.ts";
import { getActiveSet } from "../dpos/index.ts";
import { GENESIS_CONTRACT_ADDRESS } from "../genesis/constants.ts";
import type { StateOverlay } from "../ledger/state.ts";
import type { Log } from "../ledger/types.ts";
import { type JsonValue, LvmErrorCode } from "../lvm/index.ts";
import { LvoError } from "../util/errors.ts";
import { runAudit } from "./audit.ts";
import { callEnv, type RegistryContext } from "./context.ts";
import { MAX_CONTRACT_CALL_GAS, runContractCall } from "./contract-call.ts";
import { RegistryErrorCode } from "./errors.ts";
import { CLOSED_CODE, RegistryEvent, registryLog, STATUS_CODE } from "./events.ts";
import type { ContractRecord, ContractStatus, Proposal, ProposalKind } from "./records.ts";
import {
  readCode,
  readContract,
  readContractList,
  readExpiring,
  readNamed,
  readNextId,
  readOpenAction,
  readProposal,
  writeCode,
  writeContract,
  writeContractList,
  writeExpiring,
  writeNamed,
  writeNextId,
  writeOpenAction,
  writeProposal,
} from "./store.ts";

/** Gas of each Genesis-contract method beyond the intrinsic gas (LVM gas of audits and inits on top). */
export const RegistryGas = {
  propose: 100_000,
  /** Per byte of source stored. */
  sourceByte: 20,
  vote: 30_000,
  release: 50_000,
} as const;

/** Inputs of one Genesis-contract method call. */
export interface RegistryCall {
  state: StateOverlay;
  from: Address;
  value: bigint;
  args: unknown[];
  ctx: RegistryContext;
  /** Gas the transaction has left for this call (after intrinsic gas). */
  budget: number;
}

export interface RegistryResult {
  gasUsed: number;
  logs: Log[];
  /** The proposal created or voted on (for callers and tests). */
  proposalId: number;
}

const fail = (code: RegistryErrorCode, msg: string): never => {
  throw new LvoError(code, msg);
};
const badArgs = (msg: string): never => fail(RegistryErrorCode.REG_BAD_ARGS, msg);

function argCount(args: unknown[], min: number, max: number, method: string): void {
  if (args.length < min || args.length > max) {
    badArgs(`${method} takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`);
  }
}

function argAddress(x: unknown, what: string): Address {
  return parseAddress(x) ?? badArgs(`${what} must be a 0x address`);
}

function argId(x: unknown): number {
  if (typeof x === "number" && Number.isSafeInteger(x) && x >= 1) return x;
  if (typeof x === "string" && /^[1-9][0-9]{0,14}$/.test(x)) return Number(x);
  return badArgs("proposal id must be a positive integer");
}

function argSource(x: unknown): Uint8Array {
  if (typeof x !== "string" || x.length === 0)
    return badArgs("source must be a non-empty string of Lua text");
  return new TextEncoder().encode(x);
}

function isJsonArgs(x: unknown): x is JsonValue[] {
  return Array.isArray(x);
}

function activeMembers(state: StateOverlay): Address[] {
  return getActiveSet(state).active.members;
}

function requireDelegate(state: StateOverlay, who: Address): Address[] {
  const active = activeMembers(state);
  if (!active.includes(who)) fail(RegistryErrorCode.REG_NOT_DELEGATE, `${who} is not an active delegate`);
  return active;
}

function requireValue(value: bigint, want: bigint, method: string): void {
  if (value !== want) {
    fail(
      RegistryErrorCode.REG_BAD_VALUE,
      want === 0n ? `${method} takes no value` : `${method} needs a deposit of exactly ${want} wei`,
    );
  }
}

function move(state: StateOverlay, from: Address, to: Address, amount: bigint): void {
  if (amount === 0n) return;
  state.addBalance(from, -amount);
  state.addBalance(to, amount);
}

function newProposal(c: RegistryCall, kind: ProposalKind, target: Address, name: string): Proposal {
  const id = readNextId(c.state);
  writeNextId(c.state, id + 1);
  return {
    id,
    kind,
    proposer: c.from,
    target,
    name,
    codeHash: null,
    initArgs: [],
    deposit: "0",
    createdAt: c.ctx.height,
    expiresAt: c.ctx.height + c.ctx.params.proposalExpiryBlocks,
    status: "pending",
    approvals: [],
    rejections: [],
    audit: null,
    decidedAt: null,
    reason: null,
  };
}

function scheduleExpiry(state: StateOverlay, p: Proposal): void {
  const ids = readExpiring(state, p.expiresAt);
  ids.push(p.id);
  writeExpiring(state, p.expiresAt, ids);
}

/** Ends a proposal: status, reason, deposit (refunded, or forfeited to the reward pool). */
function close(
  state: StateOverlay,
  p: Proposal,
  status: "rejected" | "expired" | "failed",
  reason: string,
  ctx: RegistryContext,
  logs: Log[],
): void {
  p.status = status;
  p.reason = reason;
  p.decidedAt = ctx.height;
  const deposit = BigInt(p.deposit);
  // Rejected by the delegates: the deposit is forfeited (paid into the reward pool). Expired or
  // failed at release: returned to the proposer.
  move(state, GENESIS_CONTRACT_ADDRESS, status === "rejected" ? ctx.rewardPool : p.proposer, deposit);
  if (isAction(p.kind)) writeOpenAction(state, p.kind, p.target, null);
  writeProposal(state, p);
  logs.push(registryLog(RegistryEvent.CLOSED, [p.id], [CLOSED_CODE[status]]));
}

const isAction = (k: ProposalKind) => k === "suspend" || k === "resume" || k === "terminate";

/** `propose(name, source, initArgs?)` with the deposit as value: audit now, then delegates vote. */
function propose(c: RegistryCall): RegistryResult {
  argCount(c.args, 2, 3, "propose");
  if (typeof c.args[0] !== "string") badArgs("name must be a string");
  const name = c.args[0] as string;
  const source = argSource(c.args[1]);
  const initArgs = c.args[2] ?? [];
  if (!isJsonArgs(initArgs)) badArgs("initArgs must be an array");
  requireValue(c.value, c.ctx.params.proposalDeposit, "propose");
  if (readNamed(c.state, name) !== undefined)
    fail(RegistryErrorCode.REG_NAME_TAKEN, `a contract named "${name}" exists`);
  const id = readNextId(c.state);
  return submit(
    c,
    newProposal(c, "deploy", releasedContractAddress(id), name),
    source,
    initArgs as JsonValue[],
  );
}

/** `proposeUpgrade(address, source)` by the contract's owner, with the deposit: storage is kept. */
function proposeUpgrade(c: RegistryCall): RegistryResult {
  argCount(c.args, 2, 2, "proposeUpgrade");
  const target = argAddress(c.args[0], "contract");
  const source = argSource(c.args[1]);
  requireValue(c.value, c.ctx.params.proposalDeposit, "proposeUpgrade");
  const k =
    readContract(c.state, target) ?? fail(RegistryErrorCode.REG_UNKNOWN_CONTRACT, `no contract at ${target}`);
  if (k.owner !== c.from)
    fail(RegistryErrorCode.REG_NOT_OWNER, `only the owner ${k.owner} may propose an upgrade`);
  if (k.status === "terminated")
    fail(RegistryErrorCode.REG_CONTRACT_STATUS, `contract ${target} is terminated`);
  return submit(c, newProposal(c, "upgrade", target, k.name), source, []);
}

function submit(c: RegistryCall, p: Proposal, source: Uint8Array, initArgs: JsonValue[]): RegistryResult {
  const logs: Log[] = [];
  let gas = RegistryGas.propose;
  const audit = runAudit(
    c.state,
    {
      kind: p.kind as "deploy" | "upgrade",
      name: p.name,
      source,
      initArgs,
      proposer: c.from,
      target: p.target,
    },
    callEnv(c.ctx),
    c.budget - gas,
  );
  gas += audit.gasUsed;
  p.audit = audit;
  p.initArgs = initArgs;
  p.codeHash = audit.codeHash;
  logs.push(registryLog(RegistryEvent.PROPOSED, [p.id, c.from, p.target]));
  if (!audit.ok) {
    // Nothing is held: the deposit stays with the proposer; the report is kept for reading.
    const bad = audit.checks.find((x) => !x.ok)!;
    p.status = "rejected";
    p.reason = `audit failed: ${bad.name}: ${bad.detail}`;
    p.decidedAt = c.ctx.height;
    writeProposal(c.state, p);
    logs.push(registryLog(RegistryEvent.CLOSED, [p.id], [CLOSED_CODE.rejected]));
    return { gasUsed: gas, logs, proposalId: p.id };
  }
  gas += source.length * RegistryGas.sourceByte;
  writeCode(c.state, source);
  p.deposit = c.value.toString();
  move(c.state, c.from, GENESIS_CONTRACT_ADDRESS, c.value);
  writeProposal(c.state, p);
  scheduleExpiry(c.state, p);
  return { gasUsed: gas, logs, proposalId: p.id };
}

function vote(c: RegistryCall, approve: boolean): RegistryResult {
  const method = approve ? "approve" : "reject";
  argCount(c.args, 1, 1, method);
  const id = argId(c.args[0]);
  requireValue(c.value, 0n, method);
  requireDelegate(c.state, c.from);
  const p = readProposal(c.state, id) ?? fail(RegistryErrorCode.REG_UNKNOWN_PROPOSAL, `no proposal ${id}`);
  return castVote(c, p, approve);
}

function castVote(c: RegistryCall, p: Proposal, approve: boolean): RegistryResult {
  if (p.status !== "pending") fail(RegistryErrorCode.REG_NOT_PENDING, `proposal ${p.id} is ${p.status}`);
  if (p.approvals.includes(c.from) || p.rejections.includes(c.from)) {
    fail(RegistryErrorCode.REG_ALREADY_VOTED, `${c.from} already voted on proposal ${p.id}`);
  }
  (approve ? p.approvals : p.rejections).push(c.from);
  const logs = [registryLog(RegistryEvent.VOTED, [p.id, c.from], [approve ? 1 : 0])];
  const gas = RegistryGas.vote + decide(c, p, logs);
  writeProposal(c.state, p);
  return { gasUsed: gas, logs, proposalId: p.id };
}

/**
 * Counts the votes of the *current* active set: more than 2/3 approving carries the proposal;
 * at least 1/3 rejecting means it can no longer carry, so it is rejected. Returns gas used.
 */
function decide(c: RegistryCall, p: Proposal, logs: Log[]): number {
  const active = activeMembers(c.state);
  const n = active.length;
  const yes = p.approvals.filter((a) => active.includes(a)).length;
  const no = p.rejections.filter((a) => active.includes(a)).length;
  if (yes * 3 > n * 2) return carry(c, p, logs);
  if (no * 3 >= n) close(c.state, p, "rejected", `rejected by ${no} of ${n} delegates`, c.ctx, logs);
  return 0;
}

function carry(c: RegistryCall, p: Proposal, logs: Log[]): number {
  p.decidedAt = c.ctx.height;
  switch (p.kind) {
    case "deploy":
      return release(c, p, logs);
    case "upgrade": {
      const k = readContract(c.state, p.target)!;
      if (k.status === "terminated") {
        close(c.state, p, "failed", `contract ${p.target} is terminated`, c.ctx, logs);
        return 0;
      }
      k.codeHash = p.codeHash!;
      k.version += 1;
      writeContract(c.state, k);
      p.status = "released";
      move(c.state, GENESIS_CONTRACT_ADDRESS, p.proposer, BigInt(p.deposit));
      logs.push(registryLog(RegistryEvent.RELEASED, [p.id, p.target]));
      return RegistryGas.release;
    }
    default:
      applyAction(c, p, logs);
      return 0;
  }
}

/** Releases a deploy proposal: the contract record, its name, then `init` on the live state. */
function release(c: RegistryCall, p: Proposal, logs: Log[]): number {
  if (readNamed(c.state, p.name) !== undefined) {
    close(c.state, p, "failed", `a contract named "${p.name}" exists`, c.ctx, logs);
    return 0;
  }
  const code = readCode(c.state, p.codeHash!)!;
  const mark = c.state.checkpoint();
  const k: ContractRecord = {
    address: p.target,
    name: p.name,
    owner: p.proposer,
    codeHash: p.codeHash!,
    version: 1,
    status: "active",
    releasedAt: c.ctx.height,
    proposalId: p.id,
  };
  installContract(c.state, k);
  const limit = Math.max(
    0,
    Math.min(MAX_CONTRACT_CALL_GAS, c.budget - RegistryGas.vote - RegistryGas.release),
  );
  const r = runContractCall(c.state, k, code, p.proposer, 0n, "init", p.initArgs, limit, callEnv(c.ctx));
  const absent = !r.ok && r.code === LvmErrorCode.BAD_ARGS && r.message === "no method 'init'";
  if (!r.ok && r.code === LvmErrorCode.OUT_OF_GAS && limit < MAX_CONTRACT_CALL_GAS) {
    fail(RegistryErrorCode.REG_OUT_OF_GAS, "out of gas in init at release: approve again with more gas");
  }
  if (!r.ok && !absent) {
    c.state.revert(mark);
    close(c.state, p, "failed", `init failed at release: ${r.code}: ${r.message}`, c.ctx, logs);
    return RegistryGas.release + r.gasUsed;
  }
  p.status = "released";
  move(c.state, GENESIS_CONTRACT_ADDRESS, p.proposer, BigInt(p.deposit));
  logs.push(...(r.ok ? r.logs : []), registryLog(RegistryEvent.RELEASED, [p.id, p.target]));
  return RegistryGas.release + r.gasUsed;
}

/** Writes a new contract's record, its name and its place in the list (code is stored already). */
export function installContract(state: StateOverlay, k: ContractRecord): void {
  writeContract(state, k);
  writeNamed(state, k.name, k.address);
  const list = readContractList(state);
  list.push(k.address);
  writeContractList(state, list);
}

/** Which status an action needs and what it leads to. */
const ACTIONS: Record<"suspend" | "resume" | "terminate", { from: ContractStatus[]; to: ContractStatus }> = {
  suspend: { from: ["active"], to: "suspended" },
  resume: { from: ["suspended"], to: "active" },
  terminate: { from: ["active", "suspended"], to: "terminated" },
};

function applyAction(c: RegistryCall, p: Proposal, logs: Log[]): void {
  const rule = ACTIONS[p.kind as keyof typeof ACTIONS];
  const k = readContract(c.state, p.target)!;
  if (!rule.from.includes(k.status)) {
    close(c.state, p, "failed", `contract ${p.target} is ${k.status}`, c.ctx, logs);
    return;
  }
  k.status = rule.to;
  writeContract(c.state, k);
  p.status = "applied";
  writeOpenAction(c.state, p.kind, p.target, null);
  logs.push(registryLog(RegistryEvent.STATUS, [p.id, p.target], [STATUS_CODE[rule.to]]));
}

/**
 * `suspend|resume|terminate(address)` by an active delegate: opens the action's proposal for
 * that contract if none is open (no deposit), and counts the caller's approval.
 */
function action(kind: "suspend" | "resume" | "terminate") {
  return (c: RegistryCall): RegistryResult => {
    argCount(c.args, 1, 1, kind);
    const target = argAddress(c.args[0], "contract");
    requireValue(c.value, 0n, kind);
    requireDelegate(c.state, c.from);
    const k =
      readContract(c.state, target) ??
      fail(RegistryErrorCode.REG_UNKNOWN_CONTRACT, `no contract at ${target}`);
    if (!ACTIONS[kind].from.includes(k.status)) {
      fail(RegistryErrorCode.REG_CONTRACT_STATUS, `cannot ${kind} contract ${target}: it is ${k.status}`);
    }
    const open = readOpenAction(c.state, kind, target);
    if (open !== undefined) return castVote(c, readProposal(c.state, open)!, true);
    const p = newProposal(c, kind, target, k.name);
    writeOpenAction(c.state, kind, target, p.id);
    scheduleExpiry(c.state, p);
    const r = castVote(c, p, true);
    r.logs.unshift(registryLog(RegistryEvent.PROPOSED, [p.id, c.from, target]));
    return r;
  };
}

/** The Genesis contract's methods, by name. */
export const REGISTRY_METHODS: ReadonlyMap<string, (c: RegistryCall) => RegistryResult> = new Map([
  ["propose", propose],
  ["proposeUpgrade", proposeUpgrade],
  ["approve", (c: RegistryCall) => vote(c, true)],
  ["reject", (c: RegistryCall) => vote(c, false)],
  ["suspend", action("suspend")],
  ["resume", action("resume")],
  ["terminate", action("terminate")],
]);

/** End of block: proposals whose expiry height is this block's are closed as expired. */
export function expireProposals(state: StateOverlay, ctx: RegistryContext): Log[] {
  const ids = readExpiring(state, ctx.height);
  if (ids.length === 0) return [];
  const logs: Log[] = [];
  for (const id of ids) {
    const p = readProposal(state, id);
    if (p?.status === "pending") close(state, p, "expired", "expired undecided", ctx, logs);
  }
  writeExpiring(state, ctx.height, []);
  return logs;
}
