/** Node-local settings of the JSON-RPC server; the CLI maps `--rpc-*` flags onto this. */
export interface RpcOptions {
  /** Interface to bind. Loopback by default: exposing RPC is an explicit operator choice. */
  host: string;
  /** TCP port; 8545 is where Ethereum tools look first. 0 picks a free port (tests). */
  port: number;
  /**
   * Largest request body accepted; bigger bodies get HTTP 413 and the connection is closed.
   * Also the largest WebSocket message: a bigger one closes the socket with code 1009.
   */
  maxBodyBytes: number;
  /** Most calls in one batch (HTTP or WebSocket); a bigger batch is answered with a single error. */
  maxBatch: number;
  /** Open TCP connections at once (WebSocket ones included); Node drops the excess on accept. */
  maxConnections: number;
  /**
   * Open TCP connections from one remote address (HTTP and WebSocket), below maxConnections so
   * one client cannot hold every slot. Loopback clients (the operator's own processes, which
   * all share 127.0.0.1) are not capped unless `capLoopback`: it protects a node whose RPC is
   * reachable from elsewhere.
   */
  maxConnectionsPerIp: number;
  /** Apply maxConnectionsPerIp to loopback clients too (tests). */
  capLoopback: boolean;
  /** Deadline for receiving a request and, separately, for answering it. */
  requestTimeoutMs: number;
  /** Idle time before a keep-alive connection is closed. */
  keepAliveTimeoutMs: number;
  /** How long stop() waits for in-flight requests before cutting connections. */
  shutdownGraceMs: number;
  /**
   * Origins allowed to call from a browser (CORS). Empty (the default): no CORS headers, and
   * WebSocket upgrades that carry an Origin are accepted only from localhost or `allowedHosts`.
   * `"*"` allows any origin. Entries are compared to the Origin header exactly (lowercase).
   */
  corsOrigins: string[];
  /**
   * Origins of the node's own pages (the explorer): allowed for CORS and WebSocket on top of
   * `corsOrigins`, without narrowing anything: with no `corsOrigins`, WebSocket upgrades from
   * localhost pages are still accepted as before.
   */
  pageOrigins: string[];
  /**
   * Host header names accepted, on top of localhost and the bound host (DNS-rebinding
   * protection). IP literals are always accepted; `"*"` turns the check off. Others get 403.
   */
  allowedHosts: string[];
  /** Serve the `admin_` methods (peer list, node info). Off by default: -32601 when off. */
  enableAdmin: boolean;
  /** Open WebSocket connections at once, all clients together; the excess gets HTTP 503. */
  wsMaxConnections: number;
  /** Open WebSocket connections per client IP; the excess gets HTTP 429. */
  wsMaxConnectionsPerIp: number;
  /** Live subscriptions per WebSocket connection; eth_subscribe beyond it fails with -32005. */
  wsMaxSubscriptions: number;
  /**
   * Bytes queued for a WebSocket client that does not read (slow consumer); past it the
   * connection is closed with a warning log line.
   */
  wsMaxBufferedBytes: number;
}

/** Defaults: geth-like limits, loopback only. */
export const defaultRpcOptions: RpcOptions = {
  host: "127.0.0.1",
  port: 8545,
  // A raw transaction is at most ~128 KiB; 5 MiB leaves room for batches of them.
  maxBodyBytes: 5 * 1024 * 1024,
  maxBatch: 100,
  maxConnections: 256,
  maxConnectionsPerIp: 128,
  capLoopback: false,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  shutdownGraceMs: 2_000,
  corsOrigins: [],
  pageOrigins: [],
  allowedHosts: [],
  enableAdmin: false,
  wsMaxConnections: 128,
  wsMaxConnectionsPerIp: 16,
  wsMaxSubscriptions: 100,
  wsMaxBufferedBytes: 16 * 1024 * 1024,
};
