import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage, isLvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import { P2pErrorCode } from "./errors.ts";
import type { PeerTable } from "./peers.ts";
import { statusMismatch } from "./status.ts";
import type { PeerStatus } from "./types.ts";

/** Status requests tried on a new connection before giving the peer up. */
const HANDSHAKE_ATTEMPTS = 3;
/** Pause between those attempts (a simultaneous dial can close the first connection's streams). */
const HANDSHAKE_RETRY_MS = 300;

/** What the handshake needs from the node. */
export interface HandshakeDeps {
  local: { chainId: number; genesisHash: Uint8Array };
  peers: PeerTable;
  requestStatus(peer: string): Promise<PeerStatus>;
  isConnected(peer: string): boolean;
  /** The peer is on another chain: log, keep out, hang up. */
  refuse(peer: string, reason: string): void;
  /** The peer's status could not be learnt: hang up (no ban: it may be transient). */
  drop(peer: string, reason: string): void;
  /** A verified status arrived (at handshake or refresh). */
  onStatus(peer: string, status: PeerStatus): void;
  /** True once the node is stopping: no more attempts. */
  stopped(): boolean;
  log: Logger;
}

/**
 * The status handshake. Every new connection asks the peer's status; a peer whose chainId or
 * genesis hash differ is refused, otherwise its status is remembered and refreshed. The status
 * request carries our own status, so the serving side checks the requester the same way.
 */
export class Handshake {
  private readonly deps: HandshakeDeps;

  constructor(deps: HandshakeDeps) {
    this.deps = deps;
  }

  /** On a new connection: request the status, retrying briefly; drop the peer if it never answers. */
  async onConnect(peer: string): Promise<void> {
    const d = this.deps;
    let lastError = "";
    for (let attempt = 1; attempt <= HANDSHAKE_ATTEMPTS; attempt++) {
      if (d.stopped() || !d.isConnected(peer)) return;
      try {
        this.accept(peer, await d.requestStatus(peer));
        return;
      } catch (err) {
        lastError = errorMessage(err);
        d.log.debug({ peer, attempt, err: lastError }, "status request failed");
        // A malformed status will not improve on retry.
        if (isLvoError(err, P2pErrorCode.P2P_BAD_RESPONSE)) break;
      }
      await sleep(HANDSHAKE_RETRY_MS);
    }
    if (!d.stopped() && d.isConnected(peer)) d.drop(peer, `no status: ${lastError}`);
  }

  /** Periodic refresh of a verified peer; a failed request keeps the last known status. */
  async refresh(peer: string): Promise<void> {
    try {
      this.accept(peer, await this.deps.requestStatus(peer));
    } catch (err) {
      this.deps.log.debug({ peer, err: errorMessage(err) }, "status refresh failed");
    }
  }

  /** Check a status (ours to theirs) and remember it; false when the peer was refused. */
  accept(peer: string, status: PeerStatus): boolean {
    const reason = statusMismatch(this.deps.local, status);
    if (reason !== null) {
      this.deps.refuse(peer, reason);
      return false;
    }
    // A peer that disconnected while we waited is not re-added.
    if (!this.deps.isConnected(peer)) return false;
    this.deps.peers.setStatus(peer, status);
    this.deps.onStatus(peer, status);
    return true;
  }
}
