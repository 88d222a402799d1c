import { DEFAULT_MEMPOOL_OPTIONS, type MempoolOptions } from "../mempool/options.ts";
import type { P2pOptions } from "../p2p/index.ts";
import type { RpcOptions } from "../rpc/options.ts";

/** Node-local settings (consensus parameters come from genesis, never from here). */
export interface NodeOptions {
  dataDir: string;
  /** Delegate secret key: the node produces blocks when set. */
  delegateKey: Uint8Array | null;
  /** JSON-RPC; null disables it. */
  rpc: Partial<RpcOptions> | null;
  /** p2p networking; null runs a node alone (single-delegate chains, tests). */
  p2p: Partial<P2pOptions> | null;
  mempool: MempoolOptions;
  maxTxsPerBlock: number;
  /** Share of the block interval a produced block's execution may take (see ProducerOptions). */
  execBudget: number;
  /** Prometheus metrics, /healthz and /readyz on their own port; null disables them. */
  metrics: { host: string; port: number } | null;
  /** The read-only block explorer page on its own port; null (the default) disables it. */
  explorer: { host: string; port: number } | null;
}

/** Defaults beside the code that uses them. */
export const DEFAULT_NODE_OPTIONS: Omit<NodeOptions, "dataDir"> = {
  delegateKey: null,
  rpc: {},
  p2p: null,
  mempool: DEFAULT_MEMPOOL_OPTIONS,
  maxTxsPerBlock: 10_000,
  execBudget: 0.45,
  metrics: null,
  explorer: null,
};
