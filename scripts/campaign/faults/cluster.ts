// A devnet of real `lvo start` processes for one fault scenario: N delegates + 1 RPC node, a
// finality monitor sampling every node from the start, optional transfer load, helpers to crash
// and restart members while timing how long they take to rejoin the head, and `finish`, which
// runs every checker and turns it all into a ScenarioResult.
import type { ChainParams } from "../../../src/genesis/types.ts";
import {
  type DevnetMember,
  type DevnetPlacement,
  FinalityMonitor,
  TestDevnet,
} from "../../../test/e2e/helpers/devnet-process.ts";
import { type Check, check, type Scale, type ScenarioResult } from "../types.ts";
import { checkFinality, checkFinalTxs, checkReplays, doubleSignatures, errorLines } from "./checkers.ts";
import { TransferLoad } from "./load.ts";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rejoin bound stated in the report: a restarted node is at the head within this time. */
export const REJOIN_BOUND_MS = 30_000;

export interface ClusterOptions {
  delegates?: number;
  params?: Partial<ChainParams>;
  placement?: DevnetPlacement;
  /** Transfers per second to the RPC node (0: no load). */
  rate?: number;
  senders?: number;
  log?: (line: string) => void;
  /** Called after the devnet is created and before anything starts (e.g. to add duplicates). */
  prepare?: (net: TestDevnet) => void;
  /** Bound for each node's first start-up (JSON-RPC up); default 30 s. */
  startTimeoutMs?: number;
}

/** One restart: how long from `lvo start` until the node's head reached the others'. */
export interface Rejoin {
  node: string;
  ms: number;
  ok: boolean;
}

export class FaultCluster {
  readonly net: TestDevnet;
  readonly monitor: FinalityMonitor;
  readonly load: TransferLoad | null;
  readonly rejoins: Rejoin[] = [];
  readonly startedAt = Date.now();
  private readonly log: (line: string) => void;

  private constructor(net: TestDevnet, load: TransferLoad | null, log: (l: string) => void) {
    this.net = net;
    this.monitor = new FinalityMonitor(net, 500);
    this.load = load;
    this.log = log;
  }

  /** Create, start every node, wait for the first finalized blocks, then start load and watching. */
  static async start(o: ClusterOptions = {}): Promise<FaultCluster> {
    const net = await TestDevnet.create(o.delegates ?? 4, o.params ?? {}, o.placement ?? {});
    const rate = o.rate ?? 0;
    const load =
      rate > 0 ? new TransferLoad({ url: () => net.rpcNode.url, rate, senders: o.senders ?? 8 }) : null;
    const c = new FaultCluster(net, load, o.log ?? (() => undefined));
    try {
      o.prepare?.(net);
      await Promise.all(net.all.map((m) => m.start(o.startTimeoutMs)));
      c.monitor.start();
      await net.waitFinalized(2, 60_000);
    } catch (err) {
      // No cluster for the caller to clean up: stop what started and remove the directories.
      await c.cleanup();
      throw err;
    }
    load?.start();
    return c;
  }

  get delegates(): DevnetMember[] {
    return this.net.delegates;
  }

  /** Highest head among running members other than `except`. */
  async headOfOthers(except?: DevnetMember): Promise<number> {
    const hs = await Promise.all(
      this.net.all
        .filter((m) => m !== except && m.running)
        .map((m) =>
          m.heights().then(
            (h) => h.head,
            () => -1,
          ),
        ),
    );
    return Math.max(-1, ...hs);
  }

  /**
   * Start a stopped member and time its rejoin: from the spawn until its head is within one
   * block of the highest head among the others (checked against their head at that moment).
   */
  async restart(m: DevnetMember, boundMs = REJOIN_BOUND_MS): Promise<Rejoin> {
    const t0 = Date.now();
    let r: Rejoin;
    try {
      await m.start(boundMs);
      for (;;) {
        const [mine, others] = await Promise.all([
          m.heights().then(
            (h) => h.head,
            () => -1,
          ),
          this.headOfOthers(m),
        ]);
        if (mine >= others - 1) {
          r = { node: m.spec.name, ms: Date.now() - t0, ok: true };
          break;
        }
        if (Date.now() - t0 > boundMs) {
          r = { node: m.spec.name, ms: Date.now() - t0, ok: false };
          break;
        }
        await sleep(100);
      }
    } catch (err) {
      this.log(`restart of ${m.spec.name} failed: ${(err as Error).message}`);
      r = { node: m.spec.name, ms: Date.now() - t0, ok: false };
    }
    this.rejoins.push(r);
    return r;
  }

  /** Lowest finalized height over running members (but `except`, e.g. a stopped one). */
  async lowestFinalized(except: DevnetMember[] = []): Promise<number> {
    const hs = await Promise.all(
      this.net.all.filter((m) => m.running && !except.includes(m)).map((m) => m.heights()),
    );
    return Math.min(...hs.map((h) => h.finalized));
  }

  /** Median finalized height over running members (the network's, robust to one straggler). */
  async medianFinalized(): Promise<number> {
    const hs = await Promise.all(this.net.all.filter((m) => m.running).map((m) => m.heights()));
    const fins = hs.map((h) => h.finalized).sort((a, b) => a - b);
    return fins[fins.length >> 1]!;
  }

  /** Wait until finality advanced by `blocks` on every running node (after faults: liveness). */
  async waitProgress(blocks: number, timeoutMs: number): Promise<number> {
    const t0 = Date.now();
    const from = await this.lowestFinalized();
    await this.net.waitFinalized(from + blocks, timeoutMs);
    return Date.now() - t0;
  }

  /**
   * Every checker, then stop every process and replay each node's block log. `extra` checks
   * and tables come from the scenario. Offences must be 0 unless `expectOffences`.
   */
  async finish(o: {
    name: string;
    title: string;
    scale: Scale;
    summary: string;
    inputs: number;
    inputsLabel?: string;
    tables?: ScenarioResult["tables"];
    figures?: ScenarioResult["figures"];
    checks?: Check[];
    findings?: string[];
    expectOffences?: boolean;
    /** Members not to replay (e.g. a deliberately broken copy). */
    skipReplay?: DevnetMember[];
    /** Stopped members not to start again before the checks (they are still replayed). */
    keepDown?: DevnetMember[];
  }): Promise<ScenarioResult> {
    const checks: Check[] = [...(o.checks ?? [])];
    const figures: Array<[string, string]> = [...(o.figures ?? [])];
    const tables = [...(o.tables ?? [])];
    try {
      // Every member back up, so agreement and lost transactions are judged on all of them.
      for (const m of this.net.all)
        if (!m.running && !o.skipReplay?.includes(m) && !o.keepDown?.includes(m)) await this.restart(m);
      if (this.load) {
        await this.load.stop();
        const finals = this.load.finals();
        const { check: lost } = await checkFinalTxs(
          this.net.all.filter((m) => m.running),
          finals,
        );
        checks.push(lost);
        figures.push([
          "load",
          `${this.load.sent} transfers sent, ${this.load.acked.size} acknowledged, ${finals.length} final, ${this.load.pending()} acknowledged but not final at the end, ${this.load.failed} sends failed (node down or refused)`,
        ]);
      }
      await this.monitor.stop();
      checks.push(...(await checkFinality(this.net, this.monitor)));
      if (this.rejoins.length) {
        const ms = this.rejoins.map((r) => r.ms).sort((a, b) => a - b);
        const bad = this.rejoins.filter((r) => !r.ok);
        checks.push(
          check(
            `restarted nodes rejoin the head within ${REJOIN_BOUND_MS / 1000} s`,
            bad.length === 0,
            `${this.rejoins.length} restarts: median ${ms[Math.floor(ms.length / 2)]} ms, max ${ms.at(-1)} ms${bad.length ? `; late: ${bad.map((b) => `${b.node} ${b.ms} ms`).join(", ")}` : ""}`,
          ),
        );
      }
      const ds = doubleSignatures(this.net.all);
      figures.push(["double signatures detected", `${ds.offences.size} offences (${ds.lines} log lines)`]);
      if (!o.expectOffences)
        checks.push(check("no double signature", ds.offences.size === 0, `${ds.offences.size} offences`));
    } finally {
      await this.monitor.stop();
      await this.load?.stop(0);
      await this.net.stopAll();
    }
    const problems = errorLines(this.net.all);
    figures.push(["error log lines", problems.length ? problems.slice(0, 5).join(" | ") : "none"]);
    const replay = await checkReplays(this.net.all.filter((m) => !o.skipReplay?.includes(m)));
    checks.push(...replay.checks);
    tables.push({
      title: "Replay of each node's block log after the run",
      columns: ["node", "head", "finalized", "blocks replayed", "ms", "result"],
      rows: replay.rows.map((r) => [r.node, r.head, r.finalized, r.blocks, r.ms, r.detail]),
    });
    return {
      name: o.name,
      title: o.title,
      scale: o.scale,
      startedAt: new Date(this.startedAt).toISOString(),
      durationMs: Date.now() - this.startedAt,
      summary: o.summary,
      inputs: o.inputs,
      inputsLabel: o.inputsLabel ?? "faults injected",
      tables,
      figures,
      checks,
      findings: o.findings ?? [],
    };
  }

  /** Stop load, watching and every process (idempotent; for a scenario that failed midway). */
  async abort(): Promise<void> {
    await this.monitor.stop();
    await this.load?.stop(0);
    await this.net.stopAll();
  }

  /** Stop everything and remove the data directories. */
  async cleanup(): Promise<void> {
    await this.abort();
    this.net.cleanup();
  }
}
