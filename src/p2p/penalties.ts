/**
 * Penalty points for misbehaviour outside gossip (sync, requests). Points decay exponentially
 * (half-life `halfLifeMs`) so a peer that misbehaved once recovers; at `BAN_POINTS` the peer is
 * banned and disconnected. Gossipsub sees them too, through its application-specific score.
 */
export const Penalty = {
  /** A request timed out or its stream failed. */
  REQUEST_FAILED: 10,
  /** The peer rate-limited us (we probably asked too often: mild). */
  RATE_LIMITED: 5,
  /** A malformed, oversized or over-long response. */
  BAD_RESPONSE: 50,
  /** The peer claims a head it then does not serve. */
  EMPTY_RANGE: 25,
  /** A block it served failed import: provably bad data. */
  INVALID_BLOCKS: 100,
  /** The peer exceeded our request rate. */
  REQUEST_FLOOD: 2,
  /**
   * A gossipsub frame above the 4 MiB cap, or one that is no gossipsub RPC: no honest router
   * sends either, so one is enough for a ban (equal to BAN_POINTS).
   */
  BAD_FRAME: 80,
  /** An RPC with messages on topics we do not know (honest routers send only our topics). */
  UNKNOWN_TOPIC: 10,
  /** An RPC with gossip messages beyond the peer's per-second budget (the excess is dropped). */
  GOSSIP_FLOOD: 10,
} as const;

/**
 * Points at which a peer is banned. Equal to minus gossipsub's graylist threshold: the points
 * enter the gossip score as its application-specific term, so both paths agree.
 * `Penalty.BAD_FRAME` equals it.
 */
export const BAN_POINTS = 80;

/**
 * Decaying per-peer penalty points. Bounded to `maxPeers` entries; at the bound the entry with
 * the fewest points is dropped (the one that matters least).
 */
export class PeerPenalties {
  private readonly halfLifeMs: number;
  private readonly maxPeers: number;
  private readonly entries = new Map<string, { points: number; at: number }>();

  constructor(halfLifeMs = 60_000, maxPeers = 1024) {
    this.halfLifeMs = halfLifeMs;
    this.maxPeers = maxPeers;
  }

  /** Add points; returns the peer's decayed total. */
  add(peer: string, points: number, now = Date.now()): number {
    const total = this.points(peer, now) + points;
    if (!this.entries.has(peer) && this.entries.size >= this.maxPeers) this.evictLeast(now);
    this.entries.set(peer, { points: total, at: now });
    return total;
  }

  /** Current (decayed) points of a peer; 0 when unknown. */
  points(peer: string, now = Date.now()): number {
    const e = this.entries.get(peer);
    if (!e) return 0;
    const p = e.points * 0.5 ** ((now - e.at) / this.halfLifeMs);
    if (p < 0.01) {
      this.entries.delete(peer);
      return 0;
    }
    return p;
  }

  private evictLeast(now: number): void {
    let least: string | null = null;
    let min = Number.POSITIVE_INFINITY;
    for (const peer of this.entries.keys()) {
      const p = this.points(peer, now);
      if (p < min) {
        min = p;
        least = peer;
      }
    }
    if (least !== null) this.entries.delete(least);
  }
}
