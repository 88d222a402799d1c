import { toQuantity } from "../../util/bytes.ts";
import type { ContractView, ProposalView } from "../backend.ts";
import { RpcErrorCode, rpcError } from "../errors.ts";
import type { Json } from "../json.ts";
import {
  blockParam,
  type Codec,
  codec,
  field,
  invalidParam,
  objectCodec,
  optional,
  param,
  parseBool,
  parseUint,
  Uint,
} from "../params.ts";
import { arrayOf, ref } from "../schemas.ts";
import { type MethodTable, method } from "./define.ts";
import { stateHeight } from "./resolve.ts";

const LATEST = { kind: "tag", tag: "latest" } as const;
const optionalBlock = optional(blockParam, LATEST);

/** Most proposals one lvo_getProposals call returns. */
export const MAX_PROPOSALS_PAGE = 100;

const STATUSES = ["pending", "released", "applied", "rejected", "expired", "failed"];

/** A count or id: a hex quantity or a non-negative JSON integer. */
export function parseCount(v: unknown): number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : parseUint(v);
}

/** A proposal list filter: { status? (one of `statuses`), before? (id), limit? (1..max, default 20) }. */
export function pageFilter(
  filter: Record<string, unknown>,
  statuses: readonly string[],
  max: number,
): { status?: string; before?: number; limit: number } {
  const status = field(filter, "status", (v) => {
    if (typeof v !== "string" || !statuses.includes(v)) throw invalidParam(`one of ${statuses.join(", ")}`);
    return v;
  });
  const before = field(filter, "before", parseId);
  const limit = field(filter, "limit", parseCount) ?? 20;
  if (limit < 1 || limit > max) throw invalidParam(`limit must be 1 to ${max}`);
  return { status, before, limit };
}

/** A proposal id (at least 1). */
export function parseId(v: unknown): number {
  const n = parseCount(v);
  if (n < 1) throw invalidParam("proposal ids start at 1");
  return n;
}

/** Count codec (parseCount). */
export const Count: Codec<number> = codec(parseCount, {
  anyOf: [{ type: "integer", minimum: 0 }, Uint.schema],
  description: "a hex quantity or a non-negative JSON integer",
});

/** Proposal id codec (parseId). */
export const Id: Codec<number> = codec(parseId, {
  anyOf: [{ type: "integer", minimum: 1 }, Uint.schema],
  description: "a proposal id (from 1): a hex quantity or a JSON integer",
});

function parseRef(v: unknown): string {
  if (typeof v !== "string" || v.length === 0 || v.length > 64) {
    throw invalidParam("expected a contract address or name");
  }
  return v;
}

const ContractRef: Codec<string> = codec(parseRef, {
  type: "string",
  minLength: 1,
  maxLength: 64,
  description: "a contract address or name",
});

const ProposalFilter = objectCodec({
  status: { type: "string", enum: STATUSES },
  before: Id.schema,
  limit: { ...Count.schema, description: `1 to ${MAX_PROPOSALS_PAGE}, default 20` },
});

const ContractOptions = objectCodec({ source: { type: "boolean", description: "add the Lua source" } });

function proposalJson(p: ProposalView): Json {
  return {
    id: toQuantity(p.id),
    kind: p.kind,
    status: p.status,
    proposer: p.proposer,
    target: p.target,
    name: p.name,
    codeHash: p.codeHash,
    initArgs: p.initArgs as Json,
    deposit: toQuantity(p.deposit),
    createdAt: toQuantity(p.createdAt),
    expiresAt: toQuantity(p.expiresAt),
    decidedAt: p.decidedAt === null ? null : toQuantity(p.decidedAt),
    reason: p.reason,
    approvals: p.approvals,
    rejections: p.rejections,
    audit: p.audit && {
      ok: p.audit.ok,
      sourceBytes: toQuantity(p.audit.sourceBytes),
      codeHash: p.audit.codeHash,
      gasUsed: toQuantity(p.audit.gasUsed),
      checks: p.audit.checks.map((c) => ({ ...c, gasUsed: toQuantity(c.gasUsed) })),
    },
  };
}

function contractJson(k: ContractView): Json {
  return {
    address: k.address,
    name: k.name,
    owner: k.owner,
    codeHash: k.codeHash,
    version: toQuantity(k.version),
    status: k.status,
    releasedAt: toQuantity(k.releasedAt),
    proposalId: k.proposalId === null ? null : toQuantity(k.proposalId),
    balance: toQuantity(k.balance),
    health: {
      calls: toQuantity(k.health.calls),
      failures: toQuantity(k.health.failures),
      gasUsed: toQuantity(k.health.gasUsed),
      flagged: k.health.flagged,
      flaggedAt: k.health.flaggedAt === null ? null : toQuantity(k.health.flaggedAt),
    },
    ...(k.source !== undefined ? { source: k.source } : {}),
  };
}

function notFound(what: string): Error {
  return rpcError(RpcErrorCode.RPC_RESOURCE_NOT_FOUND, what);
}

/**
 * The Genesis contract's records: proposals (with their audit reports) and contracts (status,
 * code hash, health, optionally the source). Same encoding as the rest of `lvo_`.
 */
export const registryMethods: MethodTable = {
  lvo_getProposal: method(
    {
      summary: "A Genesis-contract proposal with its audit report, at a block.",
      result: ref("Proposal"),
      resultName: "proposal",
    },
    [param("id", Id), optionalBlock],
    async (b, [id, tag]) => {
      const p = b.getProposal(id, await stateHeight(b, tag));
      if (!p) throw notFound(`no proposal ${id}`);
      return proposalJson(p);
    },
  ),

  // Newest first. Filter: { status?, before? (id), limit? (≤ MAX_PROPOSALS_PAGE, default 20) }.
  lvo_getProposals: method(
    {
      summary: "Genesis-contract proposals, newest first, filtered by status and paged by id.",
      result: arrayOf(ref("Proposal")),
      resultName: "proposals",
    },
    [optional(param("filter", ProposalFilter), {} as Record<string, unknown>), optionalBlock],
    async (b, [filter, tag]) => {
      const list = b.getProposals(
        await stateHeight(b, tag),
        pageFilter(filter, STATUSES, MAX_PROPOSALS_PAGE),
      );
      return list.map(proposalJson);
    },
  ),

  // By address or by name; `{ "source": true }` adds the Lua source.
  lvo_getContract: method(
    {
      summary: "A contract by address or name: status, code hash, health, optionally its source.",
      result: ref("Contract"),
      resultName: "contract",
    },
    [
      param("contract", ContractRef),
      optional(param("options", ContractOptions), {} as Record<string, unknown>),
      optionalBlock,
    ],
    async (b, [ref, opts, tag]) => {
      const withSource = field(opts, "source", parseBool) ?? false;
      const k = b.getContract(ref, await stateHeight(b, tag), withSource);
      if (!k) throw notFound(`no contract ${ref}`);
      return contractJson(k);
    },
  ),

  lvo_getContracts: method(
    { summary: "Every contract at a block.", result: arrayOf(ref("Contract")), resultName: "contracts" },
    [optionalBlock],
    async (b, [tag]) => {
      return b.getContracts(await stateHeight(b, tag)).map(contractJson);
    },
  ),
};
