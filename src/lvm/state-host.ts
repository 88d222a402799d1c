import { type Address, parseAddress } from "../crypto/address.ts";
import { keccak256 } from "../crypto/hash.ts";
import { DPOS_ADDRESS, GENESIS_CONTRACT_ADDRESS } from "../genesis/constants.ts";
import type { StateOverlay } from "../ledger/state.ts";
import type { Log } from "../ledger/types.ts";
import { toHex } from "../util/bytes.ts";
import { parseAmount } from "./big.ts";
import { contractStorageKey } from "./contract-keys.ts";
import type { HostApi, LvmEvent, NestedResult } from "./host.ts";
import type { JsonValue } from "./json.ts";
import { type RunResult, runContract } from "./run.ts";

/** Block and call data a contract call sees. */
export interface StateHostContext {
  /** The contract being run. */
  readonly self: Address;
  /** The immediate caller (account or contract). */
  readonly caller: Address;
  /** LVO sent with the call, in wei (moving it to `self` is the executor's job, see runInState). */
  readonly value: bigint;
  readonly height: number;
  /** Block timestamp in seconds. */
  readonly timestamp: number;
  /** 32 bytes. */
  readonly blockHash: Uint8Array;
}

/** How the host runs `lvo.call` (the registry provides it; without one, nested calls fail). */
export type NestedCaller = (
  address: Address,
  method: string,
  args: JsonValue[],
  gasLimit: number,
  depth: number,
) => NestedResult;

export interface StateHost {
  readonly host: HostApi;
  /** Logs of the events handed to `collect`, in order. */
  logs(): Log[];
  /**
   * Records the events of a successful call as logs. runContract returns events only on
   * success (the HostApi has no emit hook), so the caller passes them here; runInState does.
   */
  collect(events: readonly LvmEvent[]): void;
}

/** System accounts that only receive LVO through their own handlers, never from a contract. */
const NO_CONTRACT_TRANSFERS: ReadonlySet<string> = new Set([DPOS_ADDRESS, GENESIS_CONTRACT_ADDRESS]);

const enc = new TextEncoder();

function address(s: string, what: string): Address {
  const a = parseAddress(s);
  if (a === null) throw new Error(`invalid ${what} address`);
  return a;
}

/**
 * An event as an Ethereum-shaped log: `address` = the emitting contract, `topics[0]` =
 * keccak256(utf8(name)), `data` = utf8 of the JSON array of the event's arguments
 * (`JSON.stringify(args)`, e.g. `["0xaa…","0xbb…","250"]`; amounts are decimal strings).
 */
export function eventToLog(e: LvmEvent): Log {
  return {
    address: address(e.address, "event"),
    topics: [topicOf(e.name)],
    data: enc.encode(JSON.stringify(e.args)),
  };
}

/** keccak256 of event names, cached (a few names per contract; bounded, insertion order). */
const topics = new Map<string, Uint8Array>();
const TOPIC_CACHE_ENTRIES = 1024;

function topicOf(name: string): Uint8Array {
  let t = topics.get(name);
  if (!t) {
    if (topics.size >= TOPIC_CACHE_ENTRIES) topics.delete(topics.keys().next().value!);
    t = keccak256(enc.encode(name));
    topics.set(name, t);
  }
  // a copy: logs are handed to callers who may keep or change them
  return t.slice();
}

/**
 * The execution-layer HostApi over a StateOverlay. Storage lives in the state trie under
 * StateNs.CONTRACT_STORAGE (`0x07 | self | key utf8 → value utf8`); balances and transfers
 * go through the overlay's accounts, so they are journaled: reverting the overlay to a
 * checkpoint taken before the call undoes every write and transfer (runInState does this).
 *
 * Host errors (thrown Errors) become Lua errors in the sandbox:
 * - storing an empty string is refused (the trie has no empty values): use `lvo.delete`;
 * - `balance(addr)` / `transfer(to, …)` with a malformed address;
 * - `transfer` beyond `self`'s balance, or into the DPoS (0x…0100) or Genesis (0x…0200)
 *   system addresses; a transfer of 0 (or to `self`) changes nothing;
 * - `call` to a malformed address, or when no `nested` caller is given.
 * `delegates` answers `lvo.delegates()` (the registry passes the active set; default: none).
 * keccak256 / sha256 and the event cap are handled by the sandbox itself (see host.ts).
 */
export function createStateHost(
  state: StateOverlay,
  ctx: StateHostContext,
  nested?: NestedCaller,
  delegates: () => string[] = () => [],
): StateHost {
  const self = address(ctx.self, "contract");
  const caller = address(ctx.caller, "caller");
  if (ctx.value < 0n) throw new Error("call value must not be negative");
  if (ctx.blockHash.length !== 32) throw new Error("block hash must be 32 bytes");
  const value = ctx.value.toString();
  const blockHash = toHex(ctx.blockHash);
  const collected: Log[] = [];
  const dec = new TextDecoder("utf-8", { fatal: true });

  const host: HostApi = {
    storageGet(key) {
      const v = state.get(contractStorageKey(self, key));
      return v === undefined ? undefined : dec.decode(v);
    },
    storageSet(key, v) {
      if (v.length === 0) throw new Error("empty storage value (use lvo.delete)");
      state.set(contractStorageKey(self, key), enc.encode(v));
    },
    storageDelete(key) {
      const k = contractStorageKey(self, key);
      // deleting an absent key writes nothing (keeps changes() free of no-op deletes)
      if (state.get(k) !== undefined) state.set(k, null);
    },
    caller: () => caller,
    value: () => value,
    blockHeight: () => ctx.height,
    blockTime: () => ctx.timestamp,
    blockHash: () => blockHash,
    self: () => self,
    balance(addr) {
      const a = addr === undefined ? self : address(addr, "account");
      return state.getAccount(a).balance.toString();
    },
    transfer(to, amount) {
      const dest = address(to, "recipient");
      const wei = parseAmount(amount);
      if (NO_CONTRACT_TRANSFERS.has(dest)) throw new Error("transfers to system addresses are not allowed");
      if (state.getAccount(self).balance < wei) throw new Error("insufficient contract balance");
      if (wei === 0n || dest === self) return;
      state.addBalance(self, -wei);
      state.addBalance(dest, wei);
    },
    delegates,
    call(to, method, args, gasLimit, depth) {
      if (!nested) throw new Error("contract calls are not available here");
      return nested(address(to, "contract"), method, args, gasLimit, depth);
    },
  };

  return {
    host,
    logs: () => collected.slice(),
    collect(events) {
      for (const e of events) collected.push(eventToLog(e));
    },
  };
}

/** runContract's result plus the call's logs (empty when the call failed). */
export type StateRunResult = RunResult & { readonly logs: Log[] };

/**
 * Runs one contract method against the overlay. Takes a checkpoint first; when the call fails
 * (`ok: false`, any code including out of gas) the overlay is reverted to it, so a failed call
 * leaves no storage writes and no transfers, and no logs. Read-only calls are always reverted
 * (they cannot write anyway). The overlay's journal is not cleared: the executor decides when
 * a transaction is final. Moving `ctx.value` from the caller to the contract, fees and nonces
 * are the executor's job (take its own checkpoint before them if they must revert too).
 */
export function runInState(
  state: StateOverlay,
  source: string | Uint8Array,
  method: string,
  args: readonly JsonValue[],
  gasLimit: number,
  ctx: StateHostContext,
  readOnly = false,
): StateRunResult {
  return runOnHost(state, () => createStateHost(state, ctx), { source, method, args, gasLimit, readOnly });
}

/**
 * runInState with the host built by the caller (`makeHost` runs after the checkpoint is taken):
 * the registry passes a host with nested calls and the active set wired.
 */
export function runOnHost(
  state: StateOverlay,
  makeHost: () => StateHost,
  o: {
    source: string | Uint8Array;
    method: string;
    args: readonly JsonValue[];
    gasLimit: number;
    readOnly: boolean;
  },
): StateRunResult {
  const mark = state.checkpoint();
  try {
    const sh = makeHost();
    const r = runContract({ ...o, host: sh.host });
    if (!r.ok || o.readOnly) state.revert(mark);
    if (!r.ok) return { ...r, logs: [] };
    sh.collect(r.events);
    return { ...r, logs: sh.logs() };
  } catch (e) {
    state.revert(mark);
    throw e;
  }
}
