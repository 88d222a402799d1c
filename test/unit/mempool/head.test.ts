import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { DEV_MNEMONIC, type DerivedKey, deriveKeys } from "../../../src/keys/index.ts";
import type { Account } from "../../../src/ledger/types.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { maxCost, signTx, type Tx } from "../../../src/tx/index.ts";
import { toHex } from "../../../src/util/bytes.ts";

const GWEI = 1_000_000_000n;
const LVO = 10n ** 18n;
const TO = "0x00000000000000000000000000000000000000aa" as Address;
const [alice, bob, carol] = deriveKeys(DEV_MNEMONIC, 3) as [DerivedKey, DerivedKey, DerivedKey];

function tx(k: DerivedKey, nonce: bigint, value = 1n): Tx {
  return signTx(
    {
      type: 2,
      chainId: 1919n,
      nonce,
      gasLimit: 21_000n,
      maxFeePerGas: 2n * GWEI,
      maxPriorityFeePerGas: GWEI,
      to: TO,
      value,
    },
    k.secretKey,
  ).tx;
}

/** A mutable head-state stub. */
class Head {
  private readonly m = new Map<Address, Account>();
  set(k: DerivedKey, nonce: bigint, balance = 1000n * LVO): void {
    this.m.set(k.address, { nonce, balance });
  }
  readonly read = (a: Address): Account => this.m.get(a) ?? { nonce: 0n, balance: 1000n * LVO };
}

const hexes = (hs: Uint8Array[]) => hs.map(toHex).sort();

describe("Mempool.pendingNonce and counts", () => {
  it("count only the contiguous run from the account nonce as pending", () => {
    const head = new Head();
    const p = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
    for (const n of [0n, 1n, 3n]) p.add(tx(alice, n), head.read);
    expect(p.pendingNonce(alice.address, 0n)).toBe(2n);
    expect(p.counts(head.read)).toEqual({ pending: 2, queued: 1 });

    p.add(tx(alice, 2n), head.read); // fills the gap
    expect(p.pendingNonce(alice.address, 0n)).toBe(4n);
    expect(p.counts(head.read)).toEqual({ pending: 4, queued: 0 });
  });

  it("a sender whose first held nonce is above its account nonce has only queued transactions", () => {
    const head = new Head();
    head.set(bob, 5n);
    const p = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
    p.add(tx(bob, 6n), head.read);
    p.add(tx(bob, 7n), head.read);
    expect(p.pendingNonce(bob.address, 5n)).toBe(5n);
    expect(p.counts(head.read)).toEqual({ pending: 0, queued: 2 });
    p.add(tx(bob, 5n), head.read);
    expect(p.pendingNonce(bob.address, 5n)).toBe(8n);
    expect(p.counts(head.read)).toEqual({ pending: 3, queued: 0 });
  });

  it("an unknown sender's pending nonce is its account nonce", () => {
    const p = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
    expect(p.pendingNonce(carol.address, 0n)).toBe(0n);
    expect(p.pendingNonce(carol.address, 42n)).toBe(42n);
    expect(p.counts(new Head().read)).toEqual({ pending: 0, queued: 0 });
  });

  it("sums over senders", () => {
    const head = new Head();
    const p = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
    for (const n of [0n, 1n, 2n]) p.add(tx(alice, n), head.read);
    for (const n of [1n, 2n]) p.add(tx(bob, n), head.read);
    p.add(tx(carol, 0n), head.read);
    expect(p.counts(head.read)).toEqual({ pending: 4, queued: 2 });
  });
});

describe("Mempool.onNewHead", () => {
  it("drops transactions whose nonce is used and returns their hashes", () => {
    const head = new Head();
    const p = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
    const a = [0n, 1n, 2n, 3n].map((n) => tx(alice, n));
    const b = [0n, 1n].map((n) => tx(bob, n));
    for (const t of [...a, ...b]) p.add(t, head.read);

    head.set(alice, 2n); // alice 0 and 1 included
    head.set(bob, 2n); // both of bob's included
    const dropped = p.onNewHead(head.read);
    expect(hexes(dropped)).toEqual(hexes([a[0]!.hash, a[1]!.hash, b[0]!.hash, b[1]!.hash]));
    expect(p.size).toBe(2);
    for (const t of [a[0]!, a[1]!, ...b]) expect(p.get(t.hash)).toBeUndefined();
    expect(p.get(a[2]!.hash)).toBe(a[2]);
    expect(p.pendingNonce(alice.address, 2n)).toBe(4n);
    expect(p.pendingNonce(bob.address, 2n)).toBe(2n);
    expect(p.counts(head.read)).toEqual({ pending: 2, queued: 0 });
    // The dropped sender is forgotten entirely: its next nonce is admitted afresh.
    p.add(tx(bob, 2n), head.read);
    expect(p.counts(head.read)).toEqual({ pending: 3, queued: 0 });
  });

  it("drops transactions no longer affordable, and every later one of that sender", () => {
    const head = new Head();
    const p = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
    const a = [0n, 1n, 2n].map((n) => tx(alice, n, LVO));
    for (const t of a) p.add(t, head.read);
    const keepBob = tx(bob, 0n, LVO);
    p.add(keepBob, head.read);

    // alice spent elsewhere: only the first of her three still fits.
    head.set(alice, 0n, maxCost(a[0]!) + maxCost(a[1]!) - 1n);
    const dropped = p.onNewHead(head.read);
    expect(hexes(dropped)).toEqual(hexes([a[1]!.hash, a[2]!.hash]));
    expect(p.get(a[0]!.hash)).toBe(a[0]);
    expect(p.get(keepBob.hash)).toBe(keepBob);
    expect(p.size).toBe(2);
    expect(p.pendingNonce(alice.address, 0n)).toBe(1n);
  });

  it("combines used nonces and affordability (cost counted from the account nonce on)", () => {
    const head = new Head();
    const p = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
    const a = [0n, 1n, 2n, 3n].map((n) => tx(alice, n, LVO));
    for (const t of a) p.add(t, head.read);
    head.set(alice, 1n, maxCost(a[1]!) + maxCost(a[2]!));
    expect(hexes(p.onNewHead(head.read))).toEqual(hexes([a[0]!.hash, a[3]!.hash]));
    expect(p.size).toBe(2);
    expect(p.pendingNonce(alice.address, 1n)).toBe(3n);
  });

  it("a sender with zero balance loses everything; nothing to drop returns []", () => {
    const head = new Head();
    const p = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
    p.add(tx(carol, 0n), head.read);
    p.add(tx(carol, 5n), head.read);
    expect(p.onNewHead(head.read)).toEqual([]);
    expect(p.size).toBe(2);
    head.set(carol, 0n, 0n);
    expect(p.onNewHead(head.read)).toHaveLength(2);
    expect(p.size).toBe(0);
    expect(p.counts(head.read)).toEqual({ pending: 0, queued: 0 });
  });

  it("a dropped transaction can be admitted again once affordable", () => {
    const head = new Head();
    const p = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
    const t = tx(alice, 0n);
    p.add(t, head.read);
    head.set(alice, 0n, 0n);
    p.onNewHead(head.read);
    head.set(alice, 0n);
    expect(p.add(t, head.read).replaced).toBeNull();
    expect(p.size).toBe(1);
  });
});
