// Scenario sigstop: SIGSTOP a delegate just before its turn (blocksPerTurn slots in a row) and
// SIGCONT it after the turn is over. Its timers then fire late, for slots whose time has
// passed: it must not produce them, and no node may hold a block of its for a slot inside the
// window it was stopped. The other three keep finalizing meanwhile; resumed, it rejoins.
import type { DevnetMember } from "../../../test/e2e/helpers/devnet-process.ts";
import { type Check, check, prng, type ScenarioOptions, type ScenarioResult } from "../types.ts";
import { FaultCluster, sleep } from "./cluster.ts";

const SIZES = { full: { pauses: 30, rate: 30 }, short: { pauses: 1, rate: 15 } };
const INTERVAL_MS = 1000;
const BLOCKS_PER_TURN = 3;

interface ScheduledSlot {
  slot: string;
  startMs: string;
  producer: string;
}

/** The first slot of `who`'s next turn that starts at least `leadMs` from now. */
async function nextTurn(
  rpc: DevnetMember,
  who: string,
  leadMs: number,
): Promise<{ slot: number; startMs: number }> {
  const s = await rpc.rpc<{ slots: ScheduledSlot[] }>("lvo_getSchedule", []);
  const slots = s.slots.map((x) => ({
    slot: Number(x.slot),
    startMs: Number(x.startMs),
    producer: x.producer.toLowerCase(),
  }));
  for (let i = 1; i < slots.length; i++) {
    const cur = slots[i]!;
    if (cur.producer === who && slots[i - 1]!.producer !== who && cur.startMs - Date.now() >= leadMs)
      return { slot: cur.slot, startMs: cur.startMs };
  }
  throw new Error(`no turn of ${who} in the schedule ahead`);
}

/**
 * Blocks of `who` on `m`'s canonical chain whose slot is in [from, to]. The slot comes from the
 * timestamp (whole seconds in Ethereum JSON: exact with 1 s slots and a whole-second genesis).
 */
async function blocksOfIn(
  m: DevnetMember,
  who: string,
  from: number,
  to: number,
  genesisMs: number,
): Promise<number[]> {
  const { head } = await m.heights();
  const out: number[] = [];
  // Walk down from the head until below the window (slots only grow with height).
  for (let h = head; h > 0; h--) {
    const b = await m.rpc<{ miner: string; timestamp: string } | null>("eth_getBlockByNumber", [
      `0x${h.toString(16)}`,
      false,
    ]);
    if (!b) continue;
    const slot = (Number(b.timestamp) * 1000 - genesisMs) / INTERVAL_MS;
    if (slot < from) break;
    if (slot <= to && b.miner.toLowerCase() === who) out.push(h);
  }
  return out;
}

export async function run(o: ScenarioOptions): Promise<ScenarioResult> {
  const log = o.log ?? (() => undefined);
  const size = SIZES[o.scale];
  const seed = 0x5157;
  const rnd = prng(seed);
  const c = await FaultCluster.start({
    delegates: 4,
    params: { blockIntervalMs: INTERVAL_MS, blocksPerTurn: BLOCKS_PER_TURN },
    rate: size.rate,
    senders: 8,
    log,
  });
  try {
    const genesisMs =
      Number(
        (await c.net.rpcNode.rpc<{ timestamp: string }>("eth_getBlockByNumber", ["0x0", false])).timestamp,
      ) * 1000;
    const slotAt = (ms: number) => Math.floor((ms - genesisMs) / INTERVAL_MS);
    const rows: Array<Array<string | number>> = [];
    const checks: Check[] = [];
    let producedInWindow = 0;
    let skippedLogged = 0;
    const resumeMs: number[] = [];
    for (let i = 0; i < size.pauses; i++) {
      const victim = c.delegates[rnd.int(c.delegates.length)]!;
      const who = victim.delegateAddress!.toLowerCase();
      const skippedBefore = victim.logEntries("slot passed before production started; skipped").length;
      const turn = await nextTurn(c.net.rpcNode, who, 1_500);
      // Stop it shortly before its turn; resume it after the turn plus 2-4 slots of the others.
      await sleep(Math.max(0, turn.startMs - 400 - Date.now()));
      const stoppedAt = Date.now();
      victim.pause();
      const fin0 = await c.lowestFinalized([victim]).catch(() => -1);
      const until = turn.startMs + (BLOCKS_PER_TURN + 2 + rnd.int(3)) * INTERVAL_MS + 200;
      await sleep(Math.max(0, until - Date.now()));
      const finDuring = await c.lowestFinalized([victim]).catch(() => -1);
      victim.resume();
      const resumedAt = Date.now();
      // Rejoined: its head within one block of the others'.
      let rejoinMs = -1;
      for (let t = 0; t < 150; t++) {
        const [mine, others] = await Promise.all([
          victim.heights().then(
            (h) => h.head,
            () => -1,
          ),
          c.headOfOthers(victim),
        ]);
        if (mine >= others - 1) {
          rejoinMs = Date.now() - resumedAt;
          break;
        }
        await sleep(100);
      }
      resumeMs.push(rejoinMs);
      await sleep(2 * INTERVAL_MS);
      const window = { from: slotAt(stoppedAt), to: slotAt(resumedAt) };
      let found = 0;
      for (const m of c.net.all.filter((x) => x.running))
        found += (await blocksOfIn(m, who, window.from, window.to, genesisMs)).length;
      producedInWindow += found;
      const skipped =
        victim.logEntries("slot passed before production started; skipped").length - skippedBefore;
      skippedLogged += skipped;
      rows.push([
        i + 1,
        victim.spec.name,
        `${window.from}-${window.to}`,
        resumedAt - stoppedAt,
        `${fin0} -> ${finDuring}`,
        found,
        skipped,
        rejoinMs,
      ]);
      log(
        `pause ${i + 1}/${size.pauses}: ${victim.spec.name} slots ${window.from}-${window.to}, blocks of its in the window: ${found}, skipped ${skipped}, rejoined in ${rejoinMs} ms`,
      );
    }
    checks.push(
      check(
        "no block of a stopped delegate for a slot that passed while it was stopped",
        producedInWindow === 0,
        `${producedInWindow} such blocks on any node's canonical chain over ${size.pauses} pauses`,
      ),
    );
    checks.push(
      check(
        "finality went on while one delegate of four was stopped",
        rows.every((r) => {
          const [a, b] = String(r[4]).split(" -> ").map(Number);
          return b! > a!;
        }),
        rows.map((r) => r[4]).join(", "),
      ),
    );
    checks.push(
      check(
        "a resumed delegate rejoins the head",
        resumeMs.every((ms) => ms >= 0),
        `after SIGCONT: ${resumeMs.join(", ")} ms`,
      ),
    );
    return await c.finish({
      name: "sigstop",
      title: "SIGSTOP / SIGCONT of a delegate across its own slots",
      scale: o.scale,
      summary: `4 delegates + 1 RPC node, 1 s slots, ${BLOCKS_PER_TURN} slots per turn, ${size.rate} transfers/s to the RPC node. ${size.pauses} times: SIGSTOP a random delegate (seed 0x${seed.toString(16)}) 0.4 s before its turn and SIGCONT it 0.2 s after the turn plus 2-4 more slots (so the others produce while it is stopped); its timers then fire for slots whose time has passed. Checked: no node holds a block of that delegate for a slot inside the window it was stopped, the other three finalize meanwhile, and it rejoins after SIGCONT.`,
      inputs: size.pauses,
      inputsLabel: "SIGSTOP/SIGCONT pauses",
      tables: [
        {
          title: "Pauses",
          columns: [
            "#",
            "delegate",
            "slots while stopped",
            "stopped ms",
            "lowest finalized (stop -> before SIGCONT)",
            "its blocks in the window (all nodes)",
            "late slots it logged as skipped",
            "rejoin after SIGCONT ms",
          ],
          rows,
        },
      ],
      figures: [["late slots skipped by the resumed delegates (log)", String(skippedLogged)]],
      checks,
    });
  } finally {
    await c.cleanup();
  }
}
