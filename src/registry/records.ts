import type { Address } from "../crypto/address.ts";
import type { JsonValue } from "../lvm/index.ts";

/** What a proposal asks for: a new contract, new code for one, or a change of its status. */
export type ProposalKind = "deploy" | "upgrade" | "suspend" | "resume" | "terminate";

/**
 * pending → released (deploy/upgrade went live) | applied (suspend/resume/terminate took
 * effect) | rejected (audit failed, or enough delegates rejected) | expired | failed (the
 * release itself failed: init errored on the state of the day, or the name was taken).
 */
export type ProposalStatus = "pending" | "released" | "applied" | "rejected" | "expired" | "failed";

/** One step of the automated audit. */
export interface AuditCheck {
  name: "size" | "name" | "compile" | "init" | "tests";
  ok: boolean;
  detail: string;
  gasUsed: number;
}

/** The audit run at proposal time; stored with the proposal. */
export interface AuditReport {
  ok: boolean;
  sourceBytes: number;
  codeHash: string;
  gasUsed: number;
  checks: AuditCheck[];
}

export interface Proposal {
  id: number;
  kind: ProposalKind;
  proposer: Address;
  /** The contract concerned: for a deploy, the address it will be released at. */
  target: Address;
  name: string;
  /** deploy/upgrade: keccak256 of the source (0x hex); the source is stored under it. */
  codeHash: string | null;
  initArgs: JsonValue[];
  /** Wei held by the Genesis contract for this proposal (decimal string). */
  deposit: string;
  createdAt: number;
  /** Height at which an undecided proposal expires (its end-of-block). */
  expiresAt: number;
  status: ProposalStatus;
  approvals: Address[];
  rejections: Address[];
  audit: AuditReport | null;
  decidedAt: number | null;
  /** Why it was rejected or failed. */
  reason: string | null;
}

export type ContractStatus = "active" | "suspended" | "terminated";

export interface ContractRecord {
  address: Address;
  name: string;
  owner: Address;
  codeHash: string;
  /** 1 at release, +1 per upgrade. */
  version: number;
  status: ContractStatus;
  releasedAt: number;
  /** Proposal that released it (null: installed by the genesis file). */
  proposalId: number | null;
}

/** Calls, failures and gas of a contract's top-level calls (transactions). */
export interface ContractHealth {
  calls: number;
  failures: number;
  gasUsed: string;
  /** Failure rate above params.contractHealthThresholdBps (after HEALTH_MIN_CALLS calls). */
  flagged: boolean;
  flaggedAt: number | null;
}

export const EMPTY_HEALTH: ContractHealth = {
  calls: 0,
  failures: 0,
  gasUsed: "0",
  flagged: false,
  flaggedAt: null,
};
