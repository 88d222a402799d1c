// What other subsystems may use from p2p.
export { P2pErrorCode } from "./errors.ts";
export type { GossipCounters } from "./gossip.ts";
export { type P2pModules, P2pNode, type PeerInfo } from "./node.ts";
export { DEFAULT_P2P_OPTIONS, MAX_GOSSIP_MESSAGE_BYTES, type P2pOptions, p2pOptions } from "./options.ts";
export { loadOrCreatePeerKey } from "./peer-key.ts";
export type { SyncState } from "./sync.ts";
export { topicName } from "./topics.ts";
export type { GossipKind, GossipVerdict, P2pHandlers, PeerStatus } from "./types.ts";
