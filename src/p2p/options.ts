import { LvoError } from "../util/errors.ts";
import { P2pErrorCode } from "./errors.ts";
import type { GossipKind } from "./types.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Largest gossip message any kind may be configured for. gossipsub 17 length-prefixes each
 * outbound RPC frame with it-length-prefixed's default cap of 4 MiB (not configurable), and may
 * piggyback control messages (IHAVE lists) into the same frame: 256 KiB stay free for those and
 * the signed envelope. A larger message would be dropped by the sender with only a debug log.
 */
export const MAX_GOSSIP_MESSAGE_BYTES = 4 * MiB - 256 * KiB;

/** Node-local p2p settings (never from genesis). The CLI maps flags onto this shape. */
export interface P2pOptions {
  /** Multiaddrs to listen on. */
  listen: string[];
  /** Peers dialled at start and redialled with backoff whenever they drop (at most `maxBootstrap`). */
  bootstrap: string[];
  /**
   * File holding this node's libp2p Ed25519 key, so its peer id is stable across restarts;
   * created 0600 when missing. null: a fresh key per start (tests).
   */
  peerKeyFile: string | null;
  /** Connections held at most; inbound connections beyond are refused by libp2p. */
  maxPeers: number;
  /** Largest gossip message per kind; larger ones are rejected before the node sees them. */
  maxMessageBytes: Record<GossipKind, number>;
  /** Blocks served per range request: larger requests are capped to this, not refused. */
  maxBlocksPerRequest: number;
  /** Bytes of blocks per range response; the server stops before the block that would pass it. */
  maxResponseBytes: number;
  /** Deadline of one request-response exchange (both sides). */
  requestTimeoutMs: number;
  /** Requests a peer may make per second (token bucket, burst of the same size). */
  maxRequestsPerSecond: number;
  /** How often every peer's status is requested again (also requested on connection). */
  statusIntervalMs: number;
  /** Bootstrap redial backoff: starts at `redialMinMs`, doubles per failure up to `redialMaxMs`. */
  redialMinMs: number;
  redialMaxMs: number;
  /** How long a banned (misbehaving) or refused (other chain) peer is kept out. */
  banMs: number;
  /** gossip messages validated concurrently; more wait, up to `maxPendingValidations`. */
  maxConcurrentValidations: number;
  /** Validations waiting for a slot; beyond this, new messages are ignored (dropped, no penalty). */
  maxPendingValidations: number;
  /** A validation slower than this counts as ignore, so one slow handler cannot stall gossip. */
  validationTimeoutMs: number;
  /**
   * Gossip messages one peer may send per second (burst of the same size). Beyond it messages
   * are dropped before gossipsub verifies them, and the peer is penalised.
   */
  maxGossipMessagesPerSecond: number;
  /** Inbound connections accepted per second from one host (devnets run many nodes on one IP). */
  inboundConnectionsPerSecond: number;
  /**
   * A peer this many blocks ahead starts a sync at once and makes eth_syncing true; smaller
   * gaps (gossip in flight) are left to gossip and the periodic check.
   */
  syncDistance: number;
  /** Interval of the sync progress log line. */
  progressLogMs: number;
  /** Draw a cli-progress bar while syncing (the CLI sets it when stdout is a TTY). */
  progressBar: boolean;
}

/** Defaults beside the code that uses them. */
export const DEFAULT_P2P_OPTIONS: P2pOptions = {
  listen: ["/ip4/127.0.0.1/tcp/0"],
  bootstrap: [],
  peerKeyFile: null,
  maxPeers: 50,
  // Blocks: as close to 4 MiB as gossipsub can carry; consensus must cap block size below this.
  maxMessageBytes: { blocks: MAX_GOSSIP_MESSAGE_BYTES, txs: 1 * MiB, votes: 64 * KiB, evidence: 64 * KiB },
  maxBlocksPerRequest: 64,
  maxResponseBytes: 8 * MiB,
  requestTimeoutMs: 10_000,
  maxRequestsPerSecond: 20,
  statusIntervalMs: 5_000,
  redialMinMs: 2_000,
  redialMaxMs: 30_000,
  banMs: 10 * 60_000,
  maxConcurrentValidations: 64,
  maxPendingValidations: 4096,
  validationTimeoutMs: 5_000,
  // An honest peer relays blocks, votes and transaction batches: tens per second on a busy
  // chain. Each message costs gossipsub a signature check (~0.5 ms) before any verdict.
  maxGossipMessagesPerSecond: 500,
  inboundConnectionsPerSecond: 20,
  syncDistance: 2,
  progressLogMs: 5_000,
  progressBar: false,
};

/** Bootstrap entries beyond this are ignored (with a warning): each one holds a redial timer. */
export const MAX_BOOTSTRAP = 64;

/**
 * Defaults overlaid with `partial` (`maxMessageBytes` merges per kind); P2P_BAD_OPTIONS when a
 * value is out of range.
 */
export function p2pOptions(
  partial: Partial<Omit<P2pOptions, "maxMessageBytes">> & {
    maxMessageBytes?: Partial<P2pOptions["maxMessageBytes"]>;
  } = {},
): P2pOptions {
  const o: P2pOptions = {
    ...DEFAULT_P2P_OPTIONS,
    ...partial,
    maxMessageBytes: { ...DEFAULT_P2P_OPTIONS.maxMessageBytes, ...partial.maxMessageBytes },
  };
  for (const [kind, cap] of Object.entries(o.maxMessageBytes)) {
    if (!Number.isSafeInteger(cap) || cap < 1 || cap > MAX_GOSSIP_MESSAGE_BYTES) {
      throw new LvoError(
        P2pErrorCode.P2P_BAD_OPTIONS,
        `maxMessageBytes.${kind} must be 1..${MAX_GOSSIP_MESSAGE_BYTES}`,
      );
    }
  }
  if (o.maxResponseBytes < o.maxMessageBytes.blocks) {
    throw new LvoError(P2pErrorCode.P2P_BAD_OPTIONS, "maxResponseBytes must hold at least one block");
  }
  for (const k of [
    "maxPeers",
    "maxBlocksPerRequest",
    "maxRequestsPerSecond",
    "requestTimeoutMs",
    "statusIntervalMs",
    "maxGossipMessagesPerSecond",
  ] as const) {
    if (!(o[k] > 0)) throw new LvoError(P2pErrorCode.P2P_BAD_OPTIONS, `${k} must be positive`);
  }
  if (!(o.redialMinMs > 0 && o.redialMaxMs >= o.redialMinMs)) {
    throw new LvoError(P2pErrorCode.P2P_BAD_OPTIONS, "redial backoff must satisfy 0 < min <= max");
  }
  return o;
}
