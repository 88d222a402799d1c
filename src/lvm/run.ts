import { LvmError, LvmErrorCode } from "./errors.ts";
import { type LuaState, lauxlib, lua, toLuaString } from "./fengari.ts";
import { type Fault, GAS, type GasSchedule, Meter, setActiveMeter } from "./gas.ts";
import { type HostApi, type HostContext, installHost, type LvmEvent } from "./host.ts";
import { encodeJson, JsonFault, type JsonValue, pushJson, readJson } from "./json.ts";
import { DEFAULT_LIMITS, type LvmLimits } from "./options.ts";
import { createSandbox, startMetering } from "./sandbox.ts";
import { checkProto, scanSource } from "./scan.ts";
import { copyState, planState, type Recipe, Uncloneable } from "./snapshot.ts";

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
 *
 * Fast path (see "Performance" in docs/lvm.md): the sandbox as it stands after the contract's
 * chunk returned is kept as a template per source, and each call runs in a deep copy of it,
 * starting with the gas the set-up phase would have used. Results are identical to the cold path.
 */
export function runContract(opts: RunOptions): RunResult {
  if (!Number.isSafeInteger(opts.gasLimit) || opts.gasLimit < 0)
    throw new LvmError(LvmErrorCode.BAD_ARGS, "gasLimit must be a non-negative safe integer", {
      gasLimit: opts.gasLimit,
    });
  // no meter while the sandbox is set up (free and identical for every call)
  const previous = setActiveMeter(null);
  try {
    const warm = runWarm(opts);
    if (warm !== undefined) return warm;
    const meter = new Meter(opts.gasLimit, opts.schedule ?? GAS, opts.limits ?? DEFAULT_LIMITS);
    const events: LvmEvent[] = [];
    const ctx: HostContext = {
      host: opts.host,
      meter,
      readOnly: opts.readOnly ?? false,
      depth: opts.depth ?? 0,
      events,
    };
    const L = prepare(opts.source, meter, ctx);
    if (!("L" in L)) return L;
    return invoke(L.L, opts, meter, events);
  } finally {
    setActiveMeter(previous);
  }
}

const failWith =
  (meter: Meter) =>
  (f: Fault): RunResult => ({
    ok: false,
    code: f.code,
    message: f.message,
    gasUsed: Math.min(meter.used, meter.limit),
  });

/**
 * Set-up phase: scan, sandbox, host, compile, run the chunk. Leaves the module table on top of
 * the stack, the meter settled. `onState` sees the bare sandbox before anything runs.
 */
function prepare(
  source: string | Uint8Array,
  meter: Meter,
  ctx: HostContext,
  onState?: (L: LuaState) => void,
): { L: LuaState } | RunResult {
  const limits = meter.limits;
  const schedule = meter.schedule;
  const fail = failWith(meter);

  const src = typeof source === "string" ? toLuaString(source) : source;
  const bad = scanSource(src, limits);
  if (bad) return fail(bad);

  const L = createSandbox(meter);
  onState?.(L);
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
  return { L };
}

/** Method names as Lua bytes (lua_pushstring copies them), a few hundred at most. */
const methodNames = new Map<string, Uint8Array>();
function methodBytes(name: string): Uint8Array {
  let b = methodNames.get(name);
  if (b === undefined) {
    b = toLuaString(name);
    if (methodNames.size < 256) methodNames.set(name, b);
  }
  return b;
}

/** Call phase: the module table is on top of the stack; looks the method up and calls it. */
function invoke(L: LuaState, opts: RunOptions, meter: Meter, events: LvmEvent[]): RunResult {
  const limits = meter.limits;
  const fail = failWith(meter);
  lua.lua_pushstring(L, methodBytes(opts.method));
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

// ---------------------------------------------------------------------------------------------
// Templates: the sandbox after the set-up phase, per (source, readOnly), default limits and gas
// schedule only. A template's `lvo` functions and metered built-ins are bound to its own meter
// and context; a call takes the template exclusively, resets both and runs in a copy of the
// state (a nested call of the same contract while it is taken runs cold).

/** The HostApi the template's `lvo` functions were built with: forwards to the running call's host. */
interface Forwarder {
  target: HostApi | null;
  /** Calls made while no call was running (during the set-up phase): the template is refused. */
  idleCalls: number;
  readonly host: HostApi;
}

function forwarder(): Forwarder {
  const f = { target: null, idleCalls: 0 } as { target: HostApi | null; idleCalls: number; host: HostApi };
  // a plain object whose prototype makes each method on first use: later calls are own properties
  const make = new Proxy(
    {},
    {
      get(_, k, receiver) {
        const fn = (...args: unknown[]) => {
          const t = f.target as unknown as Record<PropertyKey, (...a: unknown[]) => unknown> | null;
          if (t === null) {
            f.idleCalls++;
            throw new Error("host not available");
          }
          return t[k]!(...args);
        };
        Object.defineProperty(receiver, k, { value: fn });
        return fn;
      },
    },
  );
  f.host = Object.create(make) as HostApi;
  return f;
}

interface Template {
  readonly recipe: Recipe;
  readonly meter: Meter;
  readonly ctx: { host: HostApi; meter: Meter; readOnly: boolean; depth: number; events: LvmEvent[] };
  readonly fwd: Forwarder;
  /** Gas and untouched string bytes the set-up phase leaves on the meter. */
  readonly used: number;
  readonly touched: number;
  busy: boolean;
}

/**
 * LRU of templates (null: this source cannot be templated, always run cold), keyed by the source
 * itself (string sources) or its bytes as a latin1 string, for writable and read-only calls.
 */
const templates = new Map<string, Template | null>();
const keys: Record<"rs" | "rb" | "ws" | "wb", Map<string, string>> = {
  rs: new Map(),
  rb: new Map(),
  ws: new Map(),
  wb: new Map(),
};

/** Tuning and test switches for the template cache (not consensus: results never depend on it). */
export const lvmCache = {
  enabled: true,
  capacity: 64,
  /** Counters: warm calls, cold calls, templates built. */
  warm: 0,
  cold: 0,
  built: 0,
};

export function clearLvmCache(): void {
  templates.clear();
  for (const m of Object.values(keys)) m.clear();
}

/** The LRU key of a source, remembered per source text (no string building on every call). */
function templateKey(source: string | Uint8Array, readOnly: boolean): string {
  const str = typeof source === "string";
  const text = str ? source : Buffer.from(source).toString("latin1");
  const byText = readOnly ? (str ? keys.rs : keys.rb) : str ? keys.ws : keys.wb;
  let key = byText.get(text);
  if (key === undefined) {
    key = `${readOnly ? "r" : "w"}${str ? "s" : "b"}${text}`;
    byText.set(text, key);
  }
  return key;
}

function buildTemplate(source: string | Uint8Array, readOnly: boolean): Template | null {
  lvmCache.built++;
  const meter = new Meter(Number.MAX_SAFE_INTEGER, GAS, DEFAULT_LIMITS);
  const fwd = forwarder();
  const ctx = { host: fwd.host, meter, readOnly, depth: 0, events: [] as LvmEvent[] };
  const prev = setActiveMeter(null);
  try {
    const r = prepare(source, meter, ctx, (L) => {
      // ids of JS functions handed out by tostring (%p): a Map, so copies can take them over
      L.l_G.ids = new Map();
    });
    if (!("L" in r) || meter.fault || fwd.idleCalls > 0 || ctx.events.length > 0) return null;
    const recipe = planState(r.L); // checks every object the copies will meet
    return { recipe, meter, ctx, fwd, used: meter.used, touched: meter.touched, busy: false };
  } catch (e) {
    if (e instanceof Uncloneable) return null;
    throw e;
  } finally {
    setActiveMeter(prev);
  }
}

function runWarm(opts: RunOptions): RunResult | undefined {
  const usable =
    lvmCache.enabled &&
    (opts.limits === undefined || opts.limits === DEFAULT_LIMITS) &&
    (opts.schedule === undefined || opts.schedule === GAS);
  if (!usable) return undefined;
  const readOnly = opts.readOnly ?? false;
  const key = templateKey(opts.source, readOnly);
  let t = templates.get(key);
  if (t === undefined) {
    t = buildTemplate(opts.source, readOnly);
    templates.set(key, t);
    if (templates.size > lvmCache.capacity) {
      const old = templates.keys().next().value!;
      templates.delete(old);
      keys[old.slice(0, 2) as keyof typeof keys].delete(old.slice(2));
    }
  } else {
    templates.delete(key);
    templates.set(key, t);
  }
  // over the limit within the set-up phase, or taken by an outer call: the cold path decides
  if (t === null || t.busy || t.used > opts.gasLimit) {
    lvmCache.cold++;
    return undefined;
  }
  lvmCache.warm++;
  t.busy = true;
  const meter = t.meter;
  try {
    meter.reset(opts.gasLimit, t.used, t.touched);
    const events: LvmEvent[] = [];
    t.ctx.readOnly = readOnly;
    t.ctx.depth = opts.depth ?? 0;
    t.ctx.events = events;
    t.fwd.target = opts.host;
    const L = copyState(t.recipe);
    startMetering(L, meter);
    setActiveMeter(meter);
    return invoke(L, opts, meter, events);
  } finally {
    t.fwd.target = null;
    t.ctx.events = [];
    meter.L = null;
    t.busy = false;
  }
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

/**
 * Tests only: the state the cold set-up phase leaves for `source`, and a copy of its template
 * (null when the source cannot be templated). Both should be indistinguishable.
 */
export function setUpStatesForTest(source: string, host: HostApi): { cold: LuaState; warm: LuaState | null } {
  const prev = setActiveMeter(null);
  try {
    const meter = new Meter(Number.MAX_SAFE_INTEGER, GAS, DEFAULT_LIMITS);
    const ctx = { host, meter, readOnly: false, depth: 0, events: [] as LvmEvent[] };
    const r = prepare(source, meter, ctx);
    if (!("L" in r)) throw new Error(r.ok ? "?" : r.message);
    const t = buildTemplate(source, false);
    if (t === null) return { cold: r.L, warm: null };
    const warm = copyState(t.recipe);
    startMetering(warm, new Meter(Number.MAX_SAFE_INTEGER, GAS, DEFAULT_LIMITS));
    return { cold: r.L, warm };
  } finally {
    setActiveMeter(prev);
  }
}
