import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { dataDir } from "../node/datadir.ts";
import { loadOrCreatePeerKey } from "../p2p/peer-key.ts";

/** Delegates in `lvo devnet` (and docker-compose.yml) unless --nodes says otherwise. */
export const DEVNET_DEFAULT_NODES = 4;

/** One node of the local devnet. */
export interface DevnetNode {
  /** Directory name inside the devnet directory, and the docker-compose service name. */
  name: string;
  role: "delegate" | "rpc";
  /** Delegate index (dev mnemonic index 100 + i); -1 for the RPC node. */
  index: number;
  rpcPort: number;
  p2pPort: number;
}

/**
 * The devnet's nodes and ports — one source for `lvo devnet` (processes) and for the test that
 * checks docker-compose.yml describes the same topology. The RPC node answers on `rpcPort`
 * (8545); delegate i answers on rpcPort + 1 + i; p2p ports follow the same pattern from p2pPort.
 */
export function devnetTopology(nodes: number, rpcPort = 8545, p2pPort = 30300): DevnetNode[] {
  const out: DevnetNode[] = [{ name: "rpc", role: "rpc", index: -1, rpcPort, p2pPort }];
  for (let i = 0; i < nodes; i++) {
    out.push({
      name: `delegate-${i}`,
      role: "delegate",
      index: i,
      rpcPort: rpcPort + 1 + i,
      p2pPort: p2pPort + 1 + i,
    });
  }
  return out;
}

/**
 * Every devnet node's libp2p identity, created (0600, in `<root>/<node>/p2p.key`) before any
 * node starts, so each can be given the others' bootstrap addresses with peer ids. `hostOf`
 * names the address a node is reached at (127.0.0.1 unless a test places nodes elsewhere).
 */
export async function devnetBootstrapAddrs(
  root: string,
  topo: readonly DevnetNode[],
  hostOf: (n: DevnetNode) => string = () => "127.0.0.1",
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const n of topo) {
    const dir = join(root, n.name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = await loadOrCreatePeerKey(dataDir(dir).p2pKey);
    out.set(n.name, `/ip4/${hostOf(n)}/tcp/${n.p2pPort}/p2p/${peerIdFromPrivateKey(key).toString()}`);
  }
  return out;
}
