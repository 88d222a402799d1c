import type { Connection, Libp2p, Stream } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { errorMessage, LvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import {
  decodeBlocksRequest,
  encodeBlocksRequest,
  MAX_BLOCKS_REQUEST_BYTES,
  serveBlocks,
} from "./blocks-protocol.ts";
import { P2pErrorCode } from "./errors.ts";
import { createPubsub, type GossipCounters, GossipValidation, SCORE_THRESHOLDS } from "./gossip.ts";
import { GossipGuard } from "./gossip-guard.ts";
import { Handshake } from "./handshake.ts";
import { createHost, type Services } from "./host.ts";
import { MAX_BOOTSTRAP, type P2pOptions, p2pOptions } from "./options.ts";
import { PeerTable } from "./peers.ts";
import { BAN_POINTS, PeerPenalties, Penalty } from "./penalties.ts";
import { RateLimiter } from "./rate-limit.ts";
import { BootstrapRedialer } from "./redial.ts";
import { sendRequest, serveRequest } from "./reqresp.ts";
import { decodeStatus, encodeStatus, MAX_STATUS_BYTES, statusMismatch } from "./status.ts";
import { Syncer, type SyncState } from "./sync.ts";
import { chainTopics, protocolIds } from "./topics.ts";
import type { GossipKind, P2pHandlers, PeerStatus } from "./types.ts";

/** What a P2pNode needs from the node (js-libp2p's "components" pattern: tests pass stubs). */
export interface P2pModules {
  handlers: P2pHandlers;
  log: Logger;
  chainId: number;
  genesisHash: Uint8Array;
}

/** A connected peer as the node and RPC see it. */
export interface PeerInfo {
  id: string;
  /** Verified status; null until the handshake finished. */
  status: PeerStatus | null;
  /** Remote addresses of its connections. */
  addrs: string[];
}

/** Streams per connection and protocol: a peer cannot pile up requests beyond this. */
const MAX_STREAMS_PER_PROTOCOL = 4;
/** How often gossipsub scores are checked for peers to disconnect. */
const SCORE_CHECK_MS = 1_000;

/**
 * The p2p layer of a node: libp2p over TCP (noise, yamux, identify, ping), gossipsub for the
 * four gossip kinds, the status and block-range protocols, the status handshake, bootstrap
 * redial, peer scoring and block sync. It moves bytes and knows peers; the node judges them
 * through `P2pHandlers`.
 */
export class P2pNode {
  readonly opts: P2pOptions;
  private readonly m: P2pModules;
  private readonly log: Logger;
  private readonly table = new PeerTable();
  private readonly penalties = new PeerPenalties();
  private readonly limiter: RateLimiter;
  private readonly topics: ReturnType<typeof chainTopics>;
  private readonly protocols: ReturnType<typeof protocolIds>;
  private readonly validation: GossipValidation;
  private readonly guard: GossipGuard;
  private readonly syncer: Syncer;
  private readonly handshake: Handshake;
  private libp2p: Libp2p<Services> | null = null;
  private redialer: BootstrapRedialer | null = null;
  private abort = new AbortController();
  private timers: NodeJS.Timeout[] = [];
  private refreshing = false;

  constructor(opts: Parameters<typeof p2pOptions>[0], modules: P2pModules) {
    this.opts = p2pOptions(opts);
    this.m = modules;
    this.log = modules.log;
    this.limiter = new RateLimiter(this.opts.maxRequestsPerSecond, 4 * this.opts.maxPeers);
    this.topics = chainTopics(modules.chainId, modules.genesisHash);
    this.protocols = protocolIds(modules.chainId);
    this.validation = new GossipValidation(this.opts, { handlers: modules.handlers, log: modules.log });
    this.guard = new GossipGuard({
      topics: new Set(Object.values(this.topics.byKind)),
      messagesPerSecond: this.opts.maxGossipMessagesPerSecond,
      maxPeers: this.opts.maxPeers,
      penalise: (peer, points, reason) => this.penalise(peer, points, reason),
    });
    this.syncer = new Syncer(
      {
        maxBlocksPerRequest: this.opts.maxBlocksPerRequest,
        maxRequestsPerSecond: this.opts.maxRequestsPerSecond,
        syncDistance: this.opts.syncDistance,
        tickMs: this.opts.statusIntervalMs,
        progressLogMs: this.opts.progressLogMs,
        progressBar: this.opts.progressBar,
      },
      {
        handlers: modules.handlers,
        peers: () => this.table.verified(),
        requestBlocks: (peer, from, count) => this.requestBlocks(peer, from, count),
        penalise: (peer, points, reason) => this.penalise(peer, points, reason),
        log: modules.log,
      },
    );
    this.handshake = new Handshake({
      local: { chainId: modules.chainId, genesisHash: modules.genesisHash },
      peers: this.table,
      requestStatus: (peer) => this.requestStatus(peer),
      isConnected: (peer) => this.isConnected(peer),
      refuse: (peer, reason) => this.refuse(peer, reason),
      drop: (peer, reason) => {
        this.log.debug({ peer, reason }, "peer dropped");
        void this.hangUp(peer);
      },
      onStatus: (_peer, status) => this.syncer.onStatus(status),
      stopped: () => this.abort.signal.aborted,
      log: modules.log,
    });
  }

  /**
   * Look at peers for missing blocks now instead of at the next status tick (a gossiped block
   * named a parent we do not have). Cheap when nothing is missing; a kick during a run asks
   * for one more run after it.
   */
  requestSync(): void {
    this.syncer.kick();
  }

  /** This node's peer id (stable when `peerKeyFile` is set); throws before start. */
  get peerId(): string {
    return this.node().peerId.toString();
  }

  /** Start libp2p, the protocols, gossip, bootstrap dials and sync. */
  async start(): Promise<void> {
    if (this.libp2p) return;
    this.abort = new AbortController();
    const o = this.opts;
    const libp2p = await createHost(o, {
      isDenied: (peer) => this.table.isDenied(peer) !== null,
      pubsub: createPubsub(Object.values(this.topics.byKind), (peer) => -this.penalties.points(peer)),
    });
    this.libp2p = libp2p;
    try {
      this.guard.attach(libp2p.services.pubsub);
      const handleOpts = {
        maxInboundStreams: MAX_STREAMS_PER_PROTOCOL,
        maxOutboundStreams: MAX_STREAMS_PER_PROTOCOL,
      };
      await libp2p.handle(this.protocols.status, (s, c) => this.serveStatus(s, c), handleOpts);
      await libp2p.handle(this.protocols.blocks, (s, c) => this.serveBlocks(s, c), handleOpts);
      libp2p.addEventListener("peer:connect", (evt) => {
        const peer = evt.detail.toString();
        this.log.debug({ peer }, "peer connected");
        void this.handshake.onConnect(peer);
      });
      libp2p.addEventListener("peer:disconnect", (evt) => {
        const peer = evt.detail.toString();
        this.table.remove(peer);
        this.limiter.forget(peer);
        this.guard.forget(peer);
        this.redialer?.onDisconnect(peer);
        this.log.debug({ peer }, "peer disconnected");
      });
      await libp2p.start();
      // gossipsub accepts subscriptions only once started.
      this.validation.attach(libp2p.services.pubsub, this.topics.byKind);
      let bootstrap = o.bootstrap;
      if (bootstrap.length > MAX_BOOTSTRAP) {
        this.log.warn(
          { given: bootstrap.length, used: MAX_BOOTSTRAP },
          "too many bootstrap peers: extra ignored",
        );
        bootstrap = bootstrap.slice(0, MAX_BOOTSTRAP);
      }
      this.redialer = new BootstrapRedialer(
        bootstrap,
        { minMs: o.redialMinMs, maxMs: o.redialMaxMs, dialTimeoutMs: o.requestTimeoutMs },
        {
          dial: async (addr, signal) => (await libp2p.dial(addr, { signal })).remotePeer.toString(),
          isConnected: (peer) => this.isConnected(peer),
          canDial: () => libp2p.getConnections().length < o.maxPeers,
          self: libp2p.peerId.toString(),
          log: this.log,
        },
      );
      this.redialer.start();
      this.every(o.statusIntervalMs, () => this.refreshStatuses());
      this.every(SCORE_CHECK_MS, () => this.checkScores());
      this.syncer.start();
      this.log.info(
        { peerId: this.peerId, listen: this.listenAddrs(), bootstrap: bootstrap.length },
        "p2p started",
      );
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stop in reverse order: sync, timers, redial, then libp2p (closes every connection). */
  async stop(): Promise<void> {
    const libp2p = this.libp2p;
    if (!libp2p) return;
    this.abort.abort();
    await this.syncer.stop();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.redialer?.stop();
    this.redialer = null;
    await libp2p.stop();
    this.libp2p = null;
    this.log.info("p2p stopped");
  }

  /**
   * Publish a gossip message; resolves with how many peers it was sent to. P2P_MESSAGE_TOO_LARGE
   * above the kind's cap (peers would reject it and penalise us). Message ids are content hashes:
   * the same bytes published again within gossipsub's seen window (2 min) go nowhere (0 peers).
   * Our own messages are not passed to `onGossip`.
   */
  async publish(kind: GossipKind, data: Uint8Array): Promise<number> {
    const cap = this.opts.maxMessageBytes[kind];
    if (data.length > cap) {
      throw new LvoError(
        P2pErrorCode.P2P_MESSAGE_TOO_LARGE,
        `${kind} message of ${data.length} bytes exceeds ${cap}`,
        {
          kind,
          bytes: data.length,
          cap,
        },
      );
    }
    const res = await this.node().services.pubsub.publish(this.topics.byKind[kind], data);
    return res.recipients.length;
  }

  /** Connected peers, with their verified status and connection addresses. */
  peers(): PeerInfo[] {
    const libp2p = this.libp2p;
    if (!libp2p) return [];
    return libp2p.getPeers().map((id) => ({
      id: id.toString(),
      status: this.table.status(id.toString()),
      addrs: libp2p.getConnections(id).map((c) => c.remoteAddr.toString()),
    }));
  }

  /** Addresses this node listens on, each ending in `/p2p/<peer id>` (empty before start). */
  listenAddrs(): string[] {
    return this.libp2p?.getMultiaddrs().map((a) => a.toString()) ?? [];
  }

  /** Number of connected peers (net_peerCount). */
  peerCount(): number {
    return this.libp2p?.getPeers().length ?? 0;
  }

  /** Sync progress for eth_syncing. */
  syncState(): SyncState {
    return this.syncer.syncState();
  }

  /** A peer's gossipsub score (includes our own penalties); 0 for an unknown peer. */
  peerScore(peer: string): number {
    return this.libp2p?.services.pubsub.getScore(peer) ?? 0;
  }

  /** Peers in our gossipsub mesh for a kind. */
  meshPeers(kind: GossipKind): string[] {
    return this.libp2p?.services.pubsub.getMeshPeers(this.topics.byKind[kind]) ?? [];
  }

  /** Gossip validation counts since start. */
  gossipCounters(): GossipCounters {
    return { ...this.validation.counters };
  }

  /** Fetch a block range from a connected peer (the syncer's request; exposed for tools and tests). */
  async requestBlocks(peer: string, fromHeight: number, count: number): Promise<Uint8Array[]> {
    // The request carries `count` as given; an answer longer than a server may send
    // (min(count, the cap): servers cap, they do not refuse) is a bad response.
    return sendRequest(
      (signal) => this.openStream(peer, this.protocols.blocks, signal),
      encodeBlocksRequest({ fromHeight, count }),
      {
        maxFrames: Math.min(count, this.opts.maxBlocksPerRequest),
        maxFrameBytes: this.opts.maxMessageBytes.blocks,
        maxTotalBytes: this.opts.maxResponseBytes,
      },
      this.opts.requestTimeoutMs,
    );
  }

  private node(): Libp2p<Services> {
    if (!this.libp2p) throw new LvoError(P2pErrorCode.P2P_NOT_STARTED, "p2p is not started");
    return this.libp2p;
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  private isConnected(peer: string): boolean {
    return (this.libp2p?.getConnections(peerIdFromString(peer)).length ?? 0) > 0;
  }

  /**
   * A stream on an existing connection: requests never dial, so a peer we dropped is not
   * reconnected behind the gater's back by a late status refresh or sync request.
   */
  private async openStream(peer: string, protocol: string, signal: AbortSignal): Promise<Stream> {
    const conn: Connection | undefined = this.node()
      .getConnections(peerIdFromString(peer))
      .find((c) => c.status === "open");
    if (!conn) throw new LvoError(P2pErrorCode.P2P_REQUEST_FAILED, "peer is not connected", { peer });
    return conn.newStream(protocol, { signal });
  }

  private async requestStatus(peer: string): Promise<PeerStatus> {
    const frames = await sendRequest(
      (signal) => this.openStream(peer, this.protocols.status, signal),
      encodeStatus(this.m.handlers.status()),
      { maxFrames: 1, maxFrameBytes: MAX_STATUS_BYTES, maxTotalBytes: MAX_STATUS_BYTES },
      this.opts.requestTimeoutMs,
    );
    if (frames.length !== 1)
      throw new LvoError(P2pErrorCode.P2P_BAD_RESPONSE, "status response has no status");
    return decodeStatus(frames[0]!);
  }

  private allowRequest(peer: string): boolean {
    if (this.limiter.take(peer)) return true;
    this.penalise(peer, Penalty.REQUEST_FLOOD, "request rate exceeded");
    return false;
  }

  /**
   * Status server: answers with our status and records the requester's. A requester on another
   * chain still gets our answer (so it can log its own reason) and is refused right after.
   */
  private async serveStatus(stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString();
    let mismatch: string | null = null;
    await serveRequest(stream, {
      maxRequestBytes: MAX_STATUS_BYTES,
      timeoutMs: this.opts.requestTimeoutMs,
      allow: () => this.allowRequest(peer),
      serve: async (req) => {
        let theirs: PeerStatus;
        try {
          theirs = decodeStatus(req);
        } catch (err) {
          throw new LvoError(P2pErrorCode.P2P_BAD_REQUEST, errorMessage(err));
        }
        mismatch = statusMismatch(this.m, theirs);
        if (mismatch === null) this.handshake.accept(peer, theirs);
        return [encodeStatus(this.m.handlers.status())];
      },
      log: this.log,
      peer,
    });
    if (mismatch !== null) this.refuse(peer, mismatch);
  }

  /** Block-range server: verified peers only; count capped, bytes capped. */
  private serveBlocks(stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString();
    return serveRequest(stream, {
      maxRequestBytes: MAX_BLOCKS_REQUEST_BYTES,
      timeoutMs: this.opts.requestTimeoutMs,
      allow: () => this.allowRequest(peer),
      serve: async (req) => {
        const request = decodeBlocksRequest(req);
        if (!this.table.status(peer)) {
          throw new LvoError(P2pErrorCode.P2P_BAD_REQUEST, "blocks requested before the status handshake");
        }
        return serveBlocks(request, (from, count) => this.m.handlers.getBlocks(from, count), {
          maxBlocks: this.opts.maxBlocksPerRequest,
          maxBytes: this.opts.maxResponseBytes,
        });
      },
      log: this.log,
      peer,
    });
  }

  private refreshStatuses(): void {
    // One round at a time, at most one request per connected peer (bounded by maxPeers).
    if (this.refreshing || !this.libp2p) return;
    this.refreshing = true;
    const peers = this.table.verified().map((p) => p.id);
    void Promise.all(peers.map((p) => this.handshake.refresh(p))).finally(() => {
      this.refreshing = false;
    });
  }

  private checkScores(): void {
    const libp2p = this.libp2p;
    if (!libp2p) return;
    for (const id of libp2p.getPeers()) {
      const peer = id.toString();
      const score = libp2p.services.pubsub.getScore(peer);
      if (score < SCORE_THRESHOLDS.graylistThreshold) this.ban(peer, `gossip score ${score.toFixed(1)}`);
    }
  }

  private penalise(peer: string, points: number, reason: string): void {
    const total = this.penalties.add(peer, points);
    this.log.debug({ peer, points, total, reason }, "peer penalised");
    if (total >= BAN_POINTS) this.ban(peer, reason);
  }

  private ban(peer: string, reason: string): void {
    if (this.table.isDenied(peer)) return;
    this.log.warn({ peer, reason, forMs: this.opts.banMs }, "peer banned");
    this.table.deny(peer, this.opts.banMs, "banned");
    void this.hangUp(peer);
  }

  private refuse(peer: string, reason: string): void {
    if (this.table.isDenied(peer) === "refused") return;
    this.log.warn({ peer, reason }, "peer refused");
    this.table.deny(peer, this.opts.banMs, "refused");
    void this.hangUp(peer);
  }

  private async hangUp(peer: string): Promise<void> {
    try {
      await this.libp2p?.hangUp(peerIdFromString(peer));
    } catch (err) {
      this.log.debug({ peer, err: errorMessage(err) }, "hang up failed");
    }
  }
}
