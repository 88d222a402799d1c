import { HDNodeWallet, Wallet } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { DEV_MNEMONIC } from "../../src/keys/index.ts";
import { NodeProcess, waitFor } from "./helpers/node-process.ts";

const CHAIN_ID = 1919n;
const SENDERS = 4;
const TXS_PER_SENDER = 250;
/** Pause between one sender's submissions, so the load spans every kill. */
const PACE_MS = 25;
const KILLS = 5;

/** Pre-signed transfers: resending the same bytes after a crash is idempotent. */
async function presign(): Promise<string[][]> {
  const out: string[][] = [];
  for (let s = 0; s < SENDERS; s++) {
    const w = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${10 + s}`);
    const to = Wallet.createRandom().address;
    const list: string[] = [];
    for (let n = 0; n < TXS_PER_SENDER; n++) {
      list.push(
        await w.signTransaction({
          type: 2,
          chainId: CHAIN_ID,
          nonce: n,
          to,
          value: 1000n + BigInt(n),
          gasLimit: 21000n,
          maxFeePerGas: 10n ** 10n,
          maxPriorityFeePerGas: 1n,
        }),
      );
    }
    out.push(list);
  }
  return out;
}

describe("kill -9 under load", () => {
  const node = NodeProcess.create();

  afterAll(async () => {
    await node.stop();
  });

  it("restarts on its own with a consistent ledger and loses no acknowledged transaction", async () => {
    const raws = await presign();
    await node.start();
    const acked = new Set<string>();
    let running = true;
    // Each sender submits its transactions in nonce order; a failed call (node down) is retried.
    const senders = raws.map(async (list) => {
      let i = 0;
      while (running && i < list.length) {
        try {
          const hash = await node.rpc<string>("eth_sendRawTransaction", [list[i]]);
          acked.add(hash);
          i++;
          await new Promise((r) => setTimeout(r, PACE_MS));
        } catch (err) {
          const msg = String((err as Error).message);
          // Accepted before the crash but the answer was lost: the same bytes are known or mined.
          if (/already known|nonce too low/.test(msg)) i++;
          else await new Promise((r) => setTimeout(r, 50));
        }
      }
    });
    const heights: number[] = [];
    const ackedAtKill: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 600 + Math.floor(Math.random() * 900)));
      ackedAtKill.push(acked.size);
      await node.kill9();
      await node.start();
      heights.push(Number(await node.rpc<string>("eth_blockNumber")));
    }
    await Promise.all(senders);
    running = false;
    expect(acked.size).toBeGreaterThan(SENDERS * 20);
    // The kills really happened under load: acknowledgements kept arriving between them.
    for (let k = 1; k < KILLS; k++) expect(ackedAtKill[k]!).toBeGreaterThan(ackedAtKill[k - 1]!);
    expect(ackedAtKill[KILLS - 1]!).toBeLessThan(SENDERS * TXS_PER_SENDER);
    // Every acknowledged transaction ends up in a block.
    for (const hash of acked) {
      const r = await waitFor(
        () => node.rpc<{ status: string } | null>("eth_getTransactionReceipt", [hash]),
        20_000,
        `receipt of ${hash}`,
      );
      expect(r.status).toBe("0x1");
    }
    // The chain kept growing across restarts and every block links to its parent.
    for (let i = 1; i < heights.length; i++) expect(heights[i]!).toBeGreaterThanOrEqual(heights[i - 1]!);
    const head = Number(await node.rpc<string>("eth_blockNumber"));
    let parent = (await node.rpc<{ hash: string }>("eth_getBlockByNumber", ["0x0", false])).hash;
    for (let h = 1; h <= head; h++) {
      const b = await node.rpc<{ hash: string; parentHash: string }>("eth_getBlockByNumber", [
        `0x${h.toString(16)}`,
        false,
      ]);
      expect(b.parentHash).toBe(parent);
      parent = b.hash;
    }
    // Each sender's nonce equals the number of its transactions included.
    for (let s = 0; s < SENDERS; s++) {
      const w = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${10 + s}`);
      expect(Number(await node.rpc<string>("eth_getTransactionCount", [w.address, "latest"]))).toBe(
        TXS_PER_SENDER,
      );
    }
  }, 180_000);
});
