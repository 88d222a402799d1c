import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { type Identify, identify } from "@libp2p/identify";
import type { Libp2p, PeerId } from "@libp2p/interface";
import { type Ping, ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { createLibp2p } from "libp2p";
import type { createPubsub, Pubsub } from "./gossip.ts";
import type { P2pOptions } from "./options.ts";
import { loadOrCreatePeerKey } from "./peer-key.ts";

/** The libp2p services a node runs. */
export type Services = { pubsub: Pubsub; identify: Identify; ping: Ping };

/**
 * A libp2p host, not yet started: TCP, noise, yamux, identify, ping and the given gossipsub.
 * The gater keeps denied peers out at dial and right after encryption (when the remote peer id
 * is first known); the connection manager refuses inbound connections past `maxPeers`.
 */
export async function createHost(
  o: P2pOptions,
  deps: { isDenied(peer: string): boolean; pubsub: ReturnType<typeof createPubsub> },
): Promise<Libp2p<Services>> {
  const privateKey = o.peerKeyFile
    ? await loadOrCreatePeerKey(o.peerKeyFile)
    : await generateKeyPair("Ed25519");
  const denied = (id: PeerId) => deps.isDenied(id.toString());
  return createLibp2p<Services>({
    start: false,
    privateKey,
    addresses: { listen: o.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      denyDialPeer: denied,
      denyInboundEncryptedConnection: denied,
      denyOutboundEncryptedConnection: denied,
    },
    connectionManager: {
      maxConnections: o.maxPeers,
      inboundConnectionThreshold: o.inboundConnectionsPerSecond,
      dialTimeout: o.requestTimeoutMs,
    },
    services: { identify: identify(), ping: ping(), pubsub: deps.pubsub },
  });
}
