// Stake-weighted parameter governance on a real chain (LevelDB, one delegate producing, a
// second chain importing every block): proposals, votes, the tally, the change taking effect
// at the next round on every node, and the governed minimum gas price at admission.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../../src/consensus/chain.ts";
import type { FinalityGadget } from "../../../src/consensus/gadget.ts";
import type { BlockProducer } from "../../../src/consensus/producer.ts";
import type { Address } from "../../../src/crypto/address.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import {
  DPOS_ADDRESS,
  devnetDelegateKey,
  devnetGenesis,
  GENESIS_CONTRACT_ADDRESS,
  TOTAL_SUPPLY,
} from "../../../src/genesis/index.ts";
import { paramsForBlock, readOverrides, readParamProposal } from "../../../src/governance/index.ts";
import { DEV_MNEMONIC, deriveKeys } from "../../../src/keys/index.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import { totalBalance } from "../../../src/ledger/supply.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { NodeBackend } from "../../../src/node/backend.ts";
import { TxIngress } from "../../../src/node/ingress.ts";
import { decodeTxWithSender, signTx } from "../../../src/tx/index.ts";
import { utf8 } from "../../../src/util/bytes.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";

const log = silentLogger();
const LVO = 10n ** 18n;
const users = deriveKeys(DEV_MNEMONIC, 4);
const delegate = devnetDelegateKey(0);
// voting lasts 4 blocks; 1 delegate → a round is one slot, so a passed change applies next block
const genesis = devnetGenesis(1, 1_700_000_000_000, { proposalExpiryBlocks: 4 }, { contracts: false });
const call = (method: string, args: unknown[] = []) => utf8(JSON.stringify({ method, args }));

const dirs: string[] = [];
let store: ChainStore;
let chain: Chain;
let ingress: TxIngress;
let producer: BlockProducer;
let gadget: FinalityGadget;
let backend: NodeBackend;
let slot = 0;

async function open(): Promise<{ store: ChainStore; chain: Chain }> {
  const dir = mkdtempSync(join(tmpdir(), "lvo-gov-"));
  dirs.push(dir);
  const init = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  await Chain.initialise(init, genesis);
  await init.close();
  const s = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  return { store: s, chain: await Chain.open({ store: s, log, system: systemHandlers() }) };
}

beforeAll(async () => {
  ({ store, chain } = await open());
  const mempool = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
  ingress = new TxIngress({ chain, mempool, store, log });
  chain.on("head", () => {
    const v = chain.headState();
    ingress.forget(mempool.onNewHead((a) => v.getAccount(a)));
  });
  ({ gadget, producer } = await localDelegate({
    chain,
    store,
    mempool,
    key: delegate,
    system: systemHandlers(),
  }));
  backend = new NodeBackend({
    chain,
    mempool,
    ingress,
    delegate: delegate.address,
    clientVersion: "test",
    peers: () => 0,
    syncState: () => null,
  });
});

afterAll(async () => {
  await gadget?.idle();
  await store?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Key = { secretKey: Uint8Array; address: Address };

/** Submit transactions, produce one block, return their receipts in order. */
async function block(
  txs: Array<{ from: Key; to: Address; data?: Uint8Array; value?: bigint; maxFee?: bigint }>,
) {
  const hashes: Uint8Array[] = [];
  for (const t of txs) {
    const { raw, hash } = signTx(
      {
        type: 2,
        chainId: BigInt(genesis.chainId),
        nonce: backend.pendingNonce(t.from.address),
        to: t.to,
        value: t.value ?? 0n,
        data: t.data ?? new Uint8Array(0),
        gasLimit: 300_000n,
        maxFeePerGas: t.maxFee ?? 10n ** 12n,
        maxPriorityFeePerGas: 1n,
      },
      t.from.secretKey,
    );
    await ingress.submit(raw);
    hashes.push(hash);
  }
  await producer.produce(++slot);
  await gadget.idle();
  const out = [];
  for (const h of hashes) out.push((await backend.getReceipt(h))?.receipt);
  return out;
}

const gov = (from: Key, method: string, args: unknown[]) => ({
  from,
  to: GENESIS_CONTRACT_ADDRESS,
  data: call(method, args),
});

describe("parameter governance", () => {
  it("stakers propose and vote; a passed change takes effect at the next round on every node", async () => {
    const [a, b, c] = users as [Key, Key, Key];
    // gas money for the delegate; two stakers
    let r = await block([
      { from: a, to: delegate.address, value: 10n * LVO },
      { from: a, to: DPOS_ADDRESS, data: call("stake"), value: 1000n * LVO },
      { from: b, to: DPOS_ADDRESS, data: call("stake"), value: 500n * LVO },
    ]);
    expect(r.map((x) => x?.status)).toEqual([1, 1, 1]);

    const newMin = (genesis.params.minGasPrice * 3n).toString();
    const newReward = (genesis.params.blockReward * 2n).toString();
    r = await block([
      gov(a, "proposeParameters", [{ minGasPrice: newMin, blockReward: newReward }]),
      gov(c, "proposeParameters", [{ blockReward: "1" }]), // c has no stake
      gov(b, "proposeParameters", [{ blockIntervalMs: 500 }]), // not governable
    ]);
    expect(r[0]!.status).toBe(1);
    expect(r[1]).toMatchObject({ status: 0, error: `${c.address} has no stake` });
    expect(r[2]!.status).toBe(0);
    expect(r[2]!.error).toMatch(/^blockIntervalMs is not governable/);
    const p1 = readParamProposal(chain.headState(), 1)!;
    expect(p1).toMatchObject({ id: 1, proposer: a.address, status: "voting", yes: [a.address], no: [] });
    expect(p1.changes).toEqual({ blockReward: newReward, minGasPrice: newMin });

    r = await block([
      gov(b, "voteParameters", [1, false]),
      gov(delegate, "voteParameters", [1, true]),
      gov(a, "voteParameters", [1, true]), // the proposer's vote is counted already
    ]);
    expect(r.map((x) => x?.status)).toEqual([1, 1, 0]);
    expect(r[2]!.error).toMatch(/already voted/);

    // voting ends at createdAt + 4; the tally runs at the end of that block
    const endsAt = readParamProposal(chain.headState(), 1)!.endsAt;
    while (chain.head.header.height < endsAt) await block([]);
    const tallied = readParamProposal(chain.headState(), 1)!;
    expect(tallied.status).toBe("passed");
    expect(BigInt(tallied.tally!.yes)).toBe(1000n * LVO + genesis.delegates[0]!.selfStake);
    expect(BigInt(tallied.tally!.no)).toBe(500n * LVO);
    // the block that ended the vote still ran under the old values
    expect(chain.head.header.baseFee).toBe(genesis.params.minGasPrice);
    expect(readOverrides(chain.headState())).toEqual({});

    const pool = chain.headState().getAccount(genesis.buckets.globalPromotion).balance;
    await block([]);
    expect(chain.head.header.baseFee).toBe(BigInt(newMin));
    expect(readOverrides(chain.headState())).toEqual({ blockReward: newReward, minGasPrice: newMin });
    expect(readParamProposal(chain.headState(), 1)!.status).toBe("applied");
    expect(pool - chain.headState().getAccount(genesis.buckets.globalPromotion).balance).toBe(
      BigInt(newReward),
    );
    expect(backend.baseFee()).toBe(BigInt(newMin));
    expect(backend.paramsJson()).toMatchObject({ minGasPrice: newMin, blockReward: newReward });

    // admission uses the governed minimum
    const low = signTx(
      {
        type: 2,
        chainId: BigInt(genesis.chainId),
        nonce: backend.pendingNonce(c.address),
        to: a.address,
        value: 1n,
        data: new Uint8Array(0),
        gasLimit: 21_000n,
        maxFeePerGas: genesis.params.minGasPrice * 2n,
        maxPriorityFeePerGas: 1n,
      },
      c.secretKey,
    );
    await expect(ingress.submit(low.raw)).rejects.toSatisfy((e: unknown) =>
      isLvoError(e, "TX_FEE_BELOW_MINIMUM"),
    );

    // a second node importing every block agrees (header base fee checked against governed params)
    const other = await open();
    for (let h = 1; h <= chain.head.header.height; h++) {
      const blk = (await chain.blockAt(h))!;
      await other.chain.importBlock(blk);
    }
    expect(other.chain.head.hash).toEqual(chain.head.hash);
    await other.store.close();
    expect(totalBalance(chain.headTrie).total).toBe(TOTAL_SUPPLY);
  });

  it("quorum and majority: too little stake voting, or a majority against, rejects", async () => {
    const [, b, , d] = users as [Key, Key, Key, Key];
    await block([{ from: d, to: DPOS_ADDRESS, data: call("stake"), value: 10n * LVO }]);
    // b (500 LVO staked) alone: far below 1/3 of the bonded stake
    const r = await block([gov(b, "proposeParameters", [{ voterShareBps: 100 }])]);
    expect(r[0]!.status).toBe(1);
    const id = 2;
    await block([gov(d, "voteParameters", [id, true])]);
    const endsAt = readParamProposal(chain.headState(), id)!.endsAt;
    while (chain.head.header.height < endsAt) await block([]);
    expect(readParamProposal(chain.headState(), id)).toMatchObject({
      status: "rejected",
      reason: "quorum not reached",
    });
    const late = await block([gov(d, "voteParameters", [id, true])]);
    expect(late[0]!.error).toBe(`voting on proposal ${id} is over`);

    const r2 = await block([gov(delegate, "proposeParameters", [{ voterShareBps: 100 }])]);
    expect(r2[0]!.status).toBe(1);
    await block([gov(b, "voteParameters", [3, false])]);
    // the delegate alone holds most of the bonded stake: passes; b's no is outweighed
    const endsAt3 = readParamProposal(chain.headState(), 3)!.endsAt;
    while (chain.head.header.height < endsAt3) await block([]);
    expect(readParamProposal(chain.headState(), 3)!.status).toBe("passed");
    await block([]);
    expect(paramsForBlock(chain.headState(), genesis.params, slot + 1).voterShareBps).toBe(100);
  });

  it("refuses malformed calls", async () => {
    const [a] = users as [Key];
    const r = await block([
      gov(a, "proposeParameters", [[1, 2]]),
      gov(a, "proposeParameters", [{ minGasPrice: "0" }]),
      gov(a, "proposeParameters", [{ activeDelegates: 2 }]), // above the genesis count (1)
      gov(a, "voteParameters", [99, true]),
      gov(a, "voteParameters", [1, "yes"]),
    ]);
    expect(r.map((x) => x?.status)).toEqual([0, 0, 0, 0, 0]);
    expect(r[0]!.error).toMatch(/changes must be an object/);
    expect(r[1]!.error).toBe("minGasPrice: value out of range or not a decimal");
    expect(r[2]!.error).toBe("activeDelegates: value out of range or not a decimal");
    expect(r[3]!.error).toBe("no parameter proposal 99");
    expect(r[4]!.error).toBe("voteParameters takes (id, true|false)");
  });
});
