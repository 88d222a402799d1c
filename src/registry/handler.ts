import { GOVERNANCE_METHODS } from "../governance/index.ts";
import type { StateOverlay } from "../ledger/state.ts";
import type { Log } from "../ledger/types.ts";
import { parseCallData } from "../tx/call-data.ts";
import { intrinsicGas } from "../tx/index.ts";
import type { Tx } from "../tx/types.ts";
import { LvoError } from "../util/errors.ts";
import type { RegistryContext } from "./context.ts";
import { RegistryErrorCode } from "./errors.ts";
import { REGISTRY_METHODS } from "./methods.ts";

/**
 * The system handler of the Genesis contract (0x…0200): `{"method", "args"}` call data, the
 * value is the proposal deposit where one is due. Contract proposals (src/registry/methods.ts)
 * and stake-weighted parameter governance (`proposeParameters`, `voteParameters`:
 * src/governance) share the address. A throw is a REG_* LvoError, which the
 * executor turns into status 0 with every change undone.
 */
export function genesisContractHandler(
  tx: Tx,
  state: StateOverlay,
  ctx: RegistryContext,
): { gasUsed: bigint; logs: Log[] } {
  const call = parseCallData(tx.data);
  if (typeof call === "string") throw new LvoError(RegistryErrorCode.REG_BAD_CALL, call);
  const gov = GOVERNANCE_METHODS.get(call.method);
  if (gov) {
    const r = gov({
      state,
      from: tx.from,
      value: tx.value,
      args: call.args,
      params: ctx.params,
      height: ctx.height,
    });
    return { gasUsed: BigInt(r.gasUsed), logs: r.logs };
  }
  const m = REGISTRY_METHODS.get(call.method);
  if (!m) {
    throw new LvoError(
      RegistryErrorCode.REG_UNKNOWN_METHOD,
      `unknown Genesis contract method "${call.method.slice(0, 64)}"`,
    );
  }
  const budget = Number(tx.gasLimit - intrinsicGas(tx, ctx.params.gas));
  const r = m({ state, from: tx.from, value: tx.value, args: call.args, ctx, budget });
  return { gasUsed: BigInt(r.gasUsed), logs: r.logs };
}
