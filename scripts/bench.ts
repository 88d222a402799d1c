/**
 * `npm run bench`: throughput and latency of a real node process, beside the raw signature
 * recovery rate of this machine measured in the same run (the node's ceiling per core).
 *
 * Submits pre-signed transfers from many accounts over JSON-RPC batches to a single-delegate
 * node on 127.0.0.1, follows the `finalized` tag, and prints finalized transfers per second,
 * p50/p99 submit-to-final latency, the node's peak RSS, the ecrecover rate and their ratio.
 * Bounded: stops after every transfer is final or after the time limit.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { publicKeyToAddress } from "../src/crypto/address.ts";
import { keccak256 } from "../src/crypto/hash.ts";
import { publicKeyOf, recoverPublicKey, secpBackend, signDigest } from "../src/crypto/secp256k1.ts";
import { devnetDelegateKey, devnetGenesis, genesisToJson, WEI_PER_LVO } from "../src/genesis/index.ts";
import { signTx } from "../src/tx/index.ts";
import { toHex, utf8 } from "../src/util/bytes.ts";

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

function accountKey(i: number): Uint8Array {
  return keccak256(utf8(`lvo-bench-account-${i}`));
}

async function rpc(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.json();
}

function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "lvo-bench-"));
  const port = 30000 + Math.floor(Math.random() * 10000);
  const url = `http://127.0.0.1:${port}`;

  // A devnet genesis plus bench accounts funded from the exchange-ecology bucket.
  const g = genesisToJson(devnetGenesis(1, Math.ceil(Date.now() / 1000) * 1000 + 1000));
  const keys = Array.from({ length: ACCOUNTS }, (_, i) => accountKey(i));
  const addrs = keys.map((k) => publicKeyToAddress(publicKeyOf(k)));
  (g.grants as unknown[]).push(
    ...addrs.map((address) => ({
      from: "exchangeEcology",
      address,
      amount: (1000n * WEI_PER_LVO).toString(),
    })),
  );
  const genesisFile = join(dir, "genesis.json");
  writeFileSync(genesisFile, JSON.stringify(g));
  const keyFile = join(dir, "delegate.key");
  writeFileSync(keyFile, toHex(devnetDelegateKey(0).secretKey), { mode: 0o600 });
  const init = spawnSync(process.execPath, [
    LVO_BIN,
    "init",
    "--genesis",
    genesisFile,
    "--datadir",
    join(dir, "data"),
  ]);
  if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);

  console.log(`signature backend: ${secpBackend}`);
  const ecrecover = measureEcrecover(20_000);
  console.log(`raw ecrecover: ${Math.round(ecrecover)} /s (one core)`);

  // Pre-sign every transfer (the client's cost is not the node's).
  const raws: string[] = [];
  const hashes: string[] = [];
  for (let n = 0; n < TXS_PER_ACCOUNT; n++) {
    for (let a = 0; a < ACCOUNTS; a++) {
      const { raw, hash } = signTx(
        {
          type: 2,
          chainId: 1919n,
          nonce: BigInt(n),
          to: addrs[(a + 1) % ACCOUNTS]!,
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
  console.log(`pre-signed ${raws.length} transfers from ${ACCOUNTS} accounts`);

  const node: ChildProcess = spawn(
    process.execPath,
    [
      LVO_BIN,
      "start",
      "--datadir",
      join(dir, "data"),
      "--delegate-key-file",
      keyFile,
      "--rpc-port",
      String(port),
      "--log-level",
      "warn",
      "--log-format",
      "json",
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  try {
    for (let i = 0; ; i++) {
      try {
        await rpc(url, { jsonrpc: "2.0", id: 1, method: "eth_chainId" });
        break;
      } catch {
        if (i > 300) throw new Error("node did not start");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const submitAt = new Map<string, number>();
    const finalAt = new Map<string, number>();
    let rejected = 0;
    const started = performance.now();
    const deadline = started + TIME_LIMIT_MS;

    // Follow finality: every newly finalized block's transactions get their final time.
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

    // Submit in JSON-RPC batches over a few connections, nonce order preserved per account.
    let next = 0;
    const submitters = Array.from({ length: CONNECTIONS }, async () => {
      while (next < raws.length && performance.now() < deadline) {
        const from = next;
        next = Math.min(raws.length, next + BATCH);
        const batch = [];
        const t = performance.now();
        for (let i = from; i < next; i++) {
          batch.push({ jsonrpc: "2.0", id: i, method: "eth_sendRawTransaction", params: [raws[i]] });
          submitAt.set(hashes[i]!, t);
        }
        const res = (await rpc(url, batch)) as Array<{ error?: { message: string } }>;
        if (!Array.isArray(res)) throw new Error(`batch refused: ${JSON.stringify(res)}`);
        for (const r of res) {
          if (r.error) {
            if (rejected++ === 0) console.log(`first rejection: ${r.error.message}`);
          }
        }
      }
    });
    await Promise.all(submitters);
    const submitMs = performance.now() - started;
    await follower;
    const endMs = Math.max(...finalAt.values()) - started;

    const lat = [...finalAt.entries()].map(([h, t]) => t - (submitAt.get(h) ?? t)).sort((a, b) => a - b);
    const tps = finalAt.size / (endMs / 1000);
    const rss = peakRssMb(node.pid!);
    console.log(`submitted ${raws.length} in ${(submitMs / 1000).toFixed(2)} s (${rejected} rejected)`);
    console.log(`finalized ${finalAt.size} transfers in ${(endMs / 1000).toFixed(2)} s`);
    console.log(`finalized transfers/s: ${Math.round(tps)}  (target >= 2000)`);
    console.log(
      `submit-to-final latency: p50 ${Math.round(percentile(lat, 50))} ms, p99 ${Math.round(percentile(lat, 99))} ms`,
    );
    console.log(`node peak RSS: ${rss.toFixed(0)} MB`);
    console.log(`ratio finalized transfers/s to raw ecrecover/s: ${(tps / ecrecover).toFixed(3)}`);
  } finally {
    node.kill("SIGTERM");
  }
}

await main();
