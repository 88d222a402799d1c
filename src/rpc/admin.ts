// The `admin_` namespace: node operator views, served only with `enableAdmin`.
import { toHex, toQuantity } from "../util/bytes.ts";
import type { Json } from "./json.ts";
import { type MethodTable, method } from "./methods/define.ts";
import { nullable } from "./params.ts";
import { arrayOf, object, S, ref as schemaRef } from "./schemas.ts";

/** A connected peer as p2p reports it. */
export interface AdminPeer {
  id: string;
  addrs: string[];
  /** Verified status after the handshake; null before. */
  status: {
    chainId: number;
    head: { height: number; hash: Uint8Array };
    finalized: { height: number; hash: Uint8Array };
  } | null;
}

/** What the node tells admin methods beyond RpcBackend (its p2p side); absent without p2p. */
export interface AdminInfo {
  peers(): AdminPeer[];
  /** This node's libp2p identity and listen addresses (null id when p2p is off). */
  p2p(): { peerId: string | null; listenAddrs: string[] };
}

const ref = (r: { height: number; hash: Uint8Array }) => ({
  height: toQuantity(r.height),
  hash: toHex(r.hash),
});

/** admin_peers and admin_nodeInfo over `info` (no p2p: no peers, null identity). */
export function adminMethods(info: AdminInfo | undefined): MethodTable {
  return {
    admin_peers: method(
      {
        summary: "Connected peers with their verified status (admin).",
        result: arrayOf(
          object({
            id: S.string,
            addrs: arrayOf(S.string),
            status: nullable(
              object({ chainId: S.quantity, head: schemaRef("BlockRef"), finalized: schemaRef("BlockRef") }),
            ),
          }),
        ),
        resultName: "peers",
      },
      [],
      (): Json =>
        (info?.peers() ?? []).map((p) => ({
          id: p.id,
          addrs: p.addrs,
          status: p.status
            ? {
                chainId: toQuantity(p.status.chainId),
                head: ref(p.status.head),
                finalized: ref(p.status.finalized),
              }
            : null,
        })),
    ),

    admin_nodeInfo: method(
      {
        summary: "This node's version, chain, head, finality and p2p identity (admin).",
        result: object({
          clientVersion: S.string,
          chainId: S.quantity,
          networkName: S.string,
          genesisHash: S.hash,
          delegate: nullable(S.address),
          head: schemaRef("BlockRef"),
          finalized: schemaRef("BlockRef"),
          peerId: nullable(S.string),
          listenAddrs: arrayOf(S.string),
          peers: S.integer,
        }),
        resultName: "nodeInfo",
      },
      [],
      (b): Json => {
        const s = b.chainStatus();
        const p2p = info?.p2p() ?? { peerId: null, listenAddrs: [] };
        return {
          clientVersion: b.clientVersion,
          chainId: toQuantity(b.chainId),
          networkName: s.networkName,
          genesisHash: toHex(s.genesisHash),
          delegate: s.delegate,
          head: ref(s.head),
          finalized: ref(s.finalized),
          peerId: p2p.peerId,
          listenAddrs: p2p.listenAddrs,
          peers: s.peers,
        };
      },
    ),
  };
}
