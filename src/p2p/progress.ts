import { Presets, SingleBar } from "cli-progress";
import type { Logger } from "../util/log.ts";

/**
 * Sync progress for operators: an object-first log line every `logMs`, and on a terminal (the
 * CLI sets `bar` when stdout is a TTY) a cli-progress bar on stderr.
 */
export class SyncProgress {
  private readonly log: Logger;
  private readonly logMs: number;
  private readonly useBar: boolean;
  private bar: SingleBar | null = null;
  private lastLog = 0;
  private lastLogHeight = 0;

  constructor(opts: { logMs: number; bar: boolean }, log: Logger) {
    this.log = log;
    this.logMs = opts.logMs;
    this.useBar = opts.bar;
  }

  /** A sync run began at `from` towards `target`. */
  start(from: number, target: number, peer: string): void {
    this.lastLog = Date.now();
    this.lastLogHeight = from;
    this.log.info({ from, target, peer }, "sync started");
    if (this.useBar && !this.bar) {
      this.bar = new SingleBar(
        {
          format: "sync [{bar}] {value}/{total} blocks | {rate} blk/s | eta {eta_formatted}",
          hideCursor: true,
        },
        Presets.shades_classic,
      );
      this.bar.start(target, from, { rate: 0 });
    }
  }

  /** Progress after an imported batch. */
  update(current: number, target: number, peer: string, peers: number): void {
    const now = Date.now();
    const elapsed = now - this.lastLog;
    const rate = elapsed > 0 ? Math.round(((current - this.lastLogHeight) * 1000) / elapsed) : 0;
    if (this.bar) {
      this.bar.setTotal(target);
      this.bar.update(current, { rate });
    }
    if (elapsed >= this.logMs) {
      this.log.info({ current, target, peer, peers, blocksPerSecond: rate }, "syncing");
      this.lastLog = now;
      this.lastLogHeight = current;
    }
  }

  /** The run ended (caught up, or no peer left to sync from). */
  finish(current: number, caughtUp: boolean, startedAt: number, from: number): void {
    if (this.bar) {
      this.bar.update(current);
      this.bar.stop();
      this.bar = null;
    }
    const fields = { from, current, blocks: current - from, ms: Date.now() - startedAt };
    if (caughtUp) this.log.info(fields, "sync complete");
    else this.log.warn(fields, "sync paused: no peer to sync from");
  }
}
