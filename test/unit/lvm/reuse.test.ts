import { afterEach, describe, expect, it } from "vitest";
import { type JsonValue, runContract } from "../../../src/lvm/index.ts";
import { clearLvmCache, lvmCache, setUpStatesForTest } from "../../../src/lvm/run.ts";
import { HOSTILE_CORPUS, type HostilePayload } from "./hostile-corpus.ts";
import { StubHost } from "./stub-host.ts";
import { TOKEN_SOURCE } from "./token.lua.ts";

/*
 * Calls run in copies of a per-source template sandbox (src/lvm/run.ts, snapshot.ts). These tests
 * check that a warm call is indistinguishable from a cold one (fresh state, set-up from scratch):
 * same result, code, message and gas, and that nothing one call does is visible to the next.
 */

const GAS = 10_000_000;
const BOB = "0x00000000000000000000000000000000000000bb";

afterEach(() => {
  lvmCache.enabled = true;
});

function run(source: string, method: string, args: JsonValue[] = [], host = new StubHost(), gasLimit = GAS) {
  return runContract({ source, method, args, gasLimit, host });
}

function cold<T>(f: () => T): T {
  lvmCache.enabled = false;
  try {
    return f();
  } finally {
    lvmCache.enabled = true;
  }
}

/** Runs `set` then `get` (warm, same template) and returns what `get` saw. */
function afterMutation(src: string): JsonValue {
  clearLvmCache();
  const host = new StubHost();
  const before = run(src, "get", [], host);
  const set = run(src, "set", [], host);
  expect(set.ok, JSON.stringify(set)).toBe(true);
  const after = run(src, "get", [], host);
  expect(after).toEqual(before);
  expect(after).toEqual(cold(() => run(src, "get", [], host)));
  if (!after.ok) throw new Error(after.message);
  return after.result;
}

describe("template reuse: no leak from one call to the next", () => {
  it("uses the warm path", () => {
    clearLvmCache();
    const w = lvmCache.warm;
    run("return { f = function() return 1 end }", "f");
    run("return { f = function() return 1 end }", "f");
    expect(lvmCache.warm - w).toBe(2);
  });

  it("globals (plain, rawset, _G and _ENV replacement)", () => {
    const r = afterMutation(`return {
      set = function() leak = 1; rawset(_G, "leak2", 2); _G.leak3 = 3; _G._G = nil; return 1 end,
      get = function() return { a = leak or 0, b = rawget(_G, "leak2") or 0, c = leak3 or 0, g = _G ~= nil } end }`);
    expect(r).toEqual({ a: 0, b: 0, c: 0, g: true });
    expect(
      afterMutation(`local M = {}
      function M.set() _ENV = { M = M } return 1 end
      function M.get() return type(string) end
      return M`),
    ).toBe("table");
  });

  it("library tables: string, table, math, utf8, base functions", () => {
    const r = afterMutation(`return {
      set = function()
        string.rep = nil; string.x = 1; table.insert = nil; math.pi = 3; math.floor = tostring
        utf8.char = nil; _G.pairs = nil; _G.tostring = nil; rawset(table, "y", 1); return 1 end,
      get = function() return { rep = type(string.rep), x = string.x or 0, ins = type(table.insert),
        pi = math.pi > 3, fl = math.floor(2.5), u = type(utf8.char), p = type(pairs), ts = type(tostring),
        y = table.y or 0 } end }`);
    expect(r).toEqual({
      rep: "function",
      x: 0,
      ins: "function",
      pi: true,
      fl: 2,
      u: "function",
      p: "function",
      ts: "function",
      y: 0,
    });
  });

  it("the lvo table and its subtables", () => {
    const r = afterMutation(`return {
      set = function() lvo.get = nil; lvo.big.add = nil; lvo.json.encode = nil; lvo.extra = 1
        setmetatable(lvo, { __index = function() return 1 end }); return 1 end,
      get = function() return { g = type(lvo.get), a = type(lvo.big.add), e = type(lvo.json.encode),
        x = rawget(lvo, "extra") or 0, mt = getmetatable(lvo) == nil, missing = lvo.nothing == nil } end }`);
    expect(r).toEqual({ g: "function", a: "function", e: "function", x: 0, mt: true, missing: true });
  });

  it("metatables: _G, the string metatable (through the string table), module tables", () => {
    const r = afterMutation(`local M = {}
      function M.set()
        setmetatable(_G, { __index = function(_, k) return "ghost" end, __newindex = function() end })
        local s = ("").upper and string; s.sub = function() return "patched" end
        setmetatable(M, { __index = function() return "m" end })
        return 1 end
      function M.get() return { g = tostring(nothing), mt = getmetatable("") == false,
        sub = ("abc"):sub(1, 1), m = rawequal(getmetatable(M), nil), s = getmetatable(_G) == nil } end
      return M`);
    expect(r).toEqual({ g: "nil", mt: true, sub: "a", m: true, s: true });
  });

  it("upvalues and the module table", () => {
    const src = `local M = {}
      local counter = 0
      local cache = {}
      function M.inc() counter = counter + 1; cache[#cache + 1] = counter; M.extra = counter; M.get = nil
        return { c = counter, n = #cache, e = M.extra } end
      function M.get() return 1 end
      return M`;
    clearLvmCache();
    const host = new StubHost();
    for (let i = 0; i < 3; i++)
      expect(run(src, "inc", [], host)).toMatchObject({ ok: true, result: { c: 1, n: 1, e: 1 } });
    expect(run(src, "get", [], host)).toMatchObject({ ok: true, result: 1 });
  });

  it("object ids (tostring of tables and closures) are those of a fresh state", () => {
    const src = `local M = {}
      local P = tostring(pairs) .. tostring({})
      function M.mk() return function() end end
      function M.ids() local a, b = {}, M.mk(); return { t = tostring(a), f = tostring(b), m = tostring(M),
        g = tostring(_G), s = tostring(string), p = tostring(pairs), P = P, r = tostring(string.rep),
        n = tostring(next) } end
      return M`;
    clearLvmCache();
    const c = cold(() => run(src, "ids"));
    const w1 = run(src, "ids");
    const w2 = run(src, "ids");
    expect(c.ok).toBe(true);
    expect(w1).toEqual(c);
    expect(w2).toEqual(c);
  });

  it("iteration order and next over removed keys match a fresh state", () => {
    const src = `return { f = function()
      local out = {}
      for k in pairs(string) do out[#out + 1] = k end
      local k1 = next(string, "dump"); local k2 = next(math, "random"); local k3 = next(math, "randomseed")
      out[#out + 1] = tostring(k1); out[#out + 1] = tostring(k2); out[#out + 1] = tostring(k3)
      for k in pairs(_G) do out[#out + 1] = k end
      return table.concat(out, ",") end }`;
    clearLvmCache();
    const c = cold(() => run(src, "f"));
    expect(c.ok).toBe(true);
    expect(run(src, "f")).toEqual(c);
    expect(run(src, "f")).toEqual(c);
  });

  it("string hash state: gas of first-time key hashing is the same on every call", () => {
    const src = `local K = "a fairly long constant string used as a key for the first time"
      local M = {}
      function M.f() local t = {}; t[K] = 1; t[K .. "x"] = 2; return t[K] end
      return M`;
    clearLvmCache();
    const c = cold(() => run(src, "f"));
    const runs = [run(src, "f"), run(src, "f"), run(src, "f")];
    for (const r of runs) expect(r).toEqual(c);
  });

  it("a failed or out-of-gas call leaves nothing behind", () => {
    const src = `local M = {}
      local n = 0
      function M.boom() n = n + 1; string.rep = nil; error("x") end
      function M.burn() n = n + 1; _G.x = 1; while true do end end
      function M.get() return { n = n, rep = type(string.rep), x = x or 0 } end
      return M`;
    clearLvmCache();
    const host = new StubHost();
    expect(run(src, "boom", [], host)).toMatchObject({ ok: false, code: "LVM_RUNTIME" });
    expect(run(src, "burn", [], host, 100_000)).toMatchObject({
      ok: false,
      code: "LVM_OUT_OF_GAS",
      gasUsed: 100_000,
    });
    expect(run(src, "get", [], host)).toMatchObject({ ok: true, result: { n: 0, rep: "function", x: 0 } });
  });

  it("nested calls of the same contract (template taken) run cold with identical results", () => {
    const src = `local M = {}
      local depth = 0
      function M.rec(n) depth = depth + 1; if n == 0 then return { d = depth, t = tostring({}) } end
        return lvo.call(lvo.self(), "rec", { n - 1 }) end
      return M`;
    const host = new StubHost();
    host.contracts.set(host.address, src);
    clearLvmCache();
    const c = cold(() => run(src, "rec", [3], host));
    expect(c).toMatchObject({ ok: true, result: { d: 1 } });
    expect(run(src, "rec", [3], host)).toEqual(c);
    expect(run(src, "rec", [3], host)).toEqual(c);
  });

  it("read-only and writable calls use separate templates", () => {
    const src = `local ok = pcall(function() end)
      return { f = function() local ok, e = pcall(lvo.set, "k", "v"); return { ok = ok, e = e or "" } end }`;
    clearLvmCache();
    const host = new StubHost();
    const ro = runContract({ source: src, method: "f", args: [], gasLimit: GAS, host, readOnly: true });
    const rw = runContract({ source: src, method: "f", args: [], gasLimit: GAS, host });
    expect(ro).toMatchObject({ ok: true, result: { ok: false, e: "storage write in a read-only call" } });
    expect(rw).toMatchObject({ ok: true, result: { ok: true, e: "" } });
    expect(runContract({ source: src, method: "f", args: [], gasLimit: GAS, host, readOnly: true })).toEqual(
      ro,
    );
  });

  it("a chunk that calls the host at load time is never templated (runs cold, same results)", () => {
    const src = `local who = lvo.caller()
      return { f = function() return who end }`;
    clearLvmCache();
    const host = new StubHost();
    const c = cold(() => run(src, "f", [], host));
    expect(c).toMatchObject({ ok: true, result: host.from });
    const w = lvmCache.warm;
    expect(run(src, "f", [], host)).toEqual(c);
    host.from = BOB;
    expect(run(src, "f", [], host)).toMatchObject({ ok: true, result: BOB });
    expect(lvmCache.warm).toBe(w);
  });

  it("a gas limit below the set-up phase falls back to the cold path (same fault)", () => {
    clearLvmCache();
    const host = new StubHost();
    for (const limit of [0, 100, 1_000, 2_000, 3_000, 5_000, 21_168, 21_169]) {
      const c = cold(() => run(TOKEN_SOURCE, "transfer", [BOB, "1"], host, limit));
      expect(run(TOKEN_SOURCE, "transfer", [BOB, "1"], host, limit)).toEqual(c);
    }
  });
});

describe("a warm state is indistinguishable from a cold one", () => {
  /** Deep structural comparison of two fengari object graphs (a bijection between objects). */
  function compare(a: unknown, b: unknown, seen = new Map<object, unknown>()): number {
    const stack: [unknown, unknown, string][] = [[a, b, "L"]];
    let steps = 0;
    while (stack.length > 0) {
      const [x, y, path] = stack.pop()!;
      steps++;
      if (typeof x === "function" || typeof y === "function") {
        // cold states get new closures for the same code (metered built-ins, host functions)
        expect(typeof y, path).toBe(typeof x);
        expect(String(y), path).toBe(String(x));
        continue;
      }
      if (x === null || typeof x !== "object" || y === null || typeof y !== "object") {
        expect(y, path).toBe(x);
        continue;
      }
      const prev = seen.get(x);
      if (prev !== undefined) {
        expect(prev === y, `${path}: sharing differs`).toBe(true);
        continue;
      }
      seen.set(x, y);
      expect(Object.getPrototypeOf(y), path).toBe(Object.getPrototypeOf(x));
      if (x instanceof Uint8Array) {
        expect(Buffer.from(y as Uint8Array).equals(Buffer.from(x)), path).toBe(true);
        continue;
      }
      if (x instanceof WeakMap) continue; // l_G.ids of the cold state (a Map in templates)
      if (x instanceof Map) {
        const ex = [...x.entries()];
        const ey = [...(y as Map<unknown, unknown>).entries()];
        expect(ey.length, path).toBe(ex.length);
        ex.forEach(([k, v], i) => {
          stack.push([k, ey[i]![0], `${path}.key${i}`]);
          stack.push([v, ey[i]![1], `${path}.get(${String(k)})`]);
        });
        continue;
      }
      const kx = Object.keys(x);
      if (!Array.isArray(x)) expect(Object.keys(y), path).toEqual(kx);
      else expect((y as unknown[]).length, path).toBe((x as unknown[]).length);
      const isState = "l_G" in x && "stack" in x && "base_ci" in x;
      const isProto = "maxstacksize" in x && "lineinfo" in x;
      for (const k of kx) {
        if (isState && k === "stack") continue;
        if (isProto && DEBUG_INFO.has(k)) {
          // shared by the copies (debug names are only ever read as bytes, never hashed): equal
          // content is enough, object sharing with constants may differ
          compare((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], new Map());
          continue;
        }
        if (k === "ids") continue;
        if (k === "next" && "l_base" in x) continue; // CallInfo free list
        stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`]);
      }
      if (isState) {
        const xs = x as unknown as { stack: unknown[]; top: number };
        const sx = xs.stack;
        const sy = (y as unknown as { stack: unknown[] }).stack;
        expect(sy.length, `${path}.stack.length`).toBe(sx.length);
        for (let i = 0; i < xs.top; i++) stack.push([sx[i], sy[i], `${path}.stack[${i}]`]);
      }
    }
    return steps;
  }
  const DEBUG_INFO = new Set(["code", "lineinfo", "upvalues", "locvars", "source"]);

  it("token contract: the copy equals the cold set-up object by object (ids, entries, dead keys, hashes)", () => {
    const { cold: c, warm: w } = setUpStatesForTest(TOKEN_SOURCE, new StubHost());
    expect(w).not.toBeNull();
    expect(compare(c, w)).toBeGreaterThan(1000);
  });

  it("a contract with upvalues, metatables and closures cached in prototypes", () => {
    const src = `local M = setmetatable({}, { __index = function() return 0 end })
      local shared = { n = 0 }
      local function a() shared.n = shared.n + 1 end
      local function b() return shared end
      local t = { [a] = b, [shared] = "x", "one", "two" }
      t.gone = 1; t.gone = nil
      for i = 1, 3 do local f = function() return i end; t[#t + 1] = f end
      M.a, M.b, M.t = a, b, t
      return M`;
    const { cold: c, warm: w } = setUpStatesForTest(src, new StubHost());
    expect(w).not.toBeNull();
    expect(compare(c, w)).toBeGreaterThan(1000);
  });
});

describe("hostile corpus: cold path and warm path agree on every payload", () => {
  function sourceOf(p: HostilePayload): string {
    return p.source ?? `local M = {}\nfunction M.main(...)\n${p.body}\nend\nmain = M.main\nreturn M\n`;
  }
  function once(p: HostilePayload) {
    const host = new StubHost();
    host.contracts.set(host.address, sourceOf(p));
    const r = runContract({
      source: sourceOf(p),
      method: p.method ?? "main",
      args: (p.args ?? []) as never,
      gasLimit: p.gasLimit ?? GAS,
      host,
      readOnly: p.readOnly ?? false,
    });
    return r.ok ? r : { ok: r.ok, code: r.code, message: r.message, gasUsed: r.gasUsed };
  }

  it.each(HOSTILE_CORPUS.map((p) => [p.name, p] as const))("%s", (_name, p) => {
    clearLvmCache();
    const c = cold(() => once(p));
    const first = once(p); // builds the template
    const second = once(p); // runs in a copy
    expect(first).toEqual(c);
    expect(second).toEqual(c);
  });

  it("golden token transfer gas on the warm path", () => {
    clearLvmCache();
    const host = new StubHost();
    host.from = "0x00000000000000000000000000000000000000aa";
    expect(run(TOKEN_SOURCE, "init", ["Video", "VID", "1000000000000000000000000"], host, 1_000_000).ok).toBe(
      true,
    );
    const w = lvmCache.warm;
    const gas = [0, 1, 2].map(
      () => run(TOKEN_SOURCE, "transfer", [BOB, "250000000000000000000"], host, 1_000_000).gasUsed,
    );
    expect(lvmCache.warm - w).toBe(3);
    // the first transfer is the golden one (token.test.ts); later ones read a longer balance of BOB
    expect(gas).toEqual([21169, 21199, 21199]);
  });
});
