import { toQuantity } from "../../../util/bytes.ts";
import type { RpcBackend } from "../../backend.ts";
import { blockParam, invalidParam, optional, param } from "../../params.ts";
import { type ParsedCall, parseCallRequest, parseLogFilter } from "../../requests.ts";
import { type MethodTable, method } from "../define.ts";
import { blockForTag, stateHeight } from "../resolve.ts";

const LATEST = { kind: "tag", tag: "latest" } as const;
const txParam = param("transaction", parseCallRequest);

// geth refuses a call object built for another chain instead of silently estimating it here.
function checkChainId(b: RpcBackend, req: ParsedCall): void {
  if (req.chainId !== undefined && req.chainId !== BigInt(b.chainId)) {
    throw invalidParam(`chainId does not match node's (have=${req.chainId}, want=${b.chainId})`);
  }
}

/** Simulation: eth_call, eth_estimateGas, and eth_getLogs' filter validation. */
export const ethCallMethods: MethodTable = {
  // Accounts carry no code and system methods return nothing, so every call returns empty
  // data; estimating it first runs it (system addresses: on a throwaway copy of the state), so
  // a call that would fail as a transaction fails here the same way: code 3, "execution
  // reverted: <reason>", as geth answers a reverted call.
  eth_call: method([txParam, optional(blockParam, LATEST)], async (b, [req, tag]) => {
    const height = await stateHeight(b, tag);
    checkChainId(b, req);
    b.estimateGas(req.call, height);
    return "0x";
  }),

  // Exact for system calls (gas does not depend on the gas limit), so no search is needed.
  eth_estimateGas: method([txParam, optional(blockParam, LATEST)], async (b, [req, tag]) => {
    const height = await stateHeight(b, tag);
    checkChainId(b, req);
    return toQuantity(b.estimateGas(req.call, height));
  }),

  // No contract emits events yet, so no log can match; the filter is still checked so clients
  // see their mistakes now rather than when logs appear.
  eth_getLogs: method([param("filter", parseLogFilter)], async (b, [filter]) => {
    if (filter.blockHash !== undefined) {
      const block = await blockForTag(b, { kind: "hash", hash: filter.blockHash, requireCanonical: false });
      if (!block) throw invalidParam("unknown block");
      return [];
    }
    const from = await stateHeight(b, filter.fromBlock ?? LATEST);
    const to = await stateHeight(b, filter.toBlock ?? LATEST);
    if (from > to) throw invalidParam("invalid block range params: fromBlock is after toBlock");
    return [];
  }),
};
