/**
 * Contract throughput of a real node (`BENCH=contracts npm run bench`, also part of `all`):
 * finalized Lua token transfers per second on one single-delegate node (1 s blocks, no p2p).
 *
 * Genesis: the bench genesis with the token contract (contracts/token.lua) owned by bench
 * account 0, which mints SUPPLY to it. Prep (not measured): account 0 gives every bench account
 * GRANT tokens, until final. Measured: every account sends CALLS pre-signed `transfer` calls
 * (nonces in order) to other accounts; finalized calls/s, p50/p99 submit-to-final latency, the
 * node's peak RSS, the target (>= 500/s) and the ratio to the raw ecrecover rate.
 *
 * Checked afterwards, so that failing calls cannot pass for throughput: the prep receipts and an
 * evenly spread sample of the measured ones (status 0 counted and printed, must be 0), the
 * contract's health counters (calls and failures: every call), and every account's token
 * balance (eth_call balanceOf at `finalized`) against the balances the bench computes itself,
 * with Σ balances = totalSupply.
 *
 * Env: BENCH_CONTRACT_ACCOUNTS (250, 2..257: account 0 sends one prep call to each),
 * BENCH_CONTRACT_CALLS (calls per account, 40), BENCH_CONTRACT_RECEIPTS (measured receipts read
 * back, 2000), BENCH_CONTRACT_TIME_LIMIT_MS (whole section, 300000), BENCH_NODE_FLAGS (extra
 * Node flags for the node process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), BENCH_LOG_LEVEL
 * (node log level, warn; `info` logs each block's production time). The node is stopped at the
 * end, also on failure.
 */
import type { ChildProcess } from "node:child_process";
import type { Address } from "../src/crypto/address.ts";
import { publicKeyToAddress } from "../src/crypto/address.ts";
import { publicKeyOf } from "../src/crypto/secp256k1.ts";
import { contractSource, devnetContractAddress } from "../src/genesis/index.ts";
import { signTx } from "../src/tx/index.ts";
import { toHex, utf8 } from "../src/util/bytes.ts";
import {
  accountKey,
  benchGenesis,
  drive,
  peakRssMb,
  report,
  rpc,
  startSingleNode,
  waitRpc,
} from "./bench.ts";

const ACCOUNTS = Number(process.env.BENCH_CONTRACT_ACCOUNTS ?? 250);
const CALLS = Number(process.env.BENCH_CONTRACT_CALLS ?? 40);
/** Receipts read back (every k-th measured call): a lookup decodes the whole block's receipts. */
const RECEIPTS = Number(process.env.BENCH_CONTRACT_RECEIPTS ?? 2000);
const SECTION_LIMIT_MS = Number(process.env.BENCH_CONTRACT_TIME_LIMIT_MS ?? 300_000);
const TARGET = 500;
const GAS_LIMIT = 200_000n;
/** 10^30 units (10^12 tokens of 18 decimals) minted to account 0; each account gets GRANT. */
const SUPPLY = 10n ** 30n;
const GRANT = 10n ** 21n;
const TOKEN = devnetContractAddress("token");

interface Signed {
  raws: string[];
  hashes: string[];
}

/** A signed `token.<method>(...args)` transaction. */
function signCall(key: Uint8Array, nonce: bigint, method: string, args: unknown[], out: Signed): void {
  const { raw, hash } = signTx(
    {
      type: 2,
      chainId: 1919n,
      nonce,
      to: TOKEN,
      value: 0n,
      data: utf8(JSON.stringify({ method, args })),
      gasLimit: GAS_LIMIT,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
    },
    key,
  );
  out.raws.push(toHex(raw));
  out.hashes.push(toHex(hash));
}

/**
 * Prep (account 0 → every other account, GRANT each) and the measured calls: round n, account a
 * sends a+n+1 units to a different account each round; `expected` follows every transfer.
 */
function contractWorkload(accounts: number, calls: number) {
  const keys = Array.from({ length: accounts }, (_, i) => accountKey(i));
  const addrs = keys.map((k) => publicKeyToAddress(publicKeyOf(k)));
  const expected = new Map<Address, bigint>(addrs.map((a) => [a, 0n]));
  const move = (from: number, to: number, v: bigint) => {
    expected.set(addrs[from]!, expected.get(addrs[from]!)! - v);
    expected.set(addrs[to]!, expected.get(addrs[to]!)! + v);
  };
  expected.set(addrs[0]!, SUPPLY);
  const prep: Signed = { raws: [], hashes: [] };
  for (let a = 1; a < accounts; a++) {
    signCall(keys[0]!, BigInt(a - 1), "transfer", [addrs[a], GRANT.toString()], prep);
    move(0, a, GRANT);
  }
  const measured: Signed = { raws: [], hashes: [] };
  for (let n = 0; n < calls; n++) {
    for (let a = 0; a < accounts; a++) {
      const to = (a + 1 + (n % (accounts - 1))) % accounts;
      const v = BigInt(a + n + 1);
      const nonce = BigInt(a === 0 ? accounts - 1 + n : n);
      signCall(keys[a]!, nonce, "transfer", [addrs[to], v.toString()], measured);
      move(a, to, v);
    }
  }
  return { addrs, prep, measured, expected };
}

/** SIGTERM, then SIGKILL if the node has not exited within 10 s (a CPU profile is written at exit). */
async function stopNode(node: ChildProcess): Promise<void> {
  if (node.exitCode !== null || node.signalCode !== null) return;
  const exited = new Promise((r) => node.once("exit", r));
  node.kill("SIGTERM");
  const t = setTimeout(() => node.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(t);
}

/** JSON-RPC calls in batches of 100; results in order (a failed call throws). */
async function batchRpc(url: string, method: string, params: unknown[][]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < params.length; i += 100) {
    const batch = params.slice(i, i + 100).map((p, j) => ({ jsonrpc: "2.0", id: i + j, method, params: p }));
    const res = (await rpc(url, batch)) as Array<{
      id: number;
      result?: unknown;
      error?: { message: string };
    }>;
    res.sort((x, y) => x.id - y.id);
    for (const r of res) {
      if (r.error) throw new Error(`${method}: ${r.error.message}`);
      out.push(r.result);
    }
  }
  return out;
}

/** Views of the token at the finalized block (eth_call result: the JSON value as UTF-8). */
async function views(url: string, calls: Array<{ method: string; args: unknown[] }>): Promise<unknown[]> {
  const params = calls.map((c) => [{ to: TOKEN, data: toHex(utf8(JSON.stringify(c))) }, "finalized"]);
  const res = (await batchRpc(url, "eth_call", params)) as string[];
  return res.map((h) => JSON.parse(Buffer.from(h.slice(2), "hex").toString("utf8")));
}

interface Health {
  calls: number;
  failures: number;
}

async function tokenHealth(url: string): Promise<Health> {
  const r = (await rpc(url, { jsonrpc: "2.0", id: 1, method: "lvo_getContract", params: [TOKEN] })) as {
    result: { health: Health };
  };
  return r.result.health;
}

/** Receipts of `hashes`: how many are missing, failed (status 0), and the mean gas used. */
async function receiptCheck(url: string, hashes: string[]) {
  const rs = (await batchRpc(
    url,
    "eth_getTransactionReceipt",
    hashes.map((h) => [h]),
  )) as Array<{ status: string; gasUsed: string } | null>;
  let missing = 0;
  let failed = 0;
  let gas = 0;
  for (const r of rs) {
    if (!r) missing++;
    else {
      if (Number(r.status) !== 1) failed++;
      gas += Number(r.gasUsed);
    }
  }
  return { missing, failed, meanGas: gas / Math.max(1, rs.length - missing) };
}

async function run(ecrecover: number, port: number, setNode: (n: ChildProcess) => void): Promise<boolean> {
  // account 0 sends one prep call to each other account: the mempool holds 256 per sender
  if (ACCOUNTS < 2 || ACCOUNTS > 257) throw new Error("BENCH_CONTRACT_ACCOUNTS must be 2..257");
  const t0 = performance.now();
  const { addrs, prep, measured, expected } = contractWorkload(ACCOUNTS, CALLS);
  console.log(
    `\ncontracts: signed ${prep.raws.length} prep + ${measured.raws.length} measured token transfers in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const g = benchGenesis(1, 1000, addrs);
  const others = (g.contracts as Array<{ name: string }>).filter((c) => c.name !== "token");
  g.contracts = [
    ...others,
    {
      name: "token",
      owner: addrs[0],
      source: contractSource("token"),
      initArgs: ["Bench Token", "BENCH", 18, SUPPLY.toString()],
    },
  ];
  const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? "").split(/\s+/).filter(Boolean);
  const node = startSingleNode(g, port, nodeFlags);
  setNode(node);
  const url = `http://127.0.0.1:${port}`;
  await waitRpc(url);
  const before = await tokenHealth(url);

  const p = await drive(url, prep.raws, prep.hashes);
  console.log(
    `prep: ${p.finalized}/${prep.raws.length} token transfers final in ${p.seconds.toFixed(1)} s (${p.rejected} rejected)`,
  );
  if (p.finalized !== prep.raws.length) throw new Error("prep transfers did not all finalize");

  const f = await drive(url, measured.raws, measured.hashes);
  const rss = peakRssMb(node.pid!);
  report(
    `1 delegate, 1 s blocks, ${measured.raws.length} token transfer calls (Lua) from ${ACCOUNTS} accounts (target >= ${TARGET}/s)`,
    f,
    ecrecover,
    [rss],
  );

  // Verification (not timed).
  const rp = await receiptCheck(url, prep.hashes);
  const stride = Math.max(1, Math.ceil(measured.hashes.length / RECEIPTS));
  const sample = measured.hashes.filter((_, i) => i % stride === 0);
  const rm = await receiptCheck(url, sample);
  const after = await tokenHealth(url);
  const balances = (await views(
    url,
    addrs.map((a) => ({ method: "balanceOf", args: [a] })),
  )) as string[];
  const [supply] = (await views(url, [{ method: "totalSupply", args: [] }])) as string[];
  let sum = 0n;
  let wrong = 0;
  for (const [i, a] of addrs.entries()) {
    const b = BigInt(balances[i]!);
    sum += b;
    if (b !== expected.get(a)) {
      if (wrong++ < 3) console.log(`balance of ${a}: ${b}, expected ${expected.get(a)}`);
    }
  }
  const calls = after.calls - before.calls;
  const failures = after.failures - before.failures;
  console.log(
    `receipts: prep ${rp.failed} failed / ${rp.missing} missing; measured (${sample.length} read) ${rm.failed} failed (status 0) / ${rm.missing} missing; mean gas used per call ${Math.round(rm.meanGas)}`,
  );
  console.log(
    `token health: ${calls} calls, ${failures} failures (expected ${prep.raws.length + measured.raws.length} calls, 0 failures)`,
  );
  console.log(
    `balances: ${addrs.length - wrong}/${addrs.length} as computed; Σ balances ${sum === SUPPLY ? "=" : "≠"} totalSupply (${supply})`,
  );
  const sound =
    rp.failed + rp.missing + rm.failed + rm.missing === 0 &&
    failures === 0 &&
    calls === prep.raws.length + measured.raws.length &&
    wrong === 0 &&
    sum === SUPPLY &&
    BigInt(supply!) === SUPPLY &&
    f.finalized === measured.raws.length;
  const pass = sound && f.tps >= TARGET;
  console.log(`calls verified: ${sound ? "yes" : "NO"}`);
  console.log(
    `target >= ${TARGET} finalized contract calls/s: ${Math.round(f.tps)} ${pass ? "PASS" : "FAIL"}`,
  );
  return pass;
}

/** The section: one node, token transfers, bounded by SECTION_LIMIT_MS; the node always stopped. */
export async function benchContracts(ecrecover: number): Promise<void> {
  const port = 40000 + Math.floor(Math.random() * 10000);
  let node: ChildProcess | undefined;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`contracts bench: over the ${SECTION_LIMIT_MS} ms limit`)),
      SECTION_LIMIT_MS,
    );
  });
  try {
    await Promise.race([
      run(ecrecover, port, (n) => {
        node = n;
      }),
      limit,
    ]);
  } finally {
    clearTimeout(timer);
    if (node) await stopNode(node);
  }
}
