import { createRequire } from "node:module";
import { LvmErrorCode } from "./errors.ts";
import { type LuaState, lobject, lua, toLuaString } from "./fengari.ts";
import type { LvmLimits } from "./options.ts";

/** Gas schedule of the LVM. Consensus rules, like the limits in options.ts. */
export interface GasSchedule {
  /** Per VM instruction (charged by the count hook in blocks of `hookInterval`). */
  readonly instruction: number;
  /** Per new table and per new key stored in a table (patched table constructors/setters). */
  readonly tableSlot: number;
  /** Per byte of a string produced by `..` or a metered string/table function. */
  readonly stringByte: number;
  /** Per value pushed by table.unpack / string.byte / table.move element. */
  readonly valuePushed: number;
  /** Base cost of any `lvo.*` host function. */
  readonly hostCall: number;
  /** Per byte of key and value read from storage. */
  readonly storageReadByte: number;
  /** Base cost of a storage write or delete (on top of hostCall). */
  readonly storageWrite: number;
  /** Per byte of key and value written. */
  readonly storageWriteByte: number;
  /** Base cost of an event, plus eventByte per byte of its JSON. */
  readonly event: number;
  readonly eventByte: number;
  /** Per byte hashed by keccak256 / sha256, and per byte of JSON encoded/decoded. */
  readonly hashByte: number;
  readonly jsonByte: number;
  /** Base cost of a contract-to-contract call (the callee's own gas is added). */
  readonly call: number;
  /** Per worst-case pattern matcher step (see docs/lvm.md), divided by patternStepsPerGas. */
  readonly patternStepsPerGas: number;
}

export const GAS: GasSchedule = Object.freeze({
  instruction: 10,
  tableSlot: 20,
  stringByte: 1,
  valuePushed: 10,
  hostCall: 100,
  storageReadByte: 2,
  storageWrite: 5000,
  storageWriteByte: 20,
  event: 500,
  eventByte: 8,
  hashByte: 2,
  jsonByte: 2,
  call: 2000,
  patternStepsPerGas: 16,
});

export interface Fault {
  readonly code: LvmErrorCode;
  readonly message: string;
}

/**
 * The gas meter of one call. Exhaustion and cap violations are *sticky*: `abort` records the
 * fault, re-arms the count hook with count 1 so that every further instruction raises again
 * (a script's pcall/xpcall cannot continue), and raises a Lua error. runContract checks
 * `fault` after the call, whatever the script returned.
 */
export class Meter {
  used = 0;
  fault: Fault | null = null;
  L: LuaState = null;
  readonly limit: number;
  readonly schedule: GasSchedule;
  readonly limits: LvmLimits;

  constructor(limit: number, schedule: GasSchedule, limits: LvmLimits) {
    this.limit = limit;
    this.schedule = schedule;
    this.limits = limits;
  }

  remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  /** Adds gas; aborts (sticky) when the budget is exceeded. */
  charge(L: LuaState, amount: number): void {
    if (this.fault) raise(L, this.fault.message);
    this.used += amount;
    if (this.used > this.limit) this.abort(L, LvmErrorCode.OUT_OF_GAS, "out of gas");
  }

  /** Adds gas without raising (used where throwing is unsafe); the next instruction aborts. */
  chargeLater(amount: number): void {
    if (this.fault) return;
    this.used += amount;
    if (this.used > this.limit) this.arm(LvmErrorCode.OUT_OF_GAS, "out of gas");
  }

  /** Sticky abort with a code: records the first fault and raises. */
  abort(L: LuaState, code: LvmErrorCode, message: string): never {
    this.arm(code, message);
    raise(L, this.fault!.message);
  }

  arm(code: LvmErrorCode, message: string): void {
    if (!this.fault) {
      this.fault = { code, message };
      if (code === LvmErrorCode.OUT_OF_GAS) this.used = this.limit;
    }
    if (this.L) lua.lua_sethook(this.L, this.hook, lua.LUA_MASKCOUNT, 1);
  }

  /** The count hook: charges a block of instructions, or fails again once aborted. */
  readonly hook = (L: LuaState): void => {
    if (this.fault) {
      lua.lua_sethook(L, this.hook, lua.LUA_MASKCOUNT, 1);
      raise(L, this.fault.message);
    }
    this.charge(L, this.limits.hookInterval * this.schedule.instruction);
  };

  /** Installs the count hook on a fresh state. */
  attach(L: LuaState): void {
    this.L = L;
    lua.lua_sethook(L, this.hook, lua.LUA_MASKCOUNT, this.limits.hookInterval);
  }

  /** Charges the instructions run since the last hook (reads fengari 0.1.5's internal counter). */
  settle(): void {
    if (this.fault || !this.L) return;
    const done = this.L.basehookcount - this.L.hookcount;
    if (done > 0) this.chargeLater(done * this.schedule.instruction);
    this.L.hookcount = this.L.basehookcount;
  }
}

/** Raises a Lua error with a plain string message (no position prefix). */
export function raise(L: LuaState, message: string): never {
  lua.lua_pushstring(L, toLuaString(message));
  lua.lua_error(L);
  throw new Error("unreachable");
}

/*
 * Patches of fengari internals that the VM reaches through module objects (pinned 0.1.5):
 * - lobject.setsvalue2s: the `..` operator's result (lvm.js luaV_concat) → per-byte gas and the
 *   string cap; the string already exists, so the fault fires on the next instruction.
 * - ltable.luaH_new / luaH_setfrom: each new table and each new key set by the VM → gas.
 * Only states registered in `meters` (sandboxes) are affected; other fengari users are not.
 */
const meters = new WeakMap<object, Meter>();
let patched = false;

export function registerMeter(L: LuaState, meter: Meter): void {
  installPatches();
  meters.set(L.l_G, meter);
}

function installPatches(): void {
  if (patched) return;
  patched = true;
  const ltable = createRequire(import.meta.url)("fengari/src/ltable.js");
  const setsvalue2s = lobject.setsvalue2s;
  lobject.setsvalue2s = (L: LuaState, i: number, ts: { realstring: Uint8Array }) => {
    setsvalue2s(L, i, ts);
    const m = meters.get(L.l_G);
    if (m && !m.fault) {
      const n = ts.realstring.length;
      if (n > m.limits.maxStringBytes) m.arm(LvmErrorCode.LIMIT, "string too large");
      else m.chargeLater(n * m.schedule.stringByte);
    }
  };
  const luaHnew = ltable.luaH_new;
  ltable.luaH_new = (L: LuaState) => {
    const m = meters.get(L.l_G);
    if (m) m.chargeLater(m.schedule.tableSlot);
    return luaHnew(L);
  };
  const setfrom = ltable.luaH_setfrom;
  ltable.luaH_setfrom = (L: LuaState, h: unknown, k: unknown, v: unknown) => {
    const m = meters.get(L.l_G);
    if (m) m.chargeLater(m.schedule.tableSlot);
    return setfrom(L, h, k, v);
  };
}
