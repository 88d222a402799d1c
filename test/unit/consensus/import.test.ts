import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../../src/consensus/chain.ts";
import { ConsensusErrorCode } from "../../../src/consensus/errors.ts";
import { verifyEvidence } from "../../../src/consensus/evidence.ts";
import { blockSigningDigest, packSignature } from "../../../src/consensus/vote.ts";
import { signDigest } from "../../../src/crypto/secp256k1.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import { devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, deriveKey } from "../../../src/keys/index.ts";
import { hashHeader } from "../../../src/ledger/encoding.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import type { Block, BlockHeader } from "../../../src/ledger/types.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { decodeTxWithSender } from "../../../src/tx/index.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";

const log = silentLogger();
const genesis = devnetGenesis(1, 1_700_000_000_000);
const delegate = devnetDelegateKey(0);

async function openChain(): Promise<{ store: ChainStore; chain: Chain }> {
  const dir = mkdtempSync(join(tmpdir(), "lvo-import-"));
  const store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  await Chain.initialise(store, genesis);
  return { store, chain: await Chain.open({ store, log, system: systemHandlers() }) };
}

/** Re-sign a changed header with `key` (the block then differs only where the test changed it). */
function resign(b: Block, change: Partial<BlockHeader>, key = delegate.secretKey): Block {
  const header = { ...b.header, ...change };
  const hash = hashHeader(header);
  return {
    ...b,
    header,
    hash,
    signature: packSignature(signDigest(blockSigningDigest(genesis.chainId, hash), key)),
  };
}

describe("block import: every rejection has its code, nothing is written", () => {
  const produced: Block[] = [];
  let a: { store: ChainStore; chain: Chain };
  let b: { store: ChainStore; chain: Chain };

  beforeAll(async () => {
    // Chain A produces (one delegate: votes justify and finalize), chain B imports.
    a = await openChain();
    b = await openChain();
    const { gadget, producer } = await localDelegate({
      chain: a.chain,
      store: a.store,
      mempool: new Mempool(DEFAULT_MEMPOOL_OPTIONS),
      key: delegate,
      system: systemHandlers(),
      maxTxsPerBlock: 100,
      onProduced: (blk) => produced.push(blk),
    });
    for (let slot = 1; slot <= 4; slot++) {
      await producer.produce(slot);
      await gadget.idle();
    }
  });

  afterAll(async () => {
    await a?.store.close();
    await b?.store.close();
  });

  it("imports the valid chain, certificates included, and finalizes like the producer", async () => {
    await b.chain.importBlock(produced[0]!);
    await b.chain.importBlock(produced[1]!);
    expect(b.chain.head.header.height).toBe(2);
    // Block 2 carries the QC (0 → 1); block 3's QC (1 → 2) makes 1 final on the importer too.
    await b.chain.importBlock(produced[2]!);
    expect(b.chain.finalized.height).toBe(1);
  });

  it("BLOCK_KNOWN", async () => {
    await expect(b.chain.importBlock(produced[2]!)).rejects.toMatchObject({
      code: ConsensusErrorCode.BLOCK_KNOWN,
    });
  });

  it("BLOCK_UNKNOWN_PARENT", async () => {
    const orphan = resign(produced[3]!, { parentHash: new Uint8Array(32).fill(9) });
    await expect(b.chain.importBlock(orphan)).rejects.toMatchObject({
      code: ConsensusErrorCode.BLOCK_UNKNOWN_PARENT,
    });
  });

  it("BLOCK_CONFLICTS_FINALITY", async () => {
    const old = resign(produced[0]!, { stateRoot: new Uint8Array(32) });
    await expect(b.chain.importBlock(old)).rejects.toMatchObject({
      code: ConsensusErrorCode.BLOCK_CONFLICTS_FINALITY,
    });
  });

  it("BLOCK_BAD_SEQUENCE", async () => {
    const late = resign(produced[3]!, { timestamp: produced[3]!.header.timestamp + 1 });
    await expect(b.chain.importBlock(late)).rejects.toMatchObject({
      code: ConsensusErrorCode.BLOCK_BAD_SEQUENCE,
    });
  });

  it("BLOCK_BAD_PRODUCER (another key signs)", async () => {
    const stranger = deriveKey(DEV_MNEMONIC, 7);
    const forged = resign(produced[3]!, {}, stranger.secretKey);
    await expect(b.chain.importBlock(forged)).rejects.toMatchObject({
      code: ConsensusErrorCode.BLOCK_BAD_PRODUCER,
    });
  });

  it("BLOCK_BAD_STATE (wrong state root, even correctly signed)", async () => {
    const lying = resign(produced[3]!, { stateRoot: new Uint8Array(32).fill(1) });
    await expect(b.chain.importBlock(lying)).rejects.toMatchObject({
      code: ConsensusErrorCode.BLOCK_BAD_STATE,
    });
  });

  it("BAD_CERTIFICATE (a forged vote in the header's certificate)", async () => {
    const cert = produced[3]!.header.cert!;
    const forged = resign(produced[3]!, { cert: { ...cert, signatures: [new Uint8Array(65).fill(3)] } });
    await expect(b.chain.importBlock(forged)).rejects.toMatchObject({
      code: ConsensusErrorCode.BAD_CERTIFICATE,
    });
  });

  it("BAD_EVIDENCE (two copies of one block are no offence)", async () => {
    const one = { header: produced[3]!.header, signature: produced[3]!.signature };
    expect(() => verifyEvidence(genesis.chainId, { kind: "double-block", a: one, b: one })).toThrow(
      expect.objectContaining({ code: ConsensusErrorCode.BAD_EVIDENCE }),
    );
  });

  it("after every refusal the importer still takes the real next block", async () => {
    await b.chain.importBlock(produced[3]!);
    expect(b.chain.head.hash).toEqual(produced[3]!.hash);
    expect(b.chain.headTrie.root).toEqual(a.chain.headTrie.root);
  });
});
