import { existsSync, mkdirSync } from "node:fs";
import { Chain } from "../consensus/chain.ts";
import { EquivocationDetector, verifyEvidence } from "../consensus/evidence.ts";
import { FinalityGadget } from "../consensus/gadget.ts";
import { BlockProducer } from "../consensus/producer.ts";
import { SigningRecord } from "../consensus/signing-record.ts";
import { type Address, publicKeyToAddress } from "../crypto/address.ts";
import { publicKeyOf } from "../crypto/secp256k1.ts";
import { isOffenceProcessed, roundLength } from "../dpos/index.ts";
import { systemHandlers } from "../execution/system.ts";
import { createExplorerServer, type ExplorerServer, explorerOrigins } from "../explorer/server.ts";
import type { Genesis } from "../genesis/types.ts";
import { encodeWireBlock } from "../ledger/encoding.ts";
import { LedgerErrorCode } from "../ledger/errors.ts";
import { ChainStore } from "../ledger/store.ts";
import type { Evidence } from "../ledger/types.ts";
import { Mempool } from "../mempool/pool.ts";
import { P2pNode } from "../p2p/index.ts";
import { createRpcServer } from "../rpc/server.ts";
import { decodeTxWithSender } from "../tx/index.ts";
import { toHex } from "../util/bytes.ts";
import { type Clock, systemClock } from "../util/clock.ts";
import { errorMessage, LvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import { NodeBackend } from "./backend.ts";
import { dataDir } from "./datadir.ts";
import { NodeErrorCode } from "./errors.ts";
import { createP2pHandlers } from "./gossip.ts";
import { type Readiness, readiness } from "./health.ts";
import { TxIngress } from "./ingress.ts";
import { createMetricsServer, type MetricsServer, NodeMetrics } from "./metrics.ts";
import type { NodeOptions } from "./options.ts";
import { encodeEvidence, encodeTxBatch, encodeVote } from "./wire.ts";

/** Version string reported by web3_clientVersion. */
export const CLIENT_VERSION = `lvo/v0.1.0/${process.platform}-${process.arch}/node${process.versions.node}`;

/** Evidence kept for inclusion at most (oldest dropped). */
const MAX_PENDING_EVIDENCE = 256;

/** Open the ledger in a data directory; only `init` creates one. */
export async function openStore(root: string, log: Logger, create = false): Promise<ChainStore> {
  const dirs = dataDir(root);
  if (create) mkdirSync(dirs.db, { recursive: true });
  else if (!existsSync(dirs.db)) {
    throw new LvoError(
      LedgerErrorCode.LEDGER_NOT_INITIALISED,
      `${root} is not an lvo data directory: run \`lvo init\` first (or pass --genesis)`,
    );
  }
  return ChainStore.open(dirs.db, { decodeTx: decodeTxWithSender, log: log.child({ mod: "ledger" }) });
}

/** Initialise a data directory with a genesis (idempotent for the same genesis). */
export async function initChain(root: string, genesis: Genesis, log: Logger) {
  const store = await openStore(root, log, true);
  try {
    return await Chain.initialise(store, genesis);
  } finally {
    await store.close();
  }
}

/** What a node is composed with besides its options. */
export interface NodeModules {
  log: Logger;
  clock?: Clock;
  /**
   * Test hook, awaited once the ledger is open and before the chain is loaded and replayed (the
   * CLI's LVO_TEST_SLOW_START_MS makes start-up slow with it, to interrupt it).
   */
  beforeReplay?: (signal: AbortSignal | undefined) => Promise<void>;
  /**
   * Called after the node stopped itself because a write failed (full disk, I/O error): the
   * owner exits non-zero. A failure during `start` is thrown by `start` instead.
   */
  onFatal?: (err: LvoError) => void;
}

/**
 * A full node: ledger, chain, mempool, transaction ingress, the finality gadget, the block
 * producer (when it holds a delegate key), p2p and JSON-RPC. start/stop run the parts in order
 * and in reverse.
 */
export class LvoNode {
  private readonly opts: NodeOptions;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly beforeReplay: NodeModules["beforeReplay"];
  private readonly onFatal: NodeModules["onFatal"];
  private store: ChainStore | null = null;
  private producer: BlockProducer | null = null;
  private gadget: FinalityGadget | null = null;
  private rpc: ReturnType<typeof createRpcServer> | null = null;
  private explorer: ExplorerServer | null = null;
  private metricsServer: MetricsServer | null = null;
  private phase: "starting" | "running" | "stopping" = "starting";
  private readonly evidence = new Map<string, Evidence>();
  private fatal: LvoError | null = null;
  chain: Chain | null = null;
  mempool: Mempool | null = null;
  p2p: P2pNode | null = null;
  /** Where JSON-RPC listens once started. */
  rpcAddress: { host: string; port: number } | null = null;
  /** Where the explorer page is served once started (null when off). */
  explorerAddress: { host: string; port: number } | null = null;
  /** Where /metrics, /healthz and /readyz are served once started (null when off). */
  metricsAddress: { host: string; port: number } | null = null;
  /** Prometheus metrics (null when off). */
  metrics: NodeMetrics | null = null;
  /** This node's delegate address, when it has a key. */
  readonly delegate: Address | null;

  constructor(opts: NodeOptions, modules: NodeModules) {
    this.opts = opts;
    this.log = modules.log;
    this.clock = modules.clock ?? systemClock;
    this.beforeReplay = modules.beforeReplay;
    this.onFatal = modules.onFatal;
    this.delegate = opts.delegateKey ? publicKeyToAddress(publicKeyOf(opts.delegateKey)) : null;
  }

  /**
   * Open the ledger, restore the mempool, start p2p, RPC and block production. When `signal`
   * aborts (a shutdown signal during start-up), start stops at the next step, stops what it
   * started, and rejects with NODE_START_ABORTED.
   */
  async start(signal?: AbortSignal): Promise<void> {
    const log = this.log;
    const checkpoint = () => {
      if (signal?.aborted)
        throw new LvoError(NodeErrorCode.NODE_START_ABORTED, "start-up interrupted by a shutdown signal");
    };
    const store = await openStore(this.opts.dataDir, log);
    this.store = store;
    store.onWriteFailure((err) => this.fail(err));
    try {
      if (this.opts.metrics) {
        // Up before the chain replays, so /healthz answers and /readyz says "starting".
        this.metrics = new NodeMetrics({
          chain: () => this.chain,
          mempool: () => this.mempool,
          peers: () => this.p2p?.peerCount() ?? 0,
          delegate: this.delegate,
          now: () => this.clock.now(),
        });
        this.metricsServer = createMetricsServer(this.opts.metrics, {
          metrics: this.metrics,
          readiness: () => this.readiness(),
          log: log.child({ mod: "metrics" }),
        });
        this.metricsAddress = await this.metricsServer.start();
      }
      await this.beforeReplay?.(signal);
      checkpoint();
      const system = systemHandlers();
      const chain = await Chain.open({ store, log: log.child({ mod: "chain" }), system });
      this.chain = chain;
      const metrics = this.metrics;
      if (metrics) chain.on("imported", (e) => metrics.observeImport(e.ms, e.produced, e.missed));
      const mempool = new Mempool(this.opts.mempool);
      this.mempool = mempool;
      const ingress = new TxIngress({ chain, mempool, store, log: log.child({ mod: "ingress" }) });
      checkpoint();
      const restored = await ingress.restore();
      if (restored.restored || restored.dropped) log.info(restored, "mempool journal restored");
      chain.on("head", () => {
        const view = chain.headState();
        ingress.forget(mempool.onNewHead((a) => view.getAccount(a)));
      });
      chain.on("reorg", ({ dropped }) => {
        // Transactions of blocks that left the chain go back to the pool (best effort).
        for (const b of dropped) for (const tx of b.txs) ingress.readmit(tx);
      });

      const detector = new EquivocationDetector();
      const key =
        this.opts.delegateKey && this.delegate
          ? { secretKey: this.opts.delegateKey, address: this.delegate }
          : null;
      const signing = key
        ? await SigningRecord.load(store, {
            file: dataDir(this.opts.dataDir).signingRecord,
            onWriteFailure: (err) => this.fail(err),
          })
        : null;
      const gadget = new FinalityGadget({
        chain,
        log: log.child({ mod: "finality" }),
        key,
        signing,
        detector,
        publish: (v) => void this.p2p?.publish("votes", encodeVote(v)).catch(() => undefined),
        onEvidence: (e) => this.addEvidence(e),
      });
      this.gadget = gadget;

      if (this.opts.p2p) {
        const handlers = createP2pHandlers({
          chain,
          mempool,
          ingress,
          gadget,
          detector,
          clock: this.clock,
          log: log.child({ mod: "gossip" }),
          addEvidence: (e) => this.addEvidence(e),
          onUnknownParent: () => this.p2p?.requestSync(),
        });
        this.p2p = new P2pNode(
          { ...this.opts.p2p, peerKeyFile: this.opts.p2p.peerKeyFile ?? dataDir(this.opts.dataDir).p2pKey },
          {
            handlers,
            log: log.child({ mod: "p2p" }),
            chainId: chain.genesis.chainId,
            genesisHash: chain.genesisHash,
          },
        );
        await this.p2p.start();
        checkpoint();
        const p2p = this.p2p;
        ingress.setBroadcast((raws) => void p2p.publish("txs", encodeTxBatch(raws)).catch(() => undefined));
      }

      // The explorer starts first: its origin is allowed by the RPC (CORS and WebSocket); its
      // /config.json reads the RPC address when asked.
      if (this.opts.explorer) {
        this.explorer = createExplorerServer(this.opts.explorer, {
          log: log.child({ mod: "explorer" }),
          rpcAddress: () => this.rpcAddress,
        });
        this.explorerAddress = await this.explorer.start();
        if (!this.opts.rpc) log.warn("explorer on but JSON-RPC off: the page has nothing to read");
      }

      if (this.opts.rpc) {
        const backend = new NodeBackend({
          chain,
          mempool,
          ingress,
          delegate: this.delegate,
          clientVersion: CLIENT_VERSION,
          peers: () => this.p2p?.peerCount() ?? 0,
          syncState: () => this.p2p?.syncState() ?? null,
        });
        // The explorer's origins are allowed on top of what was configured (pageOrigins): adding
        // them to corsOrigins would make WebSocket upgrades from other localhost pages refused.
        const rpcOpts = this.explorerAddress
          ? {
              ...this.opts.rpc,
              pageOrigins: [...(this.opts.rpc.pageOrigins ?? []), ...explorerOrigins(this.explorerAddress)],
            }
          : this.opts.rpc;
        this.rpc = createRpcServer(rpcOpts, {
          backend,
          log: log.child({ mod: "rpc" }),
          onCall: this.metrics?.onRpcCall,
          // WebSocket subscriptions: Chain's events already carry the shapes rpc/events.ts asks for.
          events: {
            onNewHead: (cb) => {
              chain.on("head", cb);
              return () => void chain.off("head", cb);
            },
            onFinalized: (cb) => {
              chain.on("finalized", cb);
              return () => void chain.off("finalized", cb);
            },
          },
          admin: {
            peers: () => this.p2p?.peers() ?? [],
            p2p: () => ({ peerId: this.p2p?.peerId ?? null, listenAddrs: this.p2p?.listenAddrs() ?? [] }),
          },
        });
        this.rpcAddress = await this.rpc.start();
      }
      checkpoint();

      if (key && signing) {
        this.producer = new BlockProducer(
          {
            secretKey: key.secretKey,
            address: key.address,
            maxTxsPerBlock: this.opts.maxTxsPerBlock,
            // Alone, nobody else re-executes the block: it may use more of the slot.
            execBudget: this.opts.p2p ? this.opts.execBudget : Math.max(this.opts.execBudget, 0.5),
          },
          {
            chain,
            mempool,
            clock: this.clock,
            log: log.child({ mod: "producer" }),
            system,
            signing,
            pendingEvidence: () => this.pendingEvidence(),
            onProduced: (b) => void this.p2p?.publish("blocks", encodeWireBlock(b)).catch(() => undefined),
          },
        );
        this.producer.start();
      }
      log.info(
        {
          chainId: chain.genesis.chainId,
          head: chain.head.header.height,
          finalized: chain.finalized.height,
          delegate: this.delegate,
          rpc: this.rpcAddress ? `http://${this.rpcAddress.host}:${this.rpcAddress.port}` : null,
          p2p: this.p2p?.listenAddrs() ?? null,
          explorer: this.explorerAddress
            ? `http://${this.explorerAddress.host}:${this.explorerAddress.port}`
            : null,
        },
        "node started",
      );
      if (this.fatal) throw this.fatal;
      this.phase = "running";
    } catch (err) {
      // The start-up error is the one to report (a failed stop step is logged).
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  /** The write failure that stopped (or is stopping) the node, if any. */
  get failure(): LvoError | null {
    return this.fatal;
  }

  /**
   * A write failed (full disk, I/O error): the store and the signing record write nothing more
   * from now on, so the node cannot go on. Log it once at fatal with the path, stop in the usual
   * order and tell the owner. During start-up `start` throws it instead.
   */
  private fail(err: LvoError): void {
    if (this.fatal) return;
    this.fatal = err;
    this.log.fatal(
      { code: err.code, path: err.context.path, what: err.context.what, err: err.message },
      "write failed: the node stops",
    );
    if (this.phase !== "running") return;
    void this.stop()
      .catch((stopErr) => this.log.error({ err: errorMessage(stopErr) }, "stop after a write failure failed"))
      .then(() => this.onFatal?.(err));
  }

  /** Readiness as /readyz reports it (src/node/health.ts has the rules). */
  readiness(): Readiness {
    const chain = this.chain;
    const head = chain?.head.header;
    return readiness({
      phase: chain ? this.phase : this.phase === "running" ? "stopping" : this.phase,
      rpcEnabled: this.opts.rpc !== null,
      rpcListening: this.rpcAddress !== null && this.rpc !== null,
      syncing: this.p2p ? this.p2p.syncState().syncing : null,
      headHeight: head?.height ?? 0,
      headSlot: head?.slot ?? 0,
      currentSlot: chain ? chain.slots.slotAt(this.clock.now()) : 0,
      maxLagSlots: chain ? Math.max(2, roundLength(chain.genesis.params)) : 0,
    });
  }

  /** Remember evidence for inclusion and gossip it; false when already known or punished. */
  private addEvidence(e: Evidence): boolean {
    const chain = this.chain;
    if (!chain) return false;
    let id: string;
    try {
      const off = verifyEvidence(chain.genesis.chainId, e);
      if (isOffenceProcessed(chain.headState(), off.offenceId)) return false;
      id = toHex(off.offenceId);
    } catch (err) {
      this.log.debug({ err: errorMessage(err) }, "evidence refused");
      return false;
    }
    if (this.evidence.has(id)) return false;
    this.evidence.set(id, e);
    if (this.evidence.size > MAX_PENDING_EVIDENCE)
      this.evidence.delete(this.evidence.keys().next().value as string);
    this.log.warn({ kind: e.kind, offence: id }, "double signing detected");
    void this.p2p?.publish("evidence", encodeEvidence(e)).catch(() => undefined);
    return true;
  }

  /** Evidence not yet punished on the head's branch (the producer includes it). */
  private pendingEvidence(): Evidence[] {
    const chain = this.chain;
    if (!chain) return [];
    const view = chain.headState();
    const out: Evidence[] = [];
    for (const [id, e] of this.evidence) {
      const off = verifyEvidence(chain.genesis.chainId, e);
      if (isOffenceProcessed(view, off.offenceId)) this.evidence.delete(id);
      else out.push(e);
    }
    return out.slice(0, 16);
  }

  /**
   * Stop in reverse order: production, RPC, p2p, votes, then the ledger (flushed and closed).
   * A step that fails is logged and the next one still runs: the ledger is closed even when a
   * write failure stopped the node halfway through a vote or an import. The first failure is
   * thrown at the end (the CLI then exits 1).
   */
  async stop(): Promise<void> {
    this.phase = "stopping";
    let failed: unknown = null;
    const step = async (what: string, f: () => Promise<void> | undefined): Promise<void> => {
      try {
        await f();
      } catch (err) {
        failed ??= err;
        this.log.error({ step: what, err: errorMessage(err) }, "stop step failed");
      }
    };
    await step("producer", () => this.producer?.stop());
    this.producer = null;
    await step("rpc", () => this.rpc?.stop());
    this.rpc = null;
    await step("explorer", () => this.explorer?.stop());
    this.explorer = null;
    await step("p2p", () => this.p2p?.stop());
    this.p2p = null;
    await step("votes", () => this.gadget?.idle());
    this.gadget = null;
    await step("ledger", () => this.store?.close());
    this.store = null;
    await step("metrics", () => this.metricsServer?.stop());
    this.metricsServer = null;
    this.log.info("node stopped");
    if (failed !== null) throw failed;
  }
}
