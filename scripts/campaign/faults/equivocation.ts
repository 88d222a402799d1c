// Scenario equivocation: one delegate key in two processes (1 of 4 byzantine, below 1/3): the
// conflicting blocks and votes must become evidence, be punished exactly once per offence, and
// safety must hold (every checker passes). Then a negative control past 1/3: two of four keys
// each run in two processes, split in two groups that never meet; both groups have three
// signers, so both finalize, on different branches — the checkers must catch it. A checker that
// stayed green here would be worthless.
import { DEVNET_PARAMS } from "../../../src/genesis/params.ts";
import { type DevnetMember, FinalityMonitor, TestDevnet } from "../../../test/e2e/helpers/devnet-process.ts";
import { type Check, check, type ScenarioOptions, type ScenarioResult } from "../types.ts";
import { checkFinality, doubleSignatures } from "./checkers.ts";
import { FaultCluster, sleep } from "./cluster.ts";

const SIZES = {
  full: { honestMs: 90_000, controlMs: 30_000, rate: 30 },
  short: { honestMs: 20_000, controlMs: 10_000, rate: 20 },
};
const SELF_STAKE = DEVNET_PARAMS.minSelfStake * 10n;

/** Self-stake after `k` slashes, each of slashFractionBps of what is left. */
function afterSlashes(k: number): bigint {
  let s = SELF_STAKE;
  for (let i = 0; i < k; i++) s -= (s * BigInt(DEVNET_PARAMS.slashFractionBps)) / 10_000n;
  return s;
}

/** A candidate as lvo_getDelegates shows it at `tag`. */
async function candidate(
  rpc: DevnetMember,
  who: string,
  tag: string,
): Promise<{ selfStake: bigint; jailed: boolean }> {
  const d = await rpc.rpc<{ candidates: Array<{ address: string; selfStake: string; jailed: boolean }> }>(
    "lvo_getDelegates",
    [tag],
  );
  const c = d.candidates.find((x) => x.address.toLowerCase() === who);
  if (!c) throw new Error(`${who} is not a candidate`);
  return { selfStake: BigInt(c.selfStake), jailed: c.jailed };
}

/** Replace a member's bootstrap peers (none: no --bootstrap flag at all). */
function setBootstrap(m: DevnetMember, addrs: string[]): void {
  const i = m.args.indexOf("--bootstrap");
  if (i < 0) throw new Error(`${m.spec.name} has no --bootstrap`);
  let j = i + 1;
  while (j < m.args.length && !m.args[j]!.startsWith("--")) j++;
  if (addrs.length === 0) m.args.splice(i, j - i);
  else m.args.splice(i + 1, j - i - 1, ...addrs);
}

async function honestMajority(o: ScenarioOptions, size: (typeof SIZES)["full"]) {
  const log = o.log ?? (() => undefined);
  let dup: DevnetMember | null = null;
  const c = await FaultCluster.start({
    delegates: 4,
    rate: size.rate,
    senders: 8,
    log,
    // Same key and chain; only its block size cap differs, so with transactions pending the
    // two processes sign different blocks for delegate-1's slots (signatures are deterministic).
    prepare: (net) => {
      dup = net.addDuplicate(net.delegates[1]!, ["--max-txs-per-block", "1"]);
    },
  });
  const twin = dup as unknown as DevnetMember;
  const who = c.delegates[1]!.delegateAddress!.toLowerCase();
  try {
    const t0 = Date.now();
    let firstMs = -1;
    while (Date.now() - t0 < size.honestMs) {
      await sleep(1_000);
      if (firstMs < 0 && doubleSignatures(c.net.all).offences.size > 0) firstMs = Date.now() - t0;
    }
    await twin.stop();
    // Every offence any node saw is punished exactly once in the finalized state.
    let k = 0;
    let punished = false;
    const until = Date.now() + 40_000;
    while (Date.now() < until) {
      k = doubleSignatures(c.net.all).offences.size;
      const cand = await candidate(c.net.rpcNode, who, "finalized").catch(() => null);
      if (cand && cand.selfStake === afterSlashes(k) && (k === 0 || cand.jailed)) {
        punished = true;
        break;
      }
      await sleep(1_000);
    }
    const fin = await c.lowestFinalized();
    await c.net.waitFinalized(fin + 4, 30_000).catch(() => undefined);
    const kAfter = doubleSignatures(c.net.all).offences.size;
    const after = await candidate(c.net.rpcNode, who, "finalized");
    const checks: Check[] = [
      check("the double signing was detected", k > 0, `${k} distinct offences (double blocks and votes)`),
      check(
        "one slash per offence, jailed",
        punished && kAfter === k && after.selfStake === afterSlashes(k) && after.jailed,
        `self-stake ${SELF_STAKE / 10n ** 18n} -> ${after.selfStake / 10n ** 18n} LVO after ${k} offences (expected ${afterSlashes(k) / 10n ** 18n}), jailed ${after.jailed}; 4 more finalized blocks added no slash`,
      ),
    ];
    return {
      c,
      figures: [
        ["first offence detected", `${firstMs} ms after the start`],
        ["offences punished", `${k}`],
      ] as Array<[string, string]>,
      checks,
      keepDown: [twin],
    };
  } catch (err) {
    await c.cleanup();
    throw err;
  }
}

/**
 * Two of four keys doubled, in two groups without a link: A = {rpc, delegate-0, -2, -3},
 * B = {delegate-1, delegate-2', delegate-3'}. Each group has three of the four signing keys, so
 * each finalizes its own branch. Returns what the checkers said.
 */
async function negativeControl(o: ScenarioOptions, size: (typeof SIZES)["full"]) {
  const log = o.log ?? (() => undefined);
  const net = await TestDevnet.create(4);
  const [rpc, d0, d1, d2, d3] = [net.rpcNode, ...net.delegates] as DevnetMember[];
  const groupA = [rpc!, d0!, d2!, d3!];
  for (const m of groupA)
    setBootstrap(
      m,
      groupA.filter((x) => x !== m).map((x) => x.p2pAddr!),
    );
  setBootstrap(d1!, []);
  const d2b = net.addDuplicate(d2!);
  const d3b = net.addDuplicate(d3!);
  for (const m of [d2b, d3b]) setBootstrap(m, [d1!.p2pAddr!]);
  const monitor = new FinalityMonitor(net, 500);
  try {
    await Promise.all(net.all.map((m) => m.start()));
    monitor.start();
    await sleep(size.controlMs);
    const fins = await Promise.all(
      net.all.map((m) => m.heights().then((h) => `${m.spec.name} ${h.finalized}`)),
    );
    log(`negative control: finalized ${fins.join(", ")}`);
    await monitor.stop();
    const verdict = await checkFinality(net, monitor);
    return { verdict, fins, violations: monitor.violations.length };
  } finally {
    await monitor.stop();
    await net.stopAll();
    net.cleanup();
  }
}

export async function run(o: ScenarioOptions): Promise<ScenarioResult> {
  const size = SIZES[o.scale];
  const control = await negativeControl(o, size);
  const caught = control.verdict.filter((v) => !v.ok);
  const honest = await honestMajority(o, size);
  try {
    return await honest.c.finish({
      name: "equivocation",
      title: "Double signing: one key in two processes, and a negative control past 1/3",
      scale: o.scale,
      summary: `Part 1, negative control: 4 delegates where delegate-2 and delegate-3 each also run as a second process (2 of 4 keys byzantine, past 1/3), split in two groups that never connect: {rpc, delegate-0, delegate-2, delegate-3} and {delegate-1, delegate-2', delegate-3'}; each group holds three of the four keys, so each finalizes its own branch for ${size.controlMs / 1000} s; the same checkers as everywhere else must flag it. Part 2: 4 delegates + 1 RPC node with delegate-1's key also in a second process (copy of its data directory, its own empty signing record, a 1-transaction block cap so it signs different blocks), ${size.rate} transfers/s, ${size.honestMs / 1000} s; then the copy is stopped and every checker runs (1 of 4 byzantine: safety must hold).`,
      inputs: 3,
      inputsLabel: "doubled keys (1 honest-majority run, 2 in the control)",
      figures: [
        ["negative control: finalized heights per process", control.fins.join(", ")],
        ...honest.figures,
      ],
      checks: [
        check(
          "negative control: the checkers catch conflicting finality past 1/3 byzantine",
          caught.length > 0 && control.violations > 0,
          caught.length
            ? `${control.violations} violations seen by the finality monitor; failed checkers: ${caught.map((v) => `${v.name} (${v.detail.slice(0, 160)})`).join("; ")}`
            : "the checkers saw nothing: they are blind",
        ),
        ...honest.checks,
      ],
      expectOffences: true,
      keepDown: honest.keepDown,
    });
  } finally {
    await honest.c.cleanup();
  }
}
