import { Level } from "level";
import type { Address } from "../crypto/address.ts";
import type { Tx } from "../tx/types.ts";
import { toHex, utf8 } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import { decodeReceipts, decodeStoredBlock, encodeReceipts, encodeStoredBlock } from "./encoding.ts";
import { LedgerErrorCode } from "./errors.ts";
import { DbPrefix, dbKey, MetaKey, readU64, u64 } from "./keys.ts";
import type { Block, Receipt } from "./types.ts";
import { isNoSpace, writeFailure } from "./write-failure.ts";

type Db = Level<Uint8Array, Uint8Array>;

/** Decodes a stored transaction whose sender is already known (no signature recovery). */
export type StoredTxDecoder = (raw: Uint8Array, from: Address) => Tx;

/** Where an included transaction sits. */
export interface TxLocation {
  height: number;
  index: number;
}

const BLOCK_CACHE = 256;

function metaKey(name: string): Uint8Array {
  return dbKey(DbPrefix.META, utf8(name));
}

/** Runs one write; the store passes its guard (see ChainStore.write) to each batch. */
type WriteGuard = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

/**
 * The chain's LevelDB repository: blocks, canonical index, tx locations, receipts, the state
 * at the newest final block, the mempool journal and meta. Each block commits in one atomic
 * batch, so a kill at any instant leaves either the old or the new block fully written.
 *
 * The first failed write (a full disk, an I/O error) is final: it is reported once to the
 * `onWriteFailure` listeners (the node stops) and every later write throws the same error.
 * LevelDB may have appended part of the failed record to its log; writing on after it could
 * leave a log whose recovery skips that record but applies later ones, so nothing follows it.
 */
export class ChainStore {
  /** The LevelDB directory. */
  readonly dir: string;
  private readonly db: Db;
  private readonly decodeTx: StoredTxDecoder;
  private readonly log: Logger;
  private readonly blockCache = new Map<string, Block>();
  private failure: LvoError | null = null;
  private readonly failureListeners: Array<(err: LvoError) => void> = [];

  private constructor(dir: string, db: Db, decodeTx: StoredTxDecoder, log: Logger) {
    this.dir = dir;
    this.db = db;
    this.decodeTx = decodeTx;
    this.log = log;
  }

  /** Open (creating if needed) the database in `dir`. A second process gets LEDGER_LOCKED. */
  static async open(dir: string, modules: { decodeTx: StoredTxDecoder; log: Logger }): Promise<ChainStore> {
    const db: Db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.code === "LEVEL_LOCKED") {
        throw new LvoError(
          LedgerErrorCode.LEDGER_LOCKED,
          `database ${dir} is locked: another lvo process is using this data directory`,
        );
      }
      const message = cause?.message ?? (err as Error).message;
      // Opening replays LevelDB's log into a new table file: a full disk fails here.
      if (isNoSpace(cause) || isNoSpace(err)) {
        throw new LvoError(
          LedgerErrorCode.LEDGER_DISK_FULL,
          `cannot open database ${dir}: no space left on device (${message})`,
          { path: dir },
        );
      }
      throw new LvoError(LedgerErrorCode.LEDGER_OPEN_FAILED, `cannot open database ${dir}: ${message}`, {
        path: dir,
      });
    }
    return new ChainStore(dir, db, modules.decodeTx, modules.log);
  }

  /** Called once, with LEDGER_DISK_FULL or LEDGER_WRITE_FAILED, when a write fails. */
  onWriteFailure(listener: (err: LvoError) => void): void {
    this.failureListeners.push(listener);
  }

  /** The write failure that stopped this store, if any. */
  get writeFailure(): LvoError | null {
    return this.failure;
  }

  /**
   * Every write goes through here: none after a failed one, and a failure becomes a typed
   * error naming the directory. A write refused because the store is closing (shutdown) is not
   * a failure of the disk and is passed on as it is.
   */
  private readonly write: WriteGuard = async (what, fn) => {
    if (this.failure) throw this.failure;
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: string }).code === "LEVEL_DATABASE_NOT_OPEN") throw err;
      const failure = writeFailure(err, this.dir, what);
      if (!this.failure) {
        this.failure = failure;
        for (const l of this.failureListeners) l(failure);
      }
      throw this.failure;
    }
  };

  /** Close the database (flushes LevelDB). */
  async close(): Promise<void> {
    await this.db.close();
  }

  /** A meta value. */
  async getMeta(name: string): Promise<Uint8Array | undefined> {
    return this.db.get(metaKey(name));
  }

  /** Write meta values in one batch. */
  async putMeta(entries: Array<[string, Uint8Array]>): Promise<void> {
    await this.write("meta values", () =>
      this.db.batch(entries.map(([k, v]) => ({ type: "put" as const, key: metaKey(k), value: v }))),
    );
  }

  /** Block by hash (from a small cache of decoded blocks, else from disk). */
  async getBlock(hash: Uint8Array): Promise<Block | undefined> {
    const hex = toHex(hash);
    const cached = this.blockCache.get(hex);
    if (cached) return cached;
    const data = await this.db.get(dbKey(DbPrefix.BLOCK, hash));
    if (!data) return undefined;
    const s = decodeStoredBlock(data);
    const block: Block = {
      header: s.header,
      hash,
      signature: s.signature,
      txs: s.txs.map((t) => this.decodeTx(t.raw, t.from)),
      evidence: s.evidence,
    };
    this.cacheBlock(block);
    return block;
  }

  private cacheBlock(b: Block): void {
    const hex = toHex(b.hash);
    this.blockCache.set(hex, b);
    if (this.blockCache.size > BLOCK_CACHE) {
      const oldest = this.blockCache.keys().next().value as string;
      this.blockCache.delete(oldest);
    }
  }

  /** Canonical block hash at a height. */
  async getCanonicalHash(height: number): Promise<Uint8Array | undefined> {
    return this.db.get(dbKey(DbPrefix.CANONICAL, u64(height)));
  }

  /** Location of an included transaction. */
  async getTxLocation(txHash: Uint8Array): Promise<TxLocation | undefined> {
    const v = await this.db.get(dbKey(DbPrefix.TX_LOCATION, txHash));
    if (!v) return undefined;
    return { height: readU64(v, 0), index: new DataView(v.buffer, v.byteOffset).getUint32(8) };
  }

  /** Receipts of a block. */
  async getReceipts(blockHash: Uint8Array): Promise<Receipt[] | undefined> {
    const v = await this.db.get(dbKey(DbPrefix.RECEIPTS, blockHash));
    return v ? decodeReceipts(v) : undefined;
  }

  /** Every persisted state entry (start-up: the trie is rebuilt from these). */
  async loadState(): Promise<Array<[Uint8Array, Uint8Array]>> {
    const out: Array<[Uint8Array, Uint8Array]> = [];
    for await (const [k, v] of this.db.iterator({
      gt: new Uint8Array([DbPrefix.STATE]),
      lt: new Uint8Array([DbPrefix.STATE + 1]),
    })) {
      out.push([k.subarray(1), v]);
    }
    return out;
  }

  /** Transactions journalled in the mempool (hash from the key, raw bytes). */
  async loadMempool(): Promise<Array<{ hash: Uint8Array; raw: Uint8Array }>> {
    const out: Array<{ hash: Uint8Array; raw: Uint8Array }> = [];
    for await (const [k, v] of this.db.iterator({
      gt: new Uint8Array([DbPrefix.MEMPOOL]),
      lt: new Uint8Array([DbPrefix.MEMPOOL + 1]),
    })) {
      out.push({ hash: k.subarray(1), raw: v });
    }
    return out;
  }

  /** Journal admitted transactions (before they are acknowledged) and drop evicted ones. */
  async writeMempool(add: Array<{ hash: Uint8Array; raw: Uint8Array }>, remove: Uint8Array[]): Promise<void> {
    const ops: Array<{ type: "put"; key: Uint8Array; value: Uint8Array } | { type: "del"; key: Uint8Array }> =
      [];
    for (const t of add)
      ops.push({ type: "put" as const, key: dbKey(DbPrefix.MEMPOOL, t.hash), value: t.raw });
    for (const h of remove) ops.push({ type: "del" as const, key: dbKey(DbPrefix.MEMPOOL, h) });
    if (ops.length) await this.write("mempool journal", () => this.db.batch(ops));
  }

  /** Start a batch: everything for one block (or one finality step) is written by one commit. */
  batch(): ChainBatch {
    return new ChainBatch(this.db, (b) => this.cacheBlock(b), this.write);
  }

  /**
   * The signing record as kept in LevelDB before it moved to its own file (read once, to carry
   * it over), if any.
   */
  async getLegacySigningRecord(): Promise<Uint8Array | undefined> {
    return this.db.get(dbKey(DbPrefix.SIGNING, utf8("record")));
  }

  /** Has this data directory's signing record file been written before (its marker)? */
  async hasSigningFile(): Promise<boolean> {
    return (await this.db.get(dbKey(DbPrefix.SIGNING, utf8("file")))) !== undefined;
  }

  /** Mark (durably) that the signing record file exists: from now on its absence is damage. */
  async markSigningFile(): Promise<void> {
    await this.write("signing record marker", () =>
      this.db.put(dbKey(DbPrefix.SIGNING, utf8("file")), new Uint8Array([1]), { sync: true }),
    );
  }

  /** Delete canonical index entries above `height` (after a reorg to a shorter branch). */
  async canonicalAbove(height: number): Promise<number[]> {
    const out: number[] = [];
    for await (const k of this.db.keys({
      gt: dbKey(DbPrefix.CANONICAL, u64(height)),
      lt: new Uint8Array([DbPrefix.CANONICAL + 1]),
    })) {
      out.push(readU64(k, 1));
    }
    return out;
  }
}

/**
 * One atomic LevelDB batch for a block or a finality step. LevelDB applies a batch as one log
 * record, so a kill at any instant leaves all of it or none of it.
 */
export class ChainBatch {
  private readonly b: ReturnType<Db["batch"]>;
  private readonly blocks: Block[] = [];
  private readonly onCommit: (b: Block) => void;
  private readonly write: WriteGuard;

  constructor(db: Db, onCommit: (b: Block) => void, write: WriteGuard) {
    this.b = db.batch();
    this.onCommit = onCommit;
    this.write = write;
  }

  /** Store a block and its receipts by hash. */
  putBlock(block: Block, receipts: Receipt[]): this {
    this.b.put(dbKey(DbPrefix.BLOCK, block.hash), encodeStoredBlock(block));
    this.b.put(dbKey(DbPrefix.RECEIPTS, block.hash), encodeReceipts(receipts));
    this.blocks.push(block);
    return this;
  }

  /** Make `block` the canonical block at its height and index its transactions. */
  setCanonical(block: Block): this {
    const hb = u64(block.header.height);
    this.b.put(dbKey(DbPrefix.CANONICAL, hb), block.hash);
    for (let i = 0; i < block.txs.length; i++) {
      const loc = new Uint8Array(12);
      loc.set(hb, 0);
      new DataView(loc.buffer).setUint32(8, i);
      this.b.put(dbKey(DbPrefix.TX_LOCATION, block.txs[i]!.hash), loc);
    }
    return this;
  }

  /** Remove the canonical entry at a height (a reorg to a shorter branch). */
  deleteCanonical(height: number): this {
    this.b.del(dbKey(DbPrefix.CANONICAL, u64(height)));
    return this;
  }

  /** State changes of the newest final block, the block they belong to and its finality record. */
  putFinalState(
    changes: Iterable<readonly [Uint8Array, Uint8Array | null]>,
    stateHead: Uint8Array,
    finality: Uint8Array,
  ): this {
    for (const [k, v] of changes) {
      if (v === null) this.b.del(dbKey(DbPrefix.STATE, k));
      else this.b.put(dbKey(DbPrefix.STATE, k), v);
    }
    this.b.put(metaKey(MetaKey.HEAD), stateHead);
    this.b.put(metaKey(MetaKey.FINALIZED), finality);
    return this;
  }

  /** Drop mempool journal entries (included transactions). */
  removeMempool(hashes: Iterable<Uint8Array>): this {
    for (const h of hashes) this.b.del(dbKey(DbPrefix.MEMPOOL, h));
    return this;
  }

  /** A meta value. */
  putMeta(name: string, v: Uint8Array): this {
    this.b.put(metaKey(name), v);
    return this;
  }

  /** Write everything atomically. */
  async commit(): Promise<void> {
    await this.write("ledger batch", () => this.b.write());
    for (const b of this.blocks) this.onCommit(b);
  }
}
