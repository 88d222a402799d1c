import type { Address } from "../crypto/address.ts";
import { toHex } from "../util/bytes.ts";
import { decodeAccount, encodeAccount } from "./encoding.ts";
import { accountKey } from "./keys.ts";
import type { StateTrie } from "./trie/index.ts";
import type { Account } from "./types.ts";

/** Read-only view of one committed state (a trie version). */
export class StateView {
  readonly trie: StateTrie;

  constructor(trie: StateTrie) {
    this.trie = trie;
  }

  /** Account, reading absent as nonce 0 / balance 0. */
  getAccount(a: Address): Account {
    const v = this.trie.get(accountKey(a));
    return v ? decodeAccount(v) : { nonce: 0n, balance: 0n };
  }

  /** Raw value of any state key. */
  get(key: Uint8Array): Uint8Array | undefined {
    return this.trie.get(key);
  }
}

type JournalEntry =
  | { kind: "account"; addr: Address; prev: Account | undefined }
  | { kind: "raw"; key: string; prev: Uint8Array | null | undefined };

/**
 * Mutable state for executing one block on top of a committed trie. Decoded accounts are
 * cached, writes go to maps, and a journal allows reverting a failed transaction to a
 * checkpoint. `commit` applies every change to the trie in one batch (one rehash per block).
 */
export class StateOverlay {
  private readonly base: StateTrie;
  private readonly accounts = new Map<Address, Account>();
  private readonly raw = new Map<string, { key: Uint8Array; value: Uint8Array | null }>();
  private journal: JournalEntry[] = [];

  constructor(base: StateTrie) {
    this.base = base;
  }

  /** Account as of the overlay (a copy: mutate through setAccount). */
  getAccount(a: Address): Account {
    const cached = this.accounts.get(a);
    if (cached) return { nonce: cached.nonce, balance: cached.balance };
    const v = this.base.get(accountKey(a));
    const acc = v ? decodeAccount(v) : { nonce: 0n, balance: 0n };
    this.accounts.set(a, acc);
    return { nonce: acc.nonce, balance: acc.balance };
  }

  /** Replace an account. */
  setAccount(a: Address, acc: Account): void {
    this.journal.push({ kind: "account", addr: a, prev: this.accounts.get(a) });
    this.accounts.set(a, { nonce: acc.nonce, balance: acc.balance });
  }

  /** Add to (or, negative, take from) a balance; callers check sufficiency first. */
  addBalance(a: Address, delta: bigint): void {
    const acc = this.getAccount(a);
    acc.balance += delta;
    this.setAccount(a, acc);
  }

  /** Raw value of any state key. */
  get(key: Uint8Array): Uint8Array | undefined {
    const w = this.raw.get(toHex(key));
    if (w) return w.value ?? undefined;
    return this.base.get(key);
  }

  /** Set (or delete with null) any non-account state key. */
  set(key: Uint8Array, value: Uint8Array | null): void {
    const k = toHex(key);
    this.journal.push({ kind: "raw", key: k, prev: this.raw.get(k)?.value });
    this.raw.set(k, { key, value });
  }

  /** Mark the journal; `revert(mark)` undoes everything after it. */
  checkpoint(): number {
    return this.journal.length;
  }

  /** Undo changes made after `mark`. */
  revert(mark: number): void {
    while (this.journal.length > mark) {
      const e = this.journal.pop()!;
      if (e.kind === "account") {
        if (e.prev) this.accounts.set(e.addr, e.prev);
        else this.accounts.delete(e.addr);
      } else if (e.prev === undefined) {
        this.raw.delete(e.key);
      } else {
        const cur = this.raw.get(e.key)!;
        this.raw.set(e.key, { key: cur.key, value: e.prev });
      }
    }
  }

  /** Drop the journal after a transaction is final within the block (keeps memory flat). */
  clearJournal(): void {
    this.journal = [];
  }

  /**
   * Every change as trie key/value pairs (null deletes). Empty accounts are deleted so the
   * state holds only accounts that matter.
   */
  changes(): Array<[Uint8Array, Uint8Array | null]> {
    const out: Array<[Uint8Array, Uint8Array | null]> = [];
    for (const [a, acc] of this.accounts) {
      const key = accountKey(a);
      const empty = acc.nonce === 0n && acc.balance === 0n;
      const before = this.base.get(key);
      if (empty) {
        if (before) out.push([key, null]);
        continue;
      }
      const enc = encodeAccount(acc);
      if (!before || Buffer.compare(before, enc) !== 0) out.push([key, enc]);
    }
    for (const { key, value } of this.raw.values()) out.push([key, value]);
    return out;
  }
}
