import { existsSync, mkdirSync } from "node:fs";
import { Chain } from "../consensus/chain.ts";
import { BlockProducer } from "../consensus/producer.ts";
import { type Address, publicKeyToAddress } from "../crypto/address.ts";
import { publicKeyOf } from "../crypto/secp256k1.ts";
import type { SystemHandler } from "../execution/system.ts";
import type { Genesis } from "../genesis/types.ts";
import { LedgerErrorCode } from "../ledger/errors.ts";
import { ChainStore } from "../ledger/store.ts";
import { Mempool } from "../mempool/pool.ts";
import { createRpcServer } from "../rpc/server.ts";
import { decodeTxWithSender } from "../tx/index.ts";
import { type Clock, systemClock } from "../util/clock.ts";
import { LvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import { NodeBackend } from "./backend.ts";
import { dataDir } from "./datadir.ts";
import { TxIngress } from "./ingress.ts";
import type { NodeOptions } from "./options.ts";

/** Version string reported by web3_clientVersion. */
export const CLIENT_VERSION = `lvo/v0.1.0/${process.platform}-${process.arch}/node${process.versions.node}`;

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

/**
 * A full node: ledger, chain, mempool, transaction ingress, block producer (when it holds a
 * delegate key) and JSON-RPC. start/stop run the parts in order and in reverse.
 */
export class LvoNode {
  private readonly opts: NodeOptions;
  private readonly log: Logger;
  private readonly clock: Clock;
  private store: ChainStore | null = null;
  private producer: BlockProducer | null = null;
  private rpc: ReturnType<typeof createRpcServer> | null = null;
  chain: Chain | null = null;
  mempool: Mempool | null = null;
  /** Where JSON-RPC listens once started. */
  rpcAddress: { host: string; port: number } | null = null;
  /** This node's delegate address, when it has a key. */
  readonly delegate: Address | null;

  constructor(opts: NodeOptions, modules: { log: Logger; clock?: Clock }) {
    this.opts = opts;
    this.log = modules.log;
    this.clock = modules.clock ?? systemClock;
    this.delegate = opts.delegateKey ? publicKeyToAddress(publicKeyOf(opts.delegateKey)) : null;
  }

  /** Open the ledger, restore the mempool, start RPC and block production. */
  async start(): Promise<void> {
    const log = this.log;
    this.store = await openStore(this.opts.dataDir, log);
    try {
      const chain = await Chain.open(this.store, { log: log.child({ mod: "chain" }) });
      this.chain = chain;
      const mempool = new Mempool(this.opts.mempool);
      this.mempool = mempool;
      const ingress = new TxIngress({
        chain,
        mempool,
        store: this.store,
        log: log.child({ mod: "ingress" }),
      });
      const restored = await ingress.restore();
      if (restored.restored || restored.dropped) log.info(restored, "mempool journal restored");
      chain.on("head", () => {
        const view = chain.headState();
        ingress.forget(mempool.onNewHead((a) => view.getAccount(a)));
      });
      const system = new Map<Address, SystemHandler>();
      if (this.opts.rpc) {
        const backend = new NodeBackend({
          chain,
          mempool,
          ingress,
          delegate: this.delegate,
          clientVersion: CLIENT_VERSION,
          peers: () => 0,
        });
        this.rpc = createRpcServer(this.opts.rpc, { backend, log: log.child({ mod: "rpc" }) });
        this.rpcAddress = await this.rpc.start();
      }
      if (this.opts.delegateKey && this.delegate) {
        if (!chain.activeDelegates().includes(this.delegate)) {
          log.warn({ delegate: this.delegate }, "delegate key is not in the active set: not producing");
        }
        this.producer = new BlockProducer(
          {
            secretKey: this.opts.delegateKey,
            address: this.delegate,
            maxTxsPerBlock: this.opts.maxTxsPerBlock,
          },
          { chain, mempool, clock: this.clock, log: log.child({ mod: "producer" }), system },
        );
        this.producer.start();
      }
      log.info(
        {
          chainId: chain.genesis.chainId,
          head: chain.head.header.height,
          delegate: this.delegate,
          rpc: this.rpcAddress ? `http://${this.rpcAddress.host}:${this.rpcAddress.port}` : null,
        },
        "node started",
      );
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stop in reverse order: production, RPC, then the ledger (flushed and closed). */
  async stop(): Promise<void> {
    await this.producer?.stop();
    this.producer = null;
    await this.rpc?.stop();
    this.rpc = null;
    await this.store?.close();
    this.store = null;
    this.log.info("node stopped");
  }
}
