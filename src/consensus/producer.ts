import type { Address } from "../crypto/address.ts";
import { signDigest } from "../crypto/secp256k1.ts";
import type { SystemHandler } from "../execution/system.ts";
import { paramsForBlock } from "../governance/index.ts";
import { evidenceRootOf, hashHeader, receiptRootOf, txRootOf } from "../ledger/encoding.ts";
import type { Block, BlockHeader, Evidence } from "../ledger/types.ts";
import { isWriteFailure } from "../ledger/write-failure.ts";
import type { Mempool } from "../mempool/pool.ts";
import { bytesEqual } from "../util/bytes.ts";
import type { Clock } from "../util/clock.ts";
import { errorMessage, isLvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import type { Chain } from "./chain.ts";
import { ConsensusErrorCode } from "./errors.ts";
import { executeBlock } from "./execute.ts";
import type { SigningRecord } from "./signing-record.ts";
import { blockSigningDigest, packSignature } from "./vote.ts";

/** Producer settings (node-local). */
export interface ProducerOptions {
  secretKey: Uint8Array;
  address: Address;
  /** Cap on transactions per block, beside the gas limit. */
  maxTxsPerBlock: number;
  /**
   * Share of the block interval that executing a block may take. Every other node re-executes
   * the block, possibly on the same machine, before it can vote, so a block that takes most of
   * the slot to run makes the next producer build beside it (a fork) and splits the votes.
   */
  execBudget: number;
}

/** Smoothing of the measured execution cost per transaction. */
const COST_EWMA = 0.3;

/**
 * Transaction bytes per block at most: the wire block must stay under gossipsub's 4 MiB frame
 * (p2p MAX_GOSSIP_MESSAGE_BYTES) with room for the header, signatures and evidence.
 */
export const MAX_BLOCK_TX_BYTES = 3 * 1024 * 1024;

/** What the producer uses. */
export interface ProducerModules {
  chain: Chain;
  mempool: Mempool;
  clock: Clock;
  log: Logger;
  system: ReadonlyMap<Address, SystemHandler>;
  signing: SigningRecord;
  /** Evidence waiting for inclusion (the producer is the reporter). */
  pendingEvidence: () => Evidence[];
  /** Called with each block this node produced, after it is committed (gossip it). */
  onProduced: (block: Block) => void;
}

/**
 * Produces a block in each slot this delegate is scheduled for, at the slot's start, on top of
 * the fork-choice head. A slot whose time has passed is never produced (missed slots are
 * skipped), and a slot already signed (before a crash) is never signed again.
 */
export class BlockProducer {
  private readonly opts: ProducerOptions;
  private readonly m: ProducerModules;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  /** Measured milliseconds of execution per transaction (EWMA; starts pessimistic). */
  private msPerTx = 0.2;

  constructor(opts: ProducerOptions, modules: ProducerModules) {
    this.opts = opts;
    this.m = modules;
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
    const slots = this.m.chain.slots;
    const now = this.m.clock.now();
    const next = Math.max(slots.slotAt(now) + 1, 1);
    const delay = Math.max(0, slots.slotStart(next) - now);
    this.timer = setTimeout(() => this.onSlot(next), delay);
  }

  private onSlot(slot: number): void {
    this.timer = null;
    this.running = this.tryProduce(slot)
      .catch((err) =>
        // A failed write (full disk) is logged once, at fatal, by the node, which stops.
        isWriteFailure(err)
          ? this.m.log.debug({ err: errorMessage(err), slot }, "block production stopped by a write failure")
          : isLvoError(err, ConsensusErrorCode.BLOCK_CONFLICTS_FINALITY)
            ? // Finality passed the block's parent while it was being signed (a node catching up
              // after a restart imports and finalizes meanwhile): the block is dropped, unsent.
              this.m.log.warn(
                { err: errorMessage(err), slot },
                "produced block dropped: finality passed its parent",
              )
            : this.m.log.error({ err: errorMessage(err), slot }, "block production failed"),
      )
      .finally(() => {
        this.running = null;
        this.schedule();
      });
  }

  private async tryProduce(slot: number): Promise<void> {
    const { chain, clock, log } = this.m;
    if (slot <= chain.head.header.slot) return;
    if (chain.producerAt(slot) !== this.opts.address) return;
    // A slot whose time is already over is left missed rather than produced late (a delegate
    // paused across its slot must not fill the past).
    if (chain.slots.slotAt(clock.now()) > slot) {
      log.warn({ slot }, "slot passed before production started; skipped");
      return;
    }
    if (!this.m.signing.canSignSlot(slot)) {
      log.warn({ slot }, "slot already signed before a restart; skipped");
      return;
    }
    await this.produce(slot);
  }

  /** Build, execute, sign and import a block for `slot` on the head. */
  async produce(slot: number): Promise<Block> {
    const { chain, mempool, log } = this.m;
    const started = performance.now();
    const g = chain.genesis;
    const parent = chain.headEntryView;
    const view = chain.headState();
    // governed values (minimum gas price, ...) as this block will run under them
    const p = paramsForBlock(view, g.params, slot);
    const budgetMs = p.blockIntervalMs * this.opts.execBudget;
    const maxTxs = Math.max(1, Math.min(this.opts.maxTxsPerBlock, Math.floor(budgetMs / this.msPerTx)));
    const selected = mempool.select((a) => view.getAccount(a), p.minGasPrice, p.blockGasLimit, maxTxs);
    // A sender's later nonces follow its earlier ones in `selected`, so cutting at a size
    // boundary never leaves a gap inside the block: left-out transactions wait for the next one.
    let bytes = 0;
    let cut = selected.length;
    for (let i = 0; i < selected.length; i++) {
      bytes += selected[i]!.raw.length;
      if (bytes > MAX_BLOCK_TX_BYTES) {
        cut = i;
        break;
      }
    }
    const candidates = cut === selected.length ? selected : selected.slice(0, cut);
    const evidence = this.m.pendingEvidence();
    const cert = chain.newestQc(parent);
    const certTarget = cert ? chain.entry(cert.target.hash) : undefined;
    const provesFinality =
      !!cert &&
      !!certTarget &&
      cert.target.height === cert.source.height + 1 &&
      bytesEqual(certTarget.block.header.parentHash, cert.source.hash);
    const timestamp = chain.slots.slotStart(slot);
    const execStarted = performance.now();
    const out = executeBlock(g, this.m.system, {
      parentTrie: parent.trie,
      parentHeader: parent.block.header,
      slot,
      timestamp,
      producer: this.opts.address,
      txs: candidates,
      evidence,
      cert,
      provesFinality,
      mode: "produce",
    });
    for (const s of out.skipped) log.trace({ err: errorMessage(s.error) }, "transaction left out");
    // Execution only: fixed costs (signing record fsync, the batch write) do not scale with
    // the transaction count and would otherwise shrink blocks in a spiral.
    if (candidates.length >= 100) {
      const perTx = (performance.now() - execStarted) / candidates.length;
      this.msPerTx = (1 - COST_EWMA) * this.msPerTx + COST_EWMA * perTx;
    }
    const header: BlockHeader = {
      parentHash: parent.block.hash,
      height: parent.block.header.height + 1,
      slot,
      timestamp,
      producer: this.opts.address,
      stateRoot: out.trie.root,
      txRoot: txRootOf(out.txs),
      receiptRoot: receiptRootOf(out.receipts),
      gasUsed: out.gasUsed,
      gasLimit: p.blockGasLimit,
      baseFee: p.minGasPrice,
      evidenceRoot: evidenceRootOf(evidence),
      cert,
    };
    const hash = hashHeader(header);
    await this.m.signing.signSlot(slot);
    const signature = packSignature(signDigest(blockSigningDigest(g.chainId, hash), this.opts.secretKey));
    const block: Block = { header, hash, signature, txs: out.txs, evidence };
    await chain.importBlock(block, {
      produced: { receipts: out.receipts, trie: out.trie, changes: out.changes },
    });
    this.m.onProduced(block);
    log.info(
      {
        height: header.height,
        slot,
        txs: out.txs.length,
        gasUsed: out.gasUsed,
        ms: Math.round(performance.now() - started),
      },
      "block produced",
    );
    return block;
  }
}
