import { LvmError, LvmErrorCode } from "./errors.ts";
import { type LuaState, lauxlib, lua, toLuaString } from "./fengari.ts";
import { type Fault, GAS, type GasSchedule, Meter, setActiveMeter } from "./gas.ts";
import { type HostApi, type HostContext, installHost, type LvmEvent } from "./host.ts";
import { encodeJson, JsonFault, type JsonValue, pushJson, readJson } from "./json.ts";
import { DEFAULT_LIMITS, type LvmLimits } from "./options.ts";
import { createSandbox, startMetering } from "./sandbox.ts";
import { checkProto, scanSource } from "./scan.ts";

export interface RunOptions {
  /** Lua 5.3 source text; the chunk must return a table of functions. */
  readonly source: string | Uint8Array;
  readonly method: string;
  /** JSON-compatible arguments (numbers: 32-bit integers; amounts as decimal strings). */
  readonly args: readonly JsonValue[];
  readonly gasLimit: number;
  readonly host: HostApi;
  /** Views: storage writes, transfers and events raise a Lua error. */
  readonly readOnly?: boolean;
  /** Depth of this call in a contract-to-contract chain (0 for a transaction's call). */
  readonly depth?: number;
  readonly limits?: LvmLimits;
  readonly schedule?: GasSchedule;
}

export type RunResult =
  | { ok: true; result: JsonValue; gasUsed: number; events: LvmEvent[] }
  | { ok: false; code: LvmErrorCode; message: string; gasUsed: number };

/** Chunk name in error messages ("contract:LINE: ..."): no path, nothing environment-dependent. */
const CHUNK = toLuaString("=contract");
const TEXT_ONLY = toLuaString("t");

/**
 * Runs one method of a contract in a fresh sandbox. Deterministic: the same inputs (and host
 * answers) give the same result, events, error code, message and gasUsed. Never throws for
 * anything the contract does; a failed call reports gasUsed (all of it when out of gas) and the
 * caller must roll back what the host applied (storage writes, transfers).
 */
export function runContract(opts: RunOptions): RunResult {
  if (!Number.isSafeInteger(opts.gasLimit) || opts.gasLimit < 0)
    throw new LvmError(LvmErrorCode.BAD_ARGS, "gasLimit must be a non-negative safe integer", {
      gasLimit: opts.gasLimit,
    });
  const meter = new Meter(opts.gasLimit, opts.schedule ?? GAS, opts.limits ?? DEFAULT_LIMITS);
  // no meter while the sandbox is set up (free and identical for every call)
  const previous = setActiveMeter(null);
  try {
    return runMetered(opts, meter);
  } finally {
    setActiveMeter(previous);
  }
}

function runMetered(opts: RunOptions, meter: Meter): RunResult {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const schedule = meter.schedule;
  const fail = (f: Fault): RunResult => ({
    ok: false,
    code: f.code,
    message: f.message,
    gasUsed: Math.min(meter.used, meter.limit),
  });

  const src = typeof opts.source === "string" ? toLuaString(opts.source) : opts.source;
  const bad = scanSource(src, limits);
  if (bad) return fail(bad);

  const L = createSandbox(meter);
  const events: LvmEvent[] = [];
  const ctx: HostContext = {
    host: opts.host,
    meter,
    readOnly: opts.readOnly ?? false,
    depth: opts.depth ?? 0,
    events,
  };
  installHost(L, ctx);
  // setting the sandbox up is free (and identical for every call); metering starts here
  startMetering(L, meter);
  setActiveMeter(meter);
  meter.chargeLater(src.length * schedule.stringByte);
  if (meter.fault) return fail(meter.fault);

  // compile, text mode only
  const st = lauxlib.luaL_loadbufferx(L, src, src.length, CHUNK, TEXT_ONLY);
  if (st !== lua.LUA_OK) {
    const msg = errorText(L);
    const code = msg.includes("attempt to load a binary chunk")
      ? LvmErrorCode.FORBIDDEN
      : LvmErrorCode.SYNTAX;
    return fail({ code, message: msg });
  }
  const staticFault = checkProto(L.stack[L.top - 1].value.p, limits);
  if (staticFault) return fail(staticFault);

  // run the chunk: it must return a table of functions
  if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) return failRun(L, meter, fail);
  meter.settle();
  if (meter.fault) return fail(meter.fault);
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE)
    return fail({ code: LvmErrorCode.BAD_RESULT, message: "the chunk must return a table of functions" });
  lua.lua_pushstring(L, toLuaString(opts.method));
  lua.lua_rawget(L, -2);
  if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION)
    return fail({ code: LvmErrorCode.BAD_ARGS, message: `no method '${opts.method}'` });

  for (const a of opts.args) {
    try {
      pushJson(L, a, limits);
    } catch (e) {
      if (e instanceof JsonFault) return fail({ code: LvmErrorCode.BAD_ARGS, message: e.message });
      throw e;
    }
  }
  if (lua.lua_pcall(L, opts.args.length, 1, 0) !== lua.LUA_OK) return failRun(L, meter, fail);
  meter.settle();
  if (meter.fault) return fail(meter.fault);

  let result: JsonValue;
  try {
    result = readJson(L, -1, limits);
    encodeJson(result, limits);
  } catch (e) {
    if (e instanceof JsonFault) return fail({ code: LvmErrorCode.BAD_RESULT, message: e.message });
    throw e;
  }
  return { ok: true, result, gasUsed: meter.used, events };
}

function failRun(L: LuaState, meter: Meter, fail: (f: Fault) => RunResult): RunResult {
  meter.settle();
  if (meter.fault) return fail(meter.fault);
  return fail({ code: LvmErrorCode.RUNTIME, message: errorText(L) });
}

/** The error value on top of the stack as a deterministic message. */
function errorText(L: LuaState): string {
  const t = lua.lua_type(L, -1);
  if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) {
    const b = lua.lua_tolstring(L, -1) as Uint8Array;
    return new TextDecoder().decode(b.subarray(0, 512));
  }
  return `error object is a ${lua.lua_typename(L, t) ? new TextDecoder().decode(lua.lua_typename(L, t)) : "?"} value`;
}
