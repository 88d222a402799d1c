// The light client on a chain whose first block opens a later round (the nodes started after
// the first round's slots had passed) and whose first certificate comes after the next round
// boundary. Block 1 then elects a snapshot from the genesis state, and recorded finality 0 lets
// it take effect at that boundary before any certificate justified block 1: the snapshot cannot
// be proven against block 1's state root. The client computes it from the genesis state it
// holds (CI once failed here with LIGHT_ACTIVE_SET_UNKNOWN, "certificate at height 4").

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../../src/consensus/chain.ts";
import type { FinalityGadget } from "../../../src/consensus/gadget.ts";
import type { BlockProducer } from "../../../src/consensus/producer.ts";
import { roundLength, roundOf } from "../../../src/dpos/schedule.ts";
import { readPending } from "../../../src/dpos/store.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import { devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import {
  type CheckedHeader,
  checkHeader,
  LightClient,
  type RpcCall,
  walkHeaders,
} from "../../../src/light/index.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { NodeBackend } from "../../../src/node/backend.ts";
import { TxIngress } from "../../../src/node/ingress.ts";
import { createMethodTable } from "../../../src/rpc/methods/index.ts";
import { decodeTxWithSender } from "../../../src/tx/index.ts";
import { fromHex } from "../../../src/util/bytes.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";

const log = silentLogger();
const delegate = devnetDelegateKey(0);
const genesis = devnetGenesis(1, 1_700_000_000_000);
const ROUND = roundLength(genesis.params);

let dir: string;
let store: ChainStore;
let backend: NodeBackend;
let producer: BlockProducer;
let gadget: FinalityGadget;
let chain: Chain;
const table = createMethodTable();

const honest: RpcCall = async (_url, method, params) => {
  const m = table.get(method);
  if (!m) throw new Error(`no method ${method}`);
  const parsed = m.params.map((p, i) => p.parse(params[i]));
  return JSON.parse(JSON.stringify(await m.handler(backend, parsed)));
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lvo-light-first-"));
  const init = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  await Chain.initialise(init, genesis);
  await init.close();
  store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  const system = systemHandlers();
  chain = await Chain.open({ store, log, system });
  const mempool = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
  const ingress = new TxIngress({ chain, mempool, store, log });
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
  // Block 1 opens round 1, block 2 opens round 2 before any vote was counted (no certificate in
  // it); then blocks with votes as usual.
  await producer.produce(ROUND);
  await producer.produce(2 * ROUND);
  await gadget.idle();
  for (let slot = 2 * ROUND + 1; slot <= 2 * ROUND + 8; slot++) {
    await producer.produce(slot);
    await gadget.idle();
  }
}, 60_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function headers(): Promise<CheckedHeader[]> {
  const res = (await honest("h", "lvo_getHeaders", ["0x1", "0x100"])) as Array<Record<string, string>>;
  return res.map((o) =>
    checkHeader(genesis.chainId, fromHex(o.header!), fromHex(o.signature!), fromHex(o.hash!)),
  );
}

describe("light client: the first block opens a later round, the first certificate comes late", () => {
  it("the chain has the shape (block 1 elects at a boundary, block 2 rotates without a certificate)", async () => {
    const hs = await headers();
    expect(roundOf(hs[0]!.header.slot, genesis.params)).toBe(1);
    expect(roundOf(hs[1]!.header.slot, genesis.params)).toBe(2);
    expect(hs[1]!.header.cert ?? null).toBeNull();
    expect(readPending(chain.stateAt(1))?.at).toBe(0);
    // Without the genesis election the walk cannot go on: it stops at a certificate.
    const c = new LightClient({ genesis, endpoints: [], rpc: honest });
    const g0 = (await honest("h", "lvo_getHeaders", ["0x0", "0x1"])) as Array<Record<string, string>>;
    const gh = checkHeader(genesis.chainId, fromHex(g0[0]!.header!), new Uint8Array(0), c.finalized.hash);
    const anchor = {
      header: gh.header,
      hash: gh.hash,
      active: c.finalized.active,
      pending: null,
      recordedFinality: 0,
    };
    const stuck = walkHeaders(genesis, anchor, hs);
    expect(stuck.stuckAt).not.toBeNull();
  });

  it("follows finality from genesis and proves a balance", async () => {
    const c = new LightClient({ genesis, endpoints: ["a", "b"], rpc: honest });
    const h = await c.sync();
    expect(h).toBeGreaterThanOrEqual(6);
    expect(h).toBeLessThanOrEqual(backend.finalizedHeight());
    expect(c.finalized.active).toEqual([delegate.address]);
    const acc = await c.getAccount(delegate.address);
    expect(acc.value).toEqual(backend.getAccount(delegate.address, h));
    expect(c.liars).toEqual([]);
  });
});
