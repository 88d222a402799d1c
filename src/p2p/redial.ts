import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";

/** How often the redialer looks at its entries. */
const TICK_MS = 500;

interface Entry {
  addr: Multiaddr;
  /** From `/p2p/<id>` in the address, or learnt on the first successful dial. */
  peer: string | null;
  backoffMs: number;
  nextAt: number;
  dialing: boolean;
}

/** What the redialer needs from the node. */
export interface RedialDeps {
  /** Dial an address; resolves with the remote peer id. */
  dial(addr: Multiaddr, signal: AbortSignal): Promise<string>;
  isConnected(peer: string): boolean;
  /** False at the peer limit: no point dialling. */
  canDial(): boolean;
  self: string;
  log: Logger;
}

/**
 * Keeps bootstrap peers connected: dials each at start, and whenever one is not connected dials
 * it again with exponential backoff from `minMs` to `maxMs`, so a restarted peer comes back by
 * itself. One dial in flight per entry; entries are fixed at construction (capped by the caller).
 */
export class BootstrapRedialer {
  private readonly entries: Entry[];
  private readonly opts: { minMs: number; maxMs: number; dialTimeoutMs: number };
  private readonly deps: RedialDeps;
  private timer: NodeJS.Timeout | null = null;
  private readonly abort = new AbortController();

  constructor(
    addrs: string[],
    opts: { minMs: number; maxMs: number; dialTimeoutMs: number },
    deps: RedialDeps,
  ) {
    this.opts = opts;
    this.deps = deps;
    this.entries = [];
    for (const a of addrs) {
      const addr = multiaddr(a);
      const peer = addr.getComponents().find((c) => c.name === "p2p")?.value ?? null;
      if (peer === deps.self) continue; // a shared devnet list may name this node too
      this.entries.push({ addr, peer, backoffMs: opts.minMs, nextAt: 0, dialing: false });
    }
  }

  /** Dial every entry now and keep watching. */
  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** Stop watching and abort dials in flight. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.abort.abort();
  }

  /** A peer dropped: if it is a bootstrap peer, redial it after the minimum backoff. */
  onDisconnect(peer: string): void {
    for (const e of this.entries) {
      if (e.peer === peer) {
        e.backoffMs = this.opts.minMs;
        e.nextAt = Date.now() + this.opts.minMs;
      }
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const e of this.entries) {
      if (e.dialing || now < e.nextAt) continue;
      if (e.peer !== null && this.deps.isConnected(e.peer)) {
        e.backoffMs = this.opts.minMs;
        continue;
      }
      if (!this.deps.canDial()) continue;
      void this.dial(e);
    }
  }

  private async dial(e: Entry): Promise<void> {
    e.dialing = true;
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.dialTimeoutMs)]);
    try {
      e.peer = await this.deps.dial(e.addr, signal);
      e.backoffMs = this.opts.minMs;
      e.nextAt = Date.now() + this.opts.minMs;
      this.deps.log.debug({ addr: e.addr.toString(), peer: e.peer }, "bootstrap peer connected");
    } catch (err) {
      e.nextAt = Date.now() + e.backoffMs;
      this.deps.log.debug(
        { addr: e.addr.toString(), retryInMs: e.backoffMs, err: errorMessage(err) },
        "bootstrap dial failed",
      );
      e.backoffMs = Math.min(e.backoffMs * 2, this.opts.maxMs);
    } finally {
      e.dialing = false;
    }
  }
}
