import { HDNodeWallet, JsonRpcProvider, parseEther, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_MNEMONIC } from "../../src/keys/index.ts";
import { TestDevnet } from "./helpers/devnet-process.ts";
import { waitFor } from "./helpers/node-process.ts";

describe("4 delegates + 1 RPC node over libp2p", () => {
  let net: TestDevnet;

  beforeAll(async () => {
    net = await TestDevnet.create(4);
    await net.startAll();
  }, 60_000);

  afterAll(async () => {
    await net?.stopAll();
  });

  it("finalizes blocks; a transfer sent to the RPC node is final on all nodes", async () => {
    await net.waitFinalized(3, 30_000);
    const provider = new JsonRpcProvider(net.rpcNode.url, undefined, {
      staticNetwork: true,
      pollingInterval: 200,
    });
    const w = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0/5").connect(provider);
    const to = Wallet.createRandom().address;
    const tx = await w.sendTransaction({ to, value: parseEther("2") });
    const r = await tx.wait();
    expect(r?.status).toBe(1);
    await net.waitFinalized(r!.blockNumber, 15_000);
    for (const m of net.members) {
      const bal = await m.rpc<string>("eth_getBalance", [to, "finalized"]);
      expect(BigInt(bal), m.spec.name).toBe(parseEther("2"));
      const rc = await m.rpc<{ blockHash: string }>("eth_getTransactionReceipt", [tx.hash]);
      expect(rc.blockHash).toBe(r!.blockHash);
    }
    provider.destroy();
    const { finalized } = await net.checkAgreement();
    expect(finalized).toBeGreaterThanOrEqual(r!.blockNumber);
  }, 90_000);

  it("every delegate produces in its slots", async () => {
    // Each round gives every active delegate a slot; on a loaded machine one may miss a few.
    const producers = new Set<string>();
    let seen = 0;
    await waitFor(
      async () => {
        const head = (await net.rpcNode.heights()).head;
        for (let h = seen + 1; h <= head; h++) {
          const b = await net.rpcNode.rpc<{ miner: string }>("eth_getBlockByNumber", [
            `0x${h.toString(16)}`,
            false,
          ]);
          producers.add(b.miner.toLowerCase());
        }
        seen = head;
        return producers.size === 4;
      },
      30_000,
      "a block from each of the 4 delegates",
    );
    expect(producers.size).toBe(4);
  }, 40_000);

  it("finality follows the head closely (within two blocks)", async () => {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await net.rpcNode.heights();
      samples.push(s.head - s.finalized);
      await new Promise((r) => setTimeout(r, 700));
    }
    expect(Math.min(...samples)).toBeLessThanOrEqual(2);
    await waitFor(async () => (await net.checkAgreement()).finalized > 0, 5000, "agreement");
  });
});
