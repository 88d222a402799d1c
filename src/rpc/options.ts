/** Node-local settings of the JSON-RPC server; the CLI maps `--rpc-*` flags onto this. */
export interface RpcOptions {
  /** Interface to bind. Loopback by default: exposing RPC is an explicit operator choice. */
  host: string;
  /** TCP port; 8545 is where Ethereum tools look first. 0 picks a free port (tests). */
  port: number;
  /** Largest request body accepted; bigger bodies get HTTP 413 and the connection is closed. */
  maxBodyBytes: number;
  /** Most calls in one batch; a bigger batch is answered with a single error. */
  maxBatch: number;
  /** Open TCP connections at once; Node drops the excess on accept. */
  maxConnections: number;
  /** Deadline for receiving a request and, separately, for answering it. */
  requestTimeoutMs: number;
  /** Idle time before a keep-alive connection is closed. */
  keepAliveTimeoutMs: number;
  /** How long stop() waits for in-flight requests before cutting connections. */
  shutdownGraceMs: number;
}

/** Defaults: geth-like limits, loopback only. */
export const defaultRpcOptions: RpcOptions = {
  host: "127.0.0.1",
  port: 8545,
  // A raw transaction is at most ~128 KiB; 5 MiB leaves room for batches of them.
  maxBodyBytes: 5 * 1024 * 1024,
  maxBatch: 100,
  maxConnections: 256,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  shutdownGraceMs: 2_000,
};
