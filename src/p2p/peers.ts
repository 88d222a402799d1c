import type { PeerStatus } from "./types.ts";

/** Why a peer is kept out: another chain, or misbehaviour. */
export type DenyReason = "refused" | "banned";

/**
 * What p2p knows about peers: the verified status of each connected peer, and the peers kept
 * out for a while (the connection gater reads `isDenied`). Statuses are bounded by the
 * connections (dropped on disconnect); the deny list holds at most `maxDenied` entries and at
 * the bound drops the entry closest to expiry.
 */
export class PeerTable {
  private readonly statuses = new Map<string, PeerStatus>();
  private readonly denied = new Map<string, { until: number; reason: DenyReason }>();
  private readonly maxDenied: number;

  constructor(maxDenied = 4096) {
    this.maxDenied = maxDenied;
  }

  /** Record a peer's verified status. */
  setStatus(peer: string, status: PeerStatus): void {
    this.statuses.set(peer, status);
  }

  /** A connected peer's verified status, or null before the handshake finished. */
  status(peer: string): PeerStatus | null {
    return this.statuses.get(peer) ?? null;
  }

  /** Every verified peer with its status. */
  verified(): Array<{ id: string; status: PeerStatus }> {
    return [...this.statuses].map(([id, status]) => ({ id, status }));
  }

  /** Forget a disconnected peer's status. */
  remove(peer: string): void {
    this.statuses.delete(peer);
  }

  /** Keep a peer out for `ms`. */
  deny(peer: string, ms: number, reason: DenyReason, now = Date.now()): void {
    this.statuses.delete(peer);
    if (!this.denied.has(peer) && this.denied.size >= this.maxDenied) this.evictSoonest();
    this.denied.set(peer, { until: now + ms, reason });
  }

  /** Why a peer is kept out, or null when it may connect. */
  isDenied(peer: string, now = Date.now()): DenyReason | null {
    const d = this.denied.get(peer);
    if (!d) return null;
    if (d.until <= now) {
      this.denied.delete(peer);
      return null;
    }
    return d.reason;
  }

  private evictSoonest(): void {
    let soonest: string | null = null;
    let min = Number.POSITIVE_INFINITY;
    for (const [peer, d] of this.denied) {
      if (d.until < min) {
        min = d.until;
        soonest = peer;
      }
    }
    if (soonest !== null) this.denied.delete(soonest);
  }
}
