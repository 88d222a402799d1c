// NodeBackend over a real chain (LevelDB, one delegate producing): the DPoS views and the
// simulated eth_estimateGas of system calls, checked against the gas of the included transaction.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../../src/consensus/chain.ts";
import type { FinalityGadget } from "../../../src/consensus/gadget.ts";
import type { BlockProducer } from "../../../src/consensus/producer.ts";
import type { Address } from "../../../src/crypto/address.ts";
import { DposGas } from "../../../src/dpos/index.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import { DPOS_ADDRESS, devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, deriveKeys } from "../../../src/keys/index.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { NodeBackend } from "../../../src/node/backend.ts";
import { TxIngress } from "../../../src/node/ingress.ts";
import { CallErrorCode, type CallRequest } from "../../../src/rpc/backend.ts";
import { toRpcError } from "../../../src/rpc/errors.ts";
import { decodeTxWithSender, intrinsicGas, signTx } from "../../../src/tx/index.ts";
import { bytesEqual, utf8 } from "../../../src/util/bytes.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";

const log = silentLogger();
const LVO = 10n ** 18n;
const GWEI = 10n ** 9n;
const users = deriveKeys(DEV_MNEMONIC, 3);
const delegate = devnetDelegateKey(0);
const genesis = devnetGenesis(1, 1_700_000_000_000);
const gasSchedule = genesis.params.gas;

const call = (method: string, args: unknown[] = []) => utf8(JSON.stringify({ method, args }));

let dir: string;
let store: ChainStore;
let chain: Chain;
let ingress: TxIngress;
let producer: BlockProducer;
let gadget: FinalityGadget;
let backend: NodeBackend;
let height = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lvo-backend-"));
  const init = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  await Chain.initialise(init, genesis);
  await init.close();
  store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  const system = systemHandlers();
  chain = await Chain.open({ store, log, system });
  const mempool = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
  ingress = new TxIngress({ chain, mempool, store, log });
  chain.on("head", () => {
    const v = chain.headState();
    ingress.forget(mempool.onNewHead((a) => v.getAccount(a)));
  });
  ({ gadget, producer } = await localDelegate({ chain, store, mempool, key: delegate, system }));
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
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sign a DPoS call with exactly `gasLimit`, include it in the next block, return its receipt. */
async function include(
  from: (typeof users)[number],
  data: Uint8Array,
  value: bigint,
  gasLimit: bigint,
): Promise<{ status: number; gasUsed: bigint; error?: string }> {
  const nonce = backend.pendingNonce(from.address);
  const { raw, hash } = signTx(
    {
      type: 2,
      chainId: BigInt(genesis.chainId),
      nonce,
      to: DPOS_ADDRESS,
      value,
      data,
      gasLimit,
      maxFeePerGas: 2n * GWEI,
      maxPriorityFeePerGas: 1n,
    },
    from.secretKey,
  );
  await ingress.submit(raw);
  await producer.produce(++height);
  await gadget.idle();
  const r = await backend.getReceipt(hash);
  if (!r) throw new Error("transaction not included");
  return r.receipt;
}

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isLvoError(err, code), String(err)).toBe(true);
    if (message) expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe("NodeBackend: eth_estimateGas of DPoS calls runs the real transaction path", () => {
  it("the estimate is exactly the gas the included transaction uses", async () => {
    const staker = users[1]!;
    const stake = { from: staker.address, to: DPOS_ADDRESS, value: 1000n * LVO, data: call("stake") };
    const g1 = backend.estimateGas(stake);
    expect(g1).toBe(intrinsicGas({ data: stake.data, accessList: [] }, gasSchedule) + DposGas.base);
    const r1 = await include(staker, stake.data, stake.value, g1);
    expect(r1.status).toBe(1);
    expect(r1.gasUsed).toBe(g1);

    const vote: CallRequest = {
      from: staker.address,
      to: DPOS_ADDRESS,
      data: call("vote", [[delegate.address]]),
    };
    const g2 = backend.estimateGas(vote);
    // Settling, then one candidate tally moved in (old votes 0 + new 1).
    expect(g2).toBe(
      intrinsicGas({ data: vote.data!, accessList: [] }, gasSchedule) + DposGas.base + DposGas.perVote,
    );
    const r2 = await include(staker, vote.data!, 0n, g2);
    expect(r2).toMatchObject({ status: 1, gasUsed: g2 });

    // Now the stake call touches one vote: the estimate follows the state.
    expect(backend.estimateGas(stake)).toBe(g1 + DposGas.perVote);
  });

  it("a call that would fail is CALL_REVERTED with the handler's message (code 3 over RPC)", () => {
    const root = chain.headTrie.root;
    const from = users[2]!.address;
    const stranger = "0x00000000000000000000000000000000000000aa" as Address;
    expectCode(
      () => backend.estimateGas({ from, to: DPOS_ADDRESS, data: call("vote", [[stranger]]) }),
      CallErrorCode.CALL_REVERTED,
      /is not a candidate/,
    );
    expectCode(
      () =>
        backend.estimateGas({ from, to: DPOS_ADDRESS, value: LVO, data: call("registerDelegate", ["x"]) }),
      CallErrorCode.CALL_REVERTED,
      /below minimum/,
    );
    // No sender: the zero address, which is not a candidate and has nothing to claim.
    expectCode(
      () => backend.estimateGas({ to: DPOS_ADDRESS, data: call("unjail") }),
      CallErrorCode.CALL_REVERTED,
    );
    expectCode(
      () => backend.estimateGas({ from, to: DPOS_ADDRESS, data: call("claimRewards") }),
      CallErrorCode.CALL_REVERTED,
      /no rewards/,
    );
    expectCode(
      () =>
        backend.estimateGas({ to: "0x0000000000000000000000000000000000000201" as Address, data: call("x") }),
      CallErrorCode.CALL_REVERTED,
      /no system method/,
    );
    let thrown: unknown;
    try {
      backend.estimateGas({ from, to: DPOS_ADDRESS, data: utf8("not json") });
    } catch (err) {
      thrown = err;
    }
    expect(toRpcError(thrown)).toMatchObject({
      code: 3,
      message: "execution reverted: call data is not UTF-8 JSON",
    });
    // Nothing leaked into the chain's state.
    expect(bytesEqual(chain.headTrie.root, root)).toBe(true);
  });

  it("gas limits and funds are checked like a transaction's", () => {
    const staker = users[1]!.address;
    const data = call("stake");
    const need = backend.estimateGas({ from: staker, to: DPOS_ADDRESS, value: LVO, data });
    expectCode(
      () => backend.estimateGas({ from: staker, to: DPOS_ADDRESS, value: LVO, data, gas: need - 1n }),
      CallErrorCode.CALL_GAS_EXCEEDS_ALLOWANCE,
      /^gas required exceeds allowance \(\d+\)$/,
    );
    expect(backend.estimateGas({ from: staker, to: DPOS_ADDRESS, value: LVO, data, gas: need })).toBe(need);
    expectCode(
      () => backend.estimateGas({ from: staker, to: DPOS_ADDRESS, value: LVO, data, gas: 21_000n }),
      "EXEC_INTRINSIC_GAS",
    );
    expectCode(
      () => backend.estimateGas({ from: staker, to: DPOS_ADDRESS, value: 10n ** 30n, data }),
      "MEMPOOL_INSUFFICIENT_FUNDS",
    );
    // A sender with no funds for the fee may still ask (only the value must be covered).
    const empty = "0x00000000000000000000000000000000000000bb" as Address;
    expectCode(
      () => backend.estimateGas({ from: empty, to: DPOS_ADDRESS, data: call("unstake", ["1"]) }),
      CallErrorCode.CALL_REVERTED,
      /above stake/,
    );
    // Plain transfers: intrinsic gas, as before.
    expect(backend.estimateGas({ from: staker, to: users[0]!.address, value: 1n })).toBe(21_000n);
  });
});

describe("NodeBackend: DPoS views", () => {
  it("getDelegates, getStaker at the head and at an earlier height", async () => {
    const staker = users[1]!.address;
    const head = backend.headHeight();
    const d = await backend.getDelegates(head);
    expect(d.slot).toBe(chain.head.header.slot);
    expect(d.round).toBe(Math.floor(d.slot / backend.slotsPerRound));
    expect(d.candidates).toHaveLength(1);
    expect(d.candidates[0]).toMatchObject({
      address: delegate.address,
      name: "delegate-0",
      votes: 1000n * LVO,
      active: true,
      jailed: false,
    });
    expect(d.candidates[0]!.weight).toBe(d.candidates[0]!.selfStake + 1000n * LVO);
    expect(d.active.members).toEqual([delegate.address]);
    expect(backend.getStaker(staker, head)).toMatchObject({
      stake: 1000n * LVO,
      votes: [delegate.address],
      unbonding: [],
    });
    // Before the vote (block 1 held the stake only).
    expect(backend.getStaker(staker, 1)).toMatchObject({ stake: 1000n * LVO, votes: [] });
    expect((await backend.getDelegates(0)).candidates[0]!.votes).toBe(0n);
  });

  it("getSchedule follows the chain's own producer rule; finality carries the certificate", async () => {
    await producer.produce(++height);
    await gadget.idle();
    const s = await backend.getSchedule(backend.headSlot() + 1, 6);
    expect(s.head).toEqual({ height: backend.headHeight(), slot: backend.headSlot() });
    // one delegate: a round is one slot, the head's, filled by the head
    expect(s.past).toEqual([
      {
        slot: backend.headSlot(),
        round: Math.floor(backend.headSlot() / backend.slotsPerRound),
        startMs: chain.slots.slotStart(backend.headSlot()),
        producer: delegate.address,
        height: backend.headHeight(),
      },
    ]);
    expect(s.slots).toHaveLength(6);
    for (const x of s.slots) {
      expect(x.producer).toBe(chain.producerAt(x.slot));
      expect(x.startMs).toBe(chain.slots.slotStart(x.slot));
      expect(x.round).toBe(Math.floor(x.slot / backend.slotsPerRound));
    }
    const f = backend.finality();
    expect(f.head.height).toBe(height);
    expect(f.safe.height).toBe(height);
    expect(f.finalized.height).toBe(height - 1);
    expect(f.finalized.cert).toMatchObject({
      source: { height: height - 1 },
      target: { height },
      signatures: 1,
    });
    expect(bytesEqual(f.finalized.cert!.source.hash, f.finalized.hash)).toBe(true);
  });

  it("an account proof names the canonical block of its height, also below the head", async () => {
    const h = backend.headHeight() - 1;
    const p = await backend.getAccountProof(users[1]!.address, h);
    const blk = (await chain.blockAt(h))!;
    expect(bytesEqual(p.blockHash, blk.hash)).toBe(true);
    expect(bytesEqual(p.stateRoot, blk.header.stateRoot)).toBe(true);
  });
});
