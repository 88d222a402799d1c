// State trie timings: bulk build (node start-up), block-sized update batches, memory held by the
// recent versions a node keeps. Usage: node --expose-gc scripts/bench-trie.ts [keys] [batch]
import { randomBytes } from "node:crypto";
import { StateTrie, verifyProof } from "../src/ledger/trie/index.ts";

const n = Number(process.argv[2] ?? 1_000_000);
const batchSize = Number(process.argv[3] ?? 4000);
const VERSIONS = 128;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const heap0 = heapMb();
let entries: [Uint8Array, Uint8Array][] | null = [];
{
  const pool = randomBytes(n * 72);
  for (let i = 0; i < n; i++) {
    entries.push([pool.subarray(i * 72, i * 72 + 32), pool.subarray(i * 72 + 32, i * 72 + 72)]);
  }
}
const existing = entries.slice(0, 100_000).map(([k]) => new Uint8Array(k));
let t0 = performance.now();
const buildCpu0 = process.cpuUsage();
let trie = StateTrie.fromEntries(entries);
const buildCpu = process.cpuUsage(buildCpu0);
console.log(
  `fromEntries ${n} keys (32 B keys, 40 B values): ${(performance.now() - t0).toFixed(0)} ms ` +
    `(process CPU ${((buildCpu.user + buildCpu.system) / 1000).toFixed(0)} ms)`,
);
entries = null;
const heap1 = heapMb();
console.log(`heap held by one ${n}-key version: ${(heap1 - heap0).toFixed(0)} MB`);

// Half overwrites of existing keys, half new keys, like a busy block. Keep VERSIONS versions alive.
const kept: StateTrie[] = [trie];
const times: number[] = [];
// CPU time too: on a loaded machine wall time includes waiting for a core.
const cpuTimes: number[] = [];
for (let round = 0; round < VERSIONS; round++) {
  const batch: [Uint8Array, Uint8Array | null][] = [];
  for (let i = 0; i < batchSize / 2; i++) {
    batch.push([existing[Math.floor(Math.random() * existing.length)]!, randomBytes(40)]);
    batch.push([randomBytes(32), randomBytes(40)]);
  }
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  trie = trie.update(batch);
  times.push(performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  cpuTimes.push((cpu.user + cpu.system) / 1000);
  kept.push(trie);
}
const heap2 = heapMb();
times.sort((a, b) => a - b);
const pct = (p: number) => times[Math.floor((times.length - 1) * p)]!.toFixed(1);
console.log(
  `update ${batchSize} keys on ~${n} keys: median ${pct(0.5)} ms, p90 ${pct(0.9)} ms, ` +
    `max ${pct(1)} ms (${VERSIONS} batches)`,
);
cpuTimes.sort((a, b) => a - b);
console.log(`  process CPU time per batch: median ${cpuTimes[cpuTimes.length >> 1]!.toFixed(1)} ms`);
console.log(
  `heap held by ${VERSIONS} more versions: ${(heap2 - heap1).toFixed(0)} MB (${kept.length} alive)`,
);

const key = existing[0]!;
t0 = performance.now();
for (let i = 0; i < 100_000; i++) trie.get(existing[i]!);
console.log(`get: ${((performance.now() - t0) / 100).toFixed(1)} µs`);
t0 = performance.now();
const proof = trie.prove(key);
for (let i = 0; i < 1000; i++) verifyProof(trie.root, key, proof);
console.log(
  `verifyProof (noble, ${proof.siblings.length} siblings): ${(performance.now() - t0).toFixed(0)} µs`,
);
