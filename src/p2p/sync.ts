import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage, isLvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import { P2pErrorCode } from "./errors.ts";
import { Penalty } from "./penalties.ts";
import { SyncProgress } from "./progress.ts";
import type { P2pHandlers, PeerStatus } from "./types.ts";

/** Rounds (range requests) in one run; the periodic tick starts another run after it. */
const MAX_ROUNDS_PER_RUN = 10_000;
/** Rounds in a row that import nothing new before a run gives up (blocks already known, races). */
const MAX_STALLED_ROUNDS = 3;

/** Syncer settings (a slice of P2pOptions). */
export interface SyncOptions {
  maxBlocksPerRequest: number;
  /** Our request pace towards one peer, so we stay under its rate limit. */
  maxRequestsPerSecond: number;
  /** A peer this many blocks ahead starts a sync at once and makes `syncing` true. */
  syncDistance: number;
  /** Periodic check, which also catches up small gaps that gossip left. */
  tickMs: number;
  progressLogMs: number;
  progressBar: boolean;
}

/** What the syncer needs from the node. */
export interface SyncDeps {
  handlers: Pick<P2pHandlers, "status" | "importBlocks">;
  /** Peers with a verified status. */
  peers(): Array<{ id: string; status: PeerStatus }>;
  requestBlocks(peer: string, fromHeight: number, count: number): Promise<Uint8Array[]>;
  penalise(peer: string, points: number, reason: string): void;
  log: Logger;
}

/** The shape eth_syncing reports. */
export interface SyncState {
  syncing: boolean;
  startingBlock: number;
  currentBlock: number;
  highestBlock: number;
}

/**
 * Catches the node up with its peers: while some peer's head is above ours, fetch the next range
 * from our head + 1 from the best such peer and hand it to `importBlocks`, in order. When such a
 * range does not attach (our head is on another branch: a partition, or a block we produced
 * before catching up), the peer's chain is fetched once from above our finalized block. A peer
 * whose blocks fail import, or whose response is bad, is penalised (invalid blocks ban it) and
 * the next best peer is tried. One run at a time; runs start on a status that shows a peer
 * ahead and on a periodic tick.
 */
export class Syncer {
  private readonly opts: SyncOptions;
  private readonly deps: SyncDeps;
  private readonly progress: SyncProgress;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private catchingUp = false;
  private startingBlock = 0;
  private lastRequestAt = 0;

  constructor(opts: SyncOptions, deps: SyncDeps) {
    this.opts = opts;
    this.deps = deps;
    this.progress = new SyncProgress({ logMs: opts.progressLogMs, bar: opts.progressBar }, deps.log);
  }

  /** Start the periodic check (again, after a stop). */
  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.opts.tickMs);
    this.timer.unref();
  }

  /** Stop checking and wait for a run in flight to end (it stops after its current request). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** A peer's status arrived: sync at once when it is well ahead, or ahead in finality. */
  onStatus(status: PeerStatus): void {
    if (status.head.height > this.head() + this.opts.syncDistance || status.finalized.height > this.fin())
      this.kick();
  }

  /** Start a run, or ask the current one to be followed by another. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run()
      .catch((err) => this.deps.log.error({ err: errorMessage(err) }, "sync run failed"))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** For eth_syncing: syncing while the best known head is more than `syncDistance` ahead. */
  syncState(): SyncState {
    const currentBlock = this.head();
    const highestBlock = Math.max(currentBlock, ...this.deps.peers().map((p) => p.status.head.height));
    const syncing = this.catchingUp || highestBlock - currentBlock > this.opts.syncDistance;
    return {
      syncing,
      startingBlock: syncing && this.catchingUp ? this.startingBlock : currentBlock,
      currentBlock,
      highestBlock,
    };
  }

  private head(): number {
    return this.deps.handlers.status().head.height;
  }

  private fin(): number {
    return this.deps.handlers.status().finalized.height;
  }

  /**
   * The peer to sync from: highest head, then highest finalized, then id; among peers whose
   * head is above ours or whose finalized block is above ours. The second kind matter when we
   * sit on a longer branch that the others finalized past (a node that built on blocks from a
   * skewed clock): by height alone we would never ask them.
   */
  private bestPeer(head: number, skip: Set<string>): { id: string; status: PeerStatus } | null {
    let best: { id: string; status: PeerStatus } | null = null;
    const fin = this.fin();
    for (const p of this.deps.peers()) {
      if (skip.has(p.id) || (p.status.head.height <= head && p.status.finalized.height <= fin)) continue;
      if (
        !best ||
        p.status.head.height > best.status.head.height ||
        (p.status.head.height === best.status.head.height &&
          (p.status.finalized.height > best.status.finalized.height ||
            (p.status.finalized.height === best.status.finalized.height && p.id < best.id)))
      ) {
        best = p;
      }
    }
    return best;
  }

  private async run(): Promise<void> {
    const { deps, opts } = this;
    // Peers that failed in this run are skipped until the next run; their penalties stay.
    const failed = new Set<string>();
    let stalled = 0;
    let started: { at: number; from: number } | null = null;
    // A range from our head + 1 that imports nothing means our head is on another branch than
    // the peer's (its blocks name parents we do not have). Then the peer's chain is walked once
    // more from just above our finalized block — the fork point lies above it, since final
    // blocks are shared — so its branch is imported beside ours and fork choice can pick it.
    // `cursor` is the next height asked for during that walk.
    let cursor: number | null = null;
    let rewound = false;
    try {
      for (let round = 0; round < MAX_ROUNDS_PER_RUN && !this.stopped; round++) {
        const head = this.head();
        const best = this.bestPeer(head, failed);
        if (!best) break;
        const target = best.status.head.height;
        if (cursor !== null && cursor > target) cursor = null;
        let from: number = cursor ?? head + 1;
        if (from > target) {
          // Ahead of us in finality only: walk its branch once from above our finalized block
          // (its certificates then move fork choice), as for a branch that does not attach.
          if (rewound) break;
          rewound = true;
          cursor = this.fin() + 1;
          from = cursor;
          deps.log.info(
            { peer: best.id, head, finalized: best.status.finalized.height, from },
            "peer finalized past our finalized block: walking its branch",
          );
        }
        if (!started && target - head > opts.syncDistance) {
          started = { at: Date.now(), from: head };
          this.startingBlock = head;
          this.catchingUp = true;
          this.progress.start(head, target, best.id);
        }
        const count = Math.min(opts.maxBlocksPerRequest, target - from + 1);
        await this.pace();
        let blocks: Uint8Array[];
        try {
          blocks = await deps.requestBlocks(best.id, from, count);
        } catch (err) {
          failed.add(best.id);
          const points = isLvoError(err, P2pErrorCode.P2P_BAD_RESPONSE)
            ? Penalty.BAD_RESPONSE
            : isLvoError(err, P2pErrorCode.P2P_RATE_LIMITED)
              ? Penalty.RATE_LIMITED
              : Penalty.REQUEST_FAILED;
          deps.penalise(best.id, points, `block range request failed: ${errorMessage(err)}`);
          continue;
        }
        if (blocks.length === 0) {
          failed.add(best.id);
          deps.penalise(
            best.id,
            Penalty.EMPTY_RANGE,
            `served no blocks from ${from} below its head ${target}`,
          );
          continue;
        }
        try {
          await deps.handlers.importBlocks(blocks, best.id);
        } catch (err) {
          failed.add(best.id);
          deps.log.warn(
            { peer: best.id, from, blocks: blocks.length, err: errorMessage(err) },
            "synced blocks failed import",
          );
          deps.penalise(best.id, Penalty.INVALID_BLOCKS, `served invalid blocks: ${errorMessage(err)}`);
          continue;
        }
        const now = this.head();
        if (cursor !== null) {
          cursor = from + blocks.length; // walking the peer's branch: progress is the walk itself
          stalled = 0;
        } else if (now > head) stalled = 0;
        else if (!rewound) {
          rewound = true;
          cursor = deps.handlers.status().finalized.height + 1;
          deps.log.info(
            { peer: best.id, head, from: cursor },
            "peer's blocks do not attach to our head: walking its branch",
          );
        } else if (++stalled >= MAX_STALLED_ROUNDS) break;
        if (started) this.progress.update(now, this.syncState().highestBlock, best.id, deps.peers().length);
      }
    } finally {
      if (started) {
        const head = this.head();
        const caughtUp = !deps.peers().some((p) => p.status.head.height > head);
        this.progress.finish(head, caughtUp, started.at, started.from);
      }
      this.catchingUp = false;
    }
  }

  /** Space requests to stay under the peers' request rate limit. */
  private async pace(): Promise<void> {
    const gap = 1000 / this.opts.maxRequestsPerSecond - (Date.now() - this.lastRequestAt);
    if (gap > 0) await sleep(gap);
    this.lastRequestAt = Date.now();
  }
}
