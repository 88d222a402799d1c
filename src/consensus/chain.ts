import { EventEmitter } from "node:events";
import type { Address } from "../crypto/address.ts";
import { activeSetFor, missedSlotsBefore, scheduleFor } from "../dpos/index.ts";
import { SlotClock } from "../dpos/schedule.ts";
import { genesisStateEntries } from "../execution/genesis-state.ts";
import type { SystemHandler } from "../execution/system.ts";
import { ZERO_ADDRESS } from "../genesis/constants.ts";
import { parseGenesisText } from "../genesis/load.ts";
import { canonicalJson, genesisConfigHash, genesisToJson } from "../genesis/serialize.ts";
import type { Genesis } from "../genesis/types.ts";
import { paramsForBlock } from "../governance/index.ts";
import {
  decodeFinality,
  encodeFinality,
  evidenceRootOf,
  type FinalityRecord,
  hashHeader,
  receiptRootOf,
  txRootOf,
} from "../ledger/encoding.ts";
import { LedgerErrorCode } from "../ledger/errors.ts";
import { MetaKey, SCHEMA_VERSION } from "../ledger/keys.ts";
import { StateView } from "../ledger/state.ts";
import type { ChainStore } from "../ledger/store.ts";
import { StateTrie } from "../ledger/trie/index.ts";
import type { Block, BlockHeader, QuorumCert, Receipt } from "../ledger/types.ts";
import { bytesEqual, compareBytes, toHex, utf8 } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import { ConsensusErrorCode } from "./errors.ts";
import { verifyEvidence } from "./evidence.ts";
import { executeBlock } from "./execute.ts";
import { verifyQc } from "./finality.ts";
import { blockSigningDigest, recoverSigner } from "./vote.ts";

/** Decoded receipt lists of final blocks kept in memory (see Chain.receipts). */
const RECEIPT_CACHE_BLOCKS = 4;
/** States of recent final canonical blocks kept in memory for reads and proofs. */
export const RETAINED_STATES = 128;

/** Non-final blocks kept at most; past it the chain refuses new side blocks (finality stalled). */
export const MAX_NON_FINAL = 20_000;

/** A block in the non-final tree (or the finalized root), with its post-state. */
export interface BlockEntry {
  block: Block;
  receipts: Receipt[];
  trie: StateTrie;
  /** State changes against the parent (merged into the stored state when finalized). */
  changes: Array<[Uint8Array, Uint8Array | null]>;
  /** The active set this block was produced under: votes targeting it count against this set. */
  active: Address[];
  parent: BlockEntry | null;
  children: BlockEntry[];
  /** The certificate justifying this block, when known (the root counts as justified). */
  qc: QuorumCert | null;
  justified: boolean;
  /** Height of the highest justified block on the path from the root to here. */
  bestJustified: number;
}

/** A block just added to the canonical chain, with its receipts. */
export interface NewBlock {
  block: Block;
  receipts: Receipt[];
}

/** Events: "head" (each new canonical head), "finalized", "reorg" (blocks that left the chain), "justified". */
export interface ChainEvents {
  head: [NewBlock];
  finalized: [FinalityRecord];
  reorg: [{ dropped: Block[] }];
  justified: [QuorumCert];
  /**
   * A block added to the tree (not on replay), with its import time and the slots before it
   * that its DPoS hook counts as missed, per scheduled delegate (metrics).
   */
  imported: [{ block: Block; ms: number; produced: boolean; missed: ReadonlyMap<Address, number> }];
}

/** Modules the chain uses. */
export interface ChainModules {
  store: ChainStore;
  log: Logger;
  system: ReadonlyMap<Address, SystemHandler>;
}

/** The genesis block: parent hash is the genesis config hash, so any genesis difference forks. */
export function genesisBlock(g: Genesis, stateRoot: Uint8Array): Block {
  const header: BlockHeader = {
    parentHash: genesisConfigHash(g),
    height: 0,
    slot: 0,
    timestamp: g.genesisTime,
    producer: ZERO_ADDRESS,
    stateRoot,
    txRoot: txRootOf([]),
    receiptRoot: receiptRootOf([]),
    gasUsed: 0n,
    gasLimit: g.params.blockGasLimit,
    baseFee: g.params.minGasPrice,
    evidenceRoot: evidenceRootOf([]),
    cert: null,
  };
  return { header, hash: hashHeader(header), signature: new Uint8Array(0), txs: [], evidence: [] };
}

function fail(code: string, msg: string): never {
  throw new LvoError(code, msg);
}

/**
 * The chain as this node holds it: the finalized root, the tree of non-final blocks above it,
 * the canonical head chosen by fork choice, and the store. Fork choice: never below the
 * finalized block; then the branch with the highest justified block; then height; then the
 * lowest hash. Finality follows Casper-FFG rules (docs/finality.md).
 */
export class Chain extends EventEmitter<ChainEvents> {
  readonly genesis: Genesis;
  readonly genesisHash: Uint8Array;
  readonly slots: SlotClock;
  private readonly store: ChainStore;
  private readonly log: Logger;
  private readonly system: ReadonlyMap<Address, SystemHandler>;
  private readonly entries = new Map<string, BlockEntry>();
  private root: BlockEntry;
  private headEntry: BlockEntry;
  private finality: FinalityRecord;
  /** Post-states of recent final canonical blocks by height. */
  private readonly recent = new Map<number, StateTrie>();
  /** Serialises every mutation (imports, certificates) so the tree is never seen half-changed. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    m: ChainModules,
    genesis: Genesis,
    genesisHash: Uint8Array,
    root: BlockEntry,
    finality: FinalityRecord,
  ) {
    super();
    this.store = m.store;
    this.log = m.log;
    this.system = m.system;
    this.genesis = genesis;
    this.genesisHash = genesisHash;
    this.slots = new SlotClock(genesis.genesisTime, genesis.params.blockIntervalMs);
    this.root = root;
    this.headEntry = root;
    this.finality = finality;
    this.entries.set(toHex(root.block.hash), root);
    this.recent.set(root.block.header.height, root.trie);
  }

  /**
   * Write the genesis block and state into an empty store. If the store already holds a chain,
   * it must be this genesis (LEDGER_WRONG_CHAIN otherwise) and nothing is written.
   */
  static async initialise(
    store: ChainStore,
    genesis: Genesis,
  ): Promise<{ created: boolean; hash: Uint8Array }> {
    const text = canonicalJson(genesisToJson(genesis));
    const existing = await store.getMeta(MetaKey.GENESIS);
    const entries = genesisStateEntries(genesis);
    const trie = StateTrie.fromEntries(entries);
    const block = genesisBlock(genesis, trie.root);
    if (existing) {
      const stored = parseGenesisText(new TextDecoder().decode(existing));
      if (!bytesEqual(genesisConfigHash(stored), genesisConfigHash(genesis))) {
        throw new LvoError(
          LedgerErrorCode.LEDGER_WRONG_CHAIN,
          `data directory holds another chain (chainId ${stored.chainId}, ${stored.networkName}); use a fresh directory`,
        );
      }
      return { created: false, hash: block.hash };
    }
    await store
      .batch()
      .putBlock(block, [])
      .setCanonical(block)
      .putFinalState(entries, block.hash, encodeFinality({ height: 0, hash: block.hash, cert: null }))
      .putMeta(MetaKey.GENESIS, utf8(text))
      .putMeta(MetaKey.SCHEMA, utf8(SCHEMA_VERSION))
      .commit();
    return { created: true, hash: block.hash };
  }

  /**
   * Open the chain: load the state of the newest final block, check it against that block's
   * state root, then re-execute the stored canonical blocks above it (non-final when the node
   * stopped). No manual replay is ever needed.
   */
  static async open(m: ChainModules): Promise<Chain> {
    const { store } = m;
    const g = await store.getMeta(MetaKey.GENESIS);
    if (!g)
      throw new LvoError(
        LedgerErrorCode.LEDGER_NOT_INITIALISED,
        "data directory is not initialised: run `lvo init` first",
      );
    const genesis = parseGenesisText(new TextDecoder().decode(g), "stored genesis");
    const stateHead = await store.getMeta(MetaKey.HEAD);
    const fin = await store.getMeta(MetaKey.FINALIZED);
    if (!stateHead || !fin)
      throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "state head or finality record missing");
    const rootBlock = await store.getBlock(stateHead);
    if (!rootBlock)
      throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, `final block ${toHex(stateHead)} missing`);
    const started = Date.now();
    const trie = StateTrie.fromEntries(await store.loadState());
    if (!bytesEqual(trie.root, rootBlock.header.stateRoot)) {
      throw new LvoError(
        LedgerErrorCode.LEDGER_CORRUPT,
        "stored state does not match the final block's state root",
      );
    }
    const genesisHash = await store.getCanonicalHash(0);
    if (!genesisHash) throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "genesis block missing");
    const root: BlockEntry = {
      block: rootBlock,
      receipts: [],
      trie,
      changes: [],
      active: [],
      parent: null,
      children: [],
      qc: null,
      justified: true,
      bestJustified: rootBlock.header.height,
    };
    const chain = new Chain(m, genesis, genesisHash, root, decodeFinality(fin));
    let replayed = 0;
    for (let h = rootBlock.header.height + 1; ; h++) {
      const hash = await store.getCanonicalHash(h);
      const block = hash ? await store.getBlock(hash) : undefined;
      if (!block) break;
      try {
        await chain.importBlock(block, { replay: true });
        replayed++;
      } catch (err) {
        m.log.warn(
          { height: h, err: (err as Error).message },
          "stored non-final block no longer valid; replay stops",
        );
        break;
      }
    }
    m.log.info(
      {
        final: rootBlock.header.height,
        head: chain.head.header.height,
        replayed,
        accounts: trie.size,
        loadMs: Date.now() - started,
      },
      "chain opened",
    );
    return chain;
  }

  /** Current canonical head block. */
  get head(): Block {
    return this.headEntry.block;
  }

  /** Newest final block and its certificate. */
  get finalized(): FinalityRecord {
    return this.finality;
  }

  /** The finalized root's entry (the lowest block of the non-final tree). */
  get rootEntry(): BlockEntry {
    return this.root;
  }

  /** The head's entry (state, active set, justification). */
  get headEntryView(): BlockEntry {
    return this.headEntry;
  }

  /** State trie after the head block. */
  get headTrie(): StateTrie {
    return this.headEntry.trie;
  }

  /** Height of the highest justified block on the head's branch ("safe"). */
  get safeHeight(): number {
    return this.headEntry.bestJustified;
  }

  private readonly receiptCache = new Map<string, Receipt[]>();

  /** A known block entry (non-final tree or the finalized root). */
  entry(hash: Uint8Array): BlockEntry | undefined {
    return this.entries.get(toHex(hash));
  }

  /** Read-only state after the canonical block at `height` (recent blocks only). */
  stateAt(height: number): StateView {
    if (height >= this.root.block.header.height) {
      for (let e: BlockEntry | null = this.headEntry; e; e = e.parent) {
        if (e.block.header.height === height) return new StateView(e.trie);
      }
    }
    const t = this.recent.get(height);
    if (!t) {
      throw new LvoError(
        LedgerErrorCode.STATE_UNAVAILABLE,
        `state at block ${height} is not available (only recent blocks are kept)`,
      );
    }
    return new StateView(t);
  }

  /** Head state. */
  headState(): StateView {
    return new StateView(this.headTrie);
  }

  /** The active set a block at `slot` on top of the head would be produced under. */
  activeSetAt(slot: number): Address[] {
    return activeSetFor(this.headState(), slot, this.genesis.params);
  }

  /** The delegate scheduled for `slot` on top of the head. */
  producerAt(slot: number): Address {
    return scheduleFor(this.headState(), slot, this.genesis.params);
  }

  /** Canonical block at a height. */
  async blockAt(height: number): Promise<Block | undefined> {
    const head = this.headEntry.block.header.height;
    if (height > head || height < 0) return undefined;
    if (height >= this.root.block.header.height) {
      for (let e: BlockEntry | null = this.headEntry; e; e = e.parent) {
        if (e.block.header.height === height) return e.block;
      }
    }
    const h = await this.store.getCanonicalHash(height);
    return h ? this.store.getBlock(h) : undefined;
  }

  /** Any stored block by hash. */
  async blockByHash(hash: Uint8Array): Promise<Block | undefined> {
    return this.entry(hash)?.block ?? this.store.getBlock(hash);
  }

  /** Location of an included transaction (may point at a block that left the chain: check). */
  txLocation(hash: Uint8Array) {
    return this.store.getTxLocation(hash);
  }

  /** Receipts of a block. */
  async receipts(blockHash: Uint8Array): Promise<Receipt[] | undefined> {
    const live = this.entry(blockHash)?.receipts;
    if (live) return live;
    // Final blocks' receipts come from LevelDB as one RLP list: decoding a full block's takes
    // milliseconds, and clients poll receipts of the same few recent blocks (tx.wait()), so the
    // last RECEIPT_CACHE_BLOCKS decoded lists are kept (immutable: keyed by block hash).
    const key = toHex(blockHash);
    const hit = this.receiptCache.get(key);
    if (hit) return hit;
    const r = await this.store.getReceipts(blockHash);
    if (r) {
      if (this.receiptCache.size >= RECEIPT_CACHE_BLOCKS)
        this.receiptCache.delete(this.receiptCache.keys().next().value!);
      this.receiptCache.set(key, r);
    }
    return r;
  }

  /** Run `fn` after every earlier mutation finished. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Validate, execute and add a block. `produced`: built by this node (already executed: pass
   * the result). `replay`: re-executing our own stored block at start-up (signatures skipped).
   * Throws a typed error when the block is invalid; nothing is written then.
   */
  importBlock(
    block: Block,
    opts: {
      replay?: boolean;
      produced?: { receipts: Receipt[]; trie: StateTrie; changes: Array<[Uint8Array, Uint8Array | null]> };
    } = {},
  ): Promise<BlockEntry> {
    return this.serial(async () => {
      const started = performance.now();
      const { entry, missed } = await this.doImport(block, opts);
      if (!opts.replay) {
        const ms = performance.now() - started;
        this.emit("imported", { block, ms, produced: opts.produced !== undefined, missed });
      }
      return entry;
    });
  }

  private async doImport(
    block: Block,
    opts: {
      replay?: boolean;
      produced?: { receipts: Receipt[]; trie: StateTrie; changes: Array<[Uint8Array, Uint8Array | null]> };
    },
  ): Promise<{ entry: BlockEntry; missed: ReadonlyMap<Address, number> }> {
    const h = block.header;
    const hex = toHex(block.hash);
    if (this.entries.has(hex)) fail(ConsensusErrorCode.BLOCK_KNOWN, `block ${hex} already known`);
    if (h.height <= this.root.block.header.height) {
      fail(
        ConsensusErrorCode.BLOCK_CONFLICTS_FINALITY,
        `block at height ${h.height} is at or below the finalized height`,
      );
    }
    const parent = this.entries.get(toHex(h.parentHash));
    if (!parent)
      fail(
        ConsensusErrorCode.BLOCK_UNKNOWN_PARENT,
        `parent ${toHex(h.parentHash)} of block ${h.height} unknown`,
      );
    if (this.entries.size >= MAX_NON_FINAL)
      fail(ConsensusErrorCode.BLOCK_BAD_SEQUENCE, "too many non-final blocks");
    const parentView = new StateView(parent.trie);
    const p = paramsForBlock(parentView, this.genesis.params, h.slot);
    const ph = parent.block.header;
    if (h.height !== ph.height + 1 || h.slot <= ph.slot || h.timestamp !== this.slots.slotStart(h.slot)) {
      fail(
        ConsensusErrorCode.BLOCK_BAD_SEQUENCE,
        `block ${h.height} does not follow its parent (height, slot or timestamp)`,
      );
    }
    if (h.gasLimit !== p.blockGasLimit || h.baseFee !== p.minGasPrice || h.gasUsed > h.gasLimit) {
      fail(ConsensusErrorCode.BLOCK_BAD_STATE, "gas limit, base fee or gas used out of rule");
    }
    const active = activeSetFor(parentView, h.slot, p);
    // for the imported event (metrics): what this block's beginBlock will count as missed
    const missed = opts.replay ? new Map<Address, number>() : missedSlotsBefore(parentView, h.slot, p);
    if (!opts.replay && !opts.produced) {
      const expected = scheduleFor(parentView, h.slot, p);
      if (h.producer !== expected) {
        fail(
          ConsensusErrorCode.BLOCK_BAD_PRODUCER,
          `slot ${h.slot} belongs to ${expected}, not ${h.producer}`,
        );
      }
      if (
        recoverSigner(blockSigningDigest(this.genesis.chainId, block.hash), block.signature) !== h.producer
      ) {
        fail(ConsensusErrorCode.BLOCK_BAD_PRODUCER, "block signature is not the producer's");
      }
      if (!bytesEqual(hashHeader(h), block.hash))
        fail(ConsensusErrorCode.BLOCK_BAD_STATE, "block hash does not match header");
      if (!bytesEqual(txRootOf(block.txs), h.txRoot))
        fail(ConsensusErrorCode.BLOCK_BAD_STATE, "transaction root mismatch");
      if (!bytesEqual(evidenceRootOf(block.evidence), h.evidenceRoot))
        fail(ConsensusErrorCode.BLOCK_BAD_STATE, "evidence root mismatch");
      for (const e of block.evidence) verifyEvidence(this.genesis.chainId, e);
    }
    const certInfo = h.cert ? this.checkCert(h.cert, parent, !opts.replay && !opts.produced) : null;
    let receipts: Receipt[];
    let trie: StateTrie;
    let changes: Array<[Uint8Array, Uint8Array | null]>;
    if (opts.produced) {
      ({ receipts, trie, changes } = opts.produced);
    } else {
      const out = executeBlock(this.genesis, this.system, {
        parentTrie: parent.trie,
        parentHeader: ph,
        slot: h.slot,
        timestamp: h.timestamp,
        producer: h.producer,
        txs: block.txs,
        evidence: block.evidence,
        cert: h.cert,
        provesFinality: certInfo?.provesFinality ?? false,
        mode: "import",
      });
      if (out.gasUsed !== h.gasUsed) fail(ConsensusErrorCode.BLOCK_BAD_STATE, "gas used mismatch");
      if (!bytesEqual(out.trie.root, h.stateRoot))
        fail(ConsensusErrorCode.BLOCK_BAD_STATE, "state root mismatch");
      if (!bytesEqual(receiptRootOf(out.receipts), h.receiptRoot))
        fail(ConsensusErrorCode.BLOCK_BAD_STATE, "receipt root mismatch");
      ({ receipts, trie, changes } = out);
    }
    const entry: BlockEntry = {
      block,
      receipts,
      trie,
      changes,
      active,
      parent,
      children: [],
      qc: null,
      justified: false,
      bestJustified: parent.bestJustified,
    };
    parent.children.push(entry);
    this.entries.set(hex, entry);
    try {
      const batch = this.store.batch().putBlock(block, receipts);
      const newHead = this.chooseHead();
      if (newHead !== this.headEntry) this.addCanonicalUpdates(batch, newHead);
      await batch.commit();
      this.switchHead(newHead);
    } catch (err) {
      parent.children.splice(parent.children.indexOf(entry), 1);
      this.entries.delete(hex);
      throw err;
    }
    if (h.cert && certInfo) await this.applyQc(h.cert, certInfo.target, certInfo.provesFinality);
    return { entry, missed };
  }

  /**
   * Check a header's certificate: its target is on the block's own branch (or at/below the
   * finalized root, then it must be the canonical final block), the signatures are a quorum of
   * the target's active set, and the source is an ancestor of the target.
   */
  private checkCert(
    qc: QuorumCert,
    parent: BlockEntry,
    verifySigs: boolean,
  ): { target: BlockEntry | null; provesFinality: boolean } {
    let target: BlockEntry | null = null;
    for (let e: BlockEntry | null = parent; e; e = e.parent) {
      if (e.block.header.height === qc.target.height) {
        target = e;
        break;
      }
    }
    if (!target) {
      // Below our tree: it certifies a block we already hold final; nothing new to learn.
      if (qc.target.height > this.root.block.header.height)
        fail(ConsensusErrorCode.BAD_CERTIFICATE, "certificate target is not on this branch");
      return { target: null, provesFinality: false };
    }
    if (!bytesEqual(target.block.hash, qc.target.hash))
      fail(ConsensusErrorCode.BAD_CERTIFICATE, "certificate target is not on this branch");
    let sourceOk = false;
    for (let e: BlockEntry | null = target.parent; e; e = e.parent) {
      if (e.block.header.height === qc.source.height) {
        sourceOk = bytesEqual(e.block.hash, qc.source.hash);
        break;
      }
    }
    if (!sourceOk && qc.source.height < this.root.block.header.height) sourceOk = true; // below the root: final already
    if (!sourceOk)
      fail(ConsensusErrorCode.BAD_CERTIFICATE, "certificate source is not an ancestor of its target");
    if (verifySigs && target !== this.root)
      verifyQc(qc, target.active, this.genesis.chainId, this.genesis.params);
    const provesFinality =
      qc.target.height === qc.source.height + 1 && bytesEqual(target.block.header.parentHash, qc.source.hash);
    return { target, provesFinality };
  }

  /**
   * A verified quorum certificate (from a header or from gossiped votes): justify its target,
   * finalize its source when the target is the source's child, then re-run fork choice.
   */
  addQc(qc: QuorumCert): Promise<void> {
    return this.serial(async () => {
      const target = this.entries.get(toHex(qc.target.hash));
      if (!target) return;
      const source = this.entries.get(toHex(qc.source.hash));
      const provesFinality =
        !!source &&
        qc.target.height === qc.source.height + 1 &&
        bytesEqual(target.block.header.parentHash, qc.source.hash);
      await this.applyQc(qc, target, provesFinality);
    });
  }

  private async applyQc(qc: QuorumCert, target: BlockEntry | null, provesFinality: boolean): Promise<void> {
    if (target && !target.justified) {
      target.justified = true;
      target.qc = qc;
      this.raiseJustified(target, target.block.header.height);
      this.emit("justified", qc);
    }
    if (provesFinality) {
      const source = this.entries.get(toHex(qc.source.hash));
      if (source && source !== this.root) await this.finalize(source, qc);
    }
    const best = this.chooseHead();
    if (best !== this.headEntry) {
      const batch = this.store.batch();
      this.addCanonicalUpdates(batch, best);
      await batch.commit();
      this.switchHead(best);
    }
  }

  private raiseJustified(e: BlockEntry, height: number): void {
    if (e.bestJustified >= height) return;
    e.bestJustified = height;
    for (const c of e.children) this.raiseJustified(c, height);
  }

  /** Fork choice over the tree: highest justified, then height, then lowest hash. */
  private chooseHead(): BlockEntry {
    let best = this.root;
    for (const e of this.entries.values()) {
      if (e.children.length > 0) continue;
      if (
        e.bestJustified > best.bestJustified ||
        (e.bestJustified === best.bestJustified &&
          (e.block.header.height > best.block.header.height ||
            (e.block.header.height === best.block.header.height &&
              compareBytes(e.block.hash, best.block.hash) < 0)))
      ) {
        best = e;
      }
    }
    return best;
  }

  /** Canonical index writes for switching the head to `to` (added to `batch`). */
  private addCanonicalUpdates(batch: ReturnType<ChainStore["batch"]>, to: BlockEntry): void {
    const added: BlockEntry[] = [];
    for (let e: BlockEntry | null = to; e && !this.isCanonical(e); e = e.parent) added.push(e);
    for (const e of added) {
      batch.setCanonical(e.block);
      batch.removeMempool(e.block.txs.map((t) => t.hash));
    }
    for (let h = to.block.header.height + 1; h <= this.headEntry.block.header.height; h++)
      batch.deleteCanonical(h);
  }

  private isCanonical(e: BlockEntry): boolean {
    for (let x: BlockEntry | null = this.headEntry; x; x = x.parent) {
      if (x === e) return true;
      if (x.block.header.height < e.block.header.height) return false;
    }
    return false;
  }

  /** Move the head in memory and tell listeners (after the canonical writes committed). */
  private switchHead(to: BlockEntry): void {
    const old = this.headEntry;
    if (to === old) return;
    const onNew = new Set<BlockEntry>();
    for (let e: BlockEntry | null = to; e; e = e.parent) onNew.add(e);
    const dropped: Block[] = [];
    for (let e: BlockEntry | null = old; e && !onNew.has(e); e = e.parent) dropped.push(e.block);
    const added: BlockEntry[] = [];
    for (let e: BlockEntry | null = to; e && e !== old && !this.isCanonicalFrom(old, e); e = e.parent)
      added.push(e);
    this.headEntry = to;
    if (dropped.length) {
      this.log.warn(
        { from: old.block.header.height, to: to.block.header.height, dropped: dropped.length },
        "reorg",
      );
      this.emit("reorg", { dropped });
    }
    for (const e of added.reverse()) this.emit("head", { block: e.block, receipts: e.receipts });
  }

  private isCanonicalFrom(head: BlockEntry, e: BlockEntry): boolean {
    for (let x: BlockEntry | null = head; x; x = x.parent) if (x === e) return true;
    return false;
  }

  /**
   * Make `s` (a descendant of the root) final: write the merged state changes from the root
   * to `s` with the finality record in one batch, then prune every branch not descending from `s`.
   */
  private async finalize(s: BlockEntry, qc: QuorumCert): Promise<void> {
    const path: BlockEntry[] = [];
    for (let e: BlockEntry | null = s; e && e !== this.root; e = e.parent) path.push(e);
    if (path.length === 0 || path[path.length - 1]!.parent !== this.root) return; // not above the root
    path.reverse();
    const merged = new Map<string, [Uint8Array, Uint8Array | null]>();
    for (const e of path) for (const [k, v] of e.changes) merged.set(toHex(k), [k, v]);
    const record: FinalityRecord = { height: s.block.header.height, hash: s.block.hash, cert: qc };
    const batch = this.store.batch().putFinalState(merged.values(), s.block.hash, encodeFinality(record));
    // Finality may land on a branch that is not the head's: canonical entries follow it.
    if (!this.isCanonical(s)) this.addCanonicalUpdates(batch, this.bestDescendant(s));
    await batch.commit();
    for (const e of path) this.recent.set(e.block.header.height, e.trie);
    for (const h of this.recent.keys())
      if (h <= s.block.header.height - RETAINED_STATES) this.recent.delete(h);
    // Prune: keep s and its descendants only.
    const keep = new Set<BlockEntry>();
    const stack = [s];
    while (stack.length) {
      const e = stack.pop()!;
      keep.add(e);
      stack.push(...e.children);
    }
    for (const [k, e] of this.entries) if (!keep.has(e)) this.entries.delete(k);
    s.parent = null;
    s.justified = true;
    this.root = s;
    this.finality = record;
    if (!keep.has(this.headEntry)) this.switchHead(this.bestDescendant(s));
    this.log.debug({ height: record.height }, "finalized");
    this.emit("finalized", record);
  }

  private bestDescendant(s: BlockEntry): BlockEntry {
    let best = s;
    const stack = [s];
    while (stack.length) {
      const e = stack.pop()!;
      if (
        e.bestJustified > best.bestJustified ||
        (e.bestJustified === best.bestJustified && e.block.header.height > best.block.header.height)
      )
        best = e;
      stack.push(...e.children);
    }
    return best;
  }

  /** Highest justified block on the head's branch, with its certificate (the root if none). */
  justifiedOnHead(): BlockEntry {
    for (let e: BlockEntry | null = this.headEntry; e; e = e.parent) if (e.justified) return e;
    return this.root;
  }

  /** Newest certificate on the branch ending at `e` (for the next header). */
  newestQc(e: BlockEntry): QuorumCert | null {
    for (let x: BlockEntry | null = e; x; x = x.parent) if (x.qc) return x.qc;
    return this.finality.cert;
  }
}
