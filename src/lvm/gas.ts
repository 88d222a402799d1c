import { createRequire } from "node:module";
import { LvmErrorCode } from "./errors.ts";
import { type LuaState, lobject, lua, toLuaString } from "./fengari.ts";
import type { LvmLimits } from "./options.ts";

/** Gas schedule of the LVM. Consensus rules, like the limits in options.ts. */
export interface GasSchedule {
  /** Per VM instruction (charged by the count hook in blocks of `hookInterval`). */
  readonly instruction: number;
  /** Per function call (Lua or built-in), charged by the call hook: calls are fengari's slowest path. */
  readonly functionCall: number;
  /** Per new table and per new key stored in a table (patched table constructors/setters). */
  readonly tableSlot: number;
  /** Per byte of a string produced by `..` or a metered string/table function. */
  readonly stringByte: number;
  /** Per value pushed by table.unpack / string.byte / table.move element. */
  readonly valuePushed: number;
  /**
   * Bytes of string content the VM walks per gas: `==`, `<`, `<=` on strings and string keys
   * hashed into tables (each walks the whole string in fengari, invisible to the count hook).
   */
  readonly stringTouchBytesPerGas: number;
  /**
   * Weight of a byte of a string touched before it was ever hashed: fengari hashes a string key
   * by building a hex JS string of all its bytes (about 50 ns per byte), once per string object.
   */
  readonly stringHashWeight: number;
  /** Per pcall / xpcall / error (each costs a JS throw or a protected frame in fengari). */
  readonly protectedCall: number;
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
  functionCall: 40,
  tableSlot: 50,
  stringByte: 1,
  valuePushed: 10,
  stringTouchBytesPerGas: 4,
  stringHashWeight: 16,
  protectedCall: 200,
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
  /** String bytes walked by comparisons and hashing, not yet charged. */
  touched = 0;
  fault: Fault | null = null;
  L: LuaState = null;
  /** Mutable only through `reset` (a reused template meter, see run.ts). */
  limit: number;
  readonly schedule: GasSchedule;
  readonly limits: LvmLimits;

  constructor(limit: number, schedule: GasSchedule, limits: LvmLimits) {
    this.limit = limit;
    this.schedule = schedule;
    this.limits = limits;
  }

  /** Starts a new call on this meter: `used` and `touched` as the call's set-up left them. */
  reset(limit: number, used: number, touched: number): void {
    this.limit = limit;
    this.used = used;
    this.touched = touched;
    this.fault = null;
    this.L = null;
  }

  remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  /** Adds gas; aborts (sticky) when the budget is exceeded. */
  charge(L: LuaState, amount: number): void {
    if (this.fault) fatal(L, this.fault.message);
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
    fatal(L, this.fault!.message);
  }

  arm(code: LvmErrorCode, message: string): void {
    if (!this.fault) {
      this.fault = { code, message };
      if (code === LvmErrorCode.OUT_OF_GAS) this.used = this.limit;
    }
    if (this.L) lua.lua_sethook(this.L, this.hook, lua.LUA_MASKCOUNT, 1);
  }

  /**
   * The hook: on a count event charges a block of instructions, on a call event charges the
   * call; once aborted, fails again on every instruction.
   */
  readonly hook = (L: LuaState, ar: { event: number }): void => {
    if (this.fault) {
      lua.lua_sethook(L, this.hook, lua.LUA_MASKCOUNT, 1);
      fatal(L, this.fault.message);
    }
    if (ar.event === lua.LUA_HOOKCOUNT) this.charge(L, this.limits.hookInterval * this.schedule.instruction);
    else this.charge(L, this.schedule.functionCall);
  };

  /** Installs the count and call hooks on a fresh state. */
  attach(L: LuaState): void {
    this.L = L;
    lua.lua_sethook(L, this.hook, lua.LUA_MASKCOUNT | lua.LUA_MASKCALL, this.limits.hookInterval);
  }

  /** Records string bytes walked by the VM (charged in whole gas units). */
  touch(bytes: number, unhashed: boolean): void {
    this.touched += unhashed ? bytes * this.schedule.stringHashWeight : bytes;
    const per = this.schedule.stringTouchBytesPerGas;
    if (this.touched >= 1024 * per) {
      const gas = Math.floor(this.touched / per);
      this.touched -= gas * per;
      this.chargeLater(gas);
    }
  }

  /** Charges the instructions run since the last hook (reads fengari 0.1.5's internal counter). */
  settle(): void {
    if (this.fault || !this.L) return;
    const per = this.schedule.stringTouchBytesPerGas;
    const gas = Math.floor(this.touched / per);
    this.touched -= gas * per;
    if (gas > 0) this.chargeLater(gas);
    if (this.fault) return;
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

/**
 * Raises a fatal (sticky) error without running any message handler: `lua_error` would call an
 * xpcall handler, and from inside the count hook (hooks disabled) a looping handler would never
 * be interrupted. fengari's luaD_throw unwinds straight to the nearest protected call.
 */
function fatal(L: LuaState, message: string): never {
  lua.lua_pushstring(L, toLuaString(message));
  ldo.luaD_throw(L, lua.LUA_ERRRUN);
  throw new Error("unreachable");
}

/*
 * Patches of fengari internals that the VM reaches through module objects (pinned 0.1.5):
 * - lobject.setsvalue2s: the `..` operator's result (lvm.js luaV_concat) → per-byte gas and the
 *   string cap; the string already exists, so the fault fires on the next instruction.
 * - ltable.luaH_new / luaH_setfrom: each new table and each new key set by the VM → gas.
 * - TValue.prototype.tsvalue: string bytes walked by ==, <, <= and key hashing → gas, charged
 *   to the running call's meter (`active`).
 * Only states registered in `meters` (sandboxes) are affected; other fengari users are not.
 */
const ldo = createRequire(import.meta.url)("fengari/src/ldo.js");
const meters = new WeakMap<object, Meter>();
let patched = false;
/** The meter of the call running right now (calls are synchronous; nested calls swap it). */
let active: Meter | null = null;

/** Makes `m` the running meter; returns the previous one for `setActiveMeter` afterwards. */
export function setActiveMeter(m: Meter | null): Meter | null {
  const prev = active;
  active = m;
  return prev;
}

export function registerMeter(L: LuaState, meter: Meter): void {
  meters.set(L.l_G, meter);
}

/** Idempotent; runs when this module loads, so the very first call is metered like the rest. */
export function installPatches(): void {
  if (patched) return;
  patched = true;
  const ltable = createRequire(import.meta.url)("fengari/src/ltable.js");
  const setsvalue2s = lobject.setsvalue2s;
  lobject.setsvalue2s = (L: LuaState, i: number, ts: { realstring: Uint8Array }) => {
    setsvalue2s(L, i, ts);
    const m = L ? meters.get(L.l_G) : undefined;
    if (m && !m.fault) {
      const n = ts.realstring.length;
      if (n > m.limits.maxStringBytes) m.arm(LvmErrorCode.LIMIT, "string too large");
      else m.chargeLater(n * m.schedule.stringByte);
    }
  };
  // TValue.tsvalue(): the VM's access to a string for ==, <, <= and table-key hashing
  const proto = lobject.TValue.prototype;
  const tsvalue = proto.tsvalue;
  proto.tsvalue = function (this: unknown) {
    const ts = tsvalue.call(this);
    if (active !== null) active.touch(ts.realstring.length, ts.hash === null);
    return ts;
  };
  // svalue()/vslen() go through tsvalue() but are O(1): let them bypass the charge
  proto.svalue = function (this: { value: { getstr(): Uint8Array } }) {
    return this.value.getstr();
  };
  proto.vslen = function (this: { value: { tsslen(): number } }) {
    return this.value.tsslen();
  };
  const luaHnew = ltable.luaH_new;
  ltable.luaH_new = (L: LuaState) => {
    const m = L ? meters.get(L.l_G) : undefined;
    if (m) m.chargeLater(m.schedule.tableSlot);
    return luaHnew(L);
  };
  const setfrom = ltable.luaH_setfrom;
  ltable.luaH_setfrom = (L: LuaState, h: unknown, k: unknown, v: unknown) => {
    const m = L ? meters.get(L.l_G) : undefined;
    if (m) m.chargeLater(m.schedule.tableSlot);
    return setfrom(L, h, k, v);
  };
}

installPatches();
