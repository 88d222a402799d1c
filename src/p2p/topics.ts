import { toHex } from "../util/bytes.ts";
import type { GossipKind } from "./types.ts";

/** Every gossip kind, in a fixed order. */
export const GOSSIP_KINDS: readonly GossipKind[] = ["blocks", "txs", "votes", "evidence"];

/**
 * The wire topic of a kind: `/lvo/<chainId>/<first 8 hex of genesis hash>/<kind>/1`. Chain and
 * genesis in the name keep nodes of different chains off each other's meshes even before the
 * status handshake refuses them.
 */
export function topicName(chainId: number, genesisHash: Uint8Array, kind: GossipKind): string {
  return `/lvo/${chainId}/${toHex(genesisHash).slice(2, 10)}/${kind}/1`;
}

/** Topic names of all kinds, and the reverse map used by the validator. */
export function chainTopics(
  chainId: number,
  genesisHash: Uint8Array,
): { byKind: Record<GossipKind, string>; byTopic: Map<string, GossipKind> } {
  const byKind = {} as Record<GossipKind, string>;
  const byTopic = new Map<string, GossipKind>();
  for (const kind of GOSSIP_KINDS) {
    const t = topicName(chainId, genesisHash, kind);
    byKind[kind] = t;
    byTopic.set(t, kind);
  }
  return { byKind, byTopic };
}

/** Request-response protocol ids, also scoped by chainId. */
export function protocolIds(chainId: number): { status: string; blocks: string } {
  return { status: `/lvo/${chainId}/status/1`, blocks: `/lvo/${chainId}/blocks/1` };
}
