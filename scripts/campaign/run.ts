// The reliability campaign's hostile-input scenarios: `npm run campaign` runs them at full scale
// and rewrites their sections of RELIABILITY.md (sections of scenarios not run are kept).
//   CAMPAIGN=rpc-fuzz,mempool-flood,tx-decode-fuzz,keystore-hostile   which scenarios (default: all)
//   CAMPAIGN_SCALE=short                                              test-suite sizes
//   CAMPAIGN_REPORT=path                                              report file (default RELIABILITY.md)
// Each scenario is bounded in time and stops by itself; the exit code is 1 when a check failed.
import { resolve } from "node:path";
import { updateReport } from "./report.ts";
import { passed, type Scale, type ScenarioOptions, type ScenarioResult } from "./types.ts";

export const SCENARIOS: Record<string, () => Promise<{ run(o: ScenarioOptions): Promise<ScenarioResult> }>> =
  {
    "rpc-fuzz": () => import("./rpc-fuzz.ts"),
    "mempool-flood": () => import("./mempool-flood.ts"),
    "tx-decode-fuzz": () => import("./tx-decode-fuzz.ts"),
    "keystore-hostile": () => import("./keystore-hostile.ts"),
    "kill-loop": () => import("./faults/kill-loop.ts"),
    "gossip-hostile": () => import("./faults/gossip-hostile.ts"),
    partitions: () => import("./faults/partitions.ts"),
    sigstop: () => import("./faults/sigstop.ts"),
    equivocation: () => import("./faults/equivocation.ts"),
    "clock-skew": () => import("./faults/clock-skew.ts"),
    "torn-writes": () => import("./faults/torn-writes.ts"),
    "full-disk": () => import("./faults/full-disk.ts"),
  };
export const ORDER = Object.keys(SCENARIOS);

/** Hard bound per scenario (a scenario that hangs is reported as failed, not waited for). */
const LIMIT_MS: Record<Scale, number> = { full: 40 * 60_000, short: 4 * 60_000 };

async function main(): Promise<void> {
  const wanted = (process.env.CAMPAIGN ?? ORDER.join(","))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted.filter((w) => !(w in SCENARIOS));
  // Other parts of the campaign may register here later; unknown names are reported, not fatal.
  if (unknown.length > 0)
    console.error(`campaign: unknown scenario(s) ${unknown.join(", ")}; known: ${ORDER.join(", ")}`);
  const scale: Scale = process.env.CAMPAIGN_SCALE === "short" ? "short" : "full";
  const report = resolve(import.meta.dirname, "../..", process.env.CAMPAIGN_REPORT ?? "RELIABILITY.md");
  const results: ScenarioResult[] = [];
  for (const name of wanted.filter((w) => w in SCENARIOS)) {
    const t = Date.now();
    console.log(`campaign: ${name} (${scale})`);
    const mod = await SCENARIOS[name]!();
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${name} exceeded ${LIMIT_MS[scale] / 1000} s`)),
        LIMIT_MS[scale],
      );
    });
    try {
      const r = await Promise.race([mod.run({ scale, log: (l) => console.log(`  ${l}`) }), limit]);
      results.push(r);
      console.log(
        `campaign: ${name} ${passed(r) ? "PASS" : "FAIL"} in ${((Date.now() - t) / 1000).toFixed(1)} s`,
      );
      for (const c of r.checks)
        console.log(`  ${c.ok ? "ok  " : c.known ? "KNWN" : "FAIL"} ${c.name}: ${c.detail}`);
    } catch (err) {
      console.error(`campaign: ${name} aborted: ${(err as Error).stack ?? err}`);
      process.exitCode = 1;
    } finally {
      clearTimeout(timer);
    }
    // Write after each scenario so a later crash keeps what was measured.
    updateReport(report, results, ORDER);
  }
  console.log(`campaign: report written to ${report}`);
  if (results.some((r) => !passed(r))) process.exitCode = 1;
  // Scenario leftovers (keep-alive sockets, timers) must not keep the process up.
  setTimeout(() => process.exit(), 1_000).unref();
}

if (import.meta.main ?? process.argv[1] === import.meta.filename) await main();
