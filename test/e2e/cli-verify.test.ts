// `lvo verify` against a real node's data directory: a chain made by `lvo start` (with
// transfers in it) replays from genesis with the same state roots and the supply at every
// height; a block whose state root was altered (and re-signed by the producer's key, so only
// the re-execution can tell) is named with its height and BLOCK_BAD_STATE; a running node's
// directory is refused with a clear line.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockSigningDigest, packSignature } from "../../src/consensus/vote.ts";
import { signDigest } from "../../src/crypto/secp256k1.ts";
import { DEVNET_CHAIN_ID, devnetDelegateKey } from "../../src/genesis/index.ts";
import { hashHeader } from "../../src/ledger/encoding.ts";
import { openStore } from "../../src/node/node.ts";
import { silentLogger } from "../../src/util/log.ts";
import { runLvo, tempDir } from "./cli-helpers.ts";
import { NodeProcess, waitFor } from "./helpers/node-process.ts";

let home: { dir: string; cleanup: () => void };
let node: NodeProcess;

beforeAll(async () => {
  home = tempDir("lvo-verify-");
  node = NodeProcess.create({ blockInterval: 500 });
  await node.start();
  for (let i = 0; i < 3; i++) {
    const r = await runLvo(
      [
        "tx",
        "transfer",
        "--to",
        devnetDelegateKey(0).address,
        "--value",
        "2",
        "--dev-account",
        String(i),
        "--rpc",
        node.url,
      ],
      { home: home.dir, timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
  }
  await waitFor(async () => Number(await node.rpc<string>("eth_blockNumber")) >= 12, 30_000, "block 12");
}, 120_000);

afterAll(async () => {
  await node?.stop();
  home?.cleanup();
});

describe("lvo verify", () => {
  it("refuses a running node's directory, then replays the stopped node's chain: ok", async () => {
    const busy = await runLvo(["verify", "--datadir", node.dataDir], { home: home.dir });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/in use: stop the node first/);

    await node.stop();
    const r = await runLvo(["verify", "--datadir", node.dataDir, "--json"], {
      home: home.dir,
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as {
      ok: boolean;
      blocks: number;
      source: { head: number; finalized: number };
      finalMatches: boolean;
      supplyViolations: unknown[];
      failure: unknown;
    };
    expect(rep.ok).toBe(true);
    expect(rep.blocks).toBe(rep.source.head);
    expect(rep.source.head).toBeGreaterThanOrEqual(12);
    expect(rep.finalMatches).toBe(true);
    expect(rep.supplyViolations).toEqual([]);
    expect(rep.failure).toBeNull();
  }, 90_000);

  it("names the block whose state root does not follow from re-execution", async () => {
    const store = await openStore(node.dataDir, silentLogger());
    const height = 5;
    try {
      const hash = await store.getCanonicalHash(height);
      const block = (await store.getBlock(hash!))!;
      const root = Uint8Array.from(block.header.stateRoot);
      root[0] = root[0]! ^ 0xff;
      const header = { ...block.header, stateRoot: root };
      const newHash = hashHeader(header);
      const key = devnetDelegateKey(0).secretKey;
      const signature = packSignature(signDigest(blockSigningDigest(DEVNET_CHAIN_ID, newHash), key));
      const forged = { ...block, header, hash: newHash, signature };
      await store.batch().putBlock(forged, []).setCanonical(forged).commit();
    } finally {
      await store.close();
    }
    const r = await runLvo(["verify", "--datadir", node.dataDir], { home: home.dir, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`failed at block ${height}: BLOCK_BAD_STATE: state root mismatch`));
    expect(r.stdout).toMatch(/NOT OK/);
  }, 90_000);
});
