// Parameter governance with rounds longer than one block, on a real chain (LevelDB): three
// genesis delegates in-process, each producing its own slots and voting (votes passed between
// their gadgets, so blocks finalize and the active set rotates), rounds of 3 × 2 = 6 slots, and
// two more chains importing every block as it is produced. A passed change is absent for the
// rest of its round and in force from the next round's first block, at the same height on every
// chain; a governed activeDelegates sets the size of the next election.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../../src/consensus/chain.ts";
import type { FinalityGadget } from "../../../src/consensus/gadget.ts";
import type { BlockProducer } from "../../../src/consensus/producer.ts";
import type { Address } from "../../../src/crypto/address.ts";
import {
  elect,
  getActiveSet,
  getSchedule,
  listCandidates,
  roundLength,
  roundOf,
  scheduleFor,
} from "../../../src/dpos/index.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import { devnetDelegateKey, devnetGenesis, GENESIS_CONTRACT_ADDRESS } from "../../../src/genesis/index.ts";
import {
  paramsForBlock,
  readNextParamId,
  readOverrides,
  readParamProposal,
} from "../../../src/governance/index.ts";
import { DEV_MNEMONIC, deriveKeys } from "../../../src/keys/index.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import type { SignedVote } from "../../../src/ledger/types.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { NodeBackend } from "../../../src/node/backend.ts";
import { TxIngress } from "../../../src/node/ingress.ts";
import { decodeTxWithSender, signTx } from "../../../src/tx/index.ts";
import { utf8 } from "../../../src/util/bytes.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";

const log = silentLogger();
const LVO = 10n ** 18n;
const funder = deriveKeys(DEV_MNEMONIC, 1)[0]!;
const keys = [0, 1, 2].map(devnetDelegateKey);
const genesis = devnetGenesis(
  3,
  1_700_000_000_000,
  { blocksPerTurn: 2, proposalExpiryBlocks: 4 },
  { contracts: false },
);
const L = roundLength(genesis.params);

type Key = { secretKey: Uint8Array; address: Address };

const dirs: string[] = [];
const stores: ChainStore[] = [];
let chain: Chain;
/** Chains that import each block as it is produced, independently of each other. */
let importers: Chain[];
let ingress: TxIngress;
let backend: NodeBackend;
const delegates = new Map<Address, { producer: BlockProducer; gadget: FinalityGadget }>();
let inFlight: Array<Promise<unknown>> = [];
let slot = 0;

async function open(): Promise<{ store: ChainStore; chain: Chain }> {
  const dir = mkdtempSync(join(tmpdir(), "lvo-gov-rounds-"));
  dirs.push(dir);
  const init = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  await Chain.initialise(init, genesis);
  await init.close();
  const store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  stores.push(store);
  return { store, chain: await Chain.open({ store, log, system: systemHandlers() }) };
}

beforeAll(async () => {
  const main = await open();
  chain = main.chain;
  importers = [(await open()).chain, (await open()).chain];
  const mempool = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
  ingress = new TxIngress({ chain, mempool, store: main.store, log });
  chain.on("head", () => {
    const v = chain.headState();
    ingress.forget(mempool.onNewHead((a) => v.getAccount(a)));
  });
  const system = systemHandlers();
  for (const key of keys) {
    // each delegate's votes reach the other delegates' gadgets, as gossip would carry them
    const publish = (v: SignedVote) => {
      for (const [a, d] of delegates) if (a !== key.address) inFlight.push(d.gadget.onVote(v));
    };
    // one signing record per delegate: they share the store, not what they signed
    const signingFile = join(main.store.dir, `signing-record-${key.address}`);
    delegates.set(
      key.address,
      await localDelegate({ chain, store: main.store, mempool, key, system, publish, signingFile }),
    );
  }
  backend = new NodeBackend({
    chain,
    mempool,
    ingress,
    delegate: null,
    clientVersion: "test",
    peers: () => 0,
    syncState: () => null,
  });
}, 60_000);

afterAll(async () => {
  for (const d of delegates.values()) await d.gadget.idle();
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The next slot by whoever the chain schedules; every vote counted; the block imported by the other chains. */
async function step(): Promise<void> {
  slot++;
  const view = chain.headState();
  const who = scheduleFor(view, slot, paramsForBlock(view, genesis.params, slot));
  await delegates.get(who)!.producer.produce(slot);
  let pending: Array<Promise<unknown>>;
  do {
    for (const d of delegates.values()) await d.gadget.idle();
    pending = inFlight;
    inFlight = [];
    await Promise.all(pending);
  } while (pending.length > 0);
  expect(chain.head.header.slot).toBe(slot);
  for (const c of importers) await c.importBlock(chain.head);
}

/** Submit transactions, produce one block; returns their receipts' status and error. */
async function block(txs: Array<{ from: Key; to: Address; data?: Uint8Array; value?: bigint }>) {
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
        maxFeePerGas: 10n ** 12n,
        maxPriorityFeePerGas: 1n,
      },
      t.from.secretKey,
    );
    await ingress.submit(raw);
    hashes.push(hash);
  }
  await step();
  const out = [];
  for (const h of hashes) out.push((await backend.getReceipt(h))?.receipt);
  return out;
}

const gov = (from: Key, method: string, args: unknown[]) => ({
  from,
  to: GENESIS_CONTRACT_ADDRESS,
  data: utf8(JSON.stringify({ method, args })),
});

/** Propose `changes` by delegate 0 and vote yes with delegate 1 (2/3 of the bonded stake), timed to pass mid-round; returns the height whose tally passes it. */
async function passMidRound(changes: Record<string, string>): Promise<number> {
  const expiry = genesis.params.proposalExpiryBlocks;
  // the proposal goes in at slot+1 and is tallied at slot+1+expiry: leave 2 slots of that round after it
  while ((slot + 1 + expiry) % L > L - 3) await step();
  const [p] = await block([gov(keys[0]!, "proposeParameters", [changes])]);
  expect(p!.status).toBe(1);
  const proposal = readParamProposal(chain.headState(), readNextParamId(chain.headState()) - 1)!;
  expect(proposal).toMatchObject({ status: "voting", changes });
  const [v] = await block([gov(keys[1]!, "voteParameters", [proposal.id, true])]);
  expect(v!.status).toBe(1);
  while (chain.head.header.height < proposal.endsAt) await step();
  expect(readParamProposal(chain.headState(), proposal.id)!.status).toBe("passed");
  return proposal.endsAt;
}

describe("governed changes with rounds of several blocks", () => {
  it("a passed change is absent for the rest of its round and in force from the next round's first block, on every chain", async () => {
    expect(L).toBe(6);
    // gas money for the delegates (they vote with their self-stake)
    const funded = await block(keys.map((k) => ({ from: funder, to: k.address, value: 10n * LVO })));
    expect(funded.map((r) => r?.status)).toEqual([1, 1, 1]);

    const oldMin = genesis.params.minGasPrice;
    const newMin = oldMin * 3n;
    const passedAt = await passMidRound({ minGasPrice: newMin.toString() });
    const round = roundOf(chain.head.header.slot, genesis.params);
    // the rest of the round: at least two more blocks, still under the old value
    const midRound: number[] = [];
    while (roundOf(slot + 1, genesis.params) === round) {
      await step();
      midRound.push(chain.head.header.height);
    }
    expect(midRound.length).toBeGreaterThanOrEqual(2);
    await step(); // the first block of the next round
    const first = chain.head.header.height;
    expect(roundOf(chain.head.header.slot, genesis.params)).toBe(round + 1);

    for (const c of [chain, ...importers]) {
      expect(c.head.hash).toEqual(chain.head.hash);
      for (const h of [passedAt, ...midRound]) {
        expect((await c.blockAt(h))!.header.baseFee, `height ${h}`).toBe(oldMin);
        expect(readOverrides(c.stateAt(h))).toEqual({});
      }
      expect((await c.blockAt(first))!.header.baseFee).toBe(newMin);
      expect(readOverrides(c.stateAt(first))).toEqual({ minGasPrice: newMin.toString() });
      // the same height on each chain: the first whose base fee is the governed one
      const heights = [];
      for (let h = 1; h <= first; h++) if ((await c.blockAt(h))!.header.baseFee === newMin) heights.push(h);
      expect(heights).toEqual([first]);
    }
    // the rule itself: the parent's state decides by the slot's round
    const lastOfRound = chain.stateAt(midRound.at(-1)!);
    expect(paramsForBlock(lastOfRound, genesis.params, (round + 1) * L - 1).minGasPrice).toBe(oldMin);
    expect(paramsForBlock(lastOfRound, genesis.params, (round + 1) * L).minGasPrice).toBe(newMin);
  }, 120_000);

  it("a governed activeDelegates sets the election's size: the next active set has that many members", async () => {
    const view0 = chain.headState();
    expect(getActiveSet(view0).active.members).toHaveLength(3);
    expect(elect(view0, paramsForBlock(view0, genesis.params, slot + 1))).toHaveLength(3);

    await passMidRound({ activeDelegates: "2" });
    const round = roundOf(chain.head.header.slot, genesis.params);
    while (roundOf(slot, genesis.params) === round) await step();
    const p = paramsForBlock(chain.headState(), genesis.params, slot + 1);
    expect(p.electionSize).toBe(2);
    // the round length (genesis activeDelegates × blocksPerTurn) does not move
    expect(p.activeDelegates).toBe(3);
    expect(roundLength(p)).toBe(L);

    // the election after the change keeps two; the rotation (once its snapshot is final) applies it
    const until = slot + 4 * L;
    while (getActiveSet(chain.headState()).active.members.length !== 2) {
      if (slot > until) throw new Error("the active set never rotated to the governed size");
      await step();
    }
    const view = chain.headState();
    const active = getActiveSet(view).active.members;
    const candidates = listCandidates(view);
    expect(candidates).toHaveLength(3);
    expect([...active].sort()).toEqual(
      candidates
        .slice(0, 2)
        .map((c) => c.address)
        .sort(),
    );
    // a whole round of the schedule cycles through the two (turns of blocksPerTurn slots: a, b, a)
    const start = (roundOf(slot, genesis.params) + 1) * L;
    const producers = getSchedule(view, start, L, p).map((x) => x.producer);
    expect(new Set(producers)).toEqual(new Set(active));
    const turns = [0, 2, 4].map((i) => producers[i]!);
    expect(producers).toEqual(turns.flatMap((a) => [a, a]));
    expect(turns[0]).toBe(turns[2]);
    expect(turns[1]).not.toBe(turns[0]);
    // and the chains importing block by block hold the same set
    for (const c of importers) {
      expect(c.head.hash).toEqual(chain.head.hash);
      expect(getActiveSet(c.headState()).active.members).toEqual(active);
    }
    // blocks keep coming and finalizing with the smaller set
    const finalized = chain.finalized.height;
    for (let i = 0; i < L; i++) await step();
    expect(chain.finalized.height).toBeGreaterThan(finalized);
  }, 120_000);
});
