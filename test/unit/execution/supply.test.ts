import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { applyBlock, type BlockContext, type ExecModules } from "../../../src/execution/executor.ts";
import { genesisStateEntries } from "../../../src/execution/genesis-state.ts";
import type { SystemHandler } from "../../../src/execution/system.ts";
import {
  DEVNET_PARAMS,
  DPOS_ADDRESS,
  devnetDelegateKey,
  devnetGenesis,
  GENESIS_CONTRACT_ADDRESS,
  REWARD_POOL_ADDRESS,
  TOTAL_SUPPLY,
} from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, type DerivedKey, deriveKeys } from "../../../src/keys/index.ts";
import { encodeAccount } from "../../../src/ledger/encoding.ts";
import { accountKey, delegateKey } from "../../../src/ledger/keys.ts";
import { StateOverlay, StateView } from "../../../src/ledger/state.ts";
import { totalBalance } from "../../../src/ledger/supply.ts";
import { StateTrie } from "../../../src/ledger/trie/index.ts";
import { signTx, type Tx } from "../../../src/tx/index.ts";
import { toHex } from "../../../src/util/bytes.ts";

const GWEI = 1_000_000_000n;
const LVO = 10n ** 18n;
const GENESIS_TIME = 1_700_000_000_000;
const genesis = devnetGenesis(1, GENESIS_TIME, {}, { contracts: false });
const genesisTrie = StateTrie.fromEntries(genesisStateEntries(genesis));
const users = deriveKeys(DEV_MNEMONIC, 6);
const producer = devnetDelegateKey(0).address;

function tx(
  k: DerivedKey,
  nonce: bigint,
  to: Address,
  value: bigint,
  o: { data?: number; gasLimit?: bigint } = {},
): Tx {
  return signTx(
    {
      type: 2,
      chainId: 1919n,
      nonce,
      gasLimit: o.gasLimit ?? 21_000n,
      maxFeePerGas: 3n * GWEI,
      maxPriorityFeePerGas: GWEI,
      to,
      value,
      data: o.data === undefined ? new Uint8Array(0) : Uint8Array.from([o.data]),
    },
    k.secretKey,
  ).tx;
}

function ctx(height: number): BlockContext {
  return {
    params: DEVNET_PARAMS,
    height,
    slot: height,
    timestamp: GENESIS_TIME + height * DEVNET_PARAMS.blockIntervalMs,
    producer,
    baseFee: DEVNET_PARAMS.minGasPrice,
    rewardPool: REWARD_POOL_ADDRESS,
  };
}

/**
 * A staking-like handler at the DPoS address: it takes tx.value into the DPoS account and
 * records it; data byte 1 makes it throw after moving funds, data byte 2 makes it run out of gas.
 */
const stake: SystemHandler = (t, st) => {
  st.addBalance(t.from, -t.value);
  st.addBalance(DPOS_ADDRESS, t.value);
  st.set(delegateKey(t.from), Uint8Array.from([1]));
  if (t.data[0] === 1) throw new Error("rejected after moving funds");
  return { gasUsed: t.data[0] === 2 ? 10n ** 9n : 1_000n, logs: [] };
};
const MODS: ExecModules = { system: new Map([[DPOS_ADDRESS, stake]]) };

function rand(n: number, seed: { s: number }): number {
  seed.s = (seed.s * 1103515245 + 12345) % 2 ** 31;
  // The low bits of this generator cycle fast: use the high ones.
  return Math.floor(seed.s / 65536) % n;
}

describe("supply conservation", () => {
  it("the devnet genesis state holds exactly the supply", () => {
    expect(totalBalance(genesisTrie).total).toBe(TOTAL_SUPPLY);
  });

  it("every block (transfers, self-transfers, system calls that succeed, fail or run out of gas, invalid txs, reward) keeps the sum of balances", () => {
    let trie = genesisTrie;
    const nonces = new Map<Address, bigint>();
    const seed = { s: 42 };
    let statuses = { ok: 0, failed: 0, skipped: 0 };
    for (let height = 1; height <= 8; height++) {
      const txs: Tx[] = [];
      for (let k = 0; k < 12; k++) {
        const from = users[rand(users.length, seed)]!;
        const n = nonces.get(from.address) ?? 0n;
        const kind = rand(8, seed);
        const value = BigInt(rand(1000, seed) + 1) * 10n ** 15n;
        if (kind === 0)
          txs.push(tx(from, n, from.address, value)); // self-transfer
        else if (kind === 1)
          txs.push(tx(from, n, DPOS_ADDRESS, value, { gasLimit: 30_000n })); // stake
        else if (kind === 2)
          txs.push(tx(from, n, DPOS_ADDRESS, value, { data: 1, gasLimit: 30_000n })); // throws
        else if (kind === 3)
          txs.push(tx(from, n, DPOS_ADDRESS, value, { data: 2, gasLimit: 30_000n })); // out of gas
        else if (kind === 4)
          txs.push(tx(from, n, GENESIS_CONTRACT_ADDRESS, value)); // no handler
        else if (kind === 5)
          txs.push(tx(from, n + 3n, users[0]!.address, value)); // bad nonce: skipped
        else txs.push(tx(from, n, users[rand(users.length, seed)]!.address, value));
        if (kind !== 5) nonces.set(from.address, n + 1n);
      }
      const poolBefore = new StateView(trie).getAccount(REWARD_POOL_ADDRESS).balance;
      const overlay = new StateOverlay(trie);
      const res = applyBlock(overlay, txs, ctx(height), MODS, "produce");
      trie = trie.update(overlay.changes());
      expect(totalBalance(trie).total, `height ${height}`).toBe(TOTAL_SUPPLY);
      expect(new StateView(trie).getAccount(REWARD_POOL_ADDRESS).balance).toBe(
        poolBefore - DEVNET_PARAMS.blockReward,
      );
      statuses = {
        ok: statuses.ok + res.receipts.filter((r) => r.status === 1).length,
        failed: statuses.failed + res.receipts.filter((r) => r.status === 0).length,
        skipped: statuses.skipped + res.skipped.length,
      };
    }
    // The mix really exercised every path.
    expect(statuses.ok).toBeGreaterThan(10);
    expect(statuses.failed).toBeGreaterThan(5);
    expect(statuses.skipped).toBeGreaterThan(3);
  });

  it("holds while the reward pool runs dry", () => {
    const alice = users[0]!;
    const reward = DEVNET_PARAMS.blockReward;
    let trie = StateTrie.fromEntries([
      [accountKey(REWARD_POOL_ADDRESS), encodeAccount({ nonce: 0n, balance: reward + 1n })],
      [accountKey(alice.address), encodeAccount({ nonce: 0n, balance: 10n * LVO })],
    ]);
    const supply = totalBalance(trie).total;
    const paid: bigint[] = [];
    for (let height = 1; height <= 3; height++) {
      const before = new StateView(trie).getAccount(producer).balance;
      const overlay = new StateOverlay(trie);
      const res = applyBlock(
        overlay,
        [tx(alice, BigInt(height - 1), users[1]!.address, 1n)],
        ctx(height),
        MODS,
        "import",
      );
      trie = trie.update(overlay.changes());
      const fees = res.receipts.reduce((s, r) => s + r.gasUsed * r.effectiveGasPrice, 0n);
      paid.push(new StateView(trie).getAccount(producer).balance - before - fees);
      expect(totalBalance(trie).total).toBe(supply);
    }
    expect(paid).toEqual([reward, 1n, 0n]);
    expect(trie.get(accountKey(REWARD_POOL_ADDRESS))).toBeUndefined();
  });
});

describe("golden state transition", () => {
  // Frozen: the state root after one fixed block on the devnet genesis. A change means the state
  // transition (fees, rewards, system-call rollback), the account encoding or the trie hashing
  // changed, and every node must change together (a consensus break for existing chains).
  const GOLDEN_ROOT = "0xdb69ef9f770b499bfd0a0b6960b8c0052a1b3047ccc3989c12a5cdf320d3e604";

  it("the devnet genesis plus one fixed block gives a frozen state root", () => {
    const [a, b, c] = users as [DerivedKey, DerivedKey, DerivedKey];
    const txs = [
      tx(a, 0n, b.address, 5n * LVO),
      tx(b, 0n, b.address, LVO),
      tx(c, 0n, DPOS_ADDRESS, 2n * LVO, { gasLimit: 30_000n }),
      tx(c, 1n, DPOS_ADDRESS, 2n * LVO, { data: 1, gasLimit: 30_000n }),
      tx(a, 1n, GENESIS_CONTRACT_ADDRESS, LVO),
    ];
    const overlay = new StateOverlay(genesisTrie);
    const res = applyBlock(overlay, txs, ctx(1), MODS, "import");
    expect(res.receipts.map((r) => r.status)).toEqual([1, 1, 1, 0, 0]);
    // Five intrinsic 21000s, the handler's 1000, one non-zero calldata byte (16).
    expect(res.gasUsed).toBe(21_000n * 5n + 1_000n + 16n);
    const root = toHex(genesisTrie.update(overlay.changes()).root);
    expect(root).toBe(GOLDEN_ROOT);
  });
});
