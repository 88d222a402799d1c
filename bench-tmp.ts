import { randomBytes } from "node:crypto";
import { StateTrie } from "./src/ledger/trie/index.ts";
const n = 1_000_000;
const pool = randomBytes(n * 72);
const entries: [Uint8Array, Uint8Array][] = [];
for (let i = 0; i < n; i++) entries.push([pool.subarray(i * 72, i * 72 + 32), pool.subarray(i * 72 + 32, i * 72 + 72)]);
let trie = StateTrie.fromEntries(entries);
const batches = [];
for (let r = 0; r < 60; r++) { const b: [Uint8Array, Uint8Array][] = []; for (let i = 0; i < 4000; i++) b.push([randomBytes(32), randomBytes(40)]); batches.push(b); }
const s = { post: async (..._a: unknown[]) => ({ profile: { nodes: [], samples: [], timeDeltas: [] } }) } as any;

const c0 = process.cpuUsage();
for (const b of batches) trie = trie.update(b);
const c = process.cpuUsage(c0);
const { profile } = await s.post("Profiler.stop");
console.log("cpu per batch", ((c.user + c.system) / 1000 / 60).toFixed(1));
const nodes = new Map(profile.nodes.map((x: any) => [x.id, x]));
const self = new Map<string, number>();
profile.samples!.forEach((id: number, i: number) => { const cf = (nodes.get(id) as any).callFrame; const k = `${cf.functionName} ${cf.url.split("/").pop()}:${cf.lineNumber}`; self.set(k, (self.get(k) ?? 0) + profile.timeDeltas![i]!); });
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log((v / 1000 / 60).toFixed(2), "ms/batch", k);
