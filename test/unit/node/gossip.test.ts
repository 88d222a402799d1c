// The node's gossip validation (createP2pHandlers) over a real chain: chain A produces with the
// one devnet delegate, chain B judges what arrives by gossip. Regression tests for the campaign
// gossip-hostile findings: a stranger's (non-candidate's) blocks had every transaction's sender
// recovered before the signature was looked at, its votes and blocks fed the equivocation
// detector and the early-vote store, and its well-signed "evidence" entered the evidence pool,
// where the DPoS hook never marks it processed, so it stayed pending and went into every block.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Chain } from "../../../src/consensus/chain.ts";
import { EquivocationDetector } from "../../../src/consensus/evidence.ts";
import { FinalityGadget } from "../../../src/consensus/gadget.ts";
import type { BlockProducer } from "../../../src/consensus/producer.ts";
import { blockSigningDigest, packSignature, signVote } from "../../../src/consensus/vote.ts";
import { publicKeyToAddress } from "../../../src/crypto/address.ts";
import { publicKeyOf, randomSecretKey, signDigest } from "../../../src/crypto/secp256k1.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import { devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import { encodeWireBlock, hashHeader } from "../../../src/ledger/encoding.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import type { Block, BlockHeader, Evidence, SignedVote } from "../../../src/ledger/types.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { createP2pHandlers } from "../../../src/node/gossip.ts";
import { TxIngress } from "../../../src/node/ingress.ts";
import { encodeEvidence, encodeVote } from "../../../src/node/wire.ts";
import type { P2pHandlers } from "../../../src/p2p/types.ts";
import { decodeTxWithSender, signTx } from "../../../src/tx/index.ts";
import type { Tx } from "../../../src/tx/types.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";

const log = silentLogger();
const genesis = devnetGenesis(1, 1_700_000_000_000);
const delegate = devnetDelegateKey(0);
const chainId = genesis.chainId;

async function openChain(): Promise<{ store: ChainStore; chain: Chain }> {
  const dir = mkdtempSync(join(tmpdir(), "lvo-gossip-"));
  const store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  await Chain.initialise(store, genesis);
  return { store, chain: await Chain.open({ store, log, system: systemHandlers() }) };
}

function stranger() {
  const secretKey = randomSecretKey();
  return { secretKey, address: publicKeyToAddress(publicKeyOf(secretKey)) };
}

const rand32 = () => crypto.getRandomValues(new Uint8Array(32));

/** Wire bytes of `header` signed by `key`, with raw transactions `txs`. */
function wire(header: BlockHeader, key: Uint8Array, txs: Uint8Array[] = []): Uint8Array {
  const hash = hashHeader(header);
  const signature = packSignature(signDigest(blockSigningDigest(chainId, hash), key));
  const block: Block = { header, hash, signature, txs: txs.map((raw) => ({ raw }) as Tx), evidence: [] };
  return encodeWireBlock(block);
}

const produced: Block[] = [];
const votes: SignedVote[] = [];
let a: { store: ChainStore; chain: Chain };
let b: { store: ChainStore; chain: Chain };
let handlers: P2pHandlers;
let mempool: Mempool;
const evidence: Evidence[] = [];
let unknownParentKicks = 0;
let aProducer: BlockProducer;
let aGadget: FinalityGadget;

beforeAll(async () => {
  a = await openChain();
  b = await openChain();
  const { gadget, producer } = await localDelegate({
    chain: a.chain,
    store: a.store,
    mempool: new Mempool(DEFAULT_MEMPOOL_OPTIONS),
    key: delegate,
    system: systemHandlers(),
    onProduced: (blk) => produced.push(blk),
    publish: (v) => votes.push(v),
  });
  for (let slot = 1; slot <= 4; slot++) {
    await producer.produce(slot);
    await gadget.idle();
  }
  aProducer = producer;
  aGadget = gadget;
  mempool = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
  const detector = new EquivocationDetector();
  const addEvidence = (e: Evidence) => {
    evidence.push(e);
    return true;
  };
  handlers = createP2pHandlers({
    chain: b.chain,
    mempool,
    ingress: new TxIngress({ chain: b.chain, mempool, store: b.store, log }),
    gadget: new FinalityGadget({
      chain: b.chain,
      log,
      key: null,
      signing: null,
      detector,
      publish: () => undefined,
      onEvidence: addEvidence,
    }),
    detector,
    clock: { now: () => genesis.genesisTime + 10 * genesis.params.blockIntervalMs },
    log,
    addEvidence,
    onUnknownParent: () => unknownParentKicks++,
  });
});

afterAll(async () => {
  await a?.store.close();
  await b?.store.close();
});

/** A child of B's head for the next slot, by `producer`, with a random state root. */
function childOfHead(producer: `0x${string}`, o: Partial<BlockHeader> = {}): BlockHeader {
  return { ...produced[1]!.header, parentHash: b.chain.head.hash, producer, stateRoot: rand32(), ...o };
}

describe("gossip validation (createP2pHandlers)", () => {
  it("accepts the delegate's blocks and votes", async () => {
    expect(await handlers.onGossip("blocks", encodeWireBlock(produced[0]!), "p")).toBe("accept");
    expect(await handlers.onGossip("votes", encodeVote(votes[0]!), "p")).toBe("accept");
    expect(b.chain.head.header.height).toBe(1);
  });

  it("rejects a stranger's block on a parent it holds before recovering any transaction", async () => {
    const s = stranger();
    const tx = signTx(
      {
        type: 2,
        chainId: BigInt(chainId),
        nonce: 0n,
        gasLimit: 21_000n,
        to: "0x000000000000000000000000000000000000dead",
        value: 1n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
      },
      s.secretKey,
    ).raw;
    const get = vi.spyOn(mempool, "get");
    const heavy = wire(childOfHead(s.address), s.secretKey, new Array(5000).fill(tx));
    expect(await handlers.onGossip("blocks", heavy, "p")).toBe("reject");
    // before: 5000 senders recovered (mempool looked up for each) before the verdict
    expect(get).not.toHaveBeenCalled();
    get.mockRestore();
  });

  it("ignores a stranger's block on an unknown parent without a sync or the equivocation detector", async () => {
    const s = stranger();
    const kicks = unknownParentKicks;
    const h = childOfHead(s.address, { parentHash: rand32() });
    // two different blocks by one key for one slot: a double signature the detector would report
    expect(await handlers.onGossip("blocks", wire(h, s.secretKey), "p")).toBe("ignore");
    expect(await handlers.onGossip("blocks", wire({ ...h, stateRoot: rand32() }, s.secretKey), "p")).toBe(
      "ignore",
    );
    expect(unknownParentKicks).toBe(kicks);
    expect(evidence).toHaveLength(0);
  });

  it("still asks for a sync when the delegate's block has an unknown parent", async () => {
    const kicks = unknownParentKicks;
    expect(await handlers.onGossip("blocks", encodeWireBlock(produced[3]!), "p")).toBe("ignore");
    expect(unknownParentKicks).toBe(kicks + 1);
  });

  it("rejects a stranger's vote for a block it holds, ignores one for a block it lacks, remembers neither", async () => {
    const s = stranger();
    const fin = { height: 0, hash: b.chain.finalized.hash };
    const head = { height: b.chain.head.header.height, hash: b.chain.head.hash };
    expect(await handlers.onGossip("votes", encodeVote(signVote(chainId, fin, head, s.secretKey)), "p")).toBe(
      "reject",
    );
    const far = { height: 1_000_000, hash: rand32() };
    const other = { height: 1_000_000, hash: rand32() };
    expect(await handlers.onGossip("votes", encodeVote(signVote(chainId, fin, far, s.secretKey)), "p")).toBe(
      "ignore",
    );
    // a conflicting vote for the same height: no evidence against a stranger
    expect(
      await handlers.onGossip("votes", encodeVote(signVote(chainId, fin, other, s.secretKey)), "p"),
    ).toBe("ignore");
    expect(evidence).toHaveLength(0);
  });

  it("rejects well-signed evidence against a stranger and keeps it out of the pool", async () => {
    const s = stranger();
    const src = { height: 0, hash: b.chain.finalized.hash };
    const e: Evidence = {
      kind: "double-vote",
      a: signVote(chainId, src, { height: 50, hash: rand32() }, s.secretKey),
      b: signVote(chainId, src, { height: 50, hash: rand32() }, s.secretKey),
    };
    expect(await handlers.onGossip("evidence", encodeEvidence(e), "p")).toBe("reject");
    expect(evidence).toHaveLength(0);
  });

  it("accepts evidence against the delegate", async () => {
    const src = { height: 0, hash: b.chain.finalized.hash };
    const e: Evidence = {
      kind: "double-vote",
      a: signVote(chainId, src, { height: 60, hash: rand32() }, delegate.secretKey),
      b: signVote(chainId, src, { height: 60, hash: rand32() }, delegate.secretKey),
    };
    expect(await handlers.onGossip("evidence", encodeEvidence(e), "p")).toBe("accept");
    expect(evidence).toHaveLength(1);
  });

  it("sync and gossip refuse a valid block for a slot that has not started, without blaming the peer", async () => {
    // B catches up to A's head by sync (slots 2-4: the clock is at slot 10).
    const before = b.chain.head.header.height;
    const n = await handlers.importBlocks(
      produced.slice(before).map((x) => encodeWireBlock(x)),
      "p",
    );
    expect(n).toBe(4 - before);
    expect(b.chain.head.header.height).toBe(4);
    // A (a delegate whose clock runs ahead) produces for slot 40: a valid child of the same head.
    const future = await aProducer.produce(40);
    await aGadget.idle();
    expect(future.header.parentHash).toEqual(b.chain.head.hash);
    expect(await handlers.importBlocks([encodeWireBlock(future)], "p")).toBe(0);
    expect(b.chain.head.header.height).toBe(4);
    // By gossip the same block is refused as [IGNORE], not [REJECT]: a delegate's (or our own)
    // wrong clock must not get the peer banned (campaign clock-skew: three early blocks from a
    // delegate 10 s ahead had every node ban it for 10 minutes; finality then stalled).
    expect(await handlers.onGossip("blocks", encodeWireBlock(future), "p")).toBe("ignore");
    expect(b.chain.head.header.height).toBe(4);
    // A stranger's block for a future slot on a parent we hold is still a [REJECT].
    const s = stranger();
    expect(
      await handlers.onGossip(
        "blocks",
        wire(childOfHead(s.address, { slot: 40, height: 5 }), s.secretKey),
        "p",
      ),
    ).toBe("reject");
    // So is a future block whose signature is not its producer's.
    const forged = wire({ ...future.header, stateRoot: rand32() }, stranger().secretKey);
    expect(await handlers.onGossip("blocks", forged, "p")).toBe("reject");
  });
});
