// The light client across a real change of the active set: two genesis delegates, one active
// seat; a staker votes the second into the seat, the election snapshots it, and it rotates in once
// the snapshot's height is recorded final. The client follows the hand-over from genesis (the new
// set proven from the state that elected it) and ends anchored on the new set.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../../src/consensus/chain.ts";
import type { FinalityGadget } from "../../../src/consensus/gadget.ts";
import type { BlockProducer } from "../../../src/consensus/producer.ts";
import type { Address } from "../../../src/crypto/address.ts";
import { scheduleFor } from "../../../src/dpos/election.ts";
import { readActive } from "../../../src/dpos/store.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import { DPOS_ADDRESS, devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import { paramsForBlock } from "../../../src/governance/index.ts";
import { DEV_MNEMONIC, deriveKeys } from "../../../src/keys/index.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import { LightClient, LightErrorCode, type RpcCall } from "../../../src/light/index.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { NodeBackend } from "../../../src/node/backend.ts";
import { TxIngress } from "../../../src/node/ingress.ts";
import { createMethodTable } from "../../../src/rpc/methods/index.ts";
import { decodeTxWithSender, signTx } from "../../../src/tx/index.ts";
import { utf8 } from "../../../src/util/bytes.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";

const log = silentLogger();
const LVO = 10n ** 18n;
const staker = deriveKeys(DEV_MNEMONIC, 2)[1]!;
const keyA = devnetDelegateKey(0);
const keyB = devnetDelegateKey(1);
const genesis = devnetGenesis(2, 1_700_000_000_000, { activeDelegates: 1 });

let dir: string;
let store: ChainStore;
let chain: Chain;
let backend: NodeBackend;
let ingress: TxIngress;
const delegates = new Map<Address, { producer: BlockProducer; gadget: FinalityGadget }>();
const table = createMethodTable();
let slot = 0;

const honest: RpcCall = async (_url, method, params) => {
  const m = table.get(method)!;
  return JSON.parse(
    JSON.stringify(
      await m.handler(
        backend,
        m.params.map((p, i) => p.parse(params[i])),
      ),
    ),
  );
};

/** Produce the next slot with whoever the chain schedules, and let every gadget vote. */
async function step(): Promise<void> {
  slot++;
  const view = chain.headState();
  const who = scheduleFor(view, slot, paramsForBlock(view, genesis.params, slot));
  const d = delegates.get(who)!;
  await d.producer.produce(slot);
  for (const x of delegates.values()) await x.gadget.idle();
}

async function send(method: string, args: unknown[], value: bigint, nonce: bigint): Promise<void> {
  const data = utf8(JSON.stringify({ method, args }));
  const gasLimit = backend.estimateGas({ from: staker.address, to: DPOS_ADDRESS, value, data });
  const { raw } = signTx(
    {
      type: 2,
      chainId: BigInt(genesis.chainId),
      nonce,
      to: DPOS_ADDRESS,
      value,
      data,
      gasLimit,
      maxFeePerGas: 2n * backend.baseFee(),
      maxPriorityFeePerGas: 1n,
    },
    staker.secretKey,
  );
  await ingress.submit(raw);
  await step();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lvo-light-rot-"));
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
  for (const key of [keyA, keyB]) {
    delegates.set(key.address, await localDelegate({ chain, store, mempool, key, system }));
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
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("light client across a change of the active set", () => {
  it("follows the hand-over from genesis and ends on the new set", async () => {
    const first = readActive(chain.stateAt(0)).members;
    expect(first).toHaveLength(1);
    const outsider = first[0] === keyA.address ? keyB.address : keyA.address;
    const c = new LightClient({ genesis, endpoints: ["a", "b"], rpc: honest });
    expect(c.finalized.active).toEqual(first);

    for (let i = 0; i < 3; i++) await step();
    expect(await c.sync()).toBeGreaterThanOrEqual(1);

    await send("stake", [], 1000n * LVO, 0n);
    await send("vote", [[outsider]], 0n, 1n);
    for (let i = 0; i < 8; i++) await step();
    expect(readActive(chain.headState()).members).toEqual([outsider]);

    const h = await c.sync();
    expect(h).toBeGreaterThanOrEqual(backend.headHeight() - 3);
    expect(c.finalized.active).toEqual([outsider]);
    expect(c.liars).toEqual([]);

    // A fresh client from genesis gets there too, in one sync.
    const fresh = new LightClient({ genesis, endpoints: ["x"], rpc: honest });
    expect(await fresh.sync()).toBe(h);
    expect(fresh.finalized.active).toEqual([outsider]);
    // An endpoint lying about the elected snapshot is named (the proof does not verify).
    const liar: RpcCall = async (url, m, params) => {
      const r = (await honest(url, m, params)) as Record<string, unknown>;
      if (m === "lvo_getStateProof" && params[0] === "0x0603" && r.value) {
        return { ...r, value: `0x${"00".repeat(10)}` };
      }
      return r;
    };
    const mixed = new LightClient({
      genesis,
      endpoints: ["liar", "ok"],
      rpc: (u, m, p) => (u === "liar" ? liar(u, m, p) : honest(u, m, p)),
    });
    expect(await mixed.sync()).toBe(h);
    expect(mixed.liars.map((l) => [l.url, l.code])).toEqual([["liar", LightErrorCode.LIGHT_BAD_PROOF]]);
  });
});
