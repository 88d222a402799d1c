import { HDNodeWallet, JsonRpcProvider, parseEther, Transaction, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_MNEMONIC } from "../../src/keys/index.ts";
import { NodeProcess, waitFor } from "./helpers/node-process.ts";

const CHAIN_ID = 1919n;

function devWallet(i: number, provider: JsonRpcProvider): HDNodeWallet {
  return HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
}

describe("ethers 6 against a real single-delegate node", () => {
  let node: NodeProcess;
  let provider: JsonRpcProvider;

  beforeAll(async () => {
    node = NodeProcess.create();
    await node.start();
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, pollingInterval: 200 });
  });

  afterAll(async () => {
    provider?.destroy();
    expect(await node?.stop()).toBe(0);
  });

  it("reports the chain and produces blocks", async () => {
    expect((await provider.getNetwork()).chainId).toBe(CHAIN_ID);
    const a = await provider.getBlockNumber();
    await waitFor(async () => (await provider.getBlockNumber()) > a, 5000, "a new block");
    const block = await provider.getBlock("latest");
    expect(block?.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(block?.baseFeePerGas).toBeGreaterThan(0n);
  });

  it("sends LVO with sendTransaction and wait(); balances move by exactly value plus fee", async () => {
    const sender = devWallet(1, provider);
    const to = Wallet.createRandom().address;
    const before = await provider.getBalance(sender.address);
    const value = parseEther("1.5");
    const tx = await sender.sendTransaction({ to, value });
    const receipt = await tx.wait();
    expect(receipt?.status).toBe(1);
    const fee = receipt!.gasUsed * receipt!.gasPrice;
    expect(receipt!.gasUsed).toBe(21000n);
    expect(await provider.getBalance(to)).toBe(value);
    expect(await provider.getBalance(sender.address)).toBe(before - value - fee);
    const got = await provider.getTransaction(tx.hash);
    expect(got?.from).toBe(sender.address);
    expect(got?.blockNumber).toBe(receipt!.blockNumber);
  });

  it("DPoS events reach receipts and eth_getLogs", async () => {
    const w = devWallet(6, provider);
    const data = `0x${Buffer.from(JSON.stringify({ method: "stake", args: [] })).toString("hex")}`;
    const tx = await w.sendTransaction({
      to: "0x0000000000000000000000000000000000000100",
      value: parseEther("10"),
      data,
    });
    const r = await tx.wait();
    expect(r?.status).toBe(1);
    expect(r!.logs.length).toBeGreaterThan(0);
    const logs = await provider.getLogs({
      fromBlock: r!.blockNumber,
      toBlock: r!.blockNumber,
      address: "0x0000000000000000000000000000000000000100",
    });
    expect(logs.map((l) => l.transactionHash)).toContain(tx.hash);
    expect(logs[0]!.topics[0]).toBe(r!.logs[0]!.topics[0]);
    // A topic that matches nothing.
    expect(
      await provider.getLogs({
        fromBlock: r!.blockNumber,
        toBlock: r!.blockNumber,
        topics: [`0x${"00".repeat(32)}`],
      }),
    ).toEqual([]);
  });

  it("the finalized and safe tags follow finality", async () => {
    const sender = devWallet(2, provider);
    const tx = await sender.sendTransaction({ to: Wallet.createRandom().address, value: 1n });
    const receipt = await tx.wait();
    const fin = await waitFor(
      async () => {
        const b = await provider.getBlock("finalized");
        return b && b.number >= receipt!.blockNumber ? b : null;
      },
      5000,
      "finality",
    );
    expect(fin.number).toBeGreaterThanOrEqual(receipt!.blockNumber);
    const safe = await provider.getBlock("safe");
    expect(safe!.number).toBeGreaterThanOrEqual(receipt!.blockNumber);
    const status = await node.rpc<{ finalized: { height: string } }>("lvo_getChainStatus");
    expect(Number(status.finalized.height)).toBeGreaterThanOrEqual(receipt!.blockNumber);
  });

  describe("rejections reach ethers as clear errors", () => {
    async function sendRaw(raw: string): Promise<string> {
      try {
        await provider.send("eth_sendRawTransaction", [raw]);
        return "accepted";
      } catch (err) {
        return String((err as Error).message);
      }
    }

    async function signed(fields: Record<string, unknown>, i = 3): Promise<string> {
      const w = devWallet(i, provider);
      const nonce = await provider.getTransactionCount(w.address, "pending");
      return w.signTransaction({
        type: 2,
        chainId: CHAIN_ID,
        nonce,
        to: Wallet.createRandom().address,
        value: 1n,
        gasLimit: 21000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
        ...fields,
      } as never);
    }

    it("wrong chain id", async () => {
      expect(await sendRaw(await signed({ chainId: 1n }))).toMatch(/chain id/i);
    });

    it("nonce too low", async () => {
      const w = devWallet(4, provider);
      const tx = await w.sendTransaction({ to: Wallet.createRandom().address, value: 1n });
      await tx.wait();
      expect(await sendRaw(await signed({ nonce: 0 }, 4))).toMatch(/nonce too low/);
      await expect(w.sendTransaction({ to: w.address, value: 1n, nonce: 0 })).rejects.toThrow(/nonce/i);
    });

    it("nonce too far ahead", async () => {
      expect(await sendRaw(await signed({ nonce: 100_000 }))).toMatch(/nonce too high/);
    });

    it("insufficient funds", async () => {
      const poor = Wallet.createRandom().connect(provider);
      const raw = await poor.signTransaction({
        type: 2,
        chainId: CHAIN_ID,
        nonce: 0,
        to: poor.address,
        value: 1n,
        gasLimit: 21000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
      });
      expect(await sendRaw(raw)).toMatch(/insufficient funds/);
      await expect(poor.sendTransaction({ to: poor.address, value: 1n, gasLimit: 21000n })).rejects.toThrow(
        /insufficient funds/i,
      );
    });

    it("gas limit below intrinsic gas and above the block limit", async () => {
      expect(await sendRaw(await signed({ gasLimit: 20_000n }))).toMatch(/intrinsic gas too low/);
      expect(await sendRaw(await signed({ gasLimit: 10n ** 12n }))).toMatch(/exceeds block gas limit/);
    });

    it("malformed RLP, unsupported type, oversized data, bad signature", async () => {
      expect(await sendRaw("0x02c0ffee")).toMatch(/rlp|decode|malformed/i);
      const w = devWallet(3, provider);
      const type1 = await w.signTransaction({
        type: 1,
        chainId: CHAIN_ID,
        nonce: 0,
        to: w.address,
        gasLimit: 21000n,
        gasPrice: 10n ** 10n,
        accessList: [],
      });
      expect(await sendRaw(type1)).toMatch(/transaction type not supported/);
      const big = await signed({ data: `0x${"11".repeat(200_000)}`, gasLimit: 5_000_000n });
      expect(await sendRaw(big)).toMatch(/oversized|too large/i);
      // s is the last field (0xa0 + 32 bytes): set it above the curve order.
      const good = await signed({});
      expect(Transaction.from(good).from).toBe(w.address);
      const tampered = `${good.slice(0, -64)}${"ff".repeat(32)}`;
      expect(await sendRaw(tampered)).toMatch(/invalid sender|signature/i);
    });
  });
});
