// Scenario full-disk: one delegate's data directory is a small file system of its own (a
// loop-mounted ext4 image, or a size-limited tmpfs where loop devices are not available). Under
// transfer load the file system is filled with a ballast file, either completely (the next
// signing-record write fails) or leaving a little room (LevelDB's log or a compaction fails a
// few blocks later). The node must stop by itself: one fatal log line with the path and "no
// space left", the usual stop ("node stopped"), exit code 1 and the one `lvo: …` line. A start
// while the disk is still full must fail the same way. Then the ballast is removed, `lvo verify`
// replays the directory, and the node must start, rejoin the head, and pass every checker.
// Needs root (mount); `mountSupport` says why not otherwise.
import { execFileSync } from "node:child_process";
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DevnetMember } from "../../../test/e2e/helpers/devnet-process.ts";
import { check, prng, type ScenarioOptions, type ScenarioResult } from "../types.ts";
import { FaultCluster, REJOIN_BOUND_MS, sleep } from "./cluster.ts";
import { lvoAsync, startOrExit } from "./torn-writes.ts";

const SIZES = { full: { rounds: 8, rate: 30 }, short: { rounds: 2, rate: 15 } };
const FS_BYTES = 32 * 1024 * 1024;
/** Room left by the "leave room" fill: LevelDB's log runs into it within seconds under load. */
const LEAVE_BYTES = 48 * 1024;

/** Why a small file system cannot be mounted here (null when it can). */
export function mountSupport(): string | null {
  if (process.platform !== "linux") return `mounting needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "mounting a small file system needs root (run the campaign as root)";
  for (const tool of ["mount", "umount"]) {
    try {
      execFileSync("which", [tool], { stdio: "ignore" });
    } catch {
      return `${tool} not found`;
    }
  }
  return null;
}

/** A small file system mounted at `at`: a loop-mounted ext4 image, else a tmpfs. */
class SmallFs {
  readonly at: string;
  readonly kind: string;
  private readonly image: string | null;
  private mounted = true;
  private readonly onExit = () => this.unmount();

  private constructor(at: string, kind: string, image: string | null) {
    this.at = at;
    this.kind = kind;
    this.image = image;
    // A scenario that dies must not leave a mount behind.
    process.once("exit", this.onExit);
  }

  static mount(at: string, bytes: number): SmallFs {
    const image = join(tmpdir(), `lvo-full-disk-${process.pid}-${Date.now()}.img`);
    try {
      closeSync(openSync(image, "w"));
      truncateSync(image, bytes);
      execFileSync("mkfs.ext4", ["-q", "-F", "-m", "0", image], { stdio: "pipe" });
      execFileSync("mount", ["-o", "loop", image, at], { stdio: "pipe" });
      return new SmallFs(at, `ext4 on a loop device, ${bytes / 1024 / 1024} MiB`, image);
    } catch (err) {
      rmSync(image, { force: true });
      try {
        execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", at], { stdio: "pipe" });
      } catch (err2) {
        throw new Error(
          `cannot mount a small file system at ${at}: loop: ${(err as Error).message.split("\n")[0]}; tmpfs: ${(err2 as Error).message.split("\n")[0]}`,
        );
      }
      return new SmallFs(at, `tmpfs, ${bytes / 1024 / 1024} MiB (no loop device)`, null);
    }
  }

  free(): number {
    const s = statfsSync(this.at);
    return Number(s.bavail) * Number(s.bsize);
  }

  /** Unmount (retrying while busy, lazily at last) and remove the image. Idempotent. */
  unmount(): void {
    if (!this.mounted) return;
    this.mounted = false;
    process.removeListener("exit", this.onExit);
    for (let i = 0; ; i++) {
      try {
        execFileSync("umount", i < 10 ? [this.at] : ["-l", this.at], { stdio: "pipe" });
        break;
      } catch {
        if (i >= 10) break;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      }
    }
    if (this.image) rmSync(this.image, { force: true });
  }
}

/**
 * Fill the file system with a ballast file until `leave` bytes are free (0: until a write
 * fails with ENOSPC). Returns the ballast's size.
 */
function fill(fs: SmallFs, path: string, leave: number): number {
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(1024 * 1024, 0x5a);
  let written = 0;
  try {
    for (let n = chunk.length; n >= 512; ) {
      const room = fs.free() - leave;
      if (leave > 0 && room < 512) break;
      const len = leave > 0 ? Math.min(n, room) : n;
      try {
        written += writeSync(fd, chunk, 0, len);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
        n = Math.floor(n / 2);
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** Move a stopped member's data directory onto a small file system mounted in its place. */
function moveOntoSmallFs(m: DevnetMember, root: string): SmallFs {
  const orig = `${m.dir}.orig`;
  renameSync(m.dir, orig);
  mkdirSync(m.dir);
  let fs: SmallFs;
  try {
    fs = SmallFs.mount(m.dir, FS_BYTES);
  } catch (err) {
    rmSync(m.dir, { recursive: true, force: true });
    renameSync(orig, m.dir);
    throw err;
  }
  cpSync(orig, m.dir, { recursive: true });
  rmSync(orig, { recursive: true, force: true });
  // The node's output goes elsewhere (as to journald): the fatal line must be readable, and a
  // log on the full disk is its own case (test/unit/util/log-write-error.test.ts).
  const out = join(root, `${m.spec.name}.node.log`);
  if (existsSync(join(m.dir, "node.log"))) renameSync(join(m.dir, "node.log"), out);
  symlinkSync(out, join(m.dir, "node.log"));
  return fs;
}

/** Wait until a member's process is gone (bounded); true when it exited by itself. */
async function waitExit(m: DevnetMember, boundMs: number): Promise<boolean> {
  const t0 = Date.now();
  while (m.running && Date.now() - t0 < boundMs) await sleep(100);
  return !m.running;
}

interface Round {
  mode: "fill up" | "leave room";
  ballast: number;
  /** From the end of the fill until the process exited. */
  stopMs: number;
  exitCode: number | null;
  /** The write that failed, from the fatal line. */
  what: string;
  fatalLine: boolean;
  stoppedLine: boolean;
  cliLine: string;
  /** A start while still full. */
  fullStart: string;
  verify: boolean;
  rejoinMs: number;
  rejoined: boolean;
  problems: string[];
}

export async function run(o: ScenarioOptions): Promise<ScenarioResult> {
  const why = mountSupport();
  if (why) throw new Error(`full-disk cannot run here: ${why}`);
  const log = o.log ?? (() => undefined);
  const size = SIZES[o.scale];
  const rnd = prng(0x66756c6c);
  let smallFs: SmallFs | null = null;
  let victim: DevnetMember | null = null;
  let c: FaultCluster;
  try {
    c = await FaultCluster.start({
      delegates: 4,
      rate: size.rate,
      senders: 8,
      log,
      prepare: (net) => {
        victim = net.delegates[0]!;
        smallFs = moveOntoSmallFs(victim, net.root);
      },
    });
  } catch (err) {
    (smallFs as SmallFs | null)?.unmount();
    throw err;
  }
  const fs = smallFs as unknown as SmallFs;
  const m = victim as unknown as DevnetMember;
  const logFile = join(m.dir, "node.log");
  const rounds: Round[] = [];
  try {
    const fin0 = await c.lowestFinalized();
    for (let i = 0; i < size.rounds; i++) {
      const mode: Round["mode"] = i % 2 === 0 ? "fill up" : "leave room";
      await sleep(2_000 + rnd.int(2_000));
      const offset = statSync(logFile).size;
      const ballastFile = join(m.dir, "ballast");
      const ballast = fill(fs, ballastFile, mode === "fill up" ? 0 : LEAVE_BYTES);
      const t0 = Date.now();
      const exited = await waitExit(m, 90_000);
      const stopMs = Date.now() - t0;
      const r: Round = {
        mode,
        ballast,
        stopMs,
        exitCode: m.child?.exitCode ?? null,
        what: "-",
        fatalLine: false,
        stoppedLine: false,
        cliLine: "",
        fullStart: "-",
        verify: false,
        rejoinMs: 0,
        rejoined: false,
        problems: [],
      };
      if (!exited) {
        r.problems.push(`still running ${stopMs} ms after the disk filled`);
        await m.kill9();
      }
      const lines = readFileSync(logFile).subarray(offset).toString().split("\n");
      const parsed = lines.flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
      const fatal = parsed.find((p) => p.level === 60);
      if (fatal) {
        r.what = String(fatal.what ?? "?");
        r.fatalLine = /no space left/i.test(String(fatal.err)) && String(fatal.path ?? "").startsWith(m.dir);
        r.stoppedLine = parsed.indexOf(fatal) < parsed.findIndex((p) => p.msg === "node stopped");
      }
      r.cliLine = lines.filter((l) => l.startsWith("lvo: ")).at(-1) ?? "";
      if (!r.fatalLine)
        r.problems.push(`no fatal line with the path and "no space left" (${JSON.stringify(fatal)})`);
      if (!r.stoppedLine) r.problems.push(`no "node stopped" after the fatal line`);
      if (r.exitCode === 0 || r.exitCode === null) r.problems.push(`exit code ${r.exitCode}`);
      if (!/no space left/i.test(r.cliLine)) r.problems.push(`last CLI line: ${r.cliLine || "none"}`);

      // A start while the disk is still full: it must fail with the same clear error.
      const again = await startOrExit(m);
      if (again.started) {
        // Came up (nothing to write at open): its first write must stop it the same way.
        const stopped = await waitExit(m, 60_000);
        r.fullStart = stopped
          ? `started, stopped at its first write (exit ${m.child?.exitCode})`
          : "kept running";
        if (!stopped) {
          r.problems.push("started and kept running on a full disk");
          await m.kill9();
        }
      } else {
        r.fullStart = again.hung ? "hung" : `refused: ${again.line.replaceAll(c.net.root, "…")}`;
        if (again.hung || !/no space left/i.test(again.line) || again.code === 0)
          r.problems.push(`start on a full disk: ${r.fullStart}`);
      }

      rmSync(ballastFile, { force: true });
      const v = await lvoAsync(["verify", "--datadir", m.dir]);
      r.verify = v.code === 0;
      if (!r.verify) r.problems.push(`lvo verify: ${v.out.trim().split("\n").slice(-2).join(" ")}`);
      const rejoin = await c.restart(m);
      r.rejoinMs = rejoin.ms;
      r.rejoined = rejoin.ok;
      if (!rejoin.ok) r.problems.push(`no rejoin within ${REJOIN_BOUND_MS} ms`);
      rounds.push(r);
      log(
        `round ${i + 1}/${size.rounds} (${mode}): ballast ${(ballast / 1024).toFixed(0)} KiB, stopped after ${stopMs} ms at the ${r.what} (exit ${r.exitCode}), full start: ${r.fullStart.slice(0, 120)}, verify ${r.verify ? "ok" : "FAILED"}, rejoin ${r.rejoinMs} ms${r.problems.length ? `; PROBLEMS: ${r.problems.join("; ")}` : ""}`,
      );
    }
    const fin1 = await c.lowestFinalized();
    const problems = rounds.flatMap((r, i) => r.problems.map((p) => `round ${i + 1}: ${p}`));
    const byWhat = new Map<string, number>();
    for (const r of rounds) byWhat.set(r.what, (byWhat.get(r.what) ?? 0) + 1);
    const stops = rounds.map((r) => r.stopMs).sort((a, b) => a - b);
    const rejoins = rounds.map((r) => r.rejoinMs).sort((a, b) => a - b);
    return await c.finish({
      name: "full-disk",
      title: "a delegate's disk runs full, under load",
      scale: o.scale,
      summary: `4 delegates + 1 RPC node (1 s blocks), ${size.rate} transfers/s to the RPC node from 8 senders. ${m.spec.name}'s data directory is its own file system (${fs.kind}); its log goes elsewhere. ${size.rounds} rounds: fill the file system with a ballast file, alternately to the last byte ("fill up") or leaving ${LEAVE_BYTES / 1024} KiB ("leave room": blocks, gossiped transactions' journal entries and compactions use it up); the node must stop by itself (fatal line with the path and "no space left", "node stopped", exit code 1, one \`lvo: …\` line); a start on the still-full disk must fail the same way; then remove the ballast, run \`lvo verify\` on the directory, start the node and time its rejoin.`,
      inputs: rounds.length,
      inputsLabel: "disk-full faults",
      tables: [
        {
          title: "Rounds",
          columns: [
            "round",
            "fill",
            "stopped after ms",
            "failed write",
            "exit",
            "start on the full disk",
            "lvo verify",
            "rejoin ms",
          ],
          rows: rounds.map((r, i) => [
            i + 1,
            r.mode,
            r.stopMs,
            r.what,
            r.exitCode ?? "-",
            r.fullStart.slice(0, 140),
            r.verify ? "ok" : "FAILED",
            r.rejoinMs,
          ]),
        },
      ],
      figures: [
        ["file system", fs.kind],
        [
          "failed writes that stopped the node",
          [...byWhat.entries()].map(([k, v]) => `${k}: ${v}`).join(", "),
        ],
        [
          "time from the disk filling to the process exit",
          `median ${stops[Math.floor(stops.length / 2)]} ms, max ${stops.at(-1)} ms`,
        ],
        [
          "rejoin after space was freed",
          `median ${rejoins[Math.floor(rejoins.length / 2)]} ms, max ${rejoins.at(-1)} ms`,
        ],
        ["an example of the CLI line", rounds[0]?.cliLine.replaceAll(c.net.root, "…") ?? "-"],
        ["finality during the run", `lowest finalized ${fin0} -> ${fin1}`],
      ],
      checks: [
        check(
          "the node stops cleanly on a full disk (fatal line with path and 'no space left', node stopped, exit 1)",
          rounds.every(
            (r) => r.fatalLine && r.stoppedLine && r.exitCode === 1 && /no space left/i.test(r.cliLine),
          ),
          `${rounds.filter((r) => r.fatalLine && r.stoppedLine && r.exitCode === 1).length} of ${rounds.length} rounds`,
        ),
        check(
          "a start on the full disk fails with the same clear error",
          rounds.every((r) => !r.problems.some((p) => p.startsWith("start"))),
          rounds.map((r) => r.fullStart.slice(0, 60)).join("; "),
        ),
        check(
          "lvo verify after space was freed",
          rounds.every((r) => r.verify),
          `${rounds.filter((r) => r.verify).length} of ${rounds.length} ok`,
        ),
        check(
          "no other problem",
          problems.length === 0,
          problems.length ? problems.slice(0, 5).join("; ") : `${rounds.length} rounds`,
        ),
        check("finality went on during the run", fin1 > fin0 + size.rounds, `${fin0} -> ${fin1}`),
      ],
    });
  } finally {
    await c.abort();
    fs?.unmount();
    await c.cleanup();
  }
}
