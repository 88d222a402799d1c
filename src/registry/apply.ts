import type { Address } from "../crypto/address.ts";
import type { StateOverlay } from "../ledger/state.ts";
import type { Log } from "../ledger/types.ts";
import type { JsonValue } from "../lvm/index.ts";
import { parseCallData } from "../tx/call-data.ts";
import { intrinsicGas } from "../tx/index.ts";
import type { Tx } from "../tx/types.ts";
import { callEnv, type RegistryContext } from "./context.ts";
import { contractCode, MAX_CONTRACT_CALL_GAS, RESERVED_METHODS, runContractCall } from "./contract-call.ts";
import type { ContractRecord } from "./records.ts";
import { readHealth, writeHealth } from "./store.ts";

/** Calls before a contract's failure rate can flag it (a few early failures say little). */
export const HEALTH_MIN_CALLS = 20;

/** Outcome of a transaction's call to a contract. */
export interface ContractTxResult {
  ok: boolean;
  /** LVM gas (beyond the intrinsic gas). */
  gasUsed: number;
  logs: Log[];
  error?: string;
}

/**
 * A transaction to a contract address: `{"method", "args"}` data, value moved to the contract,
 * then the method with min(gas left after intrinsic, MAX_CONTRACT_CALL_GAS) gas. On failure
 * every change of the call (value included) is undone; the caller charges the fee for the
 * intrinsic gas plus `gasUsed`. Calls that reach the LVM count in the contract's health.
 */
export function applyContractTx(
  state: StateOverlay,
  tx: Tx,
  k: ContractRecord,
  ctx: RegistryContext,
): ContractTxResult {
  if (k.status !== "active")
    return { ok: false, gasUsed: 0, logs: [], error: `contract ${k.address} is ${k.status}` };
  const call = parseCallData(tx.data);
  if (typeof call === "string") return { ok: false, gasUsed: 0, logs: [], error: `contract call: ${call}` };
  if (RESERVED_METHODS.has(call.method)) {
    return {
      ok: false,
      gasUsed: 0,
      logs: [],
      error: `${call.method} runs only through the Genesis contract`,
    };
  }
  const limit = Math.min(MAX_CONTRACT_CALL_GAS, Number(tx.gasLimit - intrinsicGas(tx, ctx.params.gas)));
  const mark = state.checkpoint();
  if (tx.value > 0n) {
    state.addBalance(tx.from, -tx.value);
    state.addBalance(k.address, tx.value);
  }
  const r = runContractCall(
    state,
    k,
    contractCode(state, k),
    tx.from,
    tx.value,
    call.method,
    call.args as JsonValue[],
    Math.max(0, limit),
    callEnv(ctx),
  );
  if (!r.ok) state.revert(mark);
  recordHealth(state, k.address, r.ok, r.gasUsed, ctx);
  return r.ok
    ? { ok: true, gasUsed: r.gasUsed, logs: r.logs }
    : { ok: false, gasUsed: r.gasUsed, logs: [], error: `${r.code}: ${r.message}` };
}

function recordHealth(state: StateOverlay, a: Address, ok: boolean, gas: number, ctx: RegistryContext): void {
  const h = readHealth(state, a);
  h.calls += 1;
  if (!ok) h.failures += 1;
  h.gasUsed = (BigInt(h.gasUsed) + BigInt(gas)).toString();
  const flagged =
    h.calls >= HEALTH_MIN_CALLS && h.failures * 10_000 > h.calls * ctx.params.contractHealthThresholdBps;
  if (flagged && !h.flagged) h.flaggedAt = ctx.height;
  h.flagged = flagged;
  writeHealth(state, a, h);
}
