/**
 * Contract throughput (`npm run bench`, or `BENCH=lvm npm run bench` for this section alone):
 * token transfers through the LVM per second on one core, beside the same Lua logic run bare in
 * fengari (one plain lua_State, no sandbox, metering or storage) in the same run, and their ratio.
 *
 * - bare: test/unit/lvm/token.lua.ts loaded once in a luaL_openlibs state, with an unmetered
 *   `lvo` table of plain JS functions over a Map (get/set/caller/emit, big via BigInt);
 * - LVM: runInState (sandbox, gas, StateOverlay over an in-memory trie, logs) per transfer;
 * - runContract with a Map host (no state), warm and cold (template cache off), to show where
 *   the rest of the time goes.
 * Bounded: a fixed count per section and a time cap.
 */
import type { Address } from "../src/crypto/address.ts";
import { encodeAccount } from "../src/ledger/encoding.ts";
import { accountKey } from "../src/ledger/keys.ts";
import { StateOverlay } from "../src/ledger/state.ts";
import { StateTrie } from "../src/ledger/trie/index.ts";
import { type LuaState, lauxlib, lua, lualib, toLuaString } from "../src/lvm/fengari.ts";
import { lvmCache, runContract } from "../src/lvm/run.ts";
import { runInState } from "../src/lvm/state-host.ts";
import { StubHost } from "../test/unit/lvm/stub-host.ts";
import { TOKEN_SOURCE } from "../test/unit/lvm/token.lua.ts";

const N = Number(process.env.BENCH_LVM_TRANSFERS ?? 10000);
const TIME_CAP_MS = 15_000;
const TARGET = 0.25;
const ALICE = "0x00000000000000000000000000000000000000aa" as Address;
const TOKEN = "0x00000000000000000000000000000000000000cc" as Address;
const SUPPLY = "1000000000000000000000000";

interface Rate {
  count: number;
  /** Over the whole run, and over the fastest batch (this machine may be shared: less noise). */
  perSecond: number;
  microsPerCall: number;
  bestMicros: number;
}

const BATCH = 500;

/** Runs `f` up to `n` times in batches (after a warm-up), stopping at the time cap. */
function measure(n: number, f: (i: number) => void): Rate {
  for (let i = 0; i < Math.min(1000, n); i++) f(i);
  const t0 = performance.now();
  let count = 0;
  let best = Number.POSITIVE_INFINITY;
  while (count < n && performance.now() - t0 < TIME_CAP_MS) {
    const b0 = performance.now();
    const end = Math.min(n, count + BATCH);
    const size = end - count;
    for (; count < end; count++) f(count);
    best = Math.min(best, ((performance.now() - b0) * 1000) / size);
  }
  const ms = performance.now() - t0;
  return { count, perSecond: count / (ms / 1000), microsPerCall: (ms * 1000) / count, bestMicros: best };
}

/** The token contract in one plain fengari state, loaded once; returns a transfer function. */
function bareToken(): (to: string, amount: string) => void {
  const store = new Map<string, string>();
  const L: LuaState = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const dec = new TextDecoder();
  const arg = (i: number) => dec.decode(lua.lua_tolstring(L, i));
  const push = (s: string) => lua.lua_pushstring(L, toLuaString(s));
  const fns: Record<string, () => number> = {
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
    caller: () => {
      push(ALICE);
      return 1;
    },
    emit: () => 0,
  };
  lua.lua_newtable(L);
  for (const [k, f] of Object.entries(fns)) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, toLuaString(k));
  }
  const big: Record<string, (a: bigint, b: bigint) => bigint | number> = {
    add: (a, b) => a + b,
    sub: (a, b) => a - b,
    cmp: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  };
  lua.lua_newtable(L);
  for (const [k, op] of Object.entries(big)) {
    lua.lua_pushcfunction(L, () => {
      const r = op(BigInt(arg(1)), BigInt(arg(2)));
      if (typeof r === "number") lua.lua_pushinteger(L, r);
      else push(r.toString());
      return 1;
    });
    lua.lua_setfield(L, -2, toLuaString(k));
  }
  lua.lua_setfield(L, -2, toLuaString("big"));
  lua.lua_setglobal(L, toLuaString("lvo"));
  const src = toLuaString(TOKEN_SOURCE);
  if (lauxlib.luaL_loadbufferx(L, src, src.length, toLuaString("=contract"), toLuaString("t")) !== lua.LUA_OK)
    throw new Error("bare: token source does not load");
  if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) throw new Error("bare: chunk failed");
  const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  store.set(`bal:${ALICE}`, SUPPLY);
  const method = toLuaString("transfer");
  return (to, amount) => {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    lua.lua_getfield(L, -1, method);
    push(to);
    push(amount);
    if (lua.lua_pcall(L, 2, 1, 0) !== lua.LUA_OK) throw new Error(`bare: ${arg(-1)}`);
    lua.lua_settop(L, 0);
  };
}

function stateToken(): (to: string, amount: string) => void {
  const trie = StateTrie.fromEntries([
    [accountKey(ALICE), encodeAccount({ nonce: 0n, balance: 10n ** 18n })],
  ]);
  const state = new StateOverlay(trie);
  const ctx = {
    self: TOKEN,
    caller: ALICE,
    value: 0n,
    height: 1,
    timestamp: 1_700_000_000,
    blockHash: new Uint8Array(32),
  };
  const init = runInState(state, TOKEN_SOURCE, "init", ["Video", "VID", SUPPLY], 1_000_000, ctx);
  if (!init.ok) throw new Error(`init: ${init.message}`);
  state.clearJournal();
  return (to, amount) => {
    const r = runInState(state, TOKEN_SOURCE, "transfer", [to, amount], 1_000_000, ctx);
    if (!r.ok) throw new Error(`transfer: ${r.message}`);
    state.clearJournal(); // the executor does this once a transaction is final
  };
}

function mapToken(): (to: string, amount: string) => void {
  const host = new StubHost();
  host.from = ALICE;
  const init = runContract({
    source: TOKEN_SOURCE,
    method: "init",
    args: ["Video", "VID", SUPPLY],
    gasLimit: 1_000_000,
    host,
  });
  if (!init.ok) throw new Error(`init: ${init.message}`);
  return (to, amount) => {
    const r = runContract({
      source: TOKEN_SOURCE,
      method: "transfer",
      args: [to, amount],
      gasLimit: 1_000_000,
      host,
    });
    if (!r.ok) throw new Error(`transfer: ${r.message}`);
  };
}

const line = (name: string, r: Rate) =>
  console.log(
    `  ${name.padEnd(48)} ${Math.round(1e6 / r.bestMicros)
      .toString()
      .padStart(
        7,
      )} /s  ${r.bestMicros.toFixed(1).padStart(6)} us best batch | ${Math.round(r.perSecond).toString().padStart(7)} /s  ${r.microsPerCall.toFixed(1).padStart(6)} us overall  (${r.count})`,
  );

export async function benchLvm(): Promise<{ ratio: number; pass: boolean }> {
  console.log(
    `\n== LVM contract throughput: token transfers, one core (${N} per section, cap ${TIME_CAP_MS / 1000} s)`,
  );
  const to = (i: number) => `0x${(0x1000 + (i % 500)).toString(16).padStart(40, "0")}`;
  const bareTransfer = bareToken();
  let bare = measure(N, (i) => bareTransfer(to(i), "1"));
  const stateTransfer = stateToken();
  const lvm = measure(N, (i) => stateTransfer(to(i), "1"));
  const mapTransfer = mapToken();
  const map = measure(N, (i) => mapTransfer(to(i), "1"));
  lvmCache.enabled = false;
  let cold: Rate;
  try {
    const coldTransfer = mapToken();
    cold = measure(Math.min(N, 1000), (i) => coldTransfer(to(i), "1"));
  } finally {
    lvmCache.enabled = true;
  }
  // bare again at the end (JIT fully warm): the faster of the two runs is the reference
  const bare2 = measure(N, (i) => bareTransfer(to(i), "1"));
  if (bare2.bestMicros < bare.bestMicros) bare = bare2;
  line("bare fengari (no sandbox, gas or storage)", bare);
  line("LVM: runInState (StateOverlay, in-memory trie)", lvm);
  line("runContract, Map host (warm template)", map);
  line("runContract, Map host, template cache off", cold);
  // the ratio of the best batches (least disturbed by other load), and of the overall averages
  const ratio = bare.bestMicros / lvm.bestMicros;
  const overall = lvm.perSecond / bare.perSecond;
  const pass = ratio >= TARGET;
  console.log(
    `  ratio LVM / bare: ${(ratio * 100).toFixed(1)}% (overall ${(overall * 100).toFixed(1)}%)  target >= ${TARGET * 100}%: ${pass ? "PASS" : "FAIL"}`,
  );
  console.log(
    `  runContract alone: ${((bare.bestMicros / map.bestMicros) * 100).toFixed(1)}% of bare; template cache speed-up ${(cold.bestMicros / map.bestMicros).toFixed(1)}x`,
  );
  return { ratio, pass };
}

if (import.meta.main) await benchLvm();
