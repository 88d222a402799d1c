import type { RPC } from "@libp2p/gossipsub/message";
import type { PeerId } from "@libp2p/interface";
import type { Uint8ArrayList } from "uint8arraylist";
import { errorMessage, LvoError } from "../util/errors.ts";
import { P2pErrorCode } from "./errors.ts";
import type { Pubsub } from "./gossip.ts";
import { Penalty } from "./penalties.ts";
import { RateLimiter } from "./rate-limit.ts";

/** The gossipsub 17 internals the guard replaces or calls (pinned version; checked at attach). */
interface PubsubInternals {
  pipePeerReadStream(peerId: PeerId, source: AsyncIterable<Uint8Array | Uint8ArrayList>): Promise<void>;
  decodeRpc(bytes: Uint8Array): RPC;
  handlePeerReadStreamError(err: unknown, peerId: PeerId): void;
  handleReceivedRpc(from: PeerId, rpc: RPC): Promise<void>;
}

/** What the guard needs from the node. */
export interface GossipGuardDeps {
  /** Our topics: messages on any other are dropped and penalised. */
  topics: ReadonlySet<string>;
  /** Gossip messages a peer may send per second (token bucket, burst of the same size). */
  messagesPerSecond: number;
  /** Bound on the per-peer buckets. */
  maxPeers: number;
  penalise(peer: string, points: number, reason: string): void;
}

/** it-length-prefixed's errors for a length prefix above gossipsub's frame cap (or malformed). */
function isFrameLengthError(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return (
    name === "InvalidDataLengthError" ||
    name === "InvalidDataLengthLengthError" ||
    name === "InvalidMessageLengthError"
  );
}

/**
 * Reads each peer's gossipsub stream in place of gossipsub's own loop, to punish what gossipsub
 * 17 lets pass unpunished. No honest router sends any of it:
 * - a frame above the 4 MiB cap: gossipsub drops the peer from its router but keeps the
 *   connection, so the peer opens another stream and goes on (`Penalty.BAD_FRAME`: banned);
 * - a frame that is not a gossipsub RPC: gossipsub logs and skips it (`Penalty.BAD_FRAME`);
 * - messages on topics we do not know: gossipsub skips them (`Penalty.UNKNOWN_TOPIC` per RPC);
 * - more messages than the peer's budget: gossipsub verifies every message of an RPC (up to
 *   5000) before the first verdict lowers the sender's score, so one RPC held the event loop
 *   for 2.6 s. Messages beyond the budget are dropped unseen (an honest one comes again from
 *   another peer or through gossip) and the RPC costs `Penalty.GOSSIP_FLOOD`.
 * Everything else goes to gossipsub's own RPC handler, as its loop would.
 */
export class GossipGuard {
  private readonly deps: GossipGuardDeps;
  private readonly budget: RateLimiter;

  constructor(deps: GossipGuardDeps) {
    this.deps = deps;
    this.budget = new RateLimiter(deps.messagesPerSecond, 4 * deps.maxPeers);
  }

  /** Take over `pubsub`'s stream reading (call before it starts). */
  attach(pubsub: Pubsub): void {
    const ps = pubsub as unknown as PubsubInternals;
    for (const m of [
      "pipePeerReadStream",
      "decodeRpc",
      "handlePeerReadStreamError",
      "handleReceivedRpc",
    ] as const) {
      if (typeof ps[m] !== "function") {
        throw new LvoError(
          P2pErrorCode.P2P_BAD_OPTIONS,
          `gossipsub has no ${m}: the guard needs gossipsub 17.1`,
        );
      }
    }
    ps.pipePeerReadStream = (peerId, source) => this.read(ps, peerId, source);
  }

  /** Forget a disconnected peer's budget. */
  forget(peer: string): void {
    this.budget.forget(peer);
  }

  private async read(
    ps: PubsubInternals,
    peerId: PeerId,
    source: AsyncIterable<Uint8Array | Uint8ArrayList>,
  ): Promise<void> {
    const peer = peerId.toString();
    try {
      for await (const data of source) {
        let rpc: RPC;
        try {
          rpc = ps.decodeRpc(data.subarray());
        } catch (err) {
          this.deps.penalise(peer, Penalty.BAD_FRAME, `undecodable gossip frame: ${errorMessage(err)}`);
          continue;
        }
        this.screen(peer, rpc);
        // Not awaited, as in gossipsub's loop: validation of one RPC must not hold the next.
        ps.handleReceivedRpc(peerId, rpc).catch(() => undefined);
      }
    } catch (err) {
      if (isFrameLengthError(err)) {
        this.deps.penalise(peer, Penalty.BAD_FRAME, `gossip frame over the cap: ${errorMessage(err)}`);
      }
      ps.handlePeerReadStreamError(err, peerId);
    }
  }

  /** Drop (and penalise) messages on unknown topics and beyond the peer's budget. */
  private screen(peer: string, rpc: RPC): void {
    if (rpc.messages.length === 0) return;
    const known = rpc.messages.filter((m) => this.deps.topics.has(m.topic));
    if (known.length < rpc.messages.length) {
      this.deps.penalise(
        peer,
        Penalty.UNKNOWN_TOPIC,
        `${rpc.messages.length - known.length} gossip messages on unknown topics`,
      );
    }
    const granted = this.budget.takeUpTo(peer, known.length);
    if (granted < known.length) {
      this.deps.penalise(
        peer,
        Penalty.GOSSIP_FLOOD,
        `gossip flood: ${known.length - granted} messages over ${this.deps.messagesPerSecond}/s`,
      );
    }
    rpc.messages = granted < known.length ? known.slice(0, granted) : known;
  }
}
