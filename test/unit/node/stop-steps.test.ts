// stop() runs every step even when one fails, logs "node stopped", and then throws the first
// failure (the CLI exits 1 with "shutdown failed"). Before, the first failing step (a rejected
// vote chain, in CI) skipped the rest: the ledger was never closed and "node stopped" never
// logged.

import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { startDelegateNode } from "../../helpers/delegate-node.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("node stop", () => {
  it("runs every step when one fails, then throws the first failure", { timeout: 30_000 }, async () => {
    const { dir, node, lines } = await startDelegateNode("lvo-stop-steps-");
    dirs.push(dir);
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
