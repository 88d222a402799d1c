import { LvmErrorCode } from "./errors.ts";
import { type LuaCFunction, type LuaState, lauxlib, lua, lualib, toLuaString } from "./fengari.ts";
import { type Meter, registerMeter } from "./gas.ts";
import { patternSteps } from "./pattern.ts";

/** Libraries opened, one by one (never luaL_openlibs: it opens io, os and package under Node). */
const LIBS: readonly [string, LuaCFunction][] = [
  ["_G", lualib.luaopen_base],
  ["string", lualib.luaopen_string],
  ["table", lualib.luaopen_table],
  ["math", lualib.luaopen_math],
  ["utf8", lualib.luaopen_utf8],
];

/** Removed after opening: loaders, GC control, output, bytecode dump, randomness. */
export const REMOVED: Readonly<Record<string, readonly string[]>> = Object.freeze({
  _G: ["load", "loadstring", "dofile", "loadfile", "collectgarbage", "print", "require", "module"],
  string: ["dump"],
  math: ["random", "randomseed"],
});

/**
 * A fresh lua_State for one call: whitelisted libraries, metered string/table functions, the
 * string metatable hidden. Nothing survives between calls. The caller registers the meter and
 * attaches the count hook once the state is fully set up (`startMetering`).
 */
export function createSandbox(meter: Meter): LuaState {
  const L = lauxlib.luaL_newstate();
  lua.lua_atnativeerror(L, (L: LuaState) => {
    // a JS exception inside fengari (e.g. a RangeError from a huge allocation): fatal, LVM_LIMIT
    meter.arm(LvmErrorCode.LIMIT, "resource limit exceeded");
    lua.lua_pushstring(L, toLuaString("resource limit exceeded"));
    return 1;
  });
  for (const [name, open] of LIBS) {
    lauxlib.luaL_requiref(L, toLuaString(name), open, 1);
    lua.lua_pop(L, 1);
  }
  for (const [lib, names] of Object.entries(REMOVED)) {
    if (lib === "_G") lua.lua_pushglobaltable(L);
    else lua.lua_getglobal(L, toLuaString(lib));
    for (const n of names) {
      lua.lua_pushnil(L);
      lua.lua_setfield(L, -2, toLuaString(n));
    }
    lua.lua_pop(L, 1);
  }
  installMetered(L, meter);
  // `("x"):rep(9)` resolves through the string metatable's __index, which *is* the `string`
  // table patched above; hide the metatable itself from getmetatable("").
  lua.lua_pushstring(L, toLuaString(""));
  lua.lua_getmetatable(L, -1);
  lua.lua_pushboolean(L, false);
  lua.lua_setfield(L, -2, toLuaString("__metatable"));
  lua.lua_pop(L, 2);
  return L;
}

type Wrap = (orig: LuaCFunction, m: Meter) => LuaCFunction;

function replace(L: LuaState, lib: string, name: string, m: Meter, wrap: Wrap): void {
  if (lib === "_G") lua.lua_pushglobaltable(L);
  else lua.lua_getglobal(L, toLuaString(lib));
  lua.lua_getfield(L, -1, toLuaString(name));
  const orig = lua.lua_tocfunction(L, -1) as LuaCFunction;
  lua.lua_pop(L, 1);
  lua.lua_pushcfunction(L, wrap(orig, m));
  lua.lua_setfield(L, -2, toLuaString(name));
  lua.lua_pop(L, 1);
}

const len = (L: LuaState, i: number): number => (lauxlib.luaL_checklstring(L, i) as Uint8Array).length;
const optLen = (L: LuaState, i: number): number => (lua.lua_isnoneornil(L, i) ? 0 : len(L, i));

/** Output-size check + per-byte gas for functions whose output size is known in advance. */
function produce(L: LuaState, m: Meter, bytes: number): void {
  if (bytes > m.limits.maxStringBytes) m.abort(L, LvmErrorCode.LIMIT, "string too large");
  m.charge(L, Math.ceil(bytes) * m.schedule.stringByte);
}

function pushes(L: LuaState, m: Meter, count: number): void {
  if (count > m.limits.maxUnpack) m.abort(L, LvmErrorCode.LIMIT, "too many values");
  if (count > 0) m.charge(L, count * m.schedule.valuePushed);
}

/** Position argument as Lua's string.sub/byte read it. */
function strPos(L: LuaState, i: number, def: number, n: number): number {
  const v = lua.lua_isnoneornil(L, i) ? def : lauxlib.luaL_checkinteger(L, i);
  return v >= 0 ? v : v < -n ? 0 : n + v + 1;
}

function patternCheck(L: LuaState, m: Meter, subjectIdx: number, patIdx: number, plain: boolean): void {
  const n = len(L, subjectIdx);
  const p = lauxlib.luaL_checklstring(L, patIdx) as Uint8Array;
  if (n > m.limits.maxPatternSubjectBytes) m.abort(L, LvmErrorCode.LIMIT, "pattern subject too large");
  if (p.length > m.limits.maxPatternBytes) m.abort(L, LvmErrorCode.LIMIT, "pattern too large");
  const steps = plain ? n + 1 : patternSteps(p, n);
  if (steps > m.limits.maxPatternSteps) m.abort(L, LvmErrorCode.LIMIT, "pattern too complex");
  m.charge(L, Math.ceil(steps / m.schedule.patternStepsPerGas) + n * m.schedule.stringByte);
}

function installMetered(L: LuaState, m: Meter): void {
  for (const name of ["pcall", "xpcall", "error"]) {
    replace(L, "_G", name, m, (orig) => (L) => {
      m.charge(L, m.schedule.protectedCall);
      return orig(L);
    });
  }
  replace(L, "string", "rep", m, (orig) => (L) => {
    const s = len(L, 1);
    const n = lauxlib.luaL_checkinteger(L, 2) as number;
    const sep = optLen(L, 3);
    if (n > 0) produce(L, m, s * n + sep * (n - 1));
    if (n > 0 && s + sep === 0) {
      // fengari would still loop n times copying nothing
      lua.lua_pushstring(L, toLuaString(""));
      return 1;
    }
    return orig(L);
  });
  for (const name of ["upper", "lower", "reverse"]) {
    replace(L, "string", name, m, (orig) => (L) => {
      produce(L, m, len(L, 1));
      return orig(L);
    });
  }
  replace(L, "string", "sub", m, (orig) => (L) => {
    const n = len(L, 1);
    const i = Math.max(strPos(L, 2, 1, n), 1);
    const j = Math.min(strPos(L, 3, -1, n), n);
    produce(L, m, Math.max(0, j - i + 1));
    return orig(L);
  });
  replace(L, "string", "byte", m, (orig) => (L) => {
    const n = len(L, 1);
    const i = Math.max(strPos(L, 2, 1, n), 1);
    const j = Math.min(strPos(L, 3, i, n), n);
    pushes(L, m, j - i + 1);
    return orig(L);
  });
  replace(L, "string", "char", m, (orig) => (L) => {
    produce(L, m, lua.lua_gettop(L));
    return orig(L);
  });
  replace(L, "string", "format", m, (orig) => (L) => {
    // Lua 5.3 caps width and precision at two digits: each conversion adds at most 99 + its arg
    let estimate = len(L, 1);
    const top = lua.lua_gettop(L);
    for (let i = 2; i <= top; i++) estimate += 100 + (lua.lua_type(L, i) === lua.LUA_TSTRING ? len(L, i) : 0);
    produce(L, m, estimate);
    const r = orig(L);
    // %s of a table calls __tostring (metered Lua code, result capped by the concat/format checks)
    if (lua.lua_rawlen(L, -1) > m.limits.maxStringBytes) m.abort(L, LvmErrorCode.LIMIT, "string too large");
    return r;
  });
  for (const name of ["find", "match"]) {
    replace(L, "string", name, m, (orig) => (L) => {
      patternCheck(L, m, 1, 2, name === "find" && lua.lua_toboolean(L, 4));
      return orig(L);
    });
  }
  replace(L, "string", "gmatch", m, (orig) => (L) => {
    patternCheck(L, m, 1, 2, false);
    return orig(L);
  });
  replace(L, "string", "gsub", m, (orig) => (L) => {
    patternCheck(L, m, 1, 2, false);
    const n = len(L, 1);
    const maxN = lua.lua_isnoneornil(L, 4)
      ? n + 1
      : Math.min(n + 1, Math.max(0, lauxlib.luaL_checkinteger(L, 4)));
    const t = lua.lua_type(L, 3);
    if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) {
      const repl = lauxlib.luaL_checklstring(L, 3) as Uint8Array;
      let captures = 0;
      for (const c of repl) if (c === 37) captures++;
      produce(L, m, n + maxN * (repl.length + captures * n));
    } else if (t === lua.LUA_TFUNCTION || t === lua.LUA_TTABLE) {
      // wrap the replacement so the sum of what it returns is capped while gsub builds
      let total = n;
      const isTable = t === lua.LUA_TTABLE;
      lua.lua_pushvalue(L, 3);
      lua.lua_pushcclosure(
        L,
        (L: LuaState) => {
          const nargs = lua.lua_gettop(L);
          lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
          if (isTable) {
            lua.lua_pushvalue(L, 1);
            lua.lua_gettable(L, -2);
          } else {
            lua.lua_insert(L, 1);
            lua.lua_call(L, nargs, 1);
          }
          const vt = lua.lua_type(L, -1);
          if (vt === lua.LUA_TSTRING || vt === lua.LUA_TNUMBER) {
            total += (lua.lua_tolstring(L, -1) as Uint8Array).length;
            if (total > m.limits.maxStringBytes) m.abort(L, LvmErrorCode.LIMIT, "string too large");
          }
          return 1;
        },
        1,
      );
      lua.lua_replace(L, 3);
    }
    return orig(L);
  });
  replace(L, "table", "concat", m, (orig) => (L) => {
    lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
    const sep = optLen(L, 2);
    const i = lauxlib.luaL_optinteger(L, 3, 1) as number;
    const j = lua.lua_isnoneornil(L, 4)
      ? (lauxlib.luaL_len(L, 1) as number)
      : lauxlib.luaL_checkinteger(L, 4);
    let total = 0;
    for (let k = i; k <= j; k++) {
      m.charge(L, m.schedule.valuePushed);
      lua.lua_geti(L, 1, k);
      const vt = lua.lua_type(L, -1);
      if (vt === lua.LUA_TSTRING || vt === lua.LUA_TNUMBER)
        total += (lua.lua_tolstring(L, -1) as Uint8Array).length;
      lua.lua_pop(L, 1);
      total += k < j ? sep : 0;
      if (total > m.limits.maxStringBytes) m.abort(L, LvmErrorCode.LIMIT, "string too large");
    }
    produce(L, m, total);
    return orig(L);
  });
  replace(L, "table", "unpack", m, (orig) => (L) => {
    const i = lauxlib.luaL_optinteger(L, 2, 1) as number;
    const j = lua.lua_isnoneornil(L, 3)
      ? (lauxlib.luaL_len(L, 1) as number)
      : lauxlib.luaL_checkinteger(L, 3);
    pushes(L, m, j - i + 1);
    return orig(L);
  });
  replace(L, "table", "move", m, (orig) => (L) => {
    const f = lauxlib.luaL_checkinteger(L, 2) as number;
    const e = lauxlib.luaL_checkinteger(L, 3) as number;
    if (e >= f) m.charge(L, (e - f + 1) * m.schedule.tableSlot);
    return orig(L);
  });
  for (const name of ["insert", "remove"]) {
    // both shift up to #t elements in JS
    replace(L, "table", name, m, (orig) => (L) => {
      lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
      m.charge(L, (lua.lua_rawlen(L, 1) as number) * m.schedule.valuePushed);
      return orig(L);
    });
  }
  replace(L, "table", "sort", m, (orig) => (L) => {
    lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
    const n = lua.lua_rawlen(L, 1) as number;
    m.charge(L, Math.ceil(n * Math.log2(n + 1)) * m.schedule.valuePushed);
    return orig(L);
  });
  replace(L, "utf8", "len", m, (orig) => (L) => {
    m.charge(L, len(L, 1) * m.schedule.stringByte);
    return orig(L);
  });
  replace(L, "utf8", "offset", m, (orig) => (L) => {
    m.charge(L, len(L, 1) * m.schedule.stringByte);
    return orig(L);
  });
  replace(L, "utf8", "codepoint", m, (orig) => (L) => {
    const n = len(L, 1);
    const i = strPos(L, 2, 1, n);
    const j = strPos(L, 3, i, n);
    pushes(L, m, j - i + 1);
    return orig(L);
  });
  replace(L, "utf8", "char", m, (orig) => (L) => {
    produce(L, m, lua.lua_gettop(L) * 4);
    return orig(L);
  });
}

/** Starts metering a set-up sandbox: VM patches see it, the count hook runs. */
export function startMetering(L: LuaState, meter: Meter): void {
  registerMeter(L, meter);
  meter.attach(L);
}
