import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { endBlock } from "../../../src/dpos/index.ts";
import { ExecErrorCode } from "../../../src/execution/errors.ts";
import { applyBlock, applyTx, type BlockContext, type ExecModules } from "../../../src/execution/executor.ts";
import type { SystemCallContext, SystemHandler } from "../../../src/execution/system.ts";
import {
  DEVNET_PARAMS,
  DPOS_ADDRESS,
  GENESIS_CONTRACT_ADDRESS,
  REWARD_POOL_ADDRESS,
} from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, type DerivedKey, deriveKeys } from "../../../src/keys/index.ts";
import { encodeAccount } from "../../../src/ledger/encoding.ts";
import { accountKey, delegateKey } from "../../../src/ledger/keys.ts";
import { StateOverlay } from "../../../src/ledger/state.ts";
import { StateTrie } from "../../../src/ledger/trie/index.ts";
import type { Account, Log } from "../../../src/ledger/types.ts";
import { signTx, type Tx } from "../../../src/tx/index.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { expectCode } from "../keys/helpers.ts";

const GWEI = 1_000_000_000n;
const LVO = 10n ** 18n;
const BASE_FEE = GWEI;
const [alice, bob, carol, producer] = deriveKeys(DEV_MNEMONIC, 4) as [
  DerivedKey,
  DerivedKey,
  DerivedKey,
  DerivedKey,
];
const NO_SYSTEM: ExecModules = { system: new Map() };
const MARK_KEY = delegateKey(alice.address);

interface TxOpts {
  value?: bigint;
  gasLimit?: bigint;
  maxFee?: bigint;
  tip?: bigint;
  to?: Address;
  data?: Uint8Array;
  legacy?: boolean;
}

function tx(k: DerivedKey, nonce: bigint, o: TxOpts = {}): Tx {
  const base = {
    chainId: 1919n,
    nonce,
    gasLimit: o.gasLimit ?? 21_000n,
    to: o.to ?? bob.address,
    value: o.value ?? LVO,
  };
  const data = o.data ?? new Uint8Array(0);
  if (o.legacy) return signTx({ type: 0, ...base, data, gasPrice: o.maxFee ?? 3n * GWEI }, k.secretKey).tx;
  return signTx(
    { type: 2, ...base, data, maxFeePerGas: o.maxFee ?? 3n * GWEI, maxPriorityFeePerGas: o.tip ?? GWEI },
    k.secretKey,
  ).tx;
}

function ctx(o: Partial<BlockContext> = {}): BlockContext {
  return {
    params: DEVNET_PARAMS,
    height: 7,
    slot: 7,
    timestamp: 1_700_000_007_000,
    producer: producer.address,
    baseFee: BASE_FEE,
    rewardPool: REWARD_POOL_ADDRESS,
    ...o,
  };
}

function overlay(balances: Array<[Address, bigint]>): StateOverlay {
  const trie = StateTrie.fromEntries(
    balances.map(([a, balance]) => [accountKey(a), encodeAccount({ nonce: 0n, balance })] as const),
  );
  return new StateOverlay(trie);
}

const rich = () =>
  overlay([
    [alice.address, 100n * LVO],
    [bob.address, 100n * LVO],
    [carol.address, 100n * LVO],
    [REWARD_POOL_ADDRESS, 1000n * LVO],
  ]);

const acc = (s: StateOverlay, a: Address): Account => s.getAccount(a);
const bal = (s: StateOverlay, a: Address): bigint => s.getAccount(a).balance;
const written = (s: StateOverlay) => s.changes().map(([k]) => toHex(k));

const systemOf = (entries: Array<[Address, SystemHandler]>): ExecModules => ({ system: new Map(entries) });

describe("applyTx: transfers", () => {
  it("moves exactly the value, pays gasUsed × effectiveGasPrice to the producer, bumps the nonce", () => {
    const s = rich();
    // maxFee 3 gwei, tip 1 gwei, base 1 gwei: the price is 2 gwei.
    const t = tx(alice, 0n, { value: 7n * LVO });
    const r = applyTx(s, t, ctx(), DEVNET_PARAMS.blockGasLimit, 5_000n, NO_SYSTEM);
    const fee = 21_000n * 2n * GWEI;
    expect(r).toEqual({
      txHash: t.hash,
      status: 1,
      gasUsed: 21_000n,
      cumulativeGasUsed: 26_000n,
      effectiveGasPrice: 2n * GWEI,
      logs: [],
    });
    expect(acc(s, alice.address)).toEqual({ nonce: 1n, balance: 100n * LVO - 7n * LVO - fee });
    expect(acc(s, bob.address)).toEqual({ nonce: 0n, balance: 107n * LVO });
    expect(acc(s, producer.address)).toEqual({ nonce: 0n, balance: fee });
    expect(bal(s, carol.address)).toBe(100n * LVO);
  });

  it("a price capped by maxFee: min(maxFee, baseFee + tip)", () => {
    const s = rich();
    const r = applyTx(
      s,
      tx(alice, 0n, { maxFee: (5n * GWEI) / 2n, tip: 4n * GWEI }),
      ctx(),
      1_000_000n,
      0n,
      NO_SYSTEM,
    );
    expect(r.effectiveGasPrice).toBe((5n * GWEI) / 2n);
    expect(bal(s, producer.address)).toBe(21_000n * ((5n * GWEI) / 2n));
  });

  it("legacy: the gas price is paid in full whatever the base fee", () => {
    const s = rich();
    const r = applyTx(
      s,
      tx(alice, 0n, { legacy: true, maxFee: 9n * GWEI }),
      ctx(),
      1_000_000n,
      0n,
      NO_SYSTEM,
    );
    expect(r.effectiveGasPrice).toBe(9n * GWEI);
    expect(bal(s, producer.address)).toBe(21_000n * 9n * GWEI);
  });

  it("calldata is charged per zero and non-zero byte", () => {
    const s = rich();
    const data = Uint8Array.from([0, 0, 0, 1, 2]);
    const r = applyTx(s, tx(alice, 0n, { data, gasLimit: 30_000n }), ctx(), 1_000_000n, 0n, NO_SYSTEM);
    expect(r.gasUsed).toBe(21_000n + 3n * 4n + 2n * 16n);
    expect(bal(s, producer.address)).toBe(r.gasUsed * r.effectiveGasPrice);
  });

  it("a zero-value transfer only pays the fee", () => {
    const s = rich();
    const r = applyTx(s, tx(alice, 0n, { value: 0n }), ctx(), 1_000_000n, 0n, NO_SYSTEM);
    expect(bal(s, alice.address)).toBe(100n * LVO - r.gasUsed * r.effectiveGasPrice);
    expect(bal(s, bob.address)).toBe(100n * LVO);
  });

  it("a self-transfer leaves only the fee deducted", () => {
    const s = rich();
    const r = applyTx(
      s,
      tx(alice, 0n, { to: alice.address, value: 50n * LVO }),
      ctx(),
      1_000_000n,
      0n,
      NO_SYSTEM,
    );
    expect(r.status).toBe(1);
    expect(acc(s, alice.address)).toEqual({ nonce: 1n, balance: 100n * LVO - 21_000n * 2n * GWEI });
  });

  it("the producer sending its own transaction pays the fee to itself", () => {
    const s = overlay([[producer.address, 10n * LVO]]);
    applyTx(s, tx(producer, 0n, { value: LVO }), ctx(), 1_000_000n, 0n, NO_SYSTEM);
    expect(acc(s, producer.address)).toEqual({ nonce: 1n, balance: 9n * LVO });
    expect(bal(s, bob.address)).toBe(LVO);
  });

  it("a transfer can create the recipient account", () => {
    const s = overlay([[alice.address, 10n * LVO]]);
    const fresh = "0x00000000000000000000000000000000deadbeef" as Address;
    applyTx(s, tx(alice, 0n, { to: fresh, value: 1n }), ctx(), 1_000_000n, 0n, NO_SYSTEM);
    expect(acc(s, fresh)).toEqual({ nonce: 0n, balance: 1n });
    expect(written(s)).toContain(toHex(accountKey(fresh)));
  });
});

describe("applyTx: system addresses", () => {
  for (const to of [
    DPOS_ADDRESS,
    GENESIS_CONTRACT_ADDRESS,
    "0x00000000000000000000000000000000000003ff" as Address,
  ]) {
    it(`without a handler at ${to}: status 0 with an error, fee charged, value not moved, nonce bumped`, () => {
      const s = rich();
      const r = applyTx(s, tx(alice, 0n, { to, value: 5n * LVO }), ctx(), 1_000_000n, 0n, NO_SYSTEM);
      const fee = 21_000n * 2n * GWEI;
      expect(r.status).toBe(0);
      expect(r.error).toEqual(expect.any(String));
      expect(r.error!.length).toBeGreaterThan(0);
      expect(r.gasUsed).toBe(21_000n);
      expect(r.logs).toEqual([]);
      expect(acc(s, alice.address)).toEqual({ nonce: 1n, balance: 100n * LVO - fee });
      expect(bal(s, to)).toBe(0n);
      expect(bal(s, producer.address)).toBe(fee);
    });
  }

  it("an address just past the range (0x…0400) is a plain account and receives the value", () => {
    const s = rich();
    const to = "0x0000000000000000000000000000000000000400" as Address;
    const r = applyTx(s, tx(alice, 0n, { to, value: 5n * LVO }), ctx(), 1_000_000n, 0n, NO_SYSTEM);
    expect(r.status).toBe(1);
    expect(bal(s, to)).toBe(5n * LVO);
  });

  it("a handler that throws: its writes and balance moves are reverted, the fee is charged", () => {
    const s = rich();
    const throwing: SystemHandler = (t, st) => {
      st.set(MARK_KEY, Uint8Array.from([1, 2, 3]));
      st.addBalance(t.from, -t.value);
      st.addBalance(DPOS_ADDRESS, t.value);
      throw new Error("candidate already registered");
    };
    const r = applyTx(
      s,
      tx(alice, 0n, { to: DPOS_ADDRESS, value: 5n * LVO, gasLimit: 100_000n }),
      ctx(),
      1_000_000n,
      0n,
      systemOf([[DPOS_ADDRESS, throwing]]),
    );
    expect(r.status).toBe(0);
    expect(r.error).toBe("candidate already registered");
    expect(r.gasUsed).toBe(21_000n);
    expect(r.logs).toEqual([]);
    expect(s.get(MARK_KEY)).toBeUndefined();
    expect(written(s)).not.toContain(toHex(MARK_KEY));
    expect(bal(s, DPOS_ADDRESS)).toBe(0n);
    expect(acc(s, alice.address)).toEqual({ nonce: 1n, balance: 100n * LVO - 21_000n * 2n * GWEI });
    expect(bal(s, producer.address)).toBe(21_000n * 2n * GWEI);
  });

  it("a handler that throws a non-Error value still gives status 0 with a reason", () => {
    const s = rich();
    const r = applyTx(
      s,
      tx(alice, 0n, { to: DPOS_ADDRESS }),
      ctx(),
      1_000_000n,
      0n,
      systemOf([
        [
          DPOS_ADDRESS,
          () => {
            throw "nope";
          },
        ],
      ]),
    );
    expect(r.status).toBe(0);
    expect(r.error).toBe("nope");
  });

  it("a succeeding handler: its writes, value move, extra gas and logs are kept; it sees the block context", () => {
    const s = rich();
    const seen: SystemCallContext[] = [];
    const log: Log = {
      address: DPOS_ADDRESS,
      topics: [new Uint8Array(32).fill(7)],
      data: Uint8Array.from([9]),
    };
    const stake: SystemHandler = (t, st, c) => {
      seen.push(c);
      st.set(MARK_KEY, Uint8Array.from([4, 5]));
      st.addBalance(t.from, -t.value);
      st.addBalance(DPOS_ADDRESS, t.value);
      return { gasUsed: 5_000n, logs: [log] };
    };
    const c = ctx();
    const r = applyTx(
      s,
      tx(alice, 0n, { to: DPOS_ADDRESS, value: 5n * LVO, gasLimit: 26_000n }),
      c,
      1_000_000n,
      0n,
      systemOf([[DPOS_ADDRESS, stake]]),
    );
    expect(r.status).toBe(1);
    expect(r.error).toBeUndefined();
    expect(r.gasUsed).toBe(26_000n);
    expect(r.logs).toEqual([log]);
    expect(s.get(MARK_KEY)).toEqual(Uint8Array.from([4, 5]));
    expect(bal(s, DPOS_ADDRESS)).toBe(5n * LVO);
    expect(acc(s, alice.address)).toEqual({ nonce: 1n, balance: 95n * LVO - 26_000n * 2n * GWEI });
    expect(seen).toEqual([
      {
        params: c.params,
        height: c.height,
        timestamp: c.timestamp,
        producer: c.producer,
        rewardPool: c.rewardPool,
        parentHash: new Uint8Array(32),
      },
    ]);
  });

  it("a handler using more gas than the limit: status 0, writes reverted, gasUsed capped at gasLimit", () => {
    const s = rich();
    const hungry: SystemHandler = (_t, st) => {
      st.set(MARK_KEY, Uint8Array.from([1]));
      return { gasUsed: 1_000_000n, logs: [{ address: DPOS_ADDRESS, topics: [], data: new Uint8Array(0) }] };
    };
    const t = tx(alice, 0n, { to: DPOS_ADDRESS, value: 0n, gasLimit: 50_000n });
    const r = applyTx(s, t, ctx(), 1_000_000n, 100n, systemOf([[DPOS_ADDRESS, hungry]]));
    expect(r.status).toBe(0);
    expect(r.error).toEqual(expect.any(String));
    expect(r.gasUsed).toBe(50_000n);
    expect(r.cumulativeGasUsed).toBe(50_100n);
    expect(r.logs).toEqual([]);
    expect(s.get(MARK_KEY)).toBeUndefined();
    expect(acc(s, alice.address)).toEqual({ nonce: 1n, balance: 100n * LVO - 50_000n * 2n * GWEI });
    expect(bal(s, producer.address)).toBe(50_000n * 2n * GWEI);
  });

  it("a handler using exactly the gas left after intrinsic succeeds", () => {
    const s = rich();
    const exact: SystemHandler = () => ({ gasUsed: 29_000n, logs: [] });
    const r = applyTx(
      s,
      tx(alice, 0n, { to: DPOS_ADDRESS, value: 0n, gasLimit: 50_000n }),
      ctx(),
      1_000_000n,
      0n,
      systemOf([[DPOS_ADDRESS, exact]]),
    );
    expect(r.status).toBe(1);
    expect(r.gasUsed).toBe(50_000n);
  });

  it("a handler registered at one system address does not serve another", () => {
    const s = rich();
    const r = applyTx(
      s,
      tx(alice, 0n, { to: GENESIS_CONTRACT_ADDRESS }),
      ctx(),
      1_000_000n,
      0n,
      systemOf([[DPOS_ADDRESS, () => ({ gasUsed: 0n, logs: [] })]]),
    );
    expect(r.status).toBe(0);
  });

  it("a failed call does not undo earlier transactions of the block", () => {
    const s = rich();
    const throwing: SystemHandler = () => {
      throw new Error("boom");
    };
    const res = applyBlock(
      s,
      [tx(alice, 0n, { value: 3n * LVO }), tx(alice, 1n, { to: DPOS_ADDRESS })],
      ctx(),
      systemOf([[DPOS_ADDRESS, throwing]]),
      "import",
    );
    expect(res.receipts.map((r) => r.status)).toEqual([1, 0]);
    expect(bal(s, bob.address)).toBe(103n * LVO);
    expect(acc(s, alice.address).nonce).toBe(2n);
  });
});

describe("applyBlock", () => {
  const mixed = () => [
    tx(alice, 0n), // ok
    tx(alice, 5n), // bad nonce
    tx(carol, 0n, { value: 1000n * LVO }), // insufficient funds
    tx(bob, 0n, { maxFee: GWEI / 2n, tip: 0n }), // below base fee
    tx(bob, 0n, { to: DPOS_ADDRESS }), // ok, status 0 (no handler)
    tx(alice, 1n), // ok
  ];

  it('"produce" skips invalid transactions, reports why, and applies the rest', () => {
    const s = rich();
    const txs = mixed();
    const res = applyBlock(s, txs, ctx(), NO_SYSTEM, "produce");
    expect(res.txs).toEqual([txs[0], txs[4], txs[5]]);
    expect(res.skipped.map((x) => [x.tx, x.error.code])).toEqual([
      [txs[1], ExecErrorCode.EXEC_BAD_NONCE],
      [txs[2], ExecErrorCode.EXEC_INSUFFICIENT_FUNDS],
      [txs[3], ExecErrorCode.EXEC_FEE_BELOW_BASE],
    ]);
    expect(res.receipts.map((r) => [r.status, r.cumulativeGasUsed])).toEqual([
      [1, 21_000n],
      [0, 42_000n],
      [1, 63_000n],
    ]);
    expect(res.receipts.map((r) => toHex(r.txHash))).toEqual(res.txs.map((t) => toHex(t.hash)));
    expect(res.gasUsed).toBe(63_000n);
    expect(acc(s, alice.address).nonce).toBe(2n);
    expect(acc(s, bob.address).nonce).toBe(1n);
    expect(acc(s, carol.address)).toEqual({ nonce: 0n, balance: 100n * LVO });
    // Fees of the three included plus the block reward.
    expect(bal(s, producer.address)).toBe(63_000n * 2n * GWEI + DEVNET_PARAMS.blockReward);
  });

  it('"import" throws on the first invalid transaction', () => {
    expectCode(() => applyBlock(rich(), mixed(), ctx(), NO_SYSTEM, "import"), ExecErrorCode.EXEC_BAD_NONCE);
    const valid = [tx(alice, 0n), tx(bob, 0n, { to: DPOS_ADDRESS })];
    const res = applyBlock(rich(), valid, ctx(), NO_SYSTEM, "import");
    expect(res.txs).toEqual(valid);
    expect(res.skipped).toEqual([]);
  });

  it("both modes give the same state for a valid block", () => {
    const txs = [tx(alice, 0n), tx(bob, 0n, { value: 2n * LVO }), tx(alice, 1n, { to: carol.address })];
    const a = rich();
    const b = rich();
    applyBlock(a, txs, ctx(), NO_SYSTEM, "import");
    applyBlock(b, txs, ctx(), NO_SYSTEM, "produce");
    const norm = (s: StateOverlay) => s.changes().map(([k, v]) => [toHex(k), v && toHex(v)]);
    expect(norm(a)).toEqual(norm(b));
  });

  it("an empty block only pays the reward", () => {
    const s = rich();
    const res = applyBlock(s, [], ctx(), NO_SYSTEM, "import");
    expect(res).toEqual({ txs: [], receipts: [], gasUsed: 0n, skipped: [] });
    expect(bal(s, producer.address)).toBe(DEVNET_PARAMS.blockReward);
    expect(bal(s, REWARD_POOL_ADDRESS)).toBe(1000n * LVO - DEVNET_PARAMS.blockReward);
  });
});

// The block reward moved to the DPoS endBlock hook. A producer that is no candidate (as here)
// still takes the whole reward, so these expectations are unchanged; the voters' share is
// tested in test/unit/dpos.
describe("block reward (dpos endBlock) for a producer that is no candidate", () => {
  const pay = (s: StateOverlay, c: BlockContext) => endBlock(s, c).reward;
  const reward = DEVNET_PARAMS.blockReward;

  it("pays blockReward from the pool to the producer while the pool lasts, then what is left, then 0", () => {
    const s = overlay([[REWARD_POOL_ADDRESS, reward + reward / 2n]]);
    expect(pay(s, ctx())).toBe(reward);
    expect(bal(s, producer.address)).toBe(reward);
    expect(pay(s, ctx())).toBe(reward / 2n);
    expect(bal(s, REWARD_POOL_ADDRESS)).toBe(0n);
    expect(bal(s, producer.address)).toBe(reward + reward / 2n);
    expect(pay(s, ctx())).toBe(0n);
    expect(bal(s, producer.address)).toBe(reward + reward / 2n);
    // The empty pool is deleted from the state, not stored as a zero account.
    expect(s.changes().find(([k]) => toHex(k) === toHex(accountKey(REWARD_POOL_ADDRESS)))?.[1]).toBeNull();
  });

  it("an empty or absent pool pays nothing and writes nothing", () => {
    const s = overlay([]);
    expect(pay(s, ctx())).toBe(0n);
    expect(s.changes()).toEqual([]);
  });

  it("a producer holding the pool itself moves nothing", () => {
    const s = overlay([[producer.address, 5n * LVO]]);
    pay(s, ctx({ rewardPool: producer.address }));
    expect(bal(s, producer.address)).toBe(5n * LVO);
  });

  it("a zero blockReward pays nothing", () => {
    const s = overlay([[REWARD_POOL_ADDRESS, 5n * LVO]]);
    expect(pay(s, ctx({ params: { ...DEVNET_PARAMS, blockReward: 0n } }))).toBe(0n);
    expect(bal(s, REWARD_POOL_ADDRESS)).toBe(5n * LVO);
  });
});
