import type { Address } from "../crypto/address.ts";
import { signDigest } from "../crypto/secp256k1.ts";
import { applyBlock, type BlockContext } from "../execution/executor.ts";
import type { SystemHandler } from "../execution/system.ts";
import { hashHeader, receiptRootOf, txRootOf } from "../ledger/encoding.ts";
import { StateOverlay } from "../ledger/state.ts";
import type { BlockHeader, FinalityCert } from "../ledger/types.ts";
import type { Mempool } from "../mempool/pool.ts";
import type { Clock } from "../util/clock.ts";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import type { Chain } from "./chain.ts";
import { hasQuorum } from "./finality.ts";
import { producerForSlot, SlotClock } from "../dpos/schedule.ts";
import { blockSigningDigest, packSignature, signVote } from "./vote.ts";

/** Producer settings (node-local). */
export interface ProducerOptions {
  secretKey: Uint8Array;
  address: Address;
  /** Cap on transactions per block, beside the gas limit. */
  maxTxsPerBlock: number;
}

/** What the producer uses. */
export interface ProducerModules {
  chain: Chain;
  mempool: Mempool;
  clock: Clock;
  log: Logger;
  system: ReadonlyMap<Address, SystemHandler>;
}

/**
 * Produces a block in each slot this delegate is scheduled for, at the slot's start. A slot
 * whose time has passed is never produced (missed slots are skipped, the chain goes on).
 */
export class BlockProducer {
  private readonly opts: ProducerOptions;
  private readonly m: ProducerModules;
  private readonly slots: SlotClock;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(opts: ProducerOptions, modules: ProducerModules) {
    this.opts = opts;
    this.m = modules;
    const g = modules.chain.genesis;
    this.slots = new SlotClock(g.genesisTime, g.params.blockIntervalMs);
  }

  /** Begin producing at the next slot. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stop after any block in progress is committed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = this.m.clock.now();
    const next = Math.max(this.slots.slotAt(now) + 1, 0);
    const delay = Math.max(0, this.slots.slotStart(next) - now);
    this.timer = setTimeout(() => this.onSlot(next), delay);
  }

  private onSlot(slot: number): void {
    this.timer = null;
    this.running = this.tryProduce(slot)
      .catch((err) => this.m.log.error({ err, slot }, "block production failed"))
      .finally(() => {
        this.running = null;
        this.schedule();
      });
  }

  private async tryProduce(slot: number): Promise<void> {
    const { chain } = this.m;
    if (slot <= chain.head.header.slot) return;
    const active = chain.activeDelegates();
    if (producerForSlot(active, slot, chain.genesis.params) !== this.opts.address) return;
    // A slot whose time is already over is left missed rather than produced late.
    if (this.slots.slotAt(this.m.clock.now()) > slot) {
      this.m.log.warn({ slot }, "slot passed before production started; skipped");
      return;
    }
    await this.produce(slot, active);
  }

  /** Build, execute, sign, self-vote and commit a block for `slot`. */
  async produce(slot: number, active: Address[]): Promise<void> {
    const { chain, mempool, log } = this.m;
    const started = performance.now();
    const g = chain.genesis;
    const p = g.params;
    const head = chain.head;
    const base = chain.headTrie;
    const view = chain.headState();
    const baseFee = p.minGasPrice;
    const candidates = mempool.select(
      (a) => view.getAccount(a),
      baseFee,
      p.blockGasLimit,
      this.opts.maxTxsPerBlock,
    );
    const overlay = new StateOverlay(base);
    const ctx: BlockContext = {
      params: p,
      height: head.header.height + 1,
      timestamp: this.slots.slotStart(slot),
      producer: this.opts.address,
      baseFee,
      rewardPool: g.buckets.globalPromotion,
    };
    const res = applyBlock(overlay, candidates, ctx, { system: this.m.system }, "produce");
    for (const s of res.skipped)
      log.debug({ tx: s.tx.hash, err: errorMessage(s.error) }, "transaction left out");
    const changes = overlay.changes();
    const trie = base.update(changes);
    const header: BlockHeader = {
      parentHash: head.hash,
      height: ctx.height,
      slot,
      timestamp: ctx.timestamp,
      producer: this.opts.address,
      stateRoot: trie.root,
      txRoot: txRootOf(res.txs),
      receiptRoot: receiptRootOf(res.receipts),
      gasUsed: res.gasUsed,
      gasLimit: p.blockGasLimit,
      baseFee,
      cert: chain.finalized.cert,
    };
    const hash = hashHeader(header);
    const signature = packSignature(signDigest(blockSigningDigest(g.chainId, hash), this.opts.secretKey));
    // Our own vote; with one active delegate it is already a quorum. Votes of other delegates
    // arrive over gossip once the network exists.
    const vote = signVote(g.chainId, header.height, hash, this.opts.secretKey);
    const cert: FinalityCert | null = hasQuorum(1, active.length, p)
      ? { height: header.height, blockHash: hash, signatures: [vote] }
      : null;
    await chain.commit({
      block: { header, hash, signature, txs: res.txs },
      receipts: res.receipts,
      trie,
      changes,
      cert,
    });
    log.info(
      {
        height: header.height,
        slot,
        txs: res.txs.length,
        gasUsed: res.gasUsed,
        ms: Math.round(performance.now() - started),
      },
      "block produced",
    );
  }
}
