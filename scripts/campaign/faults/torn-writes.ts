// Scenario torn-writes: under transfer load, kill -9 a delegate, damage one of its files, start
// it again. The damage: LevelDB's newest write-ahead log (<datadir>/db/NNNNNN.log, which also
// holds the newest mempool journal entries and blocks) cut by a few bytes or to a random length,
// and the node's own plain files (the signing record, the libp2p key, the delegate key file, the
// genesis copy) truncated to a random length. Each time the node must come back by itself with
// a consistent ledger (it rejoins, `lvo verify` passes on its directory, the checkers pass) or
// refuse to start with one clear line naming the damaged file; it must never start on a file
// it cannot trust (above all the signing record: a truncated record means the node does not
// know what it signed last) and never double-sign. After a refusal the scenario does what the
// operator would (puts back a copy of the file taken after the kill) and starts it again.
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { dataDir } from "../../../src/node/datadir.ts";
import type { DevnetMember } from "../../../test/e2e/helpers/devnet-process.ts";
import { LVO_BIN } from "../../../test/e2e/helpers/node-process.ts";
import { check, prng, type ScenarioOptions, type ScenarioResult } from "../types.ts";
import { FaultCluster, REJOIN_BOUND_MS, type Rejoin, sleep } from "./cluster.ts";

/** rounds: each damage kind this many times; pause: ms under load before each kill (min, spread). */
const SIZES = {
  full: { rounds: 8, rate: 30, pause: [1_000, 2_000] },
  short: { rounds: 1, rate: 10, pause: [500, 500] },
} as const;

/** Run the CLI without blocking the event loop (load and the finality monitor go on). */
export function lvoAsync(args: string[], timeoutMs = 120_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LVO_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("close", (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

/** How a start attempt ended. */
export type StartOutcome =
  | { started: true }
  | { started: false; code: number | null; line: string; lines: number; hung: boolean };

/**
 * Start a stopped member and tell whether it came up (JSON-RPC answers) or exited first; when
 * it exited, its last `lvo: …` line (the CLI's one-line error) and how many such lines it wrote.
 * A process that neither answers nor exits within `boundMs` is killed (`hung`).
 */
export async function startOrExit(m: DevnetMember, boundMs = REJOIN_BOUND_MS): Promise<StartOutcome> {
  const logFile = join(m.dir, "node.log");
  const offset = existsSync(logFile) ? statSync(logFile).size : 0;
  const up = m.start(boundMs);
  const child = m.child as ChildProcess;
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once("exit", () => r());
  });
  const first = await Promise.race([
    up.then(
      () => "up" as const,
      () => "timeout" as const,
    ),
    exited.then(() => "exit" as const),
  ]);
  if (first === "up") return { started: true };
  up.catch(() => undefined);
  const hung = first === "timeout" && m.running;
  if (hung) await m.kill9();
  await exited;
  const tail = readFileSync(logFile).subarray(offset).toString();
  const errs = tail.split("\n").filter((l) => l.startsWith("lvo: "));
  return { started: false, code: child.exitCode, line: errs.at(-1) ?? "", lines: errs.length, hung };
}

/**
 * Time a started member's rejoin (from `t0`) the way FaultCluster.restart does: until its head
 * is within one block of the others'. Recorded in the cluster's rejoins.
 */
export async function waitRejoin(
  c: FaultCluster,
  m: DevnetMember,
  t0: number,
  boundMs = REJOIN_BOUND_MS,
): Promise<Rejoin> {
  let r: Rejoin;
  for (;;) {
    const [mine, others] = await Promise.all([
      m.heights().then(
        (h) => h.head,
        () => -1,
      ),
      c.headOfOthers(m),
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
  c.rejoins.push(r);
  return r;
}

/** One kind of damage: which file, how it is cut, and what the node must do. */
interface DamageKind {
  name: string;
  what: string;
  /** The file to damage, or null when there is none (e.g. no log file). */
  file(m: DevnetMember): string | null;
  /** New length for a file of `size` bytes. */
  cut(size: number, rnd: ReturnType<typeof prng>): number;
  /**
   * What the node must do with the damaged content: "refuse" unless the content is still
   * valid; "recover" (start, rejoin, consistent ledger) or "either" (LevelDB may refuse a log
   * it cannot read, with a clear error).
   */
  expect(original: Buffer, damaged: Buffer): "refuse" | "recover" | "either";
  /** What the error line must name (default: the file's path). */
  names?(file: string, m: DevnetMember): string[];
}

function newestLog(m: DevnetMember): string | null {
  const db = dataDir(m.dir).db;
  const logs = readdirSync(db)
    .filter((f) => /^\d+\.log$/.test(f))
    .sort((a, b) => Number.parseInt(b, 10) - Number.parseInt(a, 10));
  return logs[0] ? join(db, logs[0]) : null;
}

const KINDS: DamageKind[] = [
  {
    name: "leveldb-log-tail",
    what: "newest LevelDB log (db/*.log): 1 byte to 4 KiB cut from its end (a torn last record)",
    file: newestLog,
    cut: (size, rnd) => Math.max(0, size - 1 - rnd.int(Math.min(size, 4096))),
    expect: () => "either",
    names: (file, m) => [file, dataDir(m.dir).db],
  },
  {
    name: "leveldb-log-cut",
    what: "newest LevelDB log (db/*.log) cut to a random length (its newest blocks, votes' blocks and mempool journal entries lost)",
    file: newestLog,
    cut: (size, rnd) => rnd.int(Math.max(1, size)),
    expect: () => "either",
    names: (file, m) => [file, dataDir(m.dir).db],
  },
  {
    name: "signing-record",
    what: "signing record (<datadir>/signing-record) cut to a random length",
    file: (m) => dataDir(m.dir).signingRecord,
    cut: (size, rnd) => rnd.int(size),
    expect: () => "refuse",
  },
  {
    name: "p2p-key",
    what: "libp2p identity key (<datadir>/p2p.key) cut to a random length",
    file: (m) => dataDir(m.dir).p2pKey,
    cut: (size, rnd) => rnd.int(size),
    // Only the trailing newline cut: the key is whole.
    expect: (o, d) => (o.toString().trim() === d.toString().trim() ? "recover" : "refuse"),
  },
  {
    name: "delegate-key",
    what: "delegate key file (<datadir>/delegate.key) cut to a random length",
    file: (m) => dataDir(m.dir).delegateKey,
    cut: (size, rnd) => rnd.int(size),
    expect: (o, d) => (o.toString().trim() === d.toString().trim() ? "recover" : "refuse"),
  },
  {
    name: "genesis-copy",
    what: "genesis copy (<datadir>/genesis.json) cut to a random length: `lvo start` does not read it (the genesis is in the ledger)",
    file: (m) => dataDir(m.dir).genesis,
    cut: (size, rnd) => rnd.int(size),
    expect: () => "recover",
  },
];

interface KindStats {
  tries: number;
  recovered: number;
  refused: number;
  /** Started on a file it must not trust, refused without a clear line, hung, or did not rejoin. */
  bad: string[];
  rejoinMs: number[];
  /** `lvo verify` on the node's directory at its next kill (or the final replay). */
  verified: number;
  verifyFailed: number;
  bytesCut: number[];
  blocksLost: number[];
  errorLines: string[];
}

export async function run(o: ScenarioOptions): Promise<ScenarioResult> {
  const log = o.log ?? (() => undefined);
  const size = SIZES[o.scale];
  const seed = 0x746f726e;
  const rnd = prng(seed);
  const stats = new Map<string, KindStats>(
    KINDS.map((k) => [
      k.name,
      {
        tries: 0,
        recovered: 0,
        refused: 0,
        bad: [],
        rejoinMs: [],
        verified: 0,
        verifyFailed: 0,
        bytesCut: [],
        blocksLost: [],
        errorLines: [],
      },
    ]),
  );
  // The damage each node recovered from and has not been verified since.
  const unverified = new Map<string, string[]>();
  const verifyMs: number[] = [];
  const c = await FaultCluster.start({ delegates: 4, rate: size.rate, senders: 8, log });
  try {
    const fin0 = await c.lowestFinalized();
    const schedule = Array.from({ length: size.rounds }, () => KINDS).flat();
    for (const [i, kind] of schedule.entries()) {
      const st = stats.get(kind.name)!;
      const victim = c.delegates[rnd.int(c.delegates.length)]!;
      await sleep(size.pause[0] + rnd.int(size.pause[1]));
      const before = await victim.heights().catch(() => null);
      await victim.kill9();

      // The damage this node recovered from before: its ledger must replay (lvo verify).
      const pending = unverified.get(victim.spec.name) ?? [];
      if (pending.length) {
        const t = Date.now();
        const v = await lvoAsync(["verify", "--datadir", victim.dir]);
        verifyMs.push(Date.now() - t);
        for (const k of pending) {
          const s = stats.get(k)!;
          if (v.code === 0) s.verified++;
          else {
            s.verifyFailed++;
            s.bad.push(
              `${victim.spec.name}: lvo verify failed: ${v.out.trim().split("\n").slice(-2).join(" ")}`,
            );
          }
        }
        unverified.delete(victim.spec.name);
      }

      const file = kind.file(victim);
      if (!file || !existsSync(file)) {
        log(`try ${i + 1}: ${kind.name}: no such file on ${victim.spec.name}, restarting undamaged`);
        await c.restart(victim);
        continue;
      }
      st.tries++;
      const original = readFileSync(file);
      const backup = `${file}.campaign-copy`;
      copyFileSync(file, backup);
      const len = kind.cut(original.length, rnd);
      truncateSync(file, len);
      st.bytesCut.push(original.length - len);
      const damaged = readFileSync(file);
      const expected = kind.expect(original, damaged);
      c.monitor.allowRollback(victim.spec.name);

      const t0 = Date.now();
      const out = await startOrExit(victim);
      let rejoin: Rejoin | null = null;
      if (out.started) {
        if (expected === "refuse") {
          st.bad.push(
            `${victim.spec.name}: started on a damaged ${kind.name} (${len} of ${original.length} bytes)`,
          );
          await victim.kill9();
          copyFileSync(backup, file);
          rejoin = await c.restart(victim);
        } else {
          rejoin = await waitRejoin(c, victim, t0);
          st.recovered++;
          unverified.set(victim.spec.name, [...(unverified.get(victim.spec.name) ?? []), kind.name]);
          const opened = victim.logEntries("chain opened").at(-1) as { head?: number } | undefined;
          if (before && typeof opened?.head === "number")
            st.blocksLost.push(Math.max(0, before.head - opened.head));
        }
      } else {
        const names = kind.names?.(file, victim) ?? [file];
        const clear =
          out.lines === 1 && names.some((n) => out.line.includes(n)) && !out.hung && out.code !== 0;
        if (expected === "recover")
          st.bad.push(`${victim.spec.name}: refused an undamaged start: ${out.line}`);
        else if (!clear)
          st.bad.push(
            `${victim.spec.name}: ${out.hung ? "hung at start" : `refused without a clear line (exit ${out.code}, ${out.lines} lvo: lines): ${out.line}`}`,
          );
        else st.refused++;
        if (st.errorLines.length < 2 && out.line) st.errorLines.push(out.line.replaceAll(c.net.root, "…"));
        // The operator's repair: the copy of the file taken after the node stopped.
        copyFileSync(backup, file);
        rejoin = await c.restart(victim);
      }
      c.monitor.allowRollback(victim.spec.name, false);
      rmSync(backup, { force: true });
      if (rejoin) st.rejoinMs.push(rejoin.ms);
      if (rejoin && !rejoin.ok) st.bad.push(`${victim.spec.name}: no rejoin within ${REJOIN_BOUND_MS} ms`);
      log(
        `try ${i + 1}/${schedule.length} ${kind.name} on ${victim.spec.name}: ${original.length} -> ${len} bytes, ${out.started ? "started" : `refused: ${out.line.slice(0, 160)}`}, rejoin ${rejoin?.ms} ms`,
      );
    }
    const fin1 = await c.lowestFinalized();
    const rows = KINDS.map((k) => {
      const s = stats.get(k.name)!;
      const ms = [...s.rejoinMs].sort((a, b) => a - b);
      return [
        k.name,
        s.tries,
        s.recovered,
        s.refused,
        s.bad.length,
        ms.length ? `${ms[Math.floor(ms.length / 2)]} / ${ms.at(-1)}` : "-",
        s.recovered
          ? `${s.verified} ok, ${s.verifyFailed} failed, ${s.recovered - s.verified - s.verifyFailed} in the final replay`
          : "-",
      ];
    });
    const lost = KINDS.flatMap((k) => stats.get(k.name)!.blocksLost);
    const allBad = KINDS.flatMap((k) => stats.get(k.name)!.bad.map((b) => `${k.name}: ${b}`));
    const signing = stats.get("signing-record")!;
    const tries = KINDS.reduce((n, k) => n + stats.get(k.name)!.tries, 0);
    return await c.finish({
      name: "torn-writes",
      title: "torn and truncated files after kill -9, under load",
      scale: o.scale,
      summary: `4 delegates + 1 RPC node (1 s blocks), ${size.rate} transfers/s to the RPC node from 8 senders. ${tries} times (each damage kind ${size.rounds}×, seed 0x${seed.toString(16)}): kill -9 a random delegate, run \`lvo verify\` on its directory when it had recovered from damage before, damage one file, start it. Damage kinds: ${KINDS.map((k) => `**${k.name}**: ${k.what}`).join("; ")}. The mempool journal and (before this campaign) the signing record live inside LevelDB: their damage is the log's. A node must come back by itself (rejoin within ${REJOIN_BOUND_MS / 1000} s, ledger verified) or refuse with one \`lvo: …\` line naming the file; after a refusal the file is put back from a copy taken after the kill (the operator's repair) and the node started again. Rejoin times are from the start that came up.`,
      inputs: tries,
      tables: [
        {
          title: "Per damage kind",
          columns: [
            "damage",
            "tries",
            "recovered by itself",
            "refused with a clear error",
            "bad outcomes",
            "rejoin median / max ms",
            "lvo verify after recovery",
          ],
          rows,
        },
        {
          title: "Error lines of refused starts (examples)",
          columns: ["damage", "line"],
          rows: KINDS.flatMap((k) => stats.get(k.name)!.errorLines.map((l) => [k.name, l])),
        },
      ],
      figures: [
        [
          "blocks the node's own ledger lost to a cut log (fetched again from peers)",
          lost.length
            ? `median ${[...lost].sort((a, b) => a - b)[Math.floor(lost.length / 2)]}, max ${Math.max(...lost)} over ${lost.length} recoveries`
            : "none measured",
        ],
        [
          "finalized height a node reported lower after a cut log (allowed, then regained)",
          c.monitor.rollbacks.length
            ? `${c.monitor.rollbacks.length}: ${c.monitor.rollbacks.slice(0, 4).join(", ")}`
            : "none seen",
        ],
        [
          "lvo verify",
          verifyMs.length
            ? `${verifyMs.length} runs, ${Math.max(...verifyMs)} ms at most`
            : "no run (no node recovered twice)",
        ],
        ["finality during the run", `lowest finalized ${fin0} -> ${fin1}`],
      ],
      checks: [
        check(
          "every damaged start recovered by itself or refused with one clear line naming the file",
          allBad.length === 0,
          allBad.length ? allBad.slice(0, 5).join("; ") : `${tries} tries, 0 bad outcomes`,
        ),
        check(
          "a damaged signing record is never trusted (the node refuses)",
          signing.tries > 0 && signing.refused === signing.tries,
          `${signing.refused} of ${signing.tries} refused`,
        ),
        check("finality went on during the run", fin1 > fin0 + tries, `${fin0} -> ${fin1}`),
      ],
    });
  } finally {
    await c.cleanup();
  }
}
