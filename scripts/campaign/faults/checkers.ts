// The checkers every fault scenario runs (issue: "Checkers, run after every scenario"):
// agreement up to the lowest finalized height, no finalized block ever changed (watched during
// the run by the FinalityMonitor), the supply at every height and the same state roots on
// replay (each node's block log re-executed from genesis after it stopped), every transaction
// acknowledged as final present on every node, and double signatures.
import { replayDataDir } from "../../../src/node/replay.ts";
import { silentLogger } from "../../../src/util/log.ts";
import type { DevnetMember, FinalityMonitor, TestDevnet } from "../../../test/e2e/helpers/devnet-process.ts";
import { type Check, check } from "../types.ts";
import { type Acked, rpcBatch } from "./load.ts";

/** Agreement on every finalized height, and the finality monitor's verdict. */
export async function checkFinality(net: TestDevnet, monitor: FinalityMonitor): Promise<Check[]> {
  const out: Check[] = [];
  try {
    const { finalized } = await net.checkAgreement();
    out.push(check("agreement", true, `all running nodes hold the same blocks 0..${finalized}`));
  } catch (err) {
    out.push(check("agreement", false, (err as Error).message));
  }
  await monitor.checkCanonical();
  out.push(
    check(
      "no finalized block changed (watched)",
      monitor.samples > 0 && monitor.violations.length === 0,
      monitor.violations.length
        ? monitor.violations.slice(0, 5).join("; ")
        : `${monitor.samples} samples, highest finalized ${monitor.highest}, 0 violations`,
    ),
  );
  return out;
}

/**
 * Every transaction acknowledged as final is in the same block on every running node, once each
 * node's finalized height reached the highest of them (waited for up to `catchUpMs`).
 */
export async function checkFinalTxs(
  nodes: DevnetMember[],
  finals: Acked[],
  catchUpMs = 60_000,
): Promise<{ check: Check; missing: number }> {
  let missing = 0;
  const examples: string[] = [];
  // A node that just came back (restarted, resumed, reconnected) may not yet hold the highest
  // final block: give every node time to reach it, so "behind" is not counted as "lost".
  const top = finals.reduce((h, a) => Math.max(h, a.final!.height), -1);
  const behind: string[] = [];
  const until = Date.now() + catchUpMs;
  for (const m of nodes) {
    for (;;) {
      const f = await m.heights().then(
        (h) => h.finalized,
        () => -1,
      );
      if (f >= top) break;
      if (Date.now() > until) {
        behind.push(`${m.spec.name} finalized ${f} < ${top}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  for (const m of nodes) {
    for (let i = 0; i < finals.length; i += 200) {
      const chunk = finals.slice(i, i + 200);
      const answers = await rpcBatch(
        m.url,
        chunk.map((a) => ({ method: "eth_getTransactionReceipt", params: [a.hash] })),
        20_000,
      );
      chunk.forEach((a, j) => {
        const rc = answers[j]?.result as { blockHash: string } | null | undefined;
        if (!rc || rc.blockHash !== a.final!.blockHash) {
          missing++;
          if (examples.length < 3) examples.push(`${m.spec.name}: ${a.hash}`);
        }
      });
    }
  }
  return {
    missing,
    check: check(
      "no final transaction lost",
      missing === 0 && finals.length > 0,
      `${finals.length} transactions acknowledged as final (up to height ${top}), checked on ${nodes.length} nodes: ${missing} missing${examples.length ? ` (${examples.join(", ")})` : ""}${behind.length ? `; not caught up within ${catchUpMs / 1000} s: ${behind.join(", ")}` : ""}`,
    ),
  };
}

/** One node's replay of its own block log. */
export interface ReplayRow {
  node: string;
  head: number;
  finalized: number;
  blocks: number;
  ms: number;
  ok: boolean;
  detail: string;
}

/**
 * Replay each stopped node's block log from genesis (state roots, signatures, certificates,
 * supply at every height). Nodes must be stopped.
 */
export async function checkReplays(members: DevnetMember[]): Promise<{ checks: Check[]; rows: ReplayRow[] }> {
  const rows: ReplayRow[] = [];
  let supplyBad = 0;
  for (const m of members) {
    try {
      const r = await replayDataDir(m.dir, { log: silentLogger() });
      supplyBad += r.supplyViolations.length;
      const ok = r.failure === null && r.finalMatches && r.supplyViolations.length === 0;
      rows.push({
        node: m.spec.name,
        head: r.source.head,
        finalized: r.source.finalized,
        blocks: r.blocks,
        ms: r.ms,
        ok,
        detail: r.failure
          ? `block ${r.failure.height}: ${r.failure.code} ${r.failure.message}`
          : !r.finalMatches
            ? "final block differs"
            : r.supplyViolations.length
              ? `supply wrong at ${r.supplyViolations.length} heights`
              : "same state roots, supply exact at every height",
      });
    } catch (err) {
      rows.push({
        node: m.spec.name,
        head: -1,
        finalized: -1,
        blocks: 0,
        ms: 0,
        ok: false,
        detail: (err as Error).message.slice(0, 200),
      });
    }
  }
  const heights = rows.reduce((s, r) => s + Math.max(0, r.blocks), 0);
  return {
    rows,
    checks: [
      check(
        "replay gives the same state roots",
        rows.every((r) => r.ok || r.detail.startsWith("supply")),
        rows
          .filter((r) => !r.ok)
          .map((r) => `${r.node}: ${r.detail}`)
          .join("; ") || `${rows.length} nodes, ${heights} blocks re-executed, 0 differences`,
      ),
      check(
        "supply invariant at every height",
        supplyBad === 0 && rows.every((r) => r.blocks > 0),
        `${heights} node-heights checked: ${supplyBad} with a supply other than 1e9 LVO`,
      ),
    ],
  };
}

/** Offences seen: "double signing detected" log lines per node (each node logs what it saw). */
export function doubleSignatures(members: DevnetMember[]): { offences: Set<string>; lines: number } {
  const offences = new Set<string>();
  let lines = 0;
  for (const m of members) {
    for (const e of m.logEntries("double signing detected")) {
      lines++;
      offences.add(String(e.offence));
    }
  }
  return { offences, lines };
}

/** Lines at error level or above, and crash signs, in every node's log. */
export function errorLines(members: DevnetMember[]): string[] {
  return members.flatMap((m) => m.logProblems().map((l) => `${m.spec.name}: ${l}`));
}
