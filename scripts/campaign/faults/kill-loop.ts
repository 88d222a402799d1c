// Scenario kill-loop: under transfer load, kill -9 a random delegate every few seconds and start
// it again, many times. One delegate of four down at a time keeps more than 2/3 up, so finality
// must go on throughout; every restart must rejoin the head; afterwards every checker runs.
import { check, prng, type ScenarioOptions, type ScenarioResult } from "../types.ts";
import { FaultCluster, sleep } from "./cluster.ts";

const SIZES = { full: { kills: 200, rate: 40 }, short: { kills: 4, rate: 20 } };

export async function run(o: ScenarioOptions): Promise<ScenarioResult> {
  const log = o.log ?? (() => undefined);
  const size = SIZES[o.scale];
  const seed = 0x6b696c6c;
  const rnd = prng(seed);
  const c = await FaultCluster.start({ delegates: 4, rate: size.rate, senders: 8, log });
  try {
    const fin0 = await c.lowestFinalized();
    const medFin0 = await c.medianFinalized();
    let longestStall = 0;
    let lastFin = fin0;
    let lastFinAt = Date.now();
    const downMs: number[] = [];
    for (let i = 0; i < size.kills; i++) {
      const victim = c.delegates[rnd.int(c.delegates.length)]!;
      await victim.kill9();
      const down = 300 + rnd.int(2_700);
      downMs.push(down);
      await sleep(down);
      await c.restart(victim);
      await sleep(500 + rnd.int(1_500));
      const fin = await c.lowestFinalized().catch(() => lastFin);
      if (fin > lastFin) {
        lastFin = fin;
        lastFinAt = Date.now();
      } else longestStall = Math.max(longestStall, Date.now() - lastFinAt);
      if ((i + 1) % 10 === 0 || i === size.kills - 1)
        log(`kill ${i + 1}/${size.kills}: finalized ${fin}, rejoin ${c.rejoins.at(-1)?.ms} ms`);
    }
    const fin1 = await c.lowestFinalized();
    // The network's finality, not the straggler's: the node restarted last may still be taking
    // in the certificates of the blocks it synced (its rejoin is checked on its own).
    const med0 = medFin0;
    const med1 = await c.medianFinalized();
    const elapsed = (Date.now() - c.startedAt) / 1000;
    const perVictim = new Map<string, number>();
    for (const r of c.rejoins) perVictim.set(r.node, (perVictim.get(r.node) ?? 0) + 1);
    return await c.finish({
      name: "kill-loop",
      title: "kill -9 of a random delegate, in a loop, under load",
      scale: o.scale,
      summary: `4 delegates + 1 RPC node (1 s blocks), ${size.rate} transfers/s to the RPC node from 8 senders. ${size.kills} times: kill -9 a random delegate (seed 0x${seed.toString(16)}), keep it down 0.3-3 s, start it again and time its rejoin, then wait 0.5-2 s. One node of four down at a time, so more than 2/3 of the delegates are always up: finality must go on.`,
      inputs: size.kills,
      tables: [
        {
          title: "Kills per delegate",
          columns: ["delegate", "kills"],
          rows: [...perVictim.entries()].sort().map(([k, v]) => [k, v]),
        },
      ],
      figures: [
        ["faults", `${size.kills} kill -9, down ${Math.min(...downMs)}-${Math.max(...downMs)} ms each`],
        [
          "finality during the loop",
          `median finalized over the running nodes ${med0} -> ${med1}, lowest ${fin0} -> ${fin1}, over ${elapsed.toFixed(0)} s`,
        ],
        ["longest time with no finality progress (sampled between kills)", `${longestStall} ms`],
      ],
      checks: [
        check(
          "finality went on during the loop (median finalized height advanced by more than the number of kills)",
          med1 > med0 + size.kills,
          `${med0} -> ${med1} (lowest ${fin0} -> ${fin1})`,
        ),
      ],
    });
  } finally {
    await c.cleanup();
  }
}
