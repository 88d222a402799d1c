import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { ExecErrorCode } from "../../../src/execution/errors.ts";
import { applyBlock, applyTx, type BlockContext, type ExecModules } from "../../../src/execution/executor.ts";
import { DEVNET_PARAMS, REWARD_POOL_ADDRESS } from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, type DerivedKey, deriveKeys } from "../../../src/keys/index.ts";
import { encodeAccount } from "../../../src/ledger/encoding.ts";
import { accountKey } from "../../../src/ledger/keys.ts";
import { StateOverlay } from "../../../src/ledger/state.ts";
import { StateTrie } from "../../../src/ledger/trie/index.ts";
import type { Receipt } from "../../../src/ledger/types.ts";
import { maxCost, signTx, type Tx } from "../../../src/tx/index.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { isLvoError, LvoError } from "../../../src/util/errors.ts";
import { expectCode } from "../keys/helpers.ts";

const GWEI = 1_000_000_000n;
const LVO = 10n ** 18n;
const [alice, bob, producer] = deriveKeys(DEV_MNEMONIC, 3) as [DerivedKey, DerivedKey, DerivedKey];
const NO_SYSTEM: ExecModules = { system: new Map() };

interface TxOpts {
  value?: bigint;
  gasLimit?: bigint;
  maxFee?: bigint;
  tip?: bigint;
  to?: Address;
}

function tx(k: DerivedKey, nonce: bigint, o: TxOpts = {}): Tx {
  return signTx(
    {
      type: 2,
      chainId: 1919n,
      nonce,
      gasLimit: o.gasLimit ?? 21_000n,
      maxFeePerGas: o.maxFee ?? 2n * GWEI,
      maxPriorityFeePerGas: o.tip ?? GWEI,
      to: o.to ?? bob.address,
      value: o.value ?? LVO,
    },
    k.secretKey,
  ).tx;
}

function ctx(o: Partial<BlockContext> = {}): BlockContext {
  return {
    params: DEVNET_PARAMS,
    height: 1,
    slot: 1,
    timestamp: 1_700_000_001_000,
    producer: producer.address,
    baseFee: GWEI,
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

/** The overlay's pending trie writes as comparable hex. */
const snapshot = (s: StateOverlay) => s.changes().map(([k, v]) => [toHex(k), v === null ? null : toHex(v)]);

/**
 * Apply one valid transaction first (so the overlay holds changes), then check `bad` throws
 * `code` and leaves every account and every pending write as it was.
 */
function expectRejectedUnchanged(
  bad: Tx,
  code: string,
  o: { balance?: bigint; gasLeft?: bigint; ctx?: BlockContext } = {},
) {
  const s = overlay([
    [alice.address, o.balance ?? 100n * LVO],
    [REWARD_POOL_ADDRESS, 1000n * LVO],
  ]);
  const c = o.ctx ?? ctx();
  applyTx(s, tx(alice, 0n, { value: 1n, maxFee: 10n * GWEI, tip: GWEI }), c, 1_000_000n, 0n, NO_SYSTEM);
  const before = snapshot(s);
  const accounts = [alice.address, bob.address, producer.address].map((a) => s.getAccount(a));
  expectCode(() => applyTx(s, bad, c, o.gasLeft ?? 1_000_000n, 21_000n, NO_SYSTEM), code);
  expect(snapshot(s)).toEqual(before);
  expect([alice.address, bob.address, producer.address].map((a) => s.getAccount(a))).toEqual(accounts);
}

describe("applyTx errors leave the state unchanged", () => {
  it("EXEC_BAD_NONCE: a nonce above the account nonce", () => {
    expectRejectedUnchanged(tx(alice, 2n), ExecErrorCode.EXEC_BAD_NONCE);
  });

  it("EXEC_BAD_NONCE: a nonce already used", () => {
    expectRejectedUnchanged(tx(alice, 0n, { value: 2n }), ExecErrorCode.EXEC_BAD_NONCE);
  });

  it("EXEC_INSUFFICIENT_FUNDS: balance one wei below value + gasLimit * maxFee", () => {
    const bad = tx(alice, 1n, { value: 10n * LVO });
    // After the first tx (1 wei + 21000 gas at 1 + 1 gwei) alice must hold maxCost(bad) - 1.
    const first = 1n + 21_000n * 2n * GWEI;
    expectRejectedUnchanged(bad, ExecErrorCode.EXEC_INSUFFICIENT_FUNDS, {
      balance: first + maxCost(bad) - 1n,
    });
  });

  it("EXEC_INSUFFICIENT_FUNDS is judged on maxFee, not on the price actually paid", () => {
    // Paying the base fee only would need far less, but the up-front check uses maxFee.
    const bad = tx(alice, 1n, { value: 0n, maxFee: 1000n * GWEI, tip: 0n });
    const first = 1n + 21_000n * 2n * GWEI;
    expectRejectedUnchanged(bad, ExecErrorCode.EXEC_INSUFFICIENT_FUNDS, {
      balance: first + maxCost(bad) - 1n,
    });
  });

  it("exactly enough funds is accepted and may leave a non-zero rest (refund of unused max fee)", () => {
    const t = tx(alice, 0n, { value: 10n * LVO, maxFee: 3n * GWEI, tip: GWEI });
    const s = overlay([[alice.address, maxCost(t)]]);
    const r = applyTx(s, t, ctx(), 1_000_000n, 0n, NO_SYSTEM);
    expect(r.status).toBe(1);
    // Paid 2 gwei (base 1 + tip 1) of the 3 gwei max: 21000 gwei left over.
    expect(s.getAccount(alice.address).balance).toBe(21_000n * GWEI);
  });

  it("EXEC_FEE_BELOW_BASE: max fee one wei below the base fee", () => {
    const baseFee = 5n * GWEI;
    expectRejectedUnchanged(
      tx(alice, 1n, { maxFee: baseFee - 1n, tip: 0n }),
      ExecErrorCode.EXEC_FEE_BELOW_BASE,
      {
        ctx: ctx({ baseFee }),
      },
    );
  });

  it("a max fee equal to the base fee is accepted and pays the base fee", () => {
    const baseFee = 5n * GWEI;
    const s = overlay([[alice.address, 100n * LVO]]);
    const r = applyTx(
      s,
      tx(alice, 0n, { maxFee: baseFee, tip: baseFee }),
      ctx({ baseFee }),
      1_000_000n,
      0n,
      NO_SYSTEM,
    );
    expect(r.effectiveGasPrice).toBe(baseFee);
  });

  it("EXEC_BLOCK_GAS_EXCEEDED: gas limit one above the gas left; exactly the gas left fits", () => {
    expectRejectedUnchanged(tx(alice, 1n, { gasLimit: 30_000n }), ExecErrorCode.EXEC_BLOCK_GAS_EXCEEDED, {
      gasLeft: 29_999n,
    });
    const s = overlay([[alice.address, 100n * LVO]]);
    expect(applyTx(s, tx(alice, 0n, { gasLimit: 30_000n }), ctx(), 30_000n, 0n, NO_SYSTEM).status).toBe(1);
  });

  it("EXEC_BLOCK_GAS_EXCEEDED through applyBlock: gas used so far plus the next gas limit must fit", () => {
    const params = { ...DEVNET_PARAMS, blockGasLimit: 50_000n };
    // 21000 used, 29000 left: a second 21000 would fit, a 30000 limit does not.
    const txs = [tx(alice, 0n), tx(alice, 1n, { gasLimit: 30_000n })];
    const fresh = () => overlay([[alice.address, 100n * LVO]]);
    expectCode(
      () => applyBlock(fresh(), txs, ctx({ params }), NO_SYSTEM, "import"),
      ExecErrorCode.EXEC_BLOCK_GAS_EXCEEDED,
    );
    const res = applyBlock(fresh(), txs, ctx({ params }), NO_SYSTEM, "produce");
    expect(res.txs).toEqual([txs[0]]);
    expect(res.skipped.map((x) => x.error.code)).toEqual([ExecErrorCode.EXEC_BLOCK_GAS_EXCEEDED]);
  });

  it("checks run cheapest first: gas, then fee, then nonce, then funds", () => {
    const s = overlay([]);
    const broke = tx(alice, 3n, { gasLimit: 30_000n, maxFee: 1n, tip: 0n });
    expectCode(() => applyTx(s, broke, ctx(), 21_000n, 0n, NO_SYSTEM), ExecErrorCode.EXEC_BLOCK_GAS_EXCEEDED);
    expectCode(() => applyTx(s, broke, ctx(), 1_000_000n, 0n, NO_SYSTEM), ExecErrorCode.EXEC_FEE_BELOW_BASE);
    expectCode(
      () => applyTx(s, tx(alice, 3n), ctx(), 1_000_000n, 0n, NO_SYSTEM),
      ExecErrorCode.EXEC_BAD_NONCE,
    );
    expectCode(
      () => applyTx(s, tx(alice, 0n), ctx(), 1_000_000n, 0n, NO_SYSTEM),
      ExecErrorCode.EXEC_INSUFFICIENT_FUNDS,
    );
    expect(snapshot(s)).toEqual([]);
  });

  // Regression: applyTx never compares gasLimit with the intrinsic gas. Mempool admission
  // runs validateTxStatic first, but a block being imported carries whatever its producer put in
  // it. A transfer with gasLimit 20000 is charged 21000 gas (receipt gasUsed > gasLimit,
  // cumulative gas can pass the block limit), and with the balance at exactly maxCost the
  // sender's balance goes negative (changes() then throws a RangeError on encoding).
  it("refuses a transaction whose gas limit is below its intrinsic gas, state unchanged", () => {
    const t = tx(alice, 0n, { gasLimit: 20_000n, value: 0n });
    const s = overlay([[alice.address, maxCost(t)]]);
    let receipt: Receipt | null = null;
    let thrown: unknown = null;
    try {
      receipt = applyTx(s, t, ctx(), 1_000_000n, 0n, NO_SYSTEM);
    } catch (err) {
      thrown = err;
    }
    // Before the fix: receipt.gasUsed = 21000 > gasLimit 20000 and alice's balance went to -2000 gwei.
    expect({ gasUsed: receipt?.gasUsed, balance: s.getAccount(alice.address).balance }).toEqual({
      gasUsed: undefined,
      balance: maxCost(t),
    });
    expect(isLvoError(thrown, ExecErrorCode.EXEC_INTRINSIC_GAS)).toBe(true);
  });

  it("an EXEC error is an LvoError (what produce mode relies on to skip)", () => {
    let thrown: unknown;
    try {
      applyTx(overlay([]), tx(alice, 0n), ctx(), 1_000_000n, 0n, NO_SYSTEM);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(LvoError);
  });
});
