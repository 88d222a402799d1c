// lvo_missed_slots_total: a devnet genesis of two delegates where only delegate 0 runs (real
// LevelDB, real block production every 500 ms, the metrics server on a loopback port), so
// delegate 1 really misses its slots.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Chain } from "../../../src/consensus/chain.ts";
import { roundLength } from "../../../src/dpos/index.ts";
import { devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import { initChain, LvoNode } from "../../../src/node/node.ts";
import { DEFAULT_NODE_OPTIONS } from "../../../src/node/options.ts";
import { silentLogger } from "../../../src/util/log.ts";

const log = silentLogger();
const genesis = devnetGenesis(2, Date.now(), { blockIntervalMs: 500 }, { contracts: false });
const running = devnetDelegateKey(0).address;
const down = devnetDelegateKey(1).address;
let dir: string;
let node: LvoNode;

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

/** Every lvo_missed_slots_total sample, by delegate. */
function missedTotals(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^lvo_missed_slots_total\{delegate="(0x[0-9a-f]{40})"\} (\d+)$/gm))
    out.set(m[1]!, Number(m[2]));
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lvo-missed-"));
  await initChain(dir, genesis, log);
  node = new LvoNode(
    {
      ...DEFAULT_NODE_OPTIONS,
      dataDir: dir,
      delegateKey: devnetDelegateKey(0).secretKey,
      rpc: null,
      p2p: null,
      metrics: { host: "127.0.0.1", port: 0 },
    },
    { log },
  );
  await node.start();
}, 30_000);

afterAll(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("lvo_missed_slots_total", () => {
  it("counts the slots of the delegate that is down, as each imported block's DPoS hook does", async () => {
    const url = `http://127.0.0.1:${node.metricsAddress!.port}/metrics`;
    let text = "";
    const until = Date.now() + 30_000;
    // A few of its turns (not only the first): a machine stall can make the running delegate
    // miss one slot too, and the comparison below needs the down one clearly ahead.
    while (!((missedTotals(text).get(down) ?? 0) >= 2)) {
      if (Date.now() > until) throw new Error(`no missed slot counted for ${down}:\n${text}`);
      await new Promise((r) => setTimeout(r, 200));
      text = await (await fetch(url)).text();
    }
    expect(text).toMatch(/^# TYPE lvo_missed_slots_total counter$/m);
    // the consecutive-miss gauge agrees that delegate 1 is missing its turns
    expect(sample(text, `lvo_active_missed_slots{delegate="${down}"}`)).toBeGreaterThan(0);

    // Stop production, then recount from the blocks: each gap between consecutive slots shorter
    // than a round is made of missed slots (countMissed ignores a whole-round halt).
    const chain = node.chain as Chain;
    await node.stop();
    const totals = missedTotals(await node.metrics!.text());
    let expected = 0;
    let prev = 0;
    for (let h = 1; h <= chain.head.header.height; h++) {
      const slot = (await chain.blockAt(h))!.header.slot;
      const gap = slot - prev - 1;
      if (gap < roundLength(genesis.params)) expected += gap;
      prev = slot;
    }
    expect(expected).toBeGreaterThan(0);
    expect([...totals.values()].reduce((a, b) => a + b, 0)).toBe(expected);
    expect(totals.get(down)).toBeGreaterThan(0);
    // the running delegate's own slots are produced (unless the machine stalled a whole slot)
    expect(totals.get(running) ?? 0).toBeLessThan(totals.get(down)!);
  }, 60_000);
});
