import type { Address } from "../crypto/address.ts";
import { getActiveSet } from "../dpos/index.ts";
import type { StateOverlay } from "../ledger/state.ts";
import { type JsonValue, runContract } from "../lvm/index.ts";
import { createStateHost, runOnHost, type StateHost, type StateRunResult } from "../lvm/state-host.ts";
import type { ContractRecord } from "./records.ts";
import { readCode, readContract } from "./store.ts";

/**
 * Most LVM gas one contract call (a transaction's call, an audit step, an init at release) may
 * use, whatever the transaction's gas limit. Table memory is bounded only by gas (docs/lvm.md:
 * ~60 gas per entry), and the worst measured rate is ~45 M gas/s, so 5 M gas is at most
 * ~85 k table entries and ~0.1 s of CPU: a block cannot be made slow by one call.
 */
export const MAX_CONTRACT_CALL_GAS = 5_000_000;

/** Methods only the Genesis contract runs: `init` once at release, `tests` in the audit. */
export const RESERVED_METHODS: ReadonlySet<string> = new Set(["init", "tests"]);

/** Block data a call sees. */
export interface CallEnv {
  height: number;
  /** Seconds. */
  timestamp: number;
  /** Hash of the parent block (the current block's hash is not known while it executes). */
  blockHash: Uint8Array;
}

/**
 * Sources by code hash. Content-addressed, so a hit is right on every state that holds a record
 * naming the hash (the code is written before any record names it). Bounded; insertion order.
 */
const codeCache = new Map<string, Uint8Array>();
const CODE_CACHE_ENTRIES = 128;

function source(state: StateOverlay, c: ContractRecord): Uint8Array {
  const hit = codeCache.get(c.codeHash);
  if (hit) return hit;
  const s = readCode(state, c.codeHash);
  if (!s) throw new Error(`code ${c.codeHash} of ${c.address} missing`);
  if (codeCache.size >= CODE_CACHE_ENTRIES) codeCache.delete(codeCache.keys().next().value!);
  codeCache.set(c.codeHash, s);
  return s;
}

/**
 * The host of a call to `self`, with `lvo.call` wired: a nested call runs the callee (which
 * must be an active contract; `init`/`tests` cannot be called) with caller = `self`, no value,
 * the same read-only flag, under its own checkpoint: a failed nested call is rolled back even
 * when the caller catches the error and goes on.
 */
export function contractHost(
  state: StateOverlay,
  self: Address,
  caller: Address,
  value: bigint,
  env: CallEnv,
  readOnly: boolean,
): StateHost {
  return createStateHost(
    state,
    { self, caller, value, height: env.height, timestamp: env.timestamp, blockHash: env.blockHash },
    (to, method, args, gasLimit, depth) => {
      const c = readContract(state, to);
      if (!c) throw new Error(`no contract at ${to}`);
      if (c.status !== "active") throw new Error(`contract ${to} is ${c.status}`);
      if (RESERVED_METHODS.has(method)) throw new Error(`${method} cannot be called`);
      const mark = state.checkpoint();
      const sh = contractHost(state, to, self, 0n, env, readOnly);
      const r = runContract({
        source: source(state, c),
        method,
        args,
        gasLimit,
        host: sh.host,
        depth,
        readOnly,
      });
      if (!r.ok) state.revert(mark);
      return r;
    },
    () => getActiveSet(state).active.members.slice(),
  );
}

export type ContractRunResult = StateRunResult;

/**
 * Runs `method` of the contract `c` at depth 0 (a transaction, a view, an audit step or an
 * init). On failure the overlay is reverted to where it was before the call (storage, transfers,
 * nested calls); read-only calls are always reverted. The caller moves any value beforehand.
 */
export function runContractCall(
  state: StateOverlay,
  c: Pick<ContractRecord, "address">,
  code: Uint8Array,
  caller: Address,
  value: bigint,
  method: string,
  args: readonly JsonValue[],
  gasLimit: number,
  env: CallEnv,
  readOnly = false,
): ContractRunResult {
  return runOnHost(state, () => contractHost(state, c.address, caller, value, env, readOnly), {
    source: code,
    method,
    args,
    gasLimit,
    readOnly,
  });
}

/**
 * A simulated call (eth_call): `method` run read-only on `state`, which the caller throws away.
 * As a transaction would, `value` is moved from the caller to the contract first — when the
 * caller can afford it — so `lvo.balance()` in the view sees what real execution would;
 * `lvo.value()` reports the value either way.
 */
export function simulateContractCall(
  state: StateOverlay,
  c: Pick<ContractRecord, "address">,
  code: Uint8Array,
  caller: Address,
  value: bigint,
  method: string,
  args: readonly JsonValue[],
  gasLimit: number,
  env: CallEnv,
): ContractRunResult {
  if (value > 0n && state.getAccount(caller).balance >= value) {
    state.addBalance(caller, -value);
    state.addBalance(c.address, value);
  }
  return runContractCall(state, c, code, caller, value, method, args, gasLimit, env, true);
}

/** The stored source of a contract. */
export function contractCode(state: StateOverlay, c: ContractRecord): Uint8Array {
  return source(state, c);
}
