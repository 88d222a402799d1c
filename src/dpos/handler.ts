import type { ChainParams } from "../genesis/types.ts";
import type { Log } from "../ledger/types.ts";
import type { Tx } from "../tx/types.ts";
import { LvoError } from "../util/errors.ts";
import { parseCall } from "./call.ts";
import { DposErrorCode } from "./errors.ts";
import { DPOS_METHODS } from "./methods.ts";
import type { DposState } from "./store.ts";

/**
 * The system handler of the DPoS address (register it under DPOS_ADDRESS in ExecModules.system).
 * Checks run before anything moves: method, value, args, then the method's own rules; a throw
 * is a DposErrorCode LvoError, which the executor turns into status 0 with its changes undone.
 * Only a successful method moves `tx.value` (from the sender to the DPoS address).
 */
export function dposHandler(
  tx: Tx,
  state: DposState,
  ctx: { params: ChainParams; height: number },
): { gasUsed: bigint; logs: Log[] } {
  const call = parseCall(tx.data);
  const m = DPOS_METHODS.get(call.method);
  if (!m)
    throw new LvoError(
      DposErrorCode.DPOS_UNKNOWN_METHOD,
      `unknown DPoS method "${call.method.slice(0, 64)}"`,
    );
  if (!m.payable && tx.value !== 0n) {
    throw new LvoError(DposErrorCode.DPOS_VALUE_NOT_ACCEPTED, `${call.method} takes no value`);
  }
  return m.run({
    state,
    from: tx.from,
    value: tx.value,
    args: call.args,
    params: ctx.params,
    height: ctx.height,
  });
}
