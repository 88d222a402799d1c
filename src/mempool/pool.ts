import type { Address } from "../crypto/address.ts";
import type { Account } from "../ledger/types.ts";
import { maxCost } from "../tx/index.ts";
import type { Tx } from "../tx/types.ts";
import { toHex } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import { MempoolErrorCode } from "./errors.ts";
import { MaxHeap } from "./heap.ts";
import type { MempoolOptions } from "./options.ts";

/** Reads the head state the pool checks against. */
export type AccountReader = (a: Address) => Account;

interface Entry {
  tx: Tx;
  /** Arrival order: ties in fee go to the earlier transaction. */
  seq: number;
}

/**
 * Pending transactions: per sender ordered by nonce, across senders ordered by tip. Signatures
 * are checked once before `add` (the Tx carries its recovered sender) and never again.
 */
export class Mempool {
  private readonly opts: MempoolOptions;
  private readonly bySender = new Map<Address, Entry[]>();
  private readonly byHash = new Map<string, Entry>();
  private seq = 0;
  /**
   * Future-nonce transactions held. Exact after every onNewHead; between heads it may count
   * some that a later transaction made executable (filling their gap): an overestimate, so the
   * maxQueued cap only errs on the strict side until the next block.
   */
  private queued = 0;

  constructor(opts: MempoolOptions) {
    this.opts = opts;
  }

  /** Transactions held. */
  get size(): number {
    return this.byHash.size;
  }

  /** A held transaction by hash. */
  get(hash: Uint8Array): Tx | undefined {
    return this.byHash.get(toHex(hash))?.tx;
  }

  /**
   * Admit a transaction against the head state. Returns the hash of a transaction it replaced
   * (same sender and nonce, higher fees), if any. Throws MEMPOOL_* LvoErrors.
   */
  add(tx: Tx, readAccount: AccountReader): { replaced: Uint8Array | null } {
    const hex = toHex(tx.hash);
    if (this.byHash.has(hex)) throw new LvoError(MempoolErrorCode.MEMPOOL_ALREADY_KNOWN, "already known");
    const acc = readAccount(tx.from);
    if (tx.nonce < acc.nonce) {
      throw new LvoError(
        MempoolErrorCode.MEMPOOL_NONCE_TOO_LOW,
        `next nonce ${acc.nonce}, tx nonce ${tx.nonce}`,
        {
          next: acc.nonce,
        },
      );
    }
    if (tx.nonce > acc.nonce + BigInt(this.opts.maxNonceGap)) {
      throw new LvoError(
        MempoolErrorCode.MEMPOOL_NONCE_TOO_HIGH,
        `tx nonce ${tx.nonce} is more than ${this.opts.maxNonceGap} ahead of the account nonce ${acc.nonce}`,
      );
    }
    const list = this.bySender.get(tx.from) ?? [];
    let isQueued = false;
    const at = list.findIndex((e) => e.tx.nonce >= tx.nonce);
    const existing = at >= 0 && list[at]!.tx.nonce === tx.nonce ? list[at]! : null;
    if (existing) {
      const bump = BigInt(100 + this.opts.priceBumpPercent);
      const old = existing.tx;
      if (
        tx.maxFeePerGas * 100n < old.maxFeePerGas * bump ||
        tx.maxPriorityFeePerGas * 100n < old.maxPriorityFeePerGas * bump
      ) {
        throw new LvoError(
          MempoolErrorCode.MEMPOOL_UNDERPRICED,
          `a replacement must raise both fees by at least ${this.opts.priceBumpPercent}%`,
        );
      }
    } else {
      if (list.length >= this.opts.maxPerSender) {
        throw new LvoError(
          MempoolErrorCode.MEMPOOL_SENDER_FULL,
          `sender already has ${list.length} pending transactions`,
        );
      }
      if (this.byHash.size >= this.opts.maxTotal) {
        throw new LvoError(
          MempoolErrorCode.MEMPOOL_FULL,
          `mempool is full (${this.opts.maxTotal} transactions)`,
        );
      }
      isQueued = tx.nonce > this.pendingNonce(tx.from, acc.nonce);
      if (isQueued && this.queued >= this.opts.maxQueued) {
        throw new LvoError(
          MempoolErrorCode.MEMPOOL_QUEUE_FULL,
          `too many future-nonce transactions pending (${this.opts.maxQueued}); send the missing nonces first`,
        );
      }
    }
    // Funds: this transaction and every other one the sender has pending must be affordable
    // together (as geth does), so filling a nonce gap cannot over-commit the balance.
    let cost = maxCost(tx);
    for (const e of list) if (e !== existing) cost += maxCost(e.tx);
    if (acc.balance < cost) {
      throw new LvoError(
        MempoolErrorCode.MEMPOOL_INSUFFICIENT_FUNDS,
        `have ${acc.balance}, want ${cost} (value + gas * max fee, with the sender's other pending transactions)`,
      );
    }
    const entry: Entry = { tx, seq: this.seq++ };
    let replaced: Uint8Array | null = null;
    if (existing) {
      list[at] = entry;
      this.byHash.delete(toHex(existing.tx.hash));
      replaced = existing.tx.hash;
    } else if (at < 0) {
      list.push(entry);
    } else {
      list.splice(at, 0, entry);
    }
    this.bySender.set(tx.from, list);
    this.byHash.set(hex, entry);
    if (isQueued) this.queued++;
    return { replaced };
  }

  /** Next nonce for a sender counting contiguous pending transactions. */
  pendingNonce(a: Address, accountNonce: bigint): bigint {
    let n = accountNonce;
    for (const e of this.bySender.get(a) ?? []) {
      if (e.tx.nonce === n) n++;
      else if (e.tx.nonce > n) break;
    }
    return n;
  }

  /** Counts of executable (pending) and gapped (queued) transactions. */
  counts(readAccount: AccountReader): { pending: number; queued: number } {
    let pending = 0;
    for (const [a, list] of this.bySender) {
      const n = this.pendingNonce(a, readAccount(a).nonce);
      for (const e of list) if (e.tx.nonce < n) pending++;
    }
    return { pending, queued: this.byHash.size - pending };
  }

  /**
   * Executable transactions for a block: nonce order within a sender, highest tip first across
   * senders, up to `maxGas` of gas limits and `maxCount` transactions.
   */
  select(readAccount: AccountReader, baseFee: bigint, maxGas: bigint, maxCount: number): Tx[] {
    const tip = (t: Tx) => {
      const room = t.maxFeePerGas - baseFee;
      return room < t.maxPriorityFeePerGas ? room : t.maxPriorityFeePerGas;
    };
    type Cursor = { list: Entry[]; i: number; next: bigint };
    const heap = new MaxHeap<Cursor>((a, b) => {
      const ta = tip(a.list[a.i]!.tx);
      const tb = tip(b.list[b.i]!.tx);
      return ta !== tb ? ta > tb : a.list[a.i]!.seq < b.list[b.i]!.seq;
    });
    for (const [a, list] of this.bySender) {
      const nonce = readAccount(a).nonce;
      const i = list.findIndex((e) => e.tx.nonce === nonce);
      if (i >= 0 && list[i]!.tx.maxFeePerGas >= baseFee) heap.push({ list, i, next: nonce });
    }
    const out: Tx[] = [];
    let gas = 0n;
    while (heap.size > 0 && out.length < maxCount) {
      const c = heap.pop()!;
      const tx = c.list[c.i]!.tx;
      if (gas + tx.gasLimit > maxGas) continue; // this sender's run stops here for this block
      out.push(tx);
      gas += tx.gasLimit;
      const n = c.list[c.i + 1];
      if (n && n.tx.nonce === tx.nonce + 1n && n.tx.maxFeePerGas >= baseFee) {
        heap.push({ list: c.list, i: c.i + 1, next: n.tx.nonce });
      }
    }
    return out;
  }

  /**
   * The head moved: drop transactions whose nonce is used and those no longer affordable.
   * Returns the hashes dropped (included or evicted) so the journal can forget them.
   */
  onNewHead(readAccount: AccountReader): Uint8Array[] {
    const dropped: Uint8Array[] = [];
    let queued = 0;
    for (const [a, list] of this.bySender) {
      const acc = readAccount(a);
      let spend = 0n;
      let next = acc.nonce;
      const keep: Entry[] = [];
      for (const e of list) {
        if (e.tx.nonce < acc.nonce) {
          dropped.push(e.tx.hash);
          continue;
        }
        spend += maxCost(e.tx);
        if (spend > acc.balance) {
          dropped.push(e.tx.hash);
          continue;
        }
        if (e.tx.nonce === next) next++;
        else queued++;
        keep.push(e);
      }
      if (keep.length === 0) this.bySender.delete(a);
      else if (keep.length !== list.length) this.bySender.set(a, keep);
    }
    for (const h of dropped) this.byHash.delete(toHex(h));
    this.queued = queued;
    return dropped;
  }

  /** Future-nonce transactions counted against maxQueued (exact after onNewHead). */
  get queuedCount(): number {
    return this.queued;
  }
}
