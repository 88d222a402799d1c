import { toQuantity } from "../../util/bytes.ts";
import type { ParamProposalView } from "../backend.ts";
import { RpcErrorCode, rpcError } from "../errors.ts";
import type { Json } from "../json.ts";
import { blockParam, objectCodec, optional, param } from "../params.ts";
import { arrayOf, ref } from "../schemas.ts";
import { type MethodTable, method } from "./define.ts";
import { Count, Id, pageFilter } from "./registry.ts";
import { stateHeight } from "./resolve.ts";

const LATEST = { kind: "tag", tag: "latest" } as const;
const optionalBlock = optional(blockParam, LATEST);
const STATUSES = ["voting", "passed", "rejected", "applied"];

/** Most parameter proposals one lvo_getParameterProposals call returns. */
export const MAX_PARAM_PROPOSALS_PAGE = 100;

const Filter = objectCodec({
  status: { type: "string", enum: STATUSES },
  before: Id.schema,
  limit: { ...Count.schema, description: `1 to ${MAX_PARAM_PROPOSALS_PAGE}, default 20` },
});

function proposalJson(p: ParamProposalView): Json {
  return {
    id: toQuantity(p.id),
    proposer: p.proposer,
    changes: p.changes,
    status: p.status,
    createdAt: toQuantity(p.createdAt),
    endsAt: toQuantity(p.endsAt),
    yes: p.yes,
    no: p.no,
    tally: p.tally && {
      yes: toQuantity(p.tally.yes),
      no: toQuantity(p.tally.no),
      bonded: toQuantity(p.tally.bonded),
    },
    round: p.round === null ? null : toQuantity(p.round),
    reason: p.reason,
  };
}

/**
 * Stake-weighted parameter governance (docs/governance.md): proposals with their votes and
 * tally. The parameters in force are lvo_getParams.
 */
export const governanceMethods: MethodTable = {
  lvo_getParameterProposal: method(
    {
      summary: "A parameter-change proposal with its votes and tally, at a block.",
      result: ref("ParameterProposal"),
      resultName: "proposal",
    },
    [param("id", Id), optionalBlock],
    async (b, [id, tag]) => {
      const p = b.getParamProposal(id, await stateHeight(b, tag));
      if (!p) throw rpcError(RpcErrorCode.RPC_RESOURCE_NOT_FOUND, `no parameter proposal ${id}`);
      return proposalJson(p);
    },
  ),

  // Newest first. Filter: { status?, before? (id), limit? (≤ 100, default 20) }.
  lvo_getParameterProposals: method(
    {
      summary: "Parameter-change proposals, newest first, filtered by status and paged by id.",
      result: arrayOf(ref("ParameterProposal")),
      resultName: "proposals",
    },
    [optional(param("filter", Filter), {} as Record<string, unknown>), optionalBlock],
    async (b, [filter, tag]) => {
      return b
        .getParamProposals(await stateHeight(b, tag), pageFilter(filter, STATUSES, MAX_PARAM_PROPOSALS_PAGE))
        .map(proposalJson);
    },
  ),
};
