import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Chain } from "../../../src/consensus/chain.ts";
import { MAX_BLOCK_TX_BYTES } from "../../../src/consensus/producer.ts";
import type { Address } from "../../../src/crypto/address.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import {
  bucketTotal,
  DPOS_ADDRESS,
  devnetDelegateKey,
  devnetGenesis,
  REWARD_POOL_ADDRESS,
  TOTAL_SUPPLY,
} from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, deriveKeys } from "../../../src/keys/index.ts";
import { accountKey } from "../../../src/ledger/keys.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import { totalBalance } from "../../../src/ledger/supply.ts";
import { verifyProof } from "../../../src/ledger/trie/index.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { TxIngress } from "../../../src/node/ingress.ts";
import { decodeTxWithSender, signTx } from "../../../src/tx/index.ts";
import { bytesEqual } from "../../../src/util/bytes.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";

const log = silentLogger();
const users = deriveKeys(DEV_MNEMONIC, 6);
const delegate = devnetDelegateKey(0);

async function setup(dir: string) {
  const store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  const system = systemHandlers();
  const chain = await Chain.open({ store, log, system });
  const mempool = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
  const ingress = new TxIngress({ chain, mempool, store, log });
  chain.on("head", () => {
    const v = chain.headState();
    ingress.forget(mempool.onNewHead((a) => v.getAccount(a)));
  });
  const { gadget, producer } = await localDelegate({ chain, store, mempool, key: delegate, system });
  return { store, chain, mempool, ingress, producer, gadget };
}

function rand(n: number, seed: { s: number }): number {
  seed.s = (seed.s * 1103515245 + 12345) % 2 ** 31;
  return seed.s % n;
}

describe("chain: produce, execute, commit (real LevelDB)", () => {
  let store: ChainStore | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  it("keeps the supply invariant at every height and reopens at the same state", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lvo-chain-"));
    const genesis = devnetGenesis(1, 1_700_000_000_000);
    const init = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
    await Chain.initialise(init, genesis);
    await init.close();
    const s = await setup(dir);
    store = s.store;
    expect(totalBalance(s.chain.headTrie).total).toBe(TOTAL_SUPPLY);

    const nonces = new Map<Address, bigint>();
    const seed = { s: 7 };
    let included = 0;
    let failed = 0;
    for (let height = 1; height <= 30; height++) {
      for (let k = 0; k < 8; k++) {
        const from = users[rand(users.length, seed)]!;
        const n = nonces.get(from.address) ?? 0n;
        const kind = rand(10, seed);
        // Mostly transfers between users; some to the DPoS address (no handler yet: the call
        // fails, the fee is still charged) and some larger than the balance (never admitted).
        const to = kind === 0 ? DPOS_ADDRESS : users[rand(users.length, seed)]!.address;
        const value = kind === 1 ? 10n ** 30n : BigInt(rand(1_000_000, seed)) * 10n ** 12n;
        const { raw } = signTx(
          {
            type: 2,
            chainId: 1919n,
            nonce: n,
            to,
            value,
            gasLimit: 30_000n,
            maxFeePerGas: 2n * 10n ** 9n,
            maxPriorityFeePerGas: 1n,
          },
          from.secretKey,
        );
        try {
          await s.ingress.submit(raw);
          nonces.set(from.address, n + 1n);
        } catch (err) {
          expect(isLvoError(err, "MEMPOOL_INSUFFICIENT_FUNDS")).toBe(true);
        }
      }
      await s.producer.produce(height);
      await s.gadget.idle();
      const head = s.chain.head;
      expect(head.header.height).toBe(height);
      const receipts = (await s.chain.receipts(head.hash))!;
      included += head.txs.length;
      failed += receipts.filter((r) => r.status === 0).length;
      // Supply invariant at this height.
      expect(totalBalance(s.chain.headTrie).total).toBe(TOTAL_SUPPLY);
      // One delegate: its vote justifies each block at once, and the next block's vote (a
      // parent→child link) makes the parent final. The newest certificate rides in the header.
      expect(s.chain.safeHeight).toBe(height);
      expect(s.chain.finalized.height).toBe(height - 1);
      if (height > 1) expect(head.header.cert?.target.height).toBe(height - 1);
    }
    expect(included).toBeGreaterThan(150);
    expect(failed).toBeGreaterThan(0);
    // The reward pool paid one block reward per block.
    const pool = s.chain.headState().getAccount(REWARD_POOL_ADDRESS).balance;
    expect(pool).toBe(bucketTotal("globalPromotion") - 30n * genesis.params.blockReward);

    // Proof of an account against the head's state root.
    const who = users[0]!.address;
    const proof = s.chain.headTrie.prove(accountKey(who));
    const v = verifyProof(s.chain.head.header.stateRoot, accountKey(who), proof);
    expect(v.valid).toBe(true);
    expect(v.value).not.toBeNull();

    // Reopen: the ledger comes back at the same head and state root.
    const root = s.chain.headTrie.root;
    const headHash = s.chain.head.hash;
    await s.store.close();
    const again = await setup(dir);
    store = again.store;
    expect(bytesEqual(again.chain.head.hash, headHash)).toBe(true);
    expect(bytesEqual(again.chain.headTrie.root, root)).toBe(true);
    expect(totalBalance(again.chain.headTrie).total).toBe(TOTAL_SUPPLY);
  });

  it("keeps a produced block's transactions under the gossip size cap", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lvo-chain-"));
    const init = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
    await Chain.initialise(init, devnetGenesis(1, 1_700_000_000_000));
    await init.close();
    const s = await setup(dir);
    store = s.store;
    // 40 transactions of ~100 KB each (4 MB) from 8 senders: more than one block may carry.
    const data = new Uint8Array(100_000).fill(7);
    for (let i = 0; i < 40; i++) {
      const from = users[i % users.length]!;
      const { raw } = signTx(
        {
          type: 2,
          chainId: 1919n,
          nonce: BigInt(Math.floor(i / users.length)),
          to: users[0]!.address,
          value: 0n,
          data,
          gasLimit: 2_000_000n,
          maxFeePerGas: 2n * 10n ** 9n,
          maxPriorityFeePerGas: 1n,
        },
        from.secretKey,
      );
      await s.ingress.submit(raw);
    }
    const b1 = await s.producer.produce(1);
    const bytes = b1.txs.reduce((a, t) => a + t.raw.length, 0);
    expect(bytes).toBeLessThanOrEqual(MAX_BLOCK_TX_BYTES);
    expect(b1.txs.length).toBeGreaterThan(20);
    expect(b1.txs.length).toBeLessThan(40);
    await s.gadget.idle();
    const b2 = await s.producer.produce(2);
    await s.gadget.idle(); // the vote (and the finality it brings) writes before the store closes
    expect(b1.txs.length + b2.txs.length).toBe(40);
  });

  it("refuses a second process on the same directory and another chain's genesis", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lvo-chain-"));
    store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
    await Chain.initialise(store, devnetGenesis(1, 1_700_000_000_000));
    await expect(ChainStore.open(dir, { decodeTx: decodeTxWithSender, log })).rejects.toMatchObject({
      code: "LEDGER_LOCKED",
    });
    await expect(Chain.initialise(store, devnetGenesis(2, 1_700_000_000_000))).rejects.toMatchObject({
      code: "LEDGER_WRONG_CHAIN",
    });
    // Same genesis again: nothing to do.
    expect((await Chain.initialise(store, devnetGenesis(1, 1_700_000_000_000))).created).toBe(false);
  });

  it("an empty directory is not a chain", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lvo-chain-"));
    store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
    await expect(Chain.open({ store, log, system: systemHandlers() })).rejects.toMatchObject({
      code: "LEDGER_NOT_INITIALISED",
    });
  });
});
