import type { Chain } from "../consensus/chain.ts";
import { paramsForBlock } from "../governance/index.ts";
import type { ChainStore } from "../ledger/store.ts";
import { isWriteFailure } from "../ledger/write-failure.ts";
import type { Mempool } from "../mempool/pool.ts";
import { decodeTx, type TxRules, validateTxStatic } from "../tx/index.ts";
import type { Tx } from "../tx/types.ts";
import type { Logger } from "../util/log.ts";

/**
 * The one way a transaction enters the node: decode and recover the sender (once), static
 * checks, mempool admission, then the journal write. The caller's promise resolves only after
 * the transaction is on disk, so an acknowledged transaction survives kill -9. Journal writes
 * are grouped: every admission in the same tick shares one LevelDB batch.
 */
export class TxIngress {
  private readonly m: { chain: Chain; mempool: Mempool; store: ChainStore; log: Logger };
  private readonly rules: TxRules;
  private queue: Array<{ hash: Uint8Array; raw: Uint8Array }> = [];
  private evicted: Uint8Array[] = [];
  private flushing: Promise<void> | null = null;
  private broadcast: ((raws: Uint8Array[]) => void) | null = null;
  private outbox: Uint8Array[] = [];
  private outboxBytes = 0;
  private outboxTimer: NodeJS.Timeout | null = null;

  constructor(modules: { chain: Chain; mempool: Mempool; store: ChainStore; log: Logger }) {
    this.m = modules;
    const p = modules.chain.genesis.params;
    this.rules = {
      chainId: modules.chain.genesis.chainId,
      minGasPrice: p.minGasPrice,
      blockGasLimit: p.blockGasLimit,
      maxDataBytes: p.maxTxBytes,
      gas: p.gas,
    };
  }

  /** Decode, check and admit; resolves with the hash once journalled. Throws TX_* / MEMPOOL_*. */
  async submit(raw: Uint8Array): Promise<Uint8Array> {
    const tx = this.admit(raw);
    await this.journal(tx);
    this.queueBroadcast(tx.raw);
    return tx.hash;
  }

  /**
   * A transaction from gossip: admitted and journalled, not re-broadcast (gossipsub relays the
   * batch it came in). Throws like `submit`.
   */
  admitGossiped(raw: Uint8Array): Tx {
    const tx = this.admit(raw);
    void this.journal(tx).catch((err) => this.journalFailed(err));
    return tx;
  }

  /** Put back a transaction of a block that left the chain (errors mean it is no longer valid). */
  readmit(tx: Tx): void {
    try {
      this.admitDecoded(tx);
      void this.journal(tx).catch(() => undefined);
    } catch {
      // Included on the new branch, or no longer valid: nothing to do.
    }
  }

  /** Where locally submitted transactions are gossiped, in batches (set when p2p runs). */
  setBroadcast(fn: ((raws: Uint8Array[]) => void) | null): void {
    this.broadcast = fn;
  }

  private queueBroadcast(raw: Uint8Array): void {
    if (!this.broadcast) return;
    this.outbox.push(raw);
    this.outboxBytes += raw.length;
    // Gossipsub drops unpaced bursts of small messages (NOTES.md): send batches every 50 ms,
    // or at once when a batch reaches 256 KiB.
    if (this.outboxBytes >= 256 * 1024) this.flushBroadcast();
    else if (!this.outboxTimer) this.outboxTimer = setTimeout(() => this.flushBroadcast(), 50);
  }

  private flushBroadcast(): void {
    if (this.outboxTimer) clearTimeout(this.outboxTimer);
    this.outboxTimer = null;
    const batch = this.outbox;
    this.outbox = [];
    this.outboxBytes = 0;
    if (batch.length && this.broadcast) this.broadcast(batch);
  }

  /** Synchronous part of admission (also used to restore the journal on start-up). */
  admit(raw: Uint8Array): Tx {
    return this.admitDecoded(decodeTx(raw, this.m.chain.genesis.params.maxTxBytes));
  }

  private admitDecoded(tx: Tx): Tx {
    const view = this.m.chain.headState();
    // the minimum gas price is governable: the next block's value, not genesis's
    const c = this.m.chain;
    const minGasPrice = paramsForBlock(view, c.genesis.params, c.head.header.slot + 1).minGasPrice;
    validateTxStatic(
      tx,
      minGasPrice === this.rules.minGasPrice ? this.rules : { ...this.rules, minGasPrice },
    );
    const { replaced } = this.m.mempool.add(tx, (a) => view.getAccount(a));
    if (replaced) this.evicted.push(replaced);
    return tx;
  }

  /** Forget journal entries of transactions the mempool dropped. */
  forget(hashes: Uint8Array[]): void {
    for (const h of hashes) this.evicted.push(h);
    if (this.evicted.length > 0) void this.flush().catch((err) => this.journalFailed(err));
  }

  /**
   * A journal write that nobody awaits failed. A write failure of the store (full disk) is
   * logged once by the node, which stops; anything else is logged here.
   */
  private journalFailed(err: unknown): void {
    if (isWriteFailure(err)) this.m.log.debug({ err: err.message }, "mempool journal write failed");
    else this.m.log.error({ err }, "mempool journal write failed");
  }

  private journal(tx: Tx): Promise<void> {
    this.queue.push({ hash: tx.hash, raw: tx.raw });
    return this.flush();
  }

  private flush(): Promise<void> {
    if (this.flushing)
      return this.flushing.then(() => (this.queue.length || this.evicted.length ? this.flush() : undefined));
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const add = this.queue;
      const remove = this.evicted;
      this.queue = [];
      this.evicted = [];
      try {
        await this.m.store.writeMempool(add, remove);
      } finally {
        this.flushing = null;
      }
    });
    return this.flushing;
  }

  /** Restore journalled transactions after a restart; ones no longer valid are dropped. */
  async restore(): Promise<{ restored: number; dropped: number }> {
    const entries = await this.m.store.loadMempool();
    let restored = 0;
    const dropped: Uint8Array[] = [];
    // Nonce order per sender, so a sender's chain of transactions is re-admitted in sequence.
    const decoded = [];
    for (const e of entries) {
      try {
        decoded.push(decodeTx(e.raw, Number.MAX_SAFE_INTEGER));
      } catch {
        dropped.push(e.hash);
      }
    }
    decoded.sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0));
    for (const tx of decoded) {
      try {
        this.admitDecoded(tx);
        restored++;
      } catch {
        // Included before the crash, or no longer valid: drop it from the journal.
        dropped.push(tx.hash);
      }
    }
    this.forget(dropped);
    return { restored, dropped: dropped.length };
  }
}
