import { bytesToString, type LuaState, lua, toLuaString } from "./fengari.ts";
import type { LvmLimits } from "./options.ts";

/** Values that cross the LVM boundary (args, results, events, lvo.json). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A value that cannot cross the boundary; callers turn it into their error code. */
export class JsonFault extends Error {}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * Pushes a JSON value onto the Lua stack. Numbers must be integers in 32-bit range (fengari's
 * integers are 32-bit): larger amounts cross as decimal strings. `null` becomes nil (so it
 * disappears from objects and leaves a hole in arrays).
 */
export function pushJson(L: LuaState, v: JsonValue, limits: LvmLimits, depth = 0): void {
  if (depth > limits.maxJsonDepth) throw new JsonFault("JSON nested too deep");
  if (!lua.lua_checkstack(L, 4)) throw new JsonFault("JSON nested too deep");
  if (v === null) lua.lua_pushnil(L);
  else if (typeof v === "boolean") lua.lua_pushboolean(L, v);
  else if (typeof v === "number") {
    if (!Number.isInteger(v) || v < INT_MIN || v > INT_MAX)
      throw new JsonFault("numbers must be 32-bit integers (pass amounts as decimal strings)");
    lua.lua_pushinteger(L, v);
  } else if (typeof v === "string") lua.lua_pushstring(L, toLuaString(v));
  else if (Array.isArray(v)) {
    lua.lua_createtable(L, v.length, 0);
    for (let i = 0; i < v.length; i++) {
      pushJson(L, v[i]!, limits, depth + 1);
      lua.lua_seti(L, -2, i + 1);
    }
  } else if (typeof v === "object") {
    const keys = Object.keys(v);
    lua.lua_createtable(L, 0, keys.length);
    for (const k of keys) {
      pushJson(L, v[k]!, limits, depth + 1);
      lua.lua_setfield(L, -2, toLuaString(k));
    }
  } else throw new JsonFault(`cannot pass a ${typeof v}`);
}

/**
 * Reads the Lua value at `idx` as JSON. Tables with keys exactly 1..n are arrays; tables with
 * string keys are objects; the empty table is `{}`. Functions, userdata, threads, non-integer
 * or out-of-range numbers, mixed or sparse keys and cycles (caught by the depth cap) fault.
 * Raw access only: no metamethod runs here.
 */
export function readJson(
  L: LuaState,
  idx: number,
  limits: LvmLimits,
  depth = 0,
  budget = { nodes: 0 },
): JsonValue {
  if (depth > limits.maxJsonDepth) throw new JsonFault("value nested too deep");
  // every JSON value takes at least 2 bytes of text: stop walking huge tables early
  if (++budget.nodes > limits.maxJsonBytes / 2) throw new JsonFault("JSON too large");
  const i = lua.lua_absindex(L, idx);
  switch (lua.lua_type(L, i)) {
    case lua.LUA_TNIL:
      return null;
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, i);
    case lua.LUA_TNUMBER: {
      const n = lua.lua_isinteger(L, i) ? lua.lua_tointeger(L, i) : lua.lua_tonumber(L, i);
      if (!Number.isInteger(n) || n < INT_MIN || n > INT_MAX)
        throw new JsonFault("numbers must be 32-bit integers (return amounts as decimal strings)");
      return n;
    }
    case lua.LUA_TSTRING: {
      const s = bytesToString(lua.lua_tolstring(L, i));
      if (s === undefined) throw new JsonFault("string is not valid UTF-8");
      return s;
    }
    case lua.LUA_TTABLE:
      return readTable(L, i, limits, depth, budget);
    default:
      throw new JsonFault(
        `a ${new TextDecoder().decode(lua.lua_typename(L, lua.lua_type(L, i)))} is not JSON`,
      );
  }
}

function readTable(
  L: LuaState,
  i: number,
  limits: LvmLimits,
  depth: number,
  budget: { nodes: number },
): JsonValue {
  if (!lua.lua_checkstack(L, 4)) throw new JsonFault("value nested too deep");
  const entries: [string | number, JsonValue][] = [];
  let ints = 0;
  let strs = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, i) !== 0) {
    let key: string | number;
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER && lua.lua_isinteger(L, -2)) {
      key = lua.lua_tointeger(L, -2) as number;
      ints++;
    } else if (lua.lua_type(L, -2) === lua.LUA_TSTRING) {
      const k = bytesToString(lua.lua_tolstring(L, -2));
      if (k === undefined) {
        lua.lua_pop(L, 2);
        throw new JsonFault("key is not valid UTF-8");
      }
      key = k;
      strs++;
    } else {
      lua.lua_pop(L, 2);
      throw new JsonFault("table keys must be strings or array indices");
    }
    let value: JsonValue;
    try {
      value = readJson(L, -1, limits, depth + 1, budget);
    } catch (e) {
      lua.lua_pop(L, 2);
      throw e;
    }
    entries.push([key, value]);
    lua.lua_pop(L, 1);
  }
  if (ints > 0 && strs > 0) throw new JsonFault("table mixes array and string keys");
  if (ints > 0) {
    const arr: JsonValue[] = new Array(ints).fill(null);
    for (const [k, v] of entries) {
      if (typeof k !== "number" || k < 1 || k > ints) throw new JsonFault("array has holes");
      arr[k - 1] = v;
    }
    return arr;
  }
  const obj: { [key: string]: JsonValue } = Object.create(null);
  // sort keys: fengari iterates in insertion order, which must not leak into results
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [k, v] of entries) obj[k as string] = v;
  return obj;
}

/** JSON text of a value, with the size cap. */
export function encodeJson(v: JsonValue, limits: LvmLimits): string {
  const s = JSON.stringify(v);
  if (s.length > limits.maxJsonBytes) throw new JsonFault("JSON too large");
  return s;
}

/** Parses JSON text with size and depth caps (depth checked while pushing). */
export function decodeJson(text: string, limits: LvmLimits): JsonValue {
  if (text.length > limits.maxJsonBytes) throw new JsonFault("JSON too large");
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new JsonFault("invalid JSON");
  }
}
