// Metrics and health of an in-process node (real LevelDB, one delegate producing every 500 ms,
// JSON-RPC and the metrics server on loopback ports picked by the OS).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import { readiness } from "../../../src/node/health.ts";
import { initChain, LvoNode } from "../../../src/node/node.ts";
import { DEFAULT_NODE_OPTIONS } from "../../../src/node/options.ts";
import { silentLogger } from "../../../src/util/log.ts";

const log = silentLogger();
let dir: string;
let node: LvoNode;
let base: string;

async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  const a = node.rpcAddress!;
  const res = await fetch(`http://${a.host}:${a.port}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return res.json();
}

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lvo-metrics-"));
  await initChain(dir, devnetGenesis(1, Date.now(), { blockIntervalMs: 500 }, { contracts: false }), log);
  node = new LvoNode(
    {
      ...DEFAULT_NODE_OPTIONS,
      dataDir: dir,
      delegateKey: devnetDelegateKey(0).secretKey,
      rpc: { host: "127.0.0.1", port: 0 },
      p2p: null,
      metrics: { host: "127.0.0.1", port: 0 },
    },
    { log },
  );
  await node.start();
  base = `http://127.0.0.1:${node.metricsAddress!.port}`;
}, 30_000);

afterAll(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("metrics server", () => {
  it("/metrics: head, finality, mempool, produced blocks, import time and RPC latency by method", async () => {
    await waitUntil(() => (node.chain?.head.header.height ?? 0) >= 3, 15_000, "3 blocks");
    for (let i = 0; i < 3; i++) await rpc("eth_blockNumber");
    await rpc("eth_chainId");
    await rpc("no_suchMethod");
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(sample(text, "lvo_head_height")).toBeGreaterThanOrEqual(3);
    expect(sample(text, "lvo_finalized_height")).toBeGreaterThanOrEqual(0);
    expect(sample(text, "lvo_safe_height")).toBeGreaterThanOrEqual(0);
    expect(sample(text, "lvo_peers")).toBe(0);
    expect(sample(text, 'lvo_mempool_transactions{state="pending"}')).toBe(0);
    expect(sample(text, 'lvo_mempool_transactions{state="queued"}')).toBe(0);
    expect(sample(text, "lvo_delegate_missed_slots")).toBe(0);
    expect(sample(text, `lvo_active_missed_slots{delegate="${node.delegate}"}`)).toBe(0);
    // a lone delegate misses nothing: the counter is declared, with no sample
    expect(text).toMatch(/^# TYPE lvo_missed_slots_total counter$/m);
    expect(text).not.toMatch(/^lvo_missed_slots_total\{/m);
    expect(sample(text, "lvo_blocks_produced_total")).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'lvo_blocks_imported_total{origin="produced"}')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'lvo_block_import_seconds_count{origin="produced"}')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'lvo_rpc_request_seconds_count{method="eth_blockNumber",status="ok"}')).toBe(3);
    expect(sample(text, 'lvo_rpc_request_seconds_count{method="eth_chainId",status="ok"}')).toBe(1);
    expect(sample(text, 'lvo_rpc_request_seconds_count{method="(unknown)",status="error"}')).toBe(1);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    const h1 = sample(text, "lvo_head_height")!;
    await waitUntil(() => (node.chain?.head.header.height ?? 0) > h1, 5_000, "one more block");
    expect(sample(await (await fetch(`${base}/metrics`)).text(), "lvo_head_height")).toBeGreaterThan(h1);
  }, 30_000);

  it("/healthz and /readyz answer 200 on a running node; other paths 404", async () => {
    const h = await fetch(`${base}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ status: "ok" });
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ready: true, reason: null, syncing: null });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(405);
  });
});

describe("readiness rules", () => {
  const ok = {
    phase: "running" as const,
    rpcEnabled: true,
    rpcListening: true,
    syncing: false,
    headHeight: 10,
    headSlot: 10,
    currentSlot: 11,
    maxLagSlots: 4,
  };
  it("ready only when running, RPC listening, not syncing and the head within a round of the clock", () => {
    expect(readiness(ok)).toMatchObject({ ready: true, reason: null, lagSlots: 1 });
    expect(readiness({ ...ok, phase: "starting" }).reason).toBe("starting");
    expect(readiness({ ...ok, phase: "stopping" }).reason).toBe("stopping");
    expect(readiness({ ...ok, rpcListening: false }).reason).toMatch(/json-rpc/);
    expect(readiness({ ...ok, rpcEnabled: false, rpcListening: false }).ready).toBe(true);
    expect(readiness({ ...ok, syncing: true }).reason).toBe("syncing");
    expect(readiness({ ...ok, syncing: null }).ready).toBe(true);
    expect(readiness({ ...ok, currentSlot: 14 }).ready).toBe(true);
    expect(readiness({ ...ok, currentSlot: 15 })).toMatchObject({ ready: false, lagSlots: 5 });
    expect(readiness({ ...ok, currentSlot: -1 }).ready).toBe(true); // before genesis
  });
});
