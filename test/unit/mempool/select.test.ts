import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { DEV_MNEMONIC, type DerivedKey, deriveKeys } from "../../../src/keys/index.ts";
import type { Account } from "../../../src/ledger/types.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { signTx, type Tx } from "../../../src/tx/index.ts";
import { toHex } from "../../../src/util/bytes.ts";

const GWEI = 1_000_000_000n;
const LVO = 10n ** 18n;
const BASE_FEE = GWEI;
const NO_GAS_CAP = 1n << 62n;
const TO = "0x00000000000000000000000000000000000000aa" as Address;
const [alice, bob, carol, dave] = deriveKeys(DEV_MNEMONIC, 4) as [
  DerivedKey,
  DerivedKey,
  DerivedKey,
  DerivedKey,
];
const name = new Map(
  [alice, bob, carol, dave].map((k, i) => [k.address, ["alice", "bob", "carol", "dave"][i]!]),
);

interface TxOpts {
  gasLimit?: bigint;
  maxFee?: bigint;
  tip?: bigint;
  legacy?: boolean;
}

/** A real signed transfer; `tip` is the priority fee (type 2) or, with `legacy`, ignored. */
function tx(k: DerivedKey, nonce: bigint, o: TxOpts = {}): Tx {
  const gasLimit = o.gasLimit ?? 21_000n;
  const maxFee = o.maxFee ?? 10n * GWEI;
  if (o.legacy) {
    return signTx(
      { type: 0, chainId: 1919n, nonce, gasLimit, gasPrice: maxFee, to: TO, value: 1n },
      k.secretKey,
    ).tx;
  }
  return signTx(
    {
      type: 2,
      chainId: 1919n,
      nonce,
      gasLimit,
      maxFeePerGas: maxFee,
      maxPriorityFeePerGas: o.tip ?? GWEI,
      to: TO,
      value: 1n,
    },
    k.secretKey,
  ).tx;
}

function accounts(nonces: Array<[DerivedKey, bigint]> = []) {
  const m = new Map<Address, Account>(
    nonces.map(([k, n]) => [k.address, { nonce: n, balance: 1000n * LVO }]),
  );
  return (a: Address): Account => m.get(a) ?? { nonce: 0n, balance: 1000n * LVO };
}

/** "alice:0" labels of a selection, for readable failures. */
const labels = (txs: Tx[]) => txs.map((t) => `${name.get(t.from)}:${t.nonce}`);

function filled(txs: Tx[], read = accounts()): Mempool {
  const p = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
  for (const t of txs) p.add(t, read);
  return p;
}

describe("Mempool.select", () => {
  it("returns one sender's transactions in nonce order whatever the arrival order", () => {
    const p = filled([tx(alice, 2n), tx(alice, 0n), tx(alice, 3n), tx(alice, 1n)]);
    expect(labels(p.select(accounts(), BASE_FEE, NO_GAS_CAP, 100))).toEqual([
      "alice:0",
      "alice:1",
      "alice:2",
      "alice:3",
    ]);
  });

  it("orders senders by tip, highest first", () => {
    const p = filled([
      tx(alice, 0n, { tip: GWEI }),
      tx(bob, 0n, { tip: 3n * GWEI }),
      tx(carol, 0n, { tip: 2n * GWEI }),
    ]);
    expect(labels(p.select(accounts(), BASE_FEE, NO_GAS_CAP, 100))).toEqual(["bob:0", "carol:0", "alice:0"]);
  });

  it("ranks by the tip actually paid: min(maxPriorityFee, maxFee - baseFee); legacy pays gasPrice - baseFee", () => {
    const p = filled([
      tx(alice, 0n, { maxFee: BASE_FEE + GWEI, tip: 50n * GWEI }), // pays 1 gwei of tip
      tx(bob, 0n, { maxFee: 100n * GWEI, tip: 2n * GWEI }), // pays 2
      tx(carol, 0n, { maxFee: BASE_FEE + 3n * GWEI, legacy: true }), // pays 3
    ]);
    expect(labels(p.select(accounts(), BASE_FEE, NO_GAS_CAP, 100))).toEqual(["carol:0", "bob:0", "alice:0"]);
  });

  it("interleaves senders: each sender's next nonce competes on its own tip", () => {
    const p = filled([
      tx(alice, 0n, { tip: 5n * GWEI }),
      tx(alice, 1n, { tip: GWEI }),
      tx(bob, 0n, { tip: 3n * GWEI }),
      tx(bob, 1n, { tip: 4n * GWEI }),
    ]);
    expect(labels(p.select(accounts(), BASE_FEE, NO_GAS_CAP, 100))).toEqual([
      "alice:0",
      "bob:0",
      "bob:1",
      "alice:1",
    ]);
  });

  it("a high tip behind a low one waits for it (nonce order wins over tip)", () => {
    const p = filled([
      tx(alice, 0n, { tip: 0n }),
      tx(alice, 1n, { tip: 9n * GWEI }),
      tx(bob, 0n, { tip: GWEI }),
    ]);
    expect(labels(p.select(accounts(), BASE_FEE, NO_GAS_CAP, 100))).toEqual(["bob:0", "alice:0", "alice:1"]);
  });

  it("breaks tip ties by arrival order", () => {
    const p = filled([tx(carol, 0n), tx(alice, 0n), tx(bob, 0n)]);
    expect(labels(p.select(accounts(), BASE_FEE, NO_GAS_CAP, 100))).toEqual(["carol:0", "alice:0", "bob:0"]);
  });

  it("respects the gas cap: an exact fit is included, one gas over is not", () => {
    const p = filled([tx(alice, 0n), tx(alice, 1n), tx(alice, 2n)]);
    expect(p.select(accounts(), BASE_FEE, 63_000n, 100)).toHaveLength(3);
    expect(p.select(accounts(), BASE_FEE, 62_999n, 100)).toHaveLength(2);
    expect(p.select(accounts(), BASE_FEE, 20_999n, 100)).toHaveLength(0);
  });

  it("a transaction that does not fit stops its sender's run but lets smaller ones of other senders in", () => {
    const p = filled([
      tx(alice, 0n, { gasLimit: 30_000n, tip: 5n * GWEI }),
      tx(alice, 1n, { gasLimit: 30_000n, tip: 5n * GWEI }),
      tx(alice, 2n, { gasLimit: 21_000n, tip: 5n * GWEI }),
      tx(bob, 0n, { gasLimit: 21_000n, tip: GWEI }),
    ]);
    const out = p.select(accounts(), BASE_FEE, 55_000n, 100);
    expect(labels(out)).toEqual(["alice:0", "bob:0"]);
    let gas = 0n;
    for (const t of out) gas += t.gasLimit;
    expect(gas).toBeLessThanOrEqual(55_000n);
  });

  it("respects maxCount", () => {
    const p = filled([tx(alice, 0n), tx(alice, 1n), tx(bob, 0n, { tip: 2n * GWEI })]);
    expect(labels(p.select(accounts(), BASE_FEE, NO_GAS_CAP, 2))).toEqual(["bob:0", "alice:0"]);
    expect(p.select(accounts(), BASE_FEE, NO_GAS_CAP, 0)).toEqual([]);
  });

  it("takes only the contiguous run from the account nonce of a sender with a gap", () => {
    const p = filled([tx(alice, 0n), tx(alice, 1n), tx(alice, 3n), tx(alice, 4n), tx(bob, 1n), tx(bob, 2n)]);
    expect(labels(p.select(accounts(), BASE_FEE, NO_GAS_CAP, 100))).toEqual(["alice:0", "alice:1"]);
  });

  it("starts each sender at its account nonce, ignoring already-used nonces still held", () => {
    const p = filled([tx(alice, 0n), tx(alice, 1n), tx(alice, 2n)]);
    // The head moved (alice's nonce 0 was included) but onNewHead has not run yet.
    expect(labels(p.select(accounts([[alice, 1n]]), BASE_FEE, NO_GAS_CAP, 100))).toEqual([
      "alice:1",
      "alice:2",
    ]);
    expect(p.select(accounts([[alice, 3n]]), BASE_FEE, NO_GAS_CAP, 100)).toEqual([]);
  });

  it("excludes transactions whose max fee is below the base fee, and everything after them", () => {
    const baseFee = 5n * GWEI;
    const p = filled([
      tx(alice, 0n, { maxFee: 4n * GWEI, tip: 0n }),
      tx(bob, 0n, { maxFee: baseFee, tip: 0n }), // exactly the base fee: payable
      tx(carol, 0n, { maxFee: 9n * GWEI }),
      tx(carol, 1n, { maxFee: baseFee - 1n, tip: 0n }),
      tx(carol, 2n, { maxFee: 9n * GWEI }),
    ]);
    const out = p.select(accounts(), baseFee, NO_GAS_CAP, 100);
    expect(labels(out).sort()).toEqual(["bob:0", "carol:0"]);
    for (const t of out) expect(t.maxFeePerGas).toBeGreaterThanOrEqual(baseFee);
  });

  it("does not change the pool", () => {
    const txs = [tx(alice, 0n), tx(bob, 0n), tx(bob, 1n)];
    const p = filled(txs);
    p.select(accounts(), BASE_FEE, 21_000n, 1);
    p.select(accounts(), BASE_FEE, NO_GAS_CAP, 100);
    expect(p.size).toBe(3);
    for (const t of txs) expect(p.get(t.hash)).toBe(t);
    expect(p.select(accounts(), BASE_FEE, NO_GAS_CAP, 100).map((t) => toHex(t.hash))).toHaveLength(3);
  });

  it("selects a large mixed pool in a valid order within the bounds", () => {
    const keys = deriveKeys(DEV_MNEMONIC, 12);
    const txs: Tx[] = [];
    for (const [i, k] of keys.entries()) {
      for (let n = 0n; n < 6n; n++) txs.push(tx(k, n, { tip: BigInt((i * 7 + Number(n) * 3) % 5) * GWEI }));
    }
    const p = filled(txs);
    const out = p.select(accounts(), BASE_FEE, 21_000n * 50n, 1000);
    expect(out).toHaveLength(50);
    // Per sender: nonces 0, 1, 2... with no hole.
    const next = new Map<Address, bigint>();
    for (const t of out) {
      expect(t.nonce).toBe(next.get(t.from) ?? 0n);
      next.set(t.from, t.nonce + 1n);
    }
  });
});
