// Scenario clock-skew: one delegate at a time runs with its clock moved by the node's injected
// clock (the CLI's LVO_TEST_CLOCK_OFFSET_FILE test hook, re-read every 100 ms): jumps ahead and
// behind from under a slot to minutes, and flips between ahead and behind. A clock ahead makes
// it sign blocks for slots that have not started: the others must refuse them with a logged
// reason. A clock behind makes it refuse everyone's blocks. Either way the other three keep
// finalizing, no key signs twice, and once its clock is right again it rejoins.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DevnetMember } from "../../../test/e2e/helpers/devnet-process.ts";
import { type Check, check, type ScenarioOptions, type ScenarioResult } from "../types.ts";
import { FaultCluster, REJOIN_BOUND_MS, sleep } from "./cluster.ts";

const INTERVAL_MS = 1000;

/** One skew phase: delegate index, offsets applied in turn (a flip has several), hold per offset. */
interface Phase {
  who: number;
  offsets: number[];
  holdMs: number;
}

const FULL: Phase[] = [
  { who: 0, offsets: [700], holdMs: 8_000 },
  { who: 1, offsets: [-700], holdMs: 8_000 },
  { who: 2, offsets: [3_000], holdMs: 8_000 },
  { who: 3, offsets: [-3_000], holdMs: 8_000 },
  { who: 0, offsets: [10_000], holdMs: 10_000 },
  { who: 1, offsets: [-10_000], holdMs: 10_000 },
  { who: 2, offsets: [60_000], holdMs: 10_000 },
  { who: 3, offsets: [-60_000], holdMs: 10_000 },
  { who: 0, offsets: [180_000], holdMs: 10_000 },
  { who: 1, offsets: [-180_000], holdMs: 10_000 },
  { who: 2, offsets: [30_000, -30_000, 30_000, -30_000, 30_000, -30_000], holdMs: 3_000 },
  { who: 3, offsets: [5_000, -5_000, 5_000, -5_000, 5_000, -5_000], holdMs: 3_000 },
];
const SHORT: Phase[] = [
  { who: 1, offsets: [5_000], holdMs: 8_000 },
  { who: 2, offsets: [-60_000, 60_000], holdMs: 5_000 },
];

/** Total "far-future block refused" lines (gossip and sync) in the logs of `members`. */
function farFuture(members: DevnetMember[]): number {
  return members.reduce(
    (n, m) =>
      n +
      m.logEntries("far-future block refused").length +
      m.logEntries("far-future block refused in sync").length,
    0,
  );
}

/**
 * Blocks `m` logged as produced for a slot that, by the machine's clock at the time of the log
 * line, started more than one slot later: the early blocks a clock ahead makes it sign.
 */
function earlyBlocks(m: DevnetMember, genesisTime: number): number {
  return m
    .logEntries("block produced")
    .filter((e) => genesisTime + Number(e.slot) * INTERVAL_MS > Number(e.time) + INTERVAL_MS).length;
}

const fmt = (ms: number) => (Math.abs(ms) >= 1000 ? `${ms / 1000} s` : `${ms} ms`);

export async function run(o: ScenarioOptions): Promise<ScenarioResult> {
  const log = o.log ?? (() => undefined);
  const phases = o.scale === "full" ? FULL : SHORT;
  const files = new Map<DevnetMember, string>();
  const c = await FaultCluster.start({
    delegates: 4,
    params: { blockIntervalMs: INTERVAL_MS },
    rate: o.scale === "full" ? 30 : 15,
    senders: 8,
    log,
    prepare: (net) => {
      for (const d of net.delegates) {
        const f = join(d.dir, "clock-offset");
        writeFileSync(f, "0");
        d.env.LVO_TEST_CLOCK_OFFSET_FILE = f;
        files.set(d, f);
      }
    },
  });
  try {
    const genesisTime = Date.parse(
      (JSON.parse(readFileSync(join(c.net.root, "genesis.json"), "utf8")) as { genesisTime: string })
        .genesisTime,
    );
    let earlySigned = 0;
    const rows: Array<Array<string | number>> = [];
    const checks: Check[] = [];
    let aheadRejections = 0;
    let aheadPhases = 0;
    const rejoinMs: number[] = [];
    const finalityStalled: string[] = [];
    for (const p of phases) {
      const victim = c.delegates[p.who]!;
      const others = c.net.all.filter((m) => m !== victim);
      const ff0 = farFuture(others);
      const early0 = earlyBlocks(victim, genesisTime);
      const fin0 = await c.lowestFinalized([victim]);
      for (const off of p.offsets) {
        writeFileSync(files.get(victim)!, String(off));
        await sleep(p.holdMs);
      }
      const fin1 = await c.lowestFinalized([victim]);
      const rejected = farFuture(others) - ff0;
      const early = earlyBlocks(victim, genesisTime) - early0;
      writeFileSync(files.get(victim)!, "0");
      const t0 = Date.now();
      let rejoin = -1;
      while (Date.now() - t0 < REJOIN_BOUND_MS) {
        const [mine, top] = await Promise.all([
          victim.heights().catch(() => ({ head: -1, finalized: -1 })),
          c.headOfOthers(victim),
        ]);
        // At the others' head, and on their branch: its finalized block caught up with theirs
        // (a node left on its own branch can be as high as they are).
        if (mine.head >= top - 1 && mine.finalized >= fin1) {
          rejoin = Date.now() - t0;
          break;
        }
        await sleep(100);
      }
      rejoinMs.push(rejoin);
      if (fin1 <= fin0) finalityStalled.push(`${victim.spec.name} ${p.offsets.map(fmt).join("/")}`);
      if (Math.max(...p.offsets) > INTERVAL_MS) {
        aheadPhases++;
        aheadRejections += rejected;
        earlySigned += early;
      }
      rows.push([
        victim.spec.name,
        p.offsets.map((x) => (x > 0 ? `+${fmt(x)}` : `-${fmt(-x)}`)).join(", "),
        p.offsets.length * p.holdMs,
        `${fin0} -> ${fin1}`,
        early,
        rejected,
        rejoin,
      ]);
      log(
        `skew ${victim.spec.name} ${p.offsets.map(fmt).join("/")}: finalized ${fin0} -> ${fin1}, early blocks signed ${early}, far-future refused ${rejected}, rejoined in ${rejoin} ms`,
      );
    }
    checks.push(
      check(
        "far-future blocks refused with a logged reason",
        earlySigned === 0 || aheadRejections > 0,
        `over ${aheadPhases} phases with a clock more than one slot ahead the skewed delegate signed ${earlySigned} blocks for slots more than one slot in the future; ${aheadRejections} "far-future block refused" log lines on the other nodes`,
      ),
    );
    checks.push(
      check(
        "the other three kept finalizing through every skew",
        finalityStalled.length === 0,
        finalityStalled.length
          ? `no progress during: ${finalityStalled.join("; ")}`
          : `${phases.length} phases, progress in each`,
      ),
    );
    const bans = c.net.all.flatMap((m) =>
      m.logEntries("peer banned").map((e) => `${m.spec.name}: ${e.reason}`),
    );
    checks.push(
      check(
        "no node banned a peer for a clock",
        bans.length === 0,
        bans.length
          ? `${bans.length} bans: ${bans.slice(0, 5).join("; ")}`
          : '0 "peer banned" log lines on 5 nodes',
      ),
    );
    checks.push(
      check(
        "a delegate whose clock is right again rejoins the head (height and finalized block)",
        rejoinMs.every((ms) => ms >= 0),
        `${rejoinMs.join(", ")} ms after the clock was reset`,
      ),
    );
    return await c.finish({
      name: "clock-skew",
      title: "Clock skew through the node's injected clock",
      scale: o.scale,
      summary: `4 delegates + 1 RPC node, 1 s slots, transfer load. Each delegate runs with LVO_TEST_CLOCK_OFFSET_FILE (the CLI's clock-offset test hook: the node's clock = the machine's + the file's milliseconds, re-read every 100 ms). ${phases.length} phases, one delegate at a time: its clock jumps ahead or behind by the offsets shown (flips: each offset held in turn), then goes back to 0, and its rejoin is timed. Blocks more than one slot in the future are refused by gossip validation and by sync (logged as "far-future block refused"; [IGNORE], not [REJECT]: either clock may be wrong, and the peer is not scored down for it); a producer whose slot clock runs ahead signs its slots early, and its signing record then keeps it from signing them again when real time gets there.`,
      inputs: phases.reduce((n, p) => n + p.offsets.length, 0),
      inputsLabel: "clock jumps",
      tables: [
        {
          title: "Skew phases",
          columns: [
            "delegate",
            "offsets",
            "held ms",
            "lowest finalized of the others",
            "early blocks signed",
            "far-future blocks refused by the others",
            "rejoin after reset ms",
          ],
          rows,
        },
      ],
      checks,
    });
  } finally {
    for (const f of files.values()) rmSync(f, { force: true });
    await c.cleanup();
  }
}
