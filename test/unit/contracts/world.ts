import { readFileSync } from "node:fs";
import type { HostApi, JsonValue, LvmEvent, NestedResult, RunResult } from "../../../src/lvm/index.ts";
import { runContract } from "../../../src/lvm/index.ts";

/** Gas limit of every top-level call in the test world (a nested call gets what is left). */
export const CALL_GAS = 5_000_000;

export type CallResult = RunResult & { events?: LvmEvent[] };

interface Snapshot {
  storage: Map<string, Map<string, string>>;
  balances: Map<string, bigint>;
}

/**
 * A multi-contract in-memory chain for contract unit tests: per-contract storage, an LVO
 * balance per address, value moved to the callee before it runs, nested lvo.call with
 * caller = the calling contract, and full rollback (storage and balances, nested calls
 * included) of a failed call.
 */
export class World {
  readonly storage = new Map<string, Map<string, string>>();
  readonly balances = new Map<string, bigint>();
  readonly sources = new Map<string, string>();
  readonly names = new Map<string, string>();
  height = 100;
  time = 1_700_000_000;
  delegates: string[] = [];
  /** Every successful top-level call's events, in order. */
  readonly log: LvmEvent[] = [];
  private nextAddress = 1;

  /** Gives `addr` some LVO (wei). */
  fund(addr: string, amount: bigint): void {
    this.balances.set(addr, this.balanceOf(addr) + amount);
  }

  balanceOf(addr: string): bigint {
    return this.balances.get(addr) ?? 0n;
  }

  /** Total LVO in the world (conserved by every call). */
  totalLvo(): bigint {
    let s = 0n;
    for (const v of this.balances.values()) s += v;
    return s;
  }

  /** Deploys `source` and runs `init(...initArgs)` with caller = `from`; throws when init fails. */
  deploy(name: string, source: string, initArgs: JsonValue[], from: string): string {
    const address = "0x" + (0xc0000000 + this.nextAddress++).toString(16).padStart(40, "0");
    this.sources.set(address, source);
    this.names.set(address, name);
    this.storage.set(address, new Map());
    const r = this.call(from, address, "init", initArgs);
    if (!r.ok) {
      this.sources.delete(address);
      this.storage.delete(address);
      throw new Error(`init of ${name} failed: ${r.code}: ${r.message}`);
    }
    return address;
  }

  /**
   * A transaction from `from` to contract `addr`: moves `value` first, runs the method, and
   * rolls everything back (value included) when the call fails.
   */
  call(
    from: string,
    addr: string,
    method: string,
    args: JsonValue[] = [],
    value: bigint | string = 0n,
  ): CallResult {
    const v = BigInt(value);
    const snap = this.snapshot();
    if (this.balanceOf(from) < v) throw new Error(`${from} cannot pay ${v}`);
    this.balances.set(from, this.balanceOf(from) - v);
    this.balances.set(addr, this.balanceOf(addr) + v);
    const r = this.run(addr, from, v.toString(), method, args, CALL_GAS, 0, false);
    if (!r.ok) this.restore(snap);
    else this.log.push(...r.events);
    return r;
  }

  /** A call that must succeed; returns its result. */
  ok(from: string, addr: string, method: string, args: JsonValue[] = [], value: bigint | string = 0n): any {
    const r = this.call(from, addr, method, args, value);
    if (!r.ok) throw new Error(`${method} failed: ${r.code}: ${r.message}`);
    return r.result;
  }

  /** A read-only call (a view); throws when it fails. */
  view(addr: string, method: string, args: JsonValue[] = [], from = "0x" + "0".repeat(40)): any {
    const snap = this.snapshot();
    const r = this.run(addr, from, "0", method, args, CALL_GAS, 0, true);
    this.restore(snap);
    if (!r.ok) throw new Error(`view ${method} failed: ${r.code}: ${r.message}`);
    return r.result;
  }

  private run(
    self: string,
    caller: string,
    value: string,
    method: string,
    args: JsonValue[],
    gasLimit: number,
    depth: number,
    readOnly: boolean,
  ): RunResult {
    const source = this.sources.get(self);
    if (source === undefined) throw new Error("no contract at " + self);
    return runContract({
      source,
      method,
      args,
      gasLimit,
      host: this.host(self, caller, value),
      depth,
      readOnly,
    });
  }

  private host(self: string, from: string, sent: string): HostApi {
    const store = this.storage.get(self)!;
    return {
      storageGet: (key) => store.get(key),
      storageSet: (key, v) => {
        // same rule as the execution layer's host
        if (v.length === 0) throw new Error("empty storage value (use lvo.delete)");
        store.set(key, v);
      },
      storageDelete: (key) => {
        store.delete(key);
      },
      caller: () => from,
      value: () => sent,
      blockHeight: () => this.height,
      blockTime: () => this.time,
      blockHash: () => "0x" + this.height.toString(16).padStart(64, "0"),
      self: () => self,
      balance: (a) => this.balanceOf(a ?? self).toString(),
      transfer: (to, amount) => {
        if (!/^0x[0-9a-f]{40}$/.test(to)) throw new Error("invalid recipient address");
        const a = BigInt(amount);
        const have = this.balanceOf(self);
        if (a > have) throw new Error("insufficient contract balance");
        this.balances.set(self, have - a);
        this.balances.set(to, this.balanceOf(to) + a);
      },
      delegates: () => this.delegates.slice(),
      call: (address, method, args, gasLimit, depth): NestedResult => {
        if (!this.sources.has(address)) throw new Error("no contract at " + address);
        const snap = this.snapshot();
        const r = this.run(address, self, "0", method, args, gasLimit, depth, false);
        if (!r.ok) this.restore(snap);
        return r;
      },
    };
  }

  private snapshot(): Snapshot {
    const storage = new Map<string, Map<string, string>>();
    for (const [k, m] of this.storage) storage.set(k, new Map(m));
    return { storage, balances: new Map(this.balances) };
  }

  private restore(s: Snapshot): void {
    // in place: hosts of calls still running hold references to these maps
    for (const [k, m] of this.storage) {
      const saved = s.storage.get(k);
      if (saved === undefined) {
        this.storage.delete(k);
        continue;
      }
      m.clear();
      for (const [kk, vv] of saved) m.set(kk, vv);
    }
    this.balances.clear();
    for (const [k, v] of s.balances) this.balances.set(k, v);
  }
}

/** Test addresses: `addr(1)` = 0x000…001. */
export const addr = (n: number): string => "0x" + n.toString(16).padStart(40, "0");

/** 10^18 wei = 1 LVO. */
export const LVO = 10n ** 18n;

/** Loads a contract's Lua source from contracts/. */
export const loadContract = (name: string): string =>
  readFileSync(new URL(`../../../contracts/${name}.lua`, import.meta.url), "utf8");
