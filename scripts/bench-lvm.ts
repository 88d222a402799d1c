/**
 * Contract throughput (`npm run bench`, or `BENCH=lvm npm run bench` for this section alone):
 * token transfers through the LVM per second on one core, beside the same Lua run bare in
 * fengari in the same run (scripts/bench-lvm-bare.ts: one plain lua_State, no sandbox, gas or
 * storage), and their ratio. Two contracts:
 *
 * - the shipped contracts/token.lua (JSON holder records, dividend settlement, big math): the
 *   full path a transaction's call takes — registry runContractCall (contract host with nested
 *   calls and the active set, sandbox, gas, StateOverlay over an in-memory trie, logs). The
 *   >= 25% target is judged on this one, on the overall average over all batches;
 * - the small stand-in token (test/unit/lvm/token.lua.ts) through runInState, and through
 *   runContract with a Map host, warm and cold (template cache off), to show where time goes.
 *
 * Bare and LVM batches alternate (bare, LVM, bare, LVM, …), so load from other processes on a
 * shared machine hits both alike. Bounded: a fixed count per section and a time cap.
 */
import type { Address } from "../src/crypto/address.ts";
import { contractSource } from "../src/genesis/devnet-contracts.ts";
import { encodeAccount } from "../src/ledger/encoding.ts";
import { accountKey } from "../src/ledger/keys.ts";
import { StateOverlay } from "../src/ledger/state.ts";
import { StateTrie } from "../src/ledger/trie/index.ts";
import { lvmCache, runContract } from "../src/lvm/run.ts";
import { runInState } from "../src/lvm/state-host.ts";
import { runContractCall } from "../src/registry/contract-call.ts";
import { StubHost } from "../test/unit/lvm/stub-host.ts";
import { TOKEN_SOURCE } from "../test/unit/lvm/token.lua.ts";
import { bareContract } from "./bench-lvm-bare.ts";

const N = Number(process.env.BENCH_LVM_TRANSFERS ?? 10000);
const TIME_CAP_MS = 30_000;
const TARGET = 0.25;
const BATCH = 500;
const GAS = 1_000_000;
const ALICE = "0x00000000000000000000000000000000000000aa" as Address;
const TOKEN = "0x00000000000000000000000000000000000000cc" as Address;
const SUPPLY = "1000000000000000000000000";

type Transfer = (to: string, amount: string) => void;

interface Rate {
  count: number;
  /** Mean over all batches (µs per call), and the fastest batch (least disturbed by load). */
  microsPerCall: number;
  bestMicros: number;
}

class Clock {
  count = 0;
  ms = 0;
  best = Number.POSITIVE_INFINITY;
  batch(f: Transfer, to: (i: number) => string): void {
    const b0 = performance.now();
    for (let i = 0; i < BATCH; i++) f(to(this.count + i), "1");
    const ms = performance.now() - b0;
    this.count += BATCH;
    this.ms += ms;
    this.best = Math.min(this.best, (ms * 1000) / BATCH);
  }
  rate(): Rate {
    return { count: this.count, microsPerCall: (this.ms * 1000) / this.count, bestMicros: this.best };
  }
}

const recipient = (i: number) => `0x${(0x1000 + (i % 500)).toString(16).padStart(40, "0")}`;

/** `fs` measured in alternating batches (after a warm-up of each), up to `n` calls each. */
function measure(n: number, ...fs: Transfer[]): Rate[] {
  for (const f of fs) for (let i = 0; i < Math.min(1000, n); i++) f(recipient(i), "1");
  const clocks = fs.map(() => new Clock());
  const t0 = performance.now();
  while (clocks[0]!.count < n && performance.now() - t0 < TIME_CAP_MS) {
    for (const [i, f] of fs.entries()) clocks[i]!.batch(f, recipient);
  }
  return clocks.map((c) => c.rate());
}

function bareToken(source: string, init: unknown[]): Transfer {
  const c = bareContract(source, ALICE, TOKEN);
  c.call("init", init as never);
  return (to, amount) => c.call("transfer", [to, amount]);
}

function freshState(): StateOverlay {
  const trie = StateTrie.fromEntries([
    [accountKey(ALICE), encodeAccount({ nonce: 0n, balance: 10n ** 18n })],
  ]);
  return new StateOverlay(trie);
}

/** The stand-in token through runInState (sandbox, gas, state host). */
function standInState(): Transfer {
  const state = freshState();
  const ctx = {
    self: TOKEN,
    caller: ALICE,
    value: 0n,
    height: 1,
    timestamp: 1_700_000_000,
    blockHash: new Uint8Array(32),
  };
  const init = runInState(state, TOKEN_SOURCE, "init", ["Video", "VID", SUPPLY], GAS, ctx);
  if (!init.ok) throw new Error(`init: ${init.message}`);
  state.clearJournal();
  return (to, amount) => {
    const r = runInState(state, TOKEN_SOURCE, "transfer", [to, amount], GAS, ctx);
    if (!r.ok) throw new Error(`transfer: ${r.message}`);
    state.clearJournal(); // the executor does this once a transaction is final
  };
}

/** The shipped token through the registry's run path (what a transaction's call runs). */
function shippedRegistry(source: string, init: unknown[]): Transfer {
  const state = freshState();
  const code = new TextEncoder().encode(source);
  const env = { height: 1, timestamp: 1_700_000_000, blockHash: new Uint8Array(32) };
  const k = { address: TOKEN };
  const i = runContractCall(state, k, code, ALICE, 0n, "init", init as never, GAS, env);
  if (!i.ok) throw new Error(`init: ${i.message}`);
  state.clearJournal();
  return (to, amount) => {
    const r = runContractCall(state, k, code, ALICE, 0n, "transfer", [to, amount], GAS, env);
    if (!r.ok) throw new Error(`transfer: ${r.message}`);
    state.clearJournal();
  };
}

function standInMap(): Transfer {
  const host = new StubHost();
  host.from = ALICE;
  const run = (method: string, args: string[]) => {
    const r = runContract({ source: TOKEN_SOURCE, method, args, gasLimit: GAS, host });
    if (!r.ok) throw new Error(`${method}: ${r.message}`);
  };
  run("init", ["Video", "VID", SUPPLY]);
  return (to, amount) => run("transfer", [to, amount]);
}

const line = (name: string, r: Rate) =>
  console.log(
    `  ${name.padEnd(50)} ${Math.round(1e6 / r.microsPerCall)
      .toString()
      .padStart(
        7,
      )} /s ${r.microsPerCall.toFixed(1).padStart(6)} us overall | ${r.bestMicros.toFixed(1).padStart(6)} us best batch  (${r.count})`,
  );

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export interface LvmBenchResult {
  /** Shipped token, LVM / bare, overall average over all batches (the judged figure). */
  shippedOverall: number;
  shippedBest: number;
  standInOverall: number;
  standInBest: number;
  pass: boolean;
}

export async function benchLvm(): Promise<LvmBenchResult> {
  console.log(
    `\n== LVM contract throughput: token transfers, one core (${N} per section in batches of ${BATCH}, bare and LVM alternating, cap ${TIME_CAP_MS / 1000} s)`,
  );
  const shipped = contractSource("token");
  const shippedInit = ["LIVE VIDEO Asset", "LVA", 18, SUPPLY];
  const [sBare, sLvm] = measure(N, bareToken(shipped, shippedInit), shippedRegistry(shipped, shippedInit));
  console.log(" contracts/token.lua (shipped):");
  line("bare fengari (no sandbox, gas or storage)", sBare!);
  line("LVM: registry runContractCall (StateOverlay)", sLvm!);
  const [tBare, tLvm, tMap] = measure(
    N,
    bareToken(TOKEN_SOURCE, ["Video", "VID", SUPPLY]),
    standInState(),
    standInMap(),
  );
  lvmCache.enabled = false;
  let cold: Rate;
  try {
    [cold] = measure(Math.min(N, 1000), standInMap()) as [Rate];
  } finally {
    lvmCache.enabled = true;
  }
  console.log(" test/unit/lvm/token.lua.ts (stand-in):");
  line("bare fengari (no sandbox, gas or storage)", tBare!);
  line("LVM: runInState (StateOverlay)", tLvm!);
  line("runContract, Map host (warm template)", tMap!);
  line("runContract, Map host, template cache off", cold);
  const r: LvmBenchResult = {
    shippedOverall: sBare!.microsPerCall / sLvm!.microsPerCall,
    shippedBest: sBare!.bestMicros / sLvm!.bestMicros,
    standInOverall: tBare!.microsPerCall / tLvm!.microsPerCall,
    standInBest: tBare!.bestMicros / tLvm!.bestMicros,
    pass: false,
  };
  r.pass = r.shippedOverall >= TARGET;
  console.log(
    `  ratio LVM / bare, shipped token:  ${pct(r.shippedOverall)} overall (best batches ${pct(r.shippedBest)})  target >= ${TARGET * 100}% overall: ${r.pass ? "PASS" : "FAIL"}`,
  );
  console.log(
    `  ratio LVM / bare, stand-in token: ${pct(r.standInOverall)} overall (best batches ${pct(r.standInBest)})`,
  );
  console.log(
    `  runContract alone (stand-in): ${pct(tBare!.microsPerCall / tMap!.microsPerCall)} of bare; template cache speed-up ${(cold.microsPerCall / tMap!.microsPerCall).toFixed(1)}x`,
  );
  return r;
}

if (import.meta.main) await benchLvm();
