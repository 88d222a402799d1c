// stop() runs every step even when one fails, logs "node stopped", and then throws the first
// failure (the CLI exits 1 with "shutdown failed"). Before, the first failing step (a rejected
// vote chain, in CI) skipped the rest: the ledger was never closed and "node stopped" never
// logged.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import { initChain, LvoNode } from "../../../src/node/node.ts";
import { DEFAULT_NODE_OPTIONS } from "../../../src/node/options.ts";
import { silentLogger } from "../../../src/util/log.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("node stop", () => {
  it("runs every step when one fails, then throws the first failure", { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lvo-stop-steps-"));
    dirs.push(dir);
    const genesis = devnetGenesis(1, Date.now(), { blockIntervalMs: 500 }, { contracts: false });
    await initChain(dir, genesis, silentLogger());
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const node = new LvoNode(
      {
        ...DEFAULT_NODE_OPTIONS,
        dataDir: dir,
        delegateKey: devnetDelegateKey(0).secretKey,
        rpc: null,
        p2p: null,
      },
      { log },
    );
    await node.start();
    while (node.chain!.head.header.height < 2) await new Promise((r) => setTimeout(r, 100));
    // The producer's stop fails; the ledger must still be closed after it.
    const inner = node as unknown as {
      producer: { stop: () => Promise<void> };
      store: { close: () => Promise<void> };
    };
    const producerStop = inner.producer.stop.bind(inner.producer);
    inner.producer.stop = async () => {
      await producerStop();
      throw new Error("producer stop failed");
    };
    const store = inner.store;
    let closed = false;
    const close = store.close.bind(store);
    store.close = async () => {
      await close();
      closed = true;
    };
    await expect(node.stop()).rejects.toThrow("producer stop failed");
    expect(closed).toBe(true);
    const failed = lines.filter((l) => l.msg === "stop step failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ step: "producer", err: "producer stop failed" });
    expect(lines.findIndex((l) => l.msg === "node stopped")).toBeGreaterThan(lines.indexOf(failed[0]!));
  });
});
