// The source of a delegate's vote is the block its target's header certificate justifies, not
// the voter's own newest justified block. Two delegates, each with its own chain (LevelDB),
// blocks imported across, votes passed by hand: one vote is held back so the voter knows a
// newer justified block than the next producer did. Both still name the same link, and the
// target is justified. (With local knowledge as source the two votes named different links: with
// one delegate of four down, such a split left a block unjustified and stalled finality.)

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Chain } from "../../../src/consensus/chain.ts";
import type { FinalityGadget } from "../../../src/consensus/gadget.ts";
import type { BlockProducer } from "../../../src/consensus/producer.ts";
import { scheduleFor } from "../../../src/dpos/index.ts";
import { devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import type { ChainStore } from "../../../src/ledger/store.ts";
import type { Block, SignedVote } from "../../../src/ledger/types.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { openFreshChain } from "../../helpers/fresh-chain.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";

const log = silentLogger();
const genesis = devnetGenesis(2, 1_700_000_000_000, {}, { contracts: false });
const keys = [0, 1].map(devnetDelegateKey);

interface Node {
  chain: Chain;
  store: ChainStore;
  gadget: FinalityGadget;
  producer: BlockProducer;
  /** Votes this node's delegate signed, in order. */
  out: SignedVote[];
}

const dirs: string[] = [];
const nodes: Node[] = [];

async function makeNode(i: number): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), `lvo-vote-source-${i}-`));
  dirs.push(dir);
  const { store, chain, system } = await openFreshChain(dir, genesis, log);
  const mempool = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
  const out: SignedVote[] = [];
  const { gadget, producer } = await localDelegate({
    chain,
    store,
    mempool,
    key: keys[i]!,
    system,
    publish: (v) => out.push(v),
  });
  return { chain, store, gadget, producer, out };
}

/** The node whose delegate owns `slot` on top of node 0's head. */
function ownerOf(slot: number): number {
  const who = scheduleFor(nodes[0]!.chain.headState(), slot, genesis.params);
  return keys.findIndex((k) => k.address === who);
}

/** Produce at `slot` on its owner's chain, import on the other, let both gadgets vote. */
async function step(slot: number): Promise<Block> {
  const i = ownerOf(slot);
  const block = await nodes[i]!.producer.produce(slot);
  await nodes[1 - i]!.chain.importBlock(block);
  await Promise.all(nodes.map((n) => n.gadget.idle()));
  return block;
}

/** Deliver every vote `from` signed since `since` to the other node. */
async function deliver(from: number, since: number): Promise<void> {
  for (const v of nodes[from]!.out.slice(since)) await nodes[1 - from]!.gadget.onVote(v);
}

beforeAll(async () => {
  nodes.push(await makeNode(0), await makeNode(1));
});

afterAll(async () => {
  for (const n of nodes) await n.store.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("vote source", () => {
  it("is the link from the target header's certificate, so both voters agree when their knowledge differs", async () => {
    let slot = 1;
    // A few blocks with every vote delivered at once: justified and final as usual.
    for (; slot <= 4; slot++) {
      const marks = nodes.map((n) => n.out.length);
      await step(slot);
      await deliver(0, marks[0]!);
      await deliver(1, marks[1]!);
    }
    expect(nodes[0]!.chain.finalized.height).toBeGreaterThan(0);
    // Block X: node 1 gets node 0's vote (it now holds X's certificate); node 0 does not get
    // node 1's vote, so the next block node 0 produces carries an older certificate.
    let marks = nodes.map((n) => n.out.length);
    const x = await step(slot++);
    await deliver(0, marks[0]!);
    const held = nodes[1]!.out.slice(marks[1]!);
    expect(held.length).toBe(1);
    expect(nodes[1]!.chain.entry(x.hash)?.justified).toBe(true);
    expect(nodes[0]!.chain.entry(x.hash)?.justified).toBe(false);
    while (ownerOf(slot) !== 0) slot++;
    marks = nodes.map((n) => n.out.length);
    const next = await step(slot++);
    const cert = next.header.cert!;
    expect(cert.target.height).toBeLessThan(x.header.height);
    const [v0, v1] = [nodes[0]!.out.slice(marks[0]!), nodes[1]!.out.slice(marks[1]!)];
    expect(v0.length).toBe(1);
    expect(v1.length).toBe(1);
    // node 1's newest justified block was X, yet its vote names the header's certificate target
    expect(v1[0]!.source.height).toBe(cert.target.height);
    expect(v0[0]!.source).toEqual(v1[0]!.source);
    expect(v0[0]!.target).toEqual(v1[0]!.target);
    // The two votes make one certificate: the block is justified on both chains.
    await nodes[1]!.gadget.onVote(v0[0]!);
    for (const v of [...held, v1[0]!]) await nodes[0]!.gadget.onVote(v);
    for (const n of nodes) expect(n.chain.entry(next.hash)?.justified).toBe(true);
  });
});
