/**
 * The reference of the LVM benchmark (scripts/bench-lvm.ts): a contract's Lua run bare in
 * fengari — one plain lua_State (luaL_openlibs), the chunk loaded once, no sandbox, no gas, no
 * template copy — with an `lvo` table of plain JS functions over a Map (storage, caller, self,
 * value, emit, big via BigInt, json via JSON). Enough of `lvo` for the token contracts.
 */
import { BIG_OPS } from "../src/lvm/big.ts";
import { type LuaCFunction, type LuaState, lauxlib, lua, lualib, toLuaString } from "../src/lvm/fengari.ts";
import { type JsonValue, pushJson, readJson } from "../src/lvm/json.ts";
import { DEFAULT_LIMITS } from "../src/lvm/options.ts";

export interface BareContract {
  /** Storage of the contract (key → value). */
  readonly store: Map<string, string>;
  /** Calls `method(args...)`; throws when the Lua call fails. */
  call(method: string, args: readonly JsonValue[]): void;
}

/** Loads `source` in a plain fengari state; `lvo.caller()` is `caller`, `lvo.self()` is `self`. */
export function bareContract(source: string, caller: string, self: string): BareContract {
  const store = new Map<string, string>();
  const L: LuaState = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const dec = new TextDecoder();
  const arg = (i: number) => dec.decode(lua.lua_tolstring(L, i));
  const push = (s: string) => lua.lua_pushstring(L, toLuaString(s));
  const constant = (s: string) => () => {
    push(s);
    return 1;
  };
  const fns: Record<string, LuaCFunction> = {
    get: () => {
      const v = store.get(arg(1));
      if (v === undefined) lua.lua_pushnil(L);
      else push(v);
      return 1;
    },
    set: () => {
      store.set(arg(1), arg(2));
      return 0;
    },
    delete: () => {
      store.delete(arg(1));
      return 0;
    },
    caller: constant(caller),
    self: constant(self),
    value: constant("0"),
    emit: () => 0,
  };
  const big: Record<string, LuaCFunction> = {};
  for (const [name, op] of Object.entries(BIG_OPS)) {
    big[name] = () => {
      const r = op(BigInt(arg(1)), BigInt(arg(2)));
      if (typeof r === "number") lua.lua_pushinteger(L, r);
      else push(r);
      return 1;
    };
  }
  const json: Record<string, LuaCFunction> = {
    encode: () => {
      push(JSON.stringify(readJson(L, 1, DEFAULT_LIMITS)));
      return 1;
    },
    decode: () => {
      pushJson(L, JSON.parse(arg(1)) as JsonValue, DEFAULT_LIMITS);
      return 1;
    },
  };
  const table = (t: Record<string, LuaCFunction>) => {
    lua.lua_newtable(L);
    for (const [k, f] of Object.entries(t)) {
      lua.lua_pushcfunction(L, f);
      lua.lua_setfield(L, -2, toLuaString(k));
    }
  };
  table(fns);
  table(big);
  lua.lua_setfield(L, -2, toLuaString("big"));
  table(json);
  lua.lua_setfield(L, -2, toLuaString("json"));
  lua.lua_setglobal(L, toLuaString("lvo"));
  const src = toLuaString(source);
  if (lauxlib.luaL_loadbufferx(L, src, src.length, toLuaString("=contract"), toLuaString("t")) !== lua.LUA_OK)
    throw new Error(`bare: the source does not load: ${arg(-1)}`);
  if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) throw new Error(`bare: the chunk failed: ${arg(-1)}`);
  const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  const names = new Map<string, Uint8Array>();
  return {
    store,
    call(method, args) {
      let name = names.get(method);
      if (name === undefined) {
        name = toLuaString(method);
        names.set(method, name);
      }
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
      lua.lua_getfield(L, -1, name);
      for (const a of args) pushJson(L, a, DEFAULT_LIMITS);
      if (lua.lua_pcall(L, args.length, 1, 0) !== lua.LUA_OK) throw new Error(`bare ${method}: ${arg(-1)}`);
      lua.lua_settop(L, 0);
    },
  };
}
