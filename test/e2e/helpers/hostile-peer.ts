import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { RPC } from "@libp2p/gossipsub/message";
import { identify } from "@libp2p/identify";
import type { Connection, Libp2p, PrivateKey, Stream } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { tcp } from "@libp2p/tcp";
import { multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import { encodeLength } from "../../../src/p2p/frames.ts";
import { serveRequest } from "../../../src/p2p/reqresp.ts";
import { encodeStatus, MAX_STATUS_BYTES } from "../../../src/p2p/status.ts";
import { chainTopics, protocolIds } from "../../../src/p2p/topics.ts";
import type { GossipKind } from "../../../src/p2p/types.ts";
import { silentLogger } from "../../../src/util/log.ts";

/** gossipsub's stream protocols, newest first (what an honest router negotiates). */
const MESHSUB = ["/meshsub/1.2.0", "/meshsub/1.1.0"];
/** gossipsub's signing prefix: the envelope signature covers "libp2p-pubsub:" + the encoded message. */
const SIGN_PREFIX = new TextEncoder().encode("libp2p-pubsub:");

/** What to do to a message envelope. */
export interface EnvelopeOptions {
  /** Flip a byte of the signature (gossipsub's StrictSign check must fail). */
  badSignature?: boolean;
  /** A topic other than the kind's (e.g. one the node does not know). */
  topic?: string;
}

/**
 * A hostile libp2p peer for the gossip campaign. It passes the status handshake (claiming the
 * genesis block as its head, so nobody syncs from it), then writes gossipsub RPC frames of its
 * own making on a /meshsub stream to one peer at a time: any payload in a validly signed
 * envelope, envelopes with bad signatures, messages on unknown topics, many messages in one
 * RPC, undecodable frames, and frames above gossipsub's 4 MiB cap. It runs no gossipsub router,
 * so it relays nothing and every message a node gets from it was written here.
 */
export class HostilePeer {
  readonly libp2p: Libp2p;
  private readonly key: PrivateKey;
  private readonly byKind: Record<GossipKind, string>;
  private readonly streams = new Map<string, Stream>();
  private seqno = BigInt(Date.now()) * 1_000_000n;
  /** Per remote peer: when our last connection to it closed (ms since epoch). */
  readonly disconnectedAt = new Map<string, number>();
  /** Per remote peer: status requests we answered (the remote's handshake with us). */
  readonly statusServed = new Map<string, number>();

  private constructor(libp2p: Libp2p, key: PrivateKey, byKind: Record<GossipKind, string>) {
    this.libp2p = libp2p;
    this.key = key;
    this.byKind = byKind;
  }

  /** A fresh identity (new key, new peer id) on the chain of `genesisHash`. */
  static async start(chainId: number, genesisHash: Uint8Array): Promise<HostilePeer> {
    const key = await generateKeyPair("Ed25519");
    const libp2p = await createLibp2p({
      privateKey: key,
      addresses: { listen: ["/ip4/127.0.0.1/tcp/0"] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() },
    });
    const peer = new HostilePeer(libp2p, key, chainTopics(chainId, genesisHash).byKind);
    const genesis = { height: 0, hash: genesisHash };
    const status = encodeStatus({ chainId, genesisHash, head: genesis, finalized: genesis });
    await libp2p.handle(protocolIds(chainId).status, (stream: Stream, conn: Connection) => {
      const remote = conn.remotePeer.toString();
      peer.statusServed.set(remote, (peer.statusServed.get(remote) ?? 0) + 1);
      return serveRequest(stream, {
        maxRequestBytes: MAX_STATUS_BYTES,
        timeoutMs: 5_000,
        allow: () => true,
        serve: async () => [status],
        log: silentLogger(),
        peer: remote,
      });
    });
    libp2p.addEventListener("peer:disconnect", (evt) => {
      const id = evt.detail.toString();
      peer.disconnectedAt.set(id, Date.now());
      peer.streams.delete(id);
    });
    return peer;
  }

  get id(): string {
    return this.libp2p.peerId.toString();
  }

  /** Topic name of a kind on this chain. */
  topic(kind: GossipKind): string {
    return this.byKind[kind];
  }

  /**
   * Dial `addr` (with /p2p/) and wait until the remote has asked our status (its handshake);
   * resolves with the remote peer id. Throws when the dial fails or the remote never asks.
   */
  async connect(addr: string, timeoutMs = 10_000): Promise<string> {
    const remote = multiaddr(addr)
      .getComponents()
      .find((c) => c.name === "p2p")?.value;
    if (!remote) throw new Error(`no /p2p/ in ${addr}`);
    const before = this.statusServed.get(remote) ?? 0;
    await this.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(timeoutMs) });
    const end = Date.now() + timeoutMs;
    while ((this.statusServed.get(remote) ?? 0) <= before) {
      if (!this.isConnected(remote)) throw new Error(`${remote} hung up during the handshake`);
      if (Date.now() > end) throw new Error(`${remote} never asked our status`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return remote;
  }

  /**
   * Try to get back in: dial, then give the remote `holdMs` to refuse. True when a connection
   * is still open after that (the remote let us in).
   */
  async tryReconnect(addr: string, holdMs = 1_000): Promise<boolean> {
    try {
      await this.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(5_000) });
    } catch {
      return false;
    }
    await new Promise((r) => setTimeout(r, holdMs));
    const remote = multiaddr(addr)
      .getComponents()
      .find((c) => c.name === "p2p")?.value;
    return remote !== undefined && this.isConnected(remote);
  }

  isConnected(peer: string): boolean {
    return this.libp2p.getConnections(peerIdFromString(peer)).some((c) => c.status === "open");
  }

  /** A gossipsub message envelope around `data`, signed by this peer (or with a bad signature). */
  async envelope(kind: GossipKind, data: Uint8Array, o: EnvelopeOptions = {}): Promise<RPC.Message> {
    const seqno = new Uint8Array(8);
    new DataView(seqno.buffer).setBigUint64(0, ++this.seqno);
    const msg: RPC.Message = {
      from: this.libp2p.peerId.toMultihash().bytes,
      data,
      seqno,
      topic: o.topic ?? this.byKind[kind],
    };
    const body = RPC.Message.encode(msg);
    const signed = new Uint8Array(SIGN_PREFIX.length + body.length);
    signed.set(SIGN_PREFIX);
    signed.set(body, SIGN_PREFIX.length);
    const signature = await this.key.sign(signed);
    if (o.badSignature) signature[signature.length >> 1]! ^= 0x01;
    return { ...msg, signature };
  }

  /** One RPC frame carrying `messages` (and optional subscriptions) to `peer`. */
  sendRpc(peer: string, messages: RPC.Message[], subscribe: string[] = []): Promise<boolean> {
    const rpc = RPC.encode({
      subscriptions: subscribe.map((topic) => ({ subscribe: true, topic })),
      messages,
    });
    return this.sendFrame(peer, rpc);
  }

  /**
   * Raw bytes as one length-prefixed frame on our /meshsub stream to `peer` (opened on first
   * use, reopened after the remote closed it). False when not connected or the write failed.
   */
  async sendFrame(peer: string, payload: Uint8Array): Promise<boolean> {
    try {
      const s = await this.stream(peer);
      if (!s) return false;
      s.send(encodeLength(payload.length));
      if (!s.send(payload)) await s.onDrain({ signal: AbortSignal.timeout(10_000) });
      return true;
    } catch {
      this.streams.delete(peer);
      return false;
    }
  }

  private async stream(peer: string): Promise<Stream | null> {
    const open = this.streams.get(peer);
    if (open && open.status === "open" && open.writeStatus === "writable") return open;
    this.streams.delete(peer);
    const conn = this.libp2p.getConnections(peerIdFromString(peer)).find((c) => c.status === "open");
    if (!conn) return null;
    const s = await conn.newStream(MESHSUB, { signal: AbortSignal.timeout(5_000) });
    this.streams.set(peer, s);
    return s;
  }

  async stop(): Promise<void> {
    await this.libp2p.stop();
  }
}
