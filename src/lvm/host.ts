import { keccak256, sha256 } from "../crypto/hash.ts";
import { BIG_OPS, BigFault, parseAmount } from "./big.ts";
import { LvmErrorCode } from "./errors.ts";
import { bytesToString, type LuaCFunction, type LuaState, lauxlib, lua, toLuaString } from "./fengari.ts";
import { type Meter, raise } from "./gas.ts";
import { decodeJson, encodeJson, JsonFault, type JsonValue, pushJson, readJson } from "./json.ts";

/** An event emitted by a contract (becomes a log). */
export interface LvmEvent {
  readonly address: string;
  readonly name: string;
  readonly args: JsonValue[];
}

/** Outcome of a nested contract call, as the host's `call` implementation reports it. */
export type NestedResult =
  | { ok: true; result: JsonValue; gasUsed: number; events: LvmEvent[] }
  | { ok: false; code: string; message: string; gasUsed: number };

/**
 * What a contract can reach, provided by the caller (the execution layer, or a stub in tests).
 * Everything must be deterministic. Storage is the calling contract's own; errors thrown by
 * these functions (any Error) become Lua errors carrying the Error's message.
 * Rolling back writes and transfers of a failed call is the caller's job (its state journal).
 */
export interface HostApi {
  storageGet(key: string): string | undefined;
  storageSet(key: string, value: string): void;
  storageDelete(key: string): void;
  /** Address of the immediate caller (account or contract), 0x-prefixed. */
  caller(): string;
  /** LVO value sent with the call, decimal string (wei). */
  value(): string;
  blockHeight(): number;
  /** Block timestamp in seconds. */
  blockTime(): number;
  blockHash(): string;
  /** This contract's address. */
  self(): string;
  /** Balance (decimal string) of `address`, default this contract. */
  balance(address?: string): string;
  /** Moves `amount` (decimal string) of this contract's LVO to `to`; throws when it cannot. */
  transfer(to: string, amount: string): void;
  /** Addresses of the active delegate set (lowercase 0x, in schedule order). */
  delegates(): string[];
  /** Calls another contract with `gasLimit` and `depth` (this call's depth + 1). */
  call(address: string, method: string, args: JsonValue[], gasLimit: number, depth: number): NestedResult;
}

export interface HostContext {
  readonly host: HostApi;
  readonly meter: Meter;
  readonly readOnly: boolean;
  readonly depth: number;
  readonly events: LvmEvent[];
}

const str = (L: LuaState, i: number): string => {
  const b = lauxlib.luaL_checklstring(L, i) as Uint8Array;
  const s = bytesToString(b);
  if (s === undefined) raise(L, `bad argument #${i} (not valid UTF-8)`);
  return s;
};

const pushStr = (L: LuaState, s: string): void => {
  lua.lua_pushstring(L, toLuaString(s));
};

const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");

/** Host errors as Lua errors (catchable: LVM_RUNTIME if not caught). */
function guarded<T>(L: LuaState, f: () => T): T {
  let r: T;
  let msg: string | undefined;
  try {
    r = f();
  } catch (e) {
    msg = e instanceof Error ? e.message : "host error";
  }
  if (msg !== undefined) raise(L, msg);
  return r!;
}

/** Builds the `lvo` table on the stack's global table. */
export function installHost(L: LuaState, ctx: HostContext): void {
  const { host, meter: m } = ctx;
  const limits = m.limits;
  const g = m.schedule;
  const fns: Record<string, LuaCFunction> = {};
  const def = (name: string, f: LuaCFunction) => {
    fns[name] = (L: LuaState) => {
      m.charge(L, g.hostCall);
      return f(L);
    };
  };
  const writable = (L: LuaState, what: string) => {
    if (ctx.readOnly) raise(L, `${what} in a read-only call`);
  };

  def("get", (L) => {
    const key = str(L, 1);
    const v = guarded(L, () => host.storageGet(key));
    m.charge(L, (key.length + (v?.length ?? 0)) * g.storageReadByte);
    if (v === undefined) lua.lua_pushnil(L);
    else pushStr(L, v);
    return 1;
  });
  def("set", (L) => {
    writable(L, "storage write");
    const key = str(L, 1);
    const value = str(L, 2);
    const kb = Buffer.byteLength(key);
    const vb = Buffer.byteLength(value);
    if (kb === 0 || kb > limits.maxKeyBytes) m.abort(L, LvmErrorCode.LIMIT, "storage key size out of range");
    if (vb > limits.maxValueBytes) m.abort(L, LvmErrorCode.LIMIT, "stored value too large");
    m.charge(L, g.storageWrite + (kb + vb) * g.storageWriteByte);
    guarded(L, () => host.storageSet(key, value));
    return 0;
  });
  def("delete", (L) => {
    writable(L, "storage write");
    const key = str(L, 1);
    m.charge(L, g.storageWrite);
    guarded(L, () => host.storageDelete(key));
    return 0;
  });
  const getter = (name: string, f: () => string | number) =>
    def(name, (L) => {
      const v = guarded(L, f);
      if (typeof v === "number") lua.lua_pushinteger(L, v);
      else pushStr(L, v);
      return 1;
    });
  getter("caller", () => host.caller());
  getter("value", () => host.value());
  getter("height", () => host.blockHeight());
  getter("time", () => host.blockTime());
  getter("blockhash", () => host.blockHash());
  getter("self", () => host.self());
  def("balance", (L) => {
    const addr = lua.lua_isnoneornil(L, 1) ? undefined : str(L, 1);
    pushStr(
      L,
      guarded(L, () => host.balance(addr)),
    );
    return 1;
  });
  def("delegates", (L) => {
    const list = guarded(L, () => host.delegates());
    m.charge(L, list.length * g.hostCall);
    pushJsonOrRaise(L, list, m);
    return 1;
  });
  def("transfer", (L) => {
    writable(L, "transfer");
    const to = str(L, 1);
    const amount = str(L, 2);
    guarded(L, () => parseAmount(amount));
    m.charge(L, g.storageWrite);
    guarded(L, () => host.transfer(to, amount));
    return 0;
  });
  def("emit", (L) => {
    writable(L, "event");
    const name = str(L, 1);
    if (ctx.events.length >= limits.maxEventsPerCall) m.abort(L, LvmErrorCode.LIMIT, "too many events");
    const args: JsonValue[] = [];
    const top = lua.lua_gettop(L);
    for (let i = 2; i <= top; i++) args.push(toJsonOrRaise(L, i, m));
    const size = guarded(L, () => encodeJson(args, limits).length) + name.length;
    m.charge(L, g.event + size * g.eventByte);
    ctx.events.push({ address: guarded(L, () => host.self()), name, args });
    return 0;
  });
  def("call", (L) => {
    const address = str(L, 1);
    const method = str(L, 2);
    const args: JsonValue[] = [];
    if (!lua.lua_isnoneornil(L, 3)) {
      lauxlib.luaL_checktype(L, 3, lua.LUA_TTABLE);
      const a = toJsonOrRaise(L, 3, m);
      // `{}` reads as an empty object: accept it as "no arguments"
      if (!Array.isArray(a) && Object.keys(a as object).length > 0)
        raise(L, "call arguments must be an array");
      if (Array.isArray(a)) args.push(...a);
    }
    if (ctx.depth + 1 > limits.maxCallDepth) m.abort(L, LvmErrorCode.LIMIT, "call depth exceeded");
    m.charge(L, g.call);
    const r = guarded(L, () => host.call(address, method, args, m.remaining(), ctx.depth + 1));
    m.charge(L, r.gasUsed);
    if (!r.ok) {
      // caps and gas are fatal through the whole call chain; other failures are Lua errors
      if (r.code === LvmErrorCode.LIMIT || r.code === LvmErrorCode.OUT_OF_GAS) m.abort(L, r.code, r.message);
      raise(L, `call failed: ${r.code}: ${r.message}`);
    }
    if (ctx.events.length + r.events.length > limits.maxEventsPerCall)
      m.abort(L, LvmErrorCode.LIMIT, "too many events");
    ctx.events.push(...r.events);
    pushJsonOrRaise(L, r.result, m);
    return 1;
  });
  for (const [name, h] of [
    ["keccak256", keccak256],
    ["sha256", sha256],
  ] as const) {
    def(name, (L) => {
      const b = lauxlib.luaL_checklstring(L, 1) as Uint8Array;
      m.charge(L, b.length * g.hashByte);
      pushStr(L, hex(h(b)));
      return 1;
    });
  }

  // lvo.json.encode / decode
  const json: Record<string, LuaCFunction> = {
    encode: (L) => {
      m.charge(L, g.hostCall);
      const v = toJsonOrRaise(L, 1, m);
      const s = guarded(L, () => encodeJson(v, limits));
      m.charge(L, s.length * g.jsonByte);
      pushStr(L, s);
      return 1;
    },
    decode: (L) => {
      m.charge(L, g.hostCall);
      const text = str(L, 1);
      m.charge(L, text.length * g.jsonByte);
      pushJsonOrRaise(
        L,
        guarded(L, () => decodeJson(text, limits)),
        m,
      );
      return 1;
    },
  };
  // lvo.big.add(a, b) ... on decimal strings
  const big: Record<string, LuaCFunction> = {};
  for (const [name, op] of Object.entries(BIG_OPS)) {
    big[name] = (L) => {
      m.charge(L, g.hostCall);
      const a = bigArg(L, 1);
      const b = bigArg(L, 2);
      const r = guarded(L, () => op(a, b));
      if (typeof r === "number") lua.lua_pushinteger(L, r);
      else pushStr(L, r);
      return 1;
    };
  }

  lua.lua_createtable(L, 0, Object.keys(fns).length + 2);
  setFuncs(L, fns);
  lua.lua_createtable(L, 0, 2);
  setFuncs(L, json);
  lua.lua_setfield(L, -2, toLuaString("json"));
  lua.lua_createtable(L, 0, 6);
  setFuncs(L, big);
  lua.lua_setfield(L, -2, toLuaString("big"));
  lua.lua_setglobal(L, toLuaString("lvo"));
}

function setFuncs(L: LuaState, fns: Record<string, LuaCFunction>): void {
  for (const [name, f] of Object.entries(fns)) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, toLuaString(name));
  }
}

function bigArg(L: LuaState, i: number): bigint {
  let v: unknown;
  if (lua.lua_type(L, i) === lua.LUA_TNUMBER && lua.lua_isinteger(L, i)) v = lua.lua_tointeger(L, i);
  else if (lua.lua_type(L, i) === lua.LUA_TSTRING) v = bytesToString(lua.lua_tolstring(L, i));
  let r: bigint | undefined;
  let msg = "";
  try {
    r = parseAmount(v);
  } catch (e) {
    msg = e instanceof BigFault ? e.message : "bad amount";
  }
  if (r === undefined) raise(L, `bad argument #${i}: ${msg}`);
  return r;
}

function toJsonOrRaise(L: LuaState, i: number, m: Meter): JsonValue {
  let v: JsonValue = null;
  let msg: string | undefined;
  try {
    v = readJson(L, i, m.limits);
  } catch (e) {
    if (!(e instanceof JsonFault)) throw e;
    msg = e.message;
  }
  if (msg !== undefined) raise(L, msg);
  return v;
}

function pushJsonOrRaise(L: LuaState, v: JsonValue, m: Meter): void {
  const top = lua.lua_gettop(L);
  let msg: string | undefined;
  try {
    pushJson(L, v, m.limits);
  } catch (e) {
    if (!(e instanceof JsonFault)) throw e;
    msg = e.message;
  }
  if (msg !== undefined) {
    lua.lua_settop(L, top);
    raise(L, msg);
  }
}
