import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { DEV_MNEMONIC, type DerivedKey, deriveKeys } from "../../../src/keys/index.ts";
import type { Account } from "../../../src/ledger/types.ts";
import { MempoolErrorCode } from "../../../src/mempool/errors.ts";
import { DEFAULT_MEMPOOL_OPTIONS, type MempoolOptions } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { maxCost, signTx, type Tx } from "../../../src/tx/index.ts";
import { expectCode } from "../keys/helpers.ts";

const GWEI = 1_000_000_000n;
const LVO = 10n ** 18n;
const TO = "0x00000000000000000000000000000000000000aa" as Address;
const [alice, bob, carol, dave] = deriveKeys(DEV_MNEMONIC, 4) as [
  DerivedKey,
  DerivedKey,
  DerivedKey,
  DerivedKey,
];

interface TxOpts {
  value?: bigint;
  gasLimit?: bigint;
  maxFee?: bigint;
  tip?: bigint;
}

/** A real signed type-2 transfer (the Tx carries its sender, as after decodeTx). */
function tx(k: DerivedKey, nonce: bigint, o: TxOpts = {}): Tx {
  return signTx(
    {
      type: 2,
      chainId: 1919n,
      nonce,
      gasLimit: o.gasLimit ?? 21_000n,
      maxFeePerGas: o.maxFee ?? 2n * GWEI,
      maxPriorityFeePerGas: o.tip ?? GWEI,
      to: TO,
      value: o.value ?? 1n,
    },
    k.secretKey,
  ).tx;
}

/** A plain head-state stub: every account rich unless set otherwise. */
function accounts(init: Array<[DerivedKey, Partial<Account>]> = []) {
  const m = new Map<Address, Account>();
  for (const [k, a] of init) m.set(k.address, { nonce: a.nonce ?? 0n, balance: a.balance ?? 1000n * LVO });
  return (a: Address): Account => m.get(a) ?? { nonce: 0n, balance: 1000n * LVO };
}

function pool(o: Partial<MempoolOptions> = {}): Mempool {
  return new Mempool({ ...DEFAULT_MEMPOOL_OPTIONS, ...o });
}

describe("Mempool.add admission errors", () => {
  it("MEMPOOL_NONCE_TOO_LOW: a nonce below the account nonce is refused; the account nonce is admitted", () => {
    const read = accounts([[alice, { nonce: 5n }]]);
    const p = pool();
    expectCode(() => p.add(tx(alice, 4n), read), MempoolErrorCode.MEMPOOL_NONCE_TOO_LOW);
    expectCode(() => p.add(tx(alice, 0n), read), MempoolErrorCode.MEMPOOL_NONCE_TOO_LOW);
    expect(p.size).toBe(0);
    expect(p.add(tx(alice, 5n), read).replaced).toBeNull();
    expect(p.size).toBe(1);
  });

  it("MEMPOOL_NONCE_TOO_HIGH: a gap over maxNonceGap is refused, exactly at the gap is accepted", () => {
    const read = accounts([[alice, { nonce: 2n }]]);
    const p = pool({ maxNonceGap: 4 });
    expectCode(() => p.add(tx(alice, 7n), read), MempoolErrorCode.MEMPOOL_NONCE_TOO_HIGH);
    expectCode(() => p.add(tx(alice, 1000n), read), MempoolErrorCode.MEMPOOL_NONCE_TOO_HIGH);
    expect(p.size).toBe(0);
    p.add(tx(alice, 6n), read); // 2 + 4
    expect(p.size).toBe(1);
  });

  it("MEMPOOL_NONCE_TOO_HIGH: the gap is measured from the account nonce, not from pending transactions", () => {
    const read = accounts();
    const p = pool({ maxNonceGap: 2 });
    p.add(tx(alice, 0n), read);
    p.add(tx(alice, 1n), read);
    p.add(tx(alice, 2n), read);
    expectCode(() => p.add(tx(alice, 3n), read), MempoolErrorCode.MEMPOOL_NONCE_TOO_HIGH);
  });

  it("MEMPOOL_INSUFFICIENT_FUNDS: the balance must cover value + gasLimit * maxFee", () => {
    const t = tx(alice, 0n, { value: 5n * LVO });
    const p = pool();
    expectCode(
      () => p.add(t, accounts([[alice, { balance: maxCost(t) - 1n }]])),
      MempoolErrorCode.MEMPOOL_INSUFFICIENT_FUNDS,
    );
    expect(p.size).toBe(0);
    p.add(t, accounts([[alice, { balance: maxCost(t) }]]));
    expect(p.size).toBe(1);
  });

  it("MEMPOOL_INSUFFICIENT_FUNDS: earlier pending transactions of the same sender count", () => {
    const t0 = tx(alice, 0n, { value: LVO });
    const t1 = tx(alice, 1n, { value: LVO });
    const t2 = tx(alice, 2n, { value: LVO });
    const cost = maxCost(t0);
    expect(maxCost(t1)).toBe(cost);
    // Enough for two, not three.
    const read = accounts([[alice, { balance: 2n * cost + cost - 1n }]]);
    const p = pool();
    p.add(t0, read);
    p.add(t1, read);
    expectCode(() => p.add(t2, read), MempoolErrorCode.MEMPOOL_INSUFFICIENT_FUNDS);
    expect(p.size).toBe(2);
    // Each alone is affordable: only the sum refuses it, and another sender is not affected.
    expect(() => pool().add(t2, accounts([[alice, { nonce: 2n, balance: cost }]]))).not.toThrow();
    p.add(tx(bob, 0n, { value: LVO }), read);
    expect(p.size).toBe(3);
  });

  it("MEMPOOL_INSUFFICIENT_FUNDS: a replacement is priced with the earlier pending transactions", () => {
    const t0 = tx(alice, 0n, { value: LVO });
    const t1 = tx(alice, 1n, { value: LVO });
    const read = accounts([[alice, { balance: maxCost(t0) + maxCost(t1) }]]);
    const p = pool();
    p.add(t0, read);
    p.add(t1, read);
    const bigger = tx(alice, 1n, { value: LVO, maxFee: 3n * GWEI, tip: 2n * GWEI });
    expectCode(() => p.add(bigger, read), MempoolErrorCode.MEMPOOL_INSUFFICIENT_FUNDS);
    expect(p.get(t1.hash)).toBe(t1);
  });

  it("MEMPOOL_FULL: at the global cap the newest is refused and the earlier ones are kept", () => {
    const read = accounts();
    const p = pool({ maxTotal: 3 });
    const held = [tx(alice, 0n), tx(bob, 0n), tx(alice, 1n)];
    for (const t of held) p.add(t, read);
    expectCode(() => p.add(tx(carol, 0n), read), MempoolErrorCode.MEMPOOL_FULL);
    expectCode(() => p.add(tx(alice, 2n), read), MempoolErrorCode.MEMPOOL_FULL);
    expect(p.size).toBe(3);
    for (const t of held) expect(p.get(t.hash)).toBe(t);
    expect(p.get(tx(carol, 0n).hash)).toBeUndefined();
  });

  it("MEMPOOL_FULL: a replacement does not grow the pool and is still accepted at the cap", () => {
    const read = accounts();
    const p = pool({ maxTotal: 2 });
    const old = tx(alice, 0n);
    p.add(old, read);
    p.add(tx(bob, 0n), read);
    const repl = tx(alice, 0n, { maxFee: 3n * GWEI, tip: 2n * GWEI });
    expect(p.add(repl, read).replaced).toEqual(old.hash);
    expect(p.size).toBe(2);
  });

  it("MEMPOOL_SENDER_FULL: a sender at its cap is refused, other senders are not", () => {
    const read = accounts();
    const p = pool({ maxPerSender: 2 });
    p.add(tx(alice, 0n), read);
    p.add(tx(alice, 1n), read);
    expectCode(() => p.add(tx(alice, 2n), read), MempoolErrorCode.MEMPOOL_SENDER_FULL);
    // A gapped nonce counts against the cap too.
    expectCode(() => p.add(tx(alice, 9n), read), MempoolErrorCode.MEMPOOL_SENDER_FULL);
    p.add(tx(bob, 0n), read);
    expect(p.size).toBe(3);
    // Replacing one of the sender's own transactions is still possible.
    expect(p.add(tx(alice, 1n, { maxFee: 3n * GWEI, tip: 2n * GWEI }), read).replaced).not.toBeNull();
    expect(p.size).toBe(3);
  });

  it("MEMPOOL_ALREADY_KNOWN: the same signed transaction twice", () => {
    const read = accounts();
    const p = pool();
    const t = tx(alice, 0n);
    p.add(t, read);
    expectCode(() => p.add(t, read), MempoolErrorCode.MEMPOOL_ALREADY_KNOWN);
    // Same bytes decoded again (a different object) are still known.
    expectCode(() => p.add(tx(alice, 0n), read), MempoolErrorCode.MEMPOOL_ALREADY_KNOWN);
    expect(p.size).toBe(1);
  });

  it("MEMPOOL_ALREADY_KNOWN is checked before the nonce (an included tx re-gossiped before onNewHead)", () => {
    const p = pool();
    const t = tx(alice, 0n);
    p.add(t, accounts());
    expectCode(() => p.add(t, accounts([[alice, { nonce: 1n }]])), MempoolErrorCode.MEMPOOL_ALREADY_KNOWN);
  });

  describe("MEMPOOL_UNDERPRICED (replacement needs +10% on both fees)", () => {
    const maxFee = 100n * GWEI;
    const tip = 10n * GWEI;
    const setup = () => {
      const p = pool();
      const old = tx(alice, 0n, { maxFee, tip });
      p.add(old, accounts());
      return { p, old };
    };

    it("refuses +10% on the max fee but less on the tip", () => {
      const { p, old } = setup();
      expectCode(
        () => p.add(tx(alice, 0n, { maxFee: 110n * GWEI, tip: 11n * GWEI - 1n }), accounts()),
        MempoolErrorCode.MEMPOOL_UNDERPRICED,
      );
      expect(p.get(old.hash)).toBe(old);
    });

    it("refuses +10% on the tip but less on the max fee", () => {
      const { p, old } = setup();
      expectCode(
        () => p.add(tx(alice, 0n, { maxFee: 110n * GWEI - 1n, tip: 11n * GWEI }), accounts()),
        MempoolErrorCode.MEMPOOL_UNDERPRICED,
      );
      expect(p.get(old.hash)).toBe(old);
    });

    it("refuses the same fees with other contents, and lower fees", () => {
      const { p } = setup();
      expectCode(
        () => p.add(tx(alice, 0n, { maxFee, tip, value: 2n }), accounts()),
        MempoolErrorCode.MEMPOOL_UNDERPRICED,
      );
      expectCode(
        () => p.add(tx(alice, 0n, { maxFee: GWEI, tip: 0n }), accounts()),
        MempoolErrorCode.MEMPOOL_UNDERPRICED,
      );
      expect(p.size).toBe(1);
    });

    it("accepts exactly +10% on both and returns the replaced hash", () => {
      const { p, old } = setup();
      const repl = tx(alice, 0n, { maxFee: 110n * GWEI, tip: 11n * GWEI });
      const { replaced } = p.add(repl, accounts());
      expect(replaced).toEqual(old.hash);
      expect(p.size).toBe(1);
      expect(p.get(old.hash)).toBeUndefined();
      expect(p.get(repl.hash)).toBe(repl);
      // The replaced transaction is gone: sending it again is underpriced, not known.
      expectCode(() => p.add(old, accounts()), MempoolErrorCode.MEMPOOL_UNDERPRICED);
    });

    it("applies priceBumpPercent from the options", () => {
      const p = pool({ priceBumpPercent: 50 });
      p.add(tx(dave, 0n, { maxFee, tip }), accounts());
      expectCode(
        () => p.add(tx(dave, 0n, { maxFee: 149n * GWEI, tip: 15n * GWEI }), accounts()),
        MempoolErrorCode.MEMPOOL_UNDERPRICED,
      );
      expect(
        p.add(tx(dave, 0n, { maxFee: 150n * GWEI, tip: 15n * GWEI }), accounts()).replaced,
      ).not.toBeNull();
    });
  });

  it("a failed add leaves the pool as it was", () => {
    const read = accounts([[carol, { nonce: 3n, balance: 0n }]]);
    const p = pool({ maxTotal: 10 });
    p.add(tx(alice, 0n), read);
    for (const t of [tx(carol, 3n), tx(carol, 2n), tx(carol, 1000n)]) expect(() => p.add(t, read)).toThrow();
    expect(p.size).toBe(1);
    expect(p.pendingNonce(carol.address, 3n)).toBe(3n);
    expect(p.counts(read)).toEqual({ pending: 1, queued: 0 });
  });
});

describe("Mempool: future-nonce transactions have their own cap (campaign regression)", () => {
  it("gapped transactions cannot fill the pool: honest executable ones still get in", () => {
    // Regression (mempool-flood campaign): with one global cap, senders sending only gapped
    // nonces filled the pool with transactions that can never be mined and locked everyone out.
    const read = accounts();
    const p = pool({ maxTotal: 10, maxPerSender: 4, maxQueued: 3 });
    p.add(tx(alice, 1n), read); // gap at 0: queued
    p.add(tx(alice, 2n), read);
    p.add(tx(bob, 5n), read);
    expect(p.queuedCount).toBe(3);
    expectCode(() => p.add(tx(carol, 7n), read), MempoolErrorCode.MEMPOOL_QUEUE_FULL);
    expectCode(() => p.add(tx(bob, 6n), read), MempoolErrorCode.MEMPOOL_QUEUE_FULL);
    // executable transactions are not counted against maxQueued
    for (const k of [carol, dave]) p.add(tx(k, 0n), read);
    p.add(tx(dave, 1n), read);
    p.add(tx(alice, 0n), read); // fills alice's gap: 0, 1, 2 now executable
    expect(p.size).toBe(7);
    // the next head recounts exactly: only bob's nonce 5 is still gapped
    expect(p.onNewHead(read)).toEqual([]);
    expect(p.queuedCount).toBe(1);
    p.add(tx(carol, 5n), read);
    p.add(tx(carol, 6n), read);
    expect(p.queuedCount).toBe(3);
    expectCode(() => p.add(tx(dave, 9n), read), MempoolErrorCode.MEMPOOL_QUEUE_FULL);
    // the global cap still holds for everything
    p.add(tx(dave, 2n), read);
    expectCode(() => p.add(tx(dave, 3n), read), MempoolErrorCode.MEMPOOL_FULL);
  });
});
