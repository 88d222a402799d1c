import { EventEmitter } from "node:events";
import type { Address } from "../crypto/address.ts";
import { ZERO_ADDRESS } from "../genesis/constants.ts";
import { parseGenesisText } from "../genesis/load.ts";
import { canonicalJson, genesisConfigHash, genesisToJson } from "../genesis/serialize.ts";
import type { Genesis } from "../genesis/types.ts";
import {
  decodeFinality,
  encodeFinality,
  type FinalityRecord,
  hashHeader,
  receiptRootOf,
  txRootOf,
} from "../ledger/encoding.ts";
import { LedgerErrorCode } from "../ledger/errors.ts";
import { genesisStateEntries } from "../ledger/genesis-state.ts";
import { MetaKey, SCHEMA_VERSION } from "../ledger/keys.ts";
import { StateView } from "../ledger/state.ts";
import type { ChainStore } from "../ledger/store.ts";
import { StateTrie } from "../ledger/trie/index.ts";
import type { Block, BlockHeader, FinalityCert, Receipt } from "../ledger/types.ts";
import { bytesEqual, toHex, utf8 } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";

/** States of recent canonical blocks kept in memory for reads and proofs. */
export const RETAINED_STATES = 128;

/** A block just added to the chain, with its receipts. */
export interface NewBlock {
  block: Block;
  receipts: Receipt[];
}

/** Events: "head" (NewBlock) after every commit, "finalized" (FinalityRecord) when finality moves. */
export interface ChainEvents {
  head: [NewBlock];
  finalized: [FinalityRecord];
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
    cert: null,
  };
  return { header, hash: hashHeader(header), signature: new Uint8Array(0), txs: [] };
}

/**
 * The canonical chain as this node holds it: head, finality, recent states, and the store.
 * Every block goes through `commit`, one atomic batch, after which listeners hear "head".
 */
export class Chain extends EventEmitter<ChainEvents> {
  readonly genesis: Genesis;
  readonly genesisHash: Uint8Array;
  private readonly store: ChainStore;
  private readonly log: Logger;
  private headBlock: Block;
  private finality: FinalityRecord;
  private readonly states = new Map<number, StateTrie>();

  private constructor(
    store: ChainStore,
    genesis: Genesis,
    genesisHash: Uint8Array,
    head: Block,
    finality: FinalityRecord,
    headTrie: StateTrie,
    log: Logger,
  ) {
    super();
    this.store = store;
    this.genesis = genesis;
    this.genesisHash = genesisHash;
    this.headBlock = head;
    this.finality = finality;
    this.states.set(head.header.height, headTrie);
    this.log = log;
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
    await store.commitBlock({
      block,
      receipts: [],
      stateChanges: entries,
      stateHead: block.hash,
      finalized: encodeFinality({ height: 0, hash: block.hash, cert: null }),
      mempoolRemove: [],
      meta: [
        [MetaKey.GENESIS, utf8(text)],
        [MetaKey.SCHEMA, utf8(SCHEMA_VERSION)],
      ],
    });
    return { created: true, hash: block.hash };
  }

  /** Open the chain in an initialised store and check that head and state agree. */
  static async open(store: ChainStore, modules: { log: Logger }): Promise<Chain> {
    const g = await store.getMeta(MetaKey.GENESIS);
    if (!g)
      throw new LvoError(
        LedgerErrorCode.LEDGER_NOT_INITIALISED,
        "data directory is not initialised: run `lvo init` first",
      );
    const genesis = parseGenesisText(new TextDecoder().decode(g), "stored genesis");
    const headHash = await store.getMeta(MetaKey.HEAD);
    const fin = await store.getMeta(MetaKey.FINALIZED);
    if (!headHash || !fin)
      throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "head or finality record missing");
    const head = await store.getBlock(headHash);
    if (!head) throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, `head block ${toHex(headHash)} missing`);
    const started = Date.now();
    const trie = StateTrie.fromEntries(await store.loadState());
    if (!bytesEqual(trie.root, head.header.stateRoot)) {
      throw new LvoError(
        LedgerErrorCode.LEDGER_CORRUPT,
        "stored state does not match the head block's state root",
      );
    }
    const genesisHashBytes = await store.getCanonicalHash(0);
    if (!genesisHashBytes) throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "genesis block missing");
    modules.log.info(
      { height: head.header.height, accounts: trie.size, loadMs: Date.now() - started },
      "chain opened",
    );
    return new Chain(store, genesis, genesisHashBytes, head, decodeFinality(fin), trie, modules.log);
  }

  /** Current head block. */
  get head(): Block {
    return this.headBlock;
  }

  /** Newest final block and its certificate. */
  get finalized(): FinalityRecord {
    return this.finality;
  }

  /** State trie after the head block. */
  get headTrie(): StateTrie {
    return this.states.get(this.headBlock.header.height)!;
  }

  /** Read-only state after the block at `height` (recent blocks only). */
  stateAt(height: number): StateView {
    const t = this.states.get(height);
    if (!t) {
      throw new LvoError(
        LedgerErrorCode.STATE_UNAVAILABLE,
        `state at block ${height} is not available (only the last ${RETAINED_STATES} blocks are kept)`,
      );
    }
    return new StateView(t);
  }

  /** Head state. */
  headState(): StateView {
    return new StateView(this.headTrie);
  }

  /** The active delegate set (genesis delegates by stake until elections exist). */
  activeDelegates(): Address[] {
    return [...this.genesis.delegates]
      .sort((a, b) =>
        a.selfStake === b.selfStake ? (a.address < b.address ? -1 : 1) : a.selfStake > b.selfStake ? -1 : 1,
      )
      .slice(0, this.genesis.params.activeDelegates)
      .map((d) => d.address);
  }

  /** Canonical block at a height. */
  async blockAt(height: number): Promise<Block | undefined> {
    if (height === this.headBlock.header.height) return this.headBlock;
    if (height > this.headBlock.header.height || height < 0) return undefined;
    const h = await this.store.getCanonicalHash(height);
    return h ? this.store.getBlock(h) : undefined;
  }

  /** Any stored block by hash. */
  async blockByHash(hash: Uint8Array): Promise<Block | undefined> {
    return this.store.getBlock(hash);
  }

  /** Location of an included transaction. */
  txLocation(hash: Uint8Array) {
    return this.store.getTxLocation(hash);
  }

  /** Receipts of a block. */
  receipts(blockHash: Uint8Array) {
    return this.store.getReceipts(blockHash);
  }

  /**
   * Append a block on the head: one batch with the block, receipts, indexes, state changes and
   * (when `cert` finalizes it) the finality record; then memory and listeners follow.
   */
  async commit(c: {
    block: Block;
    receipts: Receipt[];
    trie: StateTrie;
    changes: Array<[Uint8Array, Uint8Array | null]>;
    cert: FinalityCert | null;
  }): Promise<void> {
    const { block } = c;
    if (
      !bytesEqual(block.header.parentHash, this.headBlock.hash) ||
      block.header.height !== this.headBlock.header.height + 1
    ) {
      throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "commit does not extend the head");
    }
    const finality = c.cert ? { height: c.cert.height, hash: c.cert.blockHash, cert: c.cert } : null;
    await this.store.commitBlock({
      block,
      receipts: c.receipts,
      stateChanges: c.changes,
      stateHead: block.hash,
      finalized: finality ? encodeFinality(finality) : null,
      mempoolRemove: block.txs.map((t) => t.hash),
    });
    this.headBlock = block;
    this.states.set(block.header.height, c.trie);
    this.states.delete(block.header.height - RETAINED_STATES);
    this.emit("head", { block, receipts: c.receipts });
    if (finality) {
      this.finality = finality;
      this.emit("finalized", finality);
    }
    this.log.debug(
      { height: block.header.height, txs: block.txs.length, final: finality?.height },
      "block committed",
    );
  }
}
