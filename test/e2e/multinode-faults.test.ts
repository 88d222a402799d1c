import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FinalityMonitor, TestDevnet } from "./helpers/devnet-process.ts";
import { waitFor } from "./helpers/node-process.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Crash and stop faults on 4 delegates + 1 RPC node (real processes, libp2p on 127.0.0.1). */
describe("delegate crashes and stops", () => {
  let net: TestDevnet;
  let monitor: FinalityMonitor;

  beforeAll(async () => {
    net = await TestDevnet.create(4);
    await net.startAll();
    monitor = new FinalityMonitor(net);
    monitor.start();
    await net.waitFinalized(3, 30_000);
  }, 60_000);

  afterAll(async () => {
    await monitor?.stop();
    await net?.stopAll();
  });

  /** Lowest finalized height over the running nodes. */
  async function lowestFinalized(): Promise<number> {
    const hs = await Promise.all(net.all.filter((m) => m.running).map((m) => m.heights()));
    return Math.min(...hs.map((h) => h.finalized));
  }

  it("kill -9 of one delegate of 4: finality goes on; restarted, it catches up and produces again", async () => {
    const victim = net.delegates[2]!;
    const address = victim.delegateAddress!.toLowerCase();
    await victim.kill9();
    const killedAt = Date.now();
    const fin0 = await lowestFinalized();
    // 3 of 4 is more than 2/3: production and finality go on.
    await net.waitFinalized(fin0 + 4, 25_000);
    console.log(`3 of 4: finalized ${fin0} -> ${fin0 + 4}+ in ${Date.now() - killedAt} ms`);

    const startedAt = Date.now();
    await victim.start();
    const restartHead = (await net.rpcNode.heights()).head;
    // It reopened its own (older) chain: what it holds at start-up is behind the others.
    const opened = victim.logEntries("chain opened").at(-1);
    const ownHead = Number(opened?.head);
    expect(ownHead).toBeLessThan(restartHead - 1);
    // Catch-up: the restarted node's head reaches the RPC node's head of the same moment.
    await waitFor(
      async () => {
        const [mine, theirs] = await Promise.all([victim.heights(), net.rpcNode.heights()]);
        return mine.head >= theirs.head - 1;
      },
      30_000,
      "restarted delegate catches up",
    );
    console.log(
      `restarted delegate caught up from ${ownHead} to ${restartHead}+ in ${Date.now() - startedAt} ms (incl. process start)`,
    );

    // It produces again: a block above the restart height with it as miner, on the RPC node.
    const produced = await waitFor(
      async () => {
        const head = (await net.rpcNode.heights()).head;
        for (let h = restartHead + 1; h <= head; h++)
          if ((await net.rpcNode.minerAt(h)) === address) return h;
        return null;
      },
      60_000,
      "a block by the restarted delegate",
    );
    console.log(`restarted delegate produced block ${produced}, ${Date.now() - startedAt} ms after restart`);
    // And it follows finality again.
    await net.waitFinalized(produced, 20_000);

    await monitor.sample();
    const { finalized } = await net.checkAgreement();
    expect(finalized).toBeGreaterThanOrEqual(produced);
    monitor.assertClean();
  }, 90_000);

  it("two of four delegates down: finality stops, nothing conflicts; back up: finality resumes", async () => {
    const [a, b] = [net.delegates[1]!, net.delegates[3]!];
    await Promise.all([a.stop(), b.kill9()]);
    const downAt = Date.now();
    // Votes in flight when they went down may still land: let them settle first.
    await sleep(3000);
    const running = net.all.filter((m) => m.running);
    const before = await Promise.all(running.map((m) => m.heights()));
    await sleep(7000);
    const after = await Promise.all(running.map((m) => m.heights()));
    running.forEach((m, i) => {
      expect(after[i]!.finalized, `${m.spec.name} finalized while 2 of 4 were down`).toBe(
        before[i]!.finalized,
      );
    });
    // The two left keep producing in their slots (no finality needed for that).
    expect(Math.max(...after.map((h) => h.head))).toBeGreaterThan(Math.max(...before.map((h) => h.head)));
    const stalled = Math.max(...after.map((h) => h.finalized));
    console.log(
      `2 of 4 down for ${Date.now() - downAt} ms: finalized stuck at ${stalled}, heads ${before
        .map((h) => h.head)
        .join(",")} -> ${after.map((h) => h.head).join(",")}`,
    );
    monitor.assertClean();

    const backAt = Date.now();
    await Promise.all([a.start(), b.start()]);
    await net.waitFinalized(stalled + 2, 45_000);
    console.log(`finality resumed on all nodes ${Date.now() - backAt} ms after restarting both`);

    await monitor.stop();
    await monitor.sample();
    await monitor.checkCanonical();
    const { finalized } = await net.checkAgreement();
    expect(finalized).toBeGreaterThan(stalled);
    monitor.assertClean();
  }, 90_000);
});
