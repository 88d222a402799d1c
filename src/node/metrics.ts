import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Chain } from "../consensus/chain.ts";
import type { Address } from "../crypto/address.ts";
import { getActiveSet, getCandidate } from "../dpos/index.ts";
import type { Mempool } from "../mempool/pool.ts";
import type { Logger } from "../util/log.ts";
import type { Readiness } from "./health.ts";

/** What the gauges read at scrape time (live views of the running node; null while stopped). */
export interface MetricsSources {
  chain(): Chain | null;
  mempool(): Mempool | null;
  peers(): number;
  /** This node's delegate address, if it has a key. */
  delegate: Address | null;
  /** The node's clock (ms), for the slot clock gauge. */
  now(): number;
}

/** Import-time buckets (seconds): a produced block is sub-ms, a full block of transfers ~100 ms+. */
const IMPORT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** RPC latency buckets (seconds). */
const RPC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/**
 * The node's Prometheus metrics, in a registry of its own (several nodes in one process do not
 * mix). Gauges are read from the node at scrape time; counters and histograms are fed by
 * `observeImport` (the chain's "imported" event) and `onRpcCall` (the RPC server's hook).
 */
export class NodeMetrics {
  readonly registry = new Registry();
  private readonly imported: Counter<"origin">;
  private readonly produced: Counter;
  private readonly missedTotal: Counter<"delegate">;
  private readonly importSeconds: Histogram<"origin">;
  private readonly rpcSeconds: Histogram<"method" | "status">;

  constructor(src: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const chainGauge = (name: string, help: string, read: (c: Chain) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const c = src.chain();
          if (c) this.set(read(c));
        },
      });
    chainGauge("lvo_head_height", "Height of the canonical head", (c) => c.head.header.height);
    chainGauge("lvo_head_slot", "Slot of the canonical head", (c) => c.head.header.slot);
    chainGauge("lvo_current_slot", "Slot of the slot clock now", (c) => c.slots.slotAt(src.now()));
    chainGauge("lvo_finalized_height", "Height of the latest finalized block", (c) => c.finalized.height);
    chainGauge(
      "lvo_safe_height",
      "Height of the latest justified block on the head's branch",
      (c) => c.safeHeight,
    );
    new Gauge({
      name: "lvo_peers",
      help: "Connected p2p peers",
      registers,
      collect() {
        this.set(src.peers());
      },
    });
    new Gauge({
      name: "lvo_mempool_transactions",
      help: "Transactions in the mempool: pending (executable now) or queued (nonce gap)",
      labelNames: ["state"],
      registers,
      collect() {
        const c = src.chain();
        const m = src.mempool();
        if (!c || !m) return;
        const view = c.headState();
        const n = m.counts((a) => view.getAccount(a));
        this.set({ state: "pending" }, n.pending);
        this.set({ state: "queued" }, n.queued);
      },
    });
    const delegate = src.delegate;
    if (delegate) {
      new Gauge({
        name: "lvo_delegate_missed_slots",
        help: "Consecutive slots this node's delegate was scheduled for and missed (DPoS record at the head)",
        registers,
        collect() {
          const c = src.chain();
          if (c) this.set(getCandidate(c.headState(), delegate)?.missed ?? 0);
        },
      });
    }
    new Gauge({
      name: "lvo_active_missed_slots",
      help: "Consecutive missed slots of each active delegate (DPoS record at the head)",
      labelNames: ["delegate"],
      registers,
      collect() {
        const c = src.chain();
        if (!c) return;
        this.reset();
        const view = c.headState();
        for (const a of getActiveSet(view).active.members)
          this.set({ delegate: a }, getCandidate(view, a)?.missed ?? 0);
      },
    });
    this.missedTotal = new Counter({
      name: "lvo_missed_slots_total",
      help: "Slots each delegate was scheduled for and missed, as counted by the DPoS hook of each imported block",
      labelNames: ["delegate"],
      registers,
    });
    this.imported = new Counter({
      name: "lvo_blocks_imported_total",
      help: "Blocks added to the block tree, by origin (peer: gossip or sync; produced: by this node)",
      labelNames: ["origin"],
      registers,
    });
    this.produced = new Counter({
      name: "lvo_blocks_produced_total",
      help: "Blocks produced by this node",
      registers,
    });
    this.importSeconds = new Histogram({
      name: "lvo_block_import_seconds",
      help: "Time to validate, execute and add a block to the tree, by origin",
      labelNames: ["origin"],
      buckets: IMPORT_BUCKETS,
      registers,
    });
    this.rpcSeconds = new Histogram({
      name: "lvo_rpc_request_seconds",
      help: "JSON-RPC call latency by method (HTTP and WebSocket; unknown methods as (unknown))",
      labelNames: ["method", "status"],
      buckets: RPC_BUCKETS,
      registers,
    });
  }

  /**
   * A block imported (the chain's "imported" event), with the missed slots its DPoS hook
   * counted. Blocks of a branch that loses count too: a fork over the same gap counts it twice.
   */
  observeImport(ms: number, produced: boolean, missed: ReadonlyMap<Address, number> = new Map()): void {
    const origin = produced ? "produced" : "peer";
    this.imported.inc({ origin });
    if (produced) this.produced.inc();
    this.importSeconds.observe({ origin }, ms / 1000);
    for (const [delegate, n] of missed) this.missedTotal.inc({ delegate }, n);
  }

  /** The RPC server's onCall hook. */
  readonly onRpcCall = (method: string, ms: number, ok: boolean): void => {
    this.rpcSeconds.observe({ method, status: ok ? "ok" : "error" }, ms / 1000);
  };

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The metrics HTTP server: /metrics, /healthz, /readyz. */
export interface MetricsServer {
  start(): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Serve metrics and health on their own port (GET only; anything else is 404/405). */
export function createMetricsServer(
  opts: { host: string; port: number },
  m: { metrics: NodeMetrics; readiness: () => Readiness; log: Logger },
): MetricsServer {
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const started = Date.now();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      reply(res, 405, "text/plain", "method not allowed\n");
      return;
    }
    switch (path) {
      case "/metrics":
        reply(res, 200, m.metrics.registry.contentType, await m.metrics.text());
        return;
      case "/healthz":
        reply(
          res,
          200,
          "application/json",
          `${JSON.stringify({ status: "ok", uptimeMs: Date.now() - started })}\n`,
        );
        return;
      case "/readyz": {
        const r = m.readiness();
        reply(res, r.ready ? 200 : 503, "application/json", `${JSON.stringify(r)}\n`);
        return;
      }
      default:
        reply(res, 404, "text/plain", "not found: try /metrics, /healthz or /readyz\n");
    }
  }

  return {
    start() {
      const s = createServer((req, res) => {
        handle(req, res).catch((err) => {
          m.log.warn({ err }, "metrics request failed");
          if (!res.headersSent) reply(res, 500, "text/plain", "internal error\n");
          else res.destroy();
        });
      });
      s.on("connection", (sock: Socket) => {
        sockets.add(sock);
        sock.once("close", () => sockets.delete(sock));
      });
      return new Promise((resolve, reject) => {
        s.once("error", (err: NodeJS.ErrnoException) =>
          reject(
            err.code === "EADDRINUSE"
              ? new Error(`metrics port ${opts.port} on ${opts.host} is already in use`)
              : err,
          ),
        );
        s.listen(opts.port, opts.host, () => {
          s.removeAllListeners("error");
          server = s;
          const a = s.address() as AddressInfo;
          const addr = { host: opts.host, port: a.port };
          m.log.info(addr, "metrics listening (/metrics, /healthz, /readyz)");
          resolve(addr);
        });
      });
    },
    stop() {
      const s = server;
      server = null;
      if (!s) return Promise.resolve();
      return new Promise((resolve) => {
        s.close(() => resolve());
        for (const sock of sockets) sock.destroy();
      });
    },
  };
}
