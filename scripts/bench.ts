/**
 * `npm run bench`: throughput and latency of a real node process, beside the raw signature
 * recovery rate of this machine measured in the same run (the node's ceiling per core).
 *
 * Submits pre-signed transfers from many accounts over JSON-RPC batches to a single-delegate
 * node on 127.0.0.1, follows the `finalized` tag, and prints finalized transfers per second,
 * p50/p99 submit-to-final latency, the node's peak RSS, the ecrecover rate and their ratio.
 * Bounded: stops after every transfer is final or after the time limit.
 *
 * Sections (BENCH=all by default): lvm (contract throughput, scripts/bench-lvm.ts), single,
 * contracts (finalized Lua token transfers on one node, scripts/bench-contracts.ts), devnet.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { devnetBootstrapAddrs, devnetTopology } from "../src/cli/devnet-topology.ts";
import { publicKeyToAddress } from "../src/crypto/address.ts";
import { keccak256 } from "../src/crypto/hash.ts";
import { publicKeyOf, recoverPublicKey, secpBackend, signDigest } from "../src/crypto/secp256k1.ts";
import { devnetDelegateKey, devnetGenesis, genesisToJson, WEI_PER_LVO } from "../src/genesis/index.ts";
import { signTx } from "../src/tx/index.ts";
import { toHex, utf8 } from "../src/util/bytes.ts";
import { benchContracts } from "./bench-contracts.ts";
import { benchLvm } from "./bench-lvm.ts";

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 400);
const TXS_PER_ACCOUNT = Number(process.env.BENCH_TXS_PER_ACCOUNT ?? 50);
const BATCH = 100;
const CONNECTIONS = 4;
const TIME_LIMIT_MS = 120_000;
const LVO_BIN = resolve(import.meta.dirname, "../bin/lvo.js");

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Signature recoveries per second on one core, with the backend the node uses. */
function measureEcrecover(n: number): number {
  const key = keccak256(utf8("bench"));
  const sigs = [];
  for (let i = 0; i < 200; i++) {
    const d = keccak256(utf8(`m${i}`));
    sigs.push({ d, s: signDigest(d, key) });
  }
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const x = sigs[i % sigs.length]!;
    if (!recoverPublicKey(x.d, x.s)) throw new Error("recover failed");
  }
  return n / ((performance.now() - t0) / 1000);
}

export function accountKey(i: number): Uint8Array {
  return keccak256(utf8(`lvo-bench-account-${i}`));
}

export async function rpc(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.json();
}

export function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export interface Figures {
  finalized: number;
  seconds: number;
  tps: number;
  p50: number;
  p99: number;
  rejected: number;
}

/**
 * Submit pre-signed transfers in JSON-RPC batches and follow `finalized` until all are final.
 * `ratePerSec` paces the submission (latency below capacity); without it, everything is sent at
 * once (throughput).
 */
export async function drive(
  url: string,
  raws: string[],
  hashes: string[],
  ratePerSec?: number,
): Promise<Figures> {
  const submitAt = new Map<string, number>();
  const finalAt = new Map<string, number>();
  let rejected = 0;
  const started = performance.now();
  const deadline = started + TIME_LIMIT_MS;
  let lastFinal = Number(
    ((await rpc(url, { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" })) as { result: string }).result,
  );
  const follower = (async () => {
    while (finalAt.size + rejected < raws.length && performance.now() < deadline) {
      const fin = (await rpc(url, {
        jsonrpc: "2.0",
        id: 1,
        method: "eth_getBlockByNumber",
        params: ["finalized", false],
      })) as {
        result: { number: string };
      };
      const h = Number(fin.result.number);
      const now = performance.now();
      for (let x = lastFinal + 1; x <= h; x++) {
        const b = (await rpc(url, {
          jsonrpc: "2.0",
          id: 1,
          method: "eth_getBlockByNumber",
          params: [`0x${x.toString(16)}`, false],
        })) as {
          result: { transactions: string[] };
        };
        for (const t of b.result.transactions) finalAt.set(t, now);
      }
      lastFinal = Math.max(lastFinal, h);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  let next = 0;
  const step = ratePerSec ? Math.max(1, Math.round(ratePerSec / 10)) : BATCH;
  const submitters = Array.from({ length: ratePerSec ? 1 : CONNECTIONS }, async () => {
    while (next < raws.length && performance.now() < deadline) {
      if (ratePerSec) await new Promise((r) => setTimeout(r, 100));
      const from = next;
      next = Math.min(raws.length, next + step);
      const batch = [];
      const t = performance.now();
      for (let i = from; i < next; i++) {
        batch.push({ jsonrpc: "2.0", id: i, method: "eth_sendRawTransaction", params: [raws[i]] });
        submitAt.set(hashes[i]!, t);
      }
      const res = (await rpc(url, batch)) as Array<{ error?: { message: string } }>;
      if (!Array.isArray(res)) throw new Error(`batch refused: ${JSON.stringify(res)}`);
      for (const r of res) {
        if (r.error && rejected++ === 0) console.log(`first rejection: ${r.error.message}`);
      }
    }
  });
  await Promise.all(submitters);
  await follower;
  const endMs = finalAt.size ? Math.max(...finalAt.values()) - started : 0;
  const lat = [...finalAt.entries()].map(([h, t]) => t - (submitAt.get(h) ?? t)).sort((a, b) => a - b);
  return {
    finalized: finalAt.size,
    seconds: endMs / 1000,
    tps: finalAt.size / (endMs / 1000),
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    rejected,
  };
}

export async function waitRpc(url: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await rpc(url, { jsonrpc: "2.0", id: 1, method: "eth_chainId" });
      return;
    } catch {
      if (i > 300) throw new Error(`node at ${url} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Bench accounts and their pre-signed transfers. */
function workload(accounts: number, perAccount: number) {
  const keys = Array.from({ length: accounts }, (_, i) => accountKey(i));
  const addrs = keys.map((k) => publicKeyToAddress(publicKeyOf(k)));
  const raws: string[] = [];
  const hashes: string[] = [];
  for (let n = 0; n < perAccount; n++) {
    for (let a = 0; a < accounts; a++) {
      const { raw, hash } = signTx(
        {
          type: 2,
          chainId: 1919n,
          nonce: BigInt(n),
          to: addrs[(a + 1) % accounts]!,
          value: 1n,
          gasLimit: 21000n,
          maxFeePerGas: 10n ** 10n,
          maxPriorityFeePerGas: 1n,
        },
        keys[a]!,
      );
      raws.push(toHex(raw));
      hashes.push(toHex(hash));
    }
  }
  return { addrs, raws, hashes };
}

/** A devnet genesis (n delegates) with the bench accounts funded from the exchange-ecology bucket. */
export function benchGenesis(nodes: number, intervalMs: number, addrs: string[]): Record<string, unknown> {
  const g = genesisToJson(
    devnetGenesis(nodes, Math.ceil(Date.now() / 1000) * 1000 + 1500, { blockIntervalMs: intervalMs }),
  );
  (g.grants as unknown[]).push(
    ...addrs.map((address) => ({
      from: "exchangeEcology",
      address,
      amount: (1000n * WEI_PER_LVO).toString(),
    })),
  );
  return g;
}

export function report(label: string, f: Figures, ecrecover: number, rssMb: number[]): void {
  console.log(`\n== ${label}`);
  console.log(`finalized ${f.finalized} transfers in ${f.seconds.toFixed(2)} s (${f.rejected} rejected)`);
  console.log(`finalized transfers/s: ${Math.round(f.tps)}`);
  console.log(`submit-to-final latency: p50 ${Math.round(f.p50)} ms, p99 ${Math.round(f.p99)} ms`);
  console.log(`peak RSS per node: ${rssMb.map((r) => `${r.toFixed(0)} MB`).join(", ")}`);
  console.log(`ratio finalized transfers/s to raw ecrecover/s: ${(f.tps / ecrecover).toFixed(3)}`);
}

/**
 * `lvo init` + `lvo start` of a single delegate (devnet delegate key 0, no p2p) on a genesis
 * object, in a fresh temp directory; `nodeFlags` go to node itself (e.g. --cpu-prof).
 */
export function startSingleNode(genesis: unknown, port: number, nodeFlags: string[] = []): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), "lvo-bench-"));
  const data = join(dir, "data");
  const genesisFile = join(dir, "genesis.json");
  const keyFile = join(dir, "delegate.key");
  writeFileSync(genesisFile, JSON.stringify(genesis));
  writeFileSync(keyFile, toHex(devnetDelegateKey(0).secretKey), { mode: 0o600 });
  const init = spawnSync(process.execPath, [LVO_BIN, "init", "--genesis", genesisFile, "--datadir", data]);
  if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
  const flags = ["--datadir", data, "--no-p2p", "--delegate-key-file", keyFile, "--rpc-port", String(port)];
  flags.push("--log-level", process.env.BENCH_LOG_LEVEL ?? "warn", "--log-format", "json");
  return spawn(process.execPath, [...nodeFlags, LVO_BIN, "start", ...flags], {
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/** One delegate alone (no p2p): the single-node ceiling. */
async function benchSingle(ecrecover: number): Promise<void> {
  const { addrs, raws, hashes } = workload(ACCOUNTS, TXS_PER_ACCOUNT);
  const port = 30000 + Math.floor(Math.random() * 10000);
  const url = `http://127.0.0.1:${port}`;
  const node = startSingleNode(benchGenesis(1, 1000, addrs), port);
  try {
    await waitRpc(url);
    const f = await drive(url, raws, hashes);
    report(
      `1 delegate, 1 s blocks, ${raws.length} transfers from ${ACCOUNTS} accounts (target >= 2000/s)`,
      f,
      ecrecover,
      [peakRssMb(node.pid!)],
    );
  } finally {
    node.kill("SIGTERM");
  }
}

/** 4 delegates + 1 RPC node on this machine, transfers submitted to the RPC node. */
async function benchDevnet(
  ecrecover: number,
  intervalMs: number,
  accounts: number,
  perAccount: number,
): Promise<void> {
  const { addrs, raws, hashes } = workload(accounts, perAccount);
  const root = mkdtempSync(join(tmpdir(), "lvo-bench-net-"));
  const base = 20000 + Math.floor(Math.random() * 15000);
  const topo = devnetTopology(4, base, base + 100);
  const gfile = join(root, "genesis.json");
  writeFileSync(gfile, JSON.stringify(benchGenesis(4, intervalMs, addrs)));
  const peers = await devnetBootstrapAddrs(root, topo);
  const procs: ChildProcess[] = [];
  try {
    for (const n of topo) {
      const dir = join(root, n.name);
      const init = spawnSync(process.execPath, [LVO_BIN, "init", "--genesis", gfile, "--datadir", dir]);
      if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
      const args = [
        LVO_BIN,
        "start",
        "--datadir",
        dir,
        "--rpc-port",
        String(n.rpcPort),
        "--p2p-listen",
        `/ip4/127.0.0.1/tcp/${n.p2pPort}`,
        "--log-level",
        "warn",
        "--log-format",
        "json",
        "--bootstrap",
        ...topo.filter((x) => x !== n).map((x) => peers.get(x.name)!),
      ];
      if (n.role === "delegate") {
        const kf = join(dir, "delegate.key");
        writeFileSync(kf, toHex(devnetDelegateKey(n.index).secretKey), { mode: 0o600 });
        args.push("--delegate-key-file", kf);
      }
      procs.push(spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] }));
    }
    const url = `http://127.0.0.1:${topo[0]!.rpcPort}`;
    for (const n of topo) await waitRpc(`http://127.0.0.1:${n.rpcPort}`);
    // Let the nodes connect and finality start before the load.
    for (let i = 0; i < 100; i++) {
      const s = (await rpc(url, { jsonrpc: "2.0", id: 1, method: "lvo_getChainStatus" })) as {
        result: { finalized: { height: string } };
      };
      if (Number(s.result.finalized.height) >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // Latency below capacity: 100 transfers/s for about 10 s; then throughput: the rest at once.
    const paced = Math.min(1000, Math.floor(raws.length / 4));
    const lat = await drive(url, raws.slice(0, paced), hashes.slice(0, paced), 100);
    report(
      `4 delegates + RPC node, ${intervalMs} ms blocks, ${paced} transfers paced at 100/s (target: p50 <= ${2 * intervalMs} ms)`,
      lat,
      ecrecover,
      procs.map((p) => peakRssMb(p.pid!)),
    );
    const f = await drive(url, raws.slice(paced), hashes.slice(paced));
    report(
      `4 delegates + RPC node, ${intervalMs} ms blocks, ${raws.length - paced} transfers at once (target: >= 1000/s)`,
      f,
      ecrecover,
      procs.map((p) => peakRssMb(p.pid!)),
    );
  } finally {
    for (const p of procs) p.kill("SIGTERM");
  }
}

async function main(): Promise<void> {
  const which = process.env.BENCH ?? "all";
  // contract throughput (a few seconds, in-process): first, and alone with BENCH=lvm
  if (which === "all" || which === "lvm") await benchLvm();
  if (which === "lvm") return;
  console.log(`signature backend: ${secpBackend}`);
  const ecrecover = measureEcrecover(20_000);
  console.log(`raw ecrecover: ${Math.round(ecrecover)} /s (one core)`);
  if (which === "all" || which === "single") await benchSingle(ecrecover);
  if (which === "all" || which === "contracts") await benchContracts(ecrecover);
  if (which === "all" || which === "devnet") {
    await benchDevnet(ecrecover, 1000, 200, 50);
    await benchDevnet(ecrecover, 500, 200, 50);
  }
}

await main();
