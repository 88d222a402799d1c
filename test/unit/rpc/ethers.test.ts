// ethers 6 as a real client: it is strict about field formats, error phrases and the hash that
// eth_sendRawTransaction returns, so it checks our JSON shapes from the outside.
import { JsonRpcProvider, keccak256, Network, Transaction, Wallet } from "ethers";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { fromHex, toHex } from "../../../src/util/bytes.ts";
import { LvoError } from "../../../src/util/errors.ts";
import {
  BASE_FEE,
  CHAIN_ID,
  DEV_KEY,
  DPOS,
  DPOS_CALL_GAS,
  type Harness,
  RECIPIENT,
  SENDER,
  startHarness,
  TIP,
  txFromSerialized,
} from "./stub.ts";

let h: Harness;
let provider: JsonRpcProvider;
beforeAll(async () => {
  h = await startHarness();
  provider = new JsonRpcProvider(h.url, Network.from(CHAIN_ID), { staticNetwork: true, batchMaxCount: 10 });
});
afterAll(async () => {
  provider.destroy();
  await h.close();
});
afterEach(() => vi.restoreAllMocks());

describe("ethers JsonRpcProvider", () => {
  it("estimates DPoS calls and reports a failing one as CALL_EXCEPTION with the handler's reason", async () => {
    const data = (method: string) => toHex(new TextEncoder().encode(JSON.stringify({ method, args: [] })));
    expect(await provider.estimateGas({ from: SENDER, to: DPOS, data: data("unjail") })).toBe(DPOS_CALL_GAS);
    const err = await provider.estimateGas({ from: SENDER, to: DPOS, data: data("bad") }).catch((e) => e);
    expect(err.code).toBe("CALL_EXCEPTION");
    expect(err.reason).toBe('unknown DPoS method "bad"');
    const viaCall = await provider.call({ from: SENDER, to: DPOS, data: data("bad") }).catch((e) => e);
    expect(viaCall.code).toBe("CALL_EXCEPTION");
    expect(viaCall.reason).toBe('unknown DPoS method "bad"');
  });

  it("reads chainId, block number and balance", async () => {
    expect((await provider.getNetwork()).chainId).toBe(BigInt(CHAIN_ID));
    expect(await provider.send("eth_chainId", [])).toBe(`0x${CHAIN_ID.toString(16)}`);
    expect(await provider.getBlockNumber()).toBe(3);
    expect(await provider.getBalance(SENDER)).toBe(100n * 10n ** 18n);
    expect(await provider.getTransactionCount(SENDER, "pending")).toBe(3);
  });

  it("parses blocks, with hashes and with full transactions", async () => {
    const latest = await provider.getBlock("latest");
    expect(latest!.number).toBe(3);
    expect(latest!.timestamp).toBe(Math.floor(h.stub.blocks[3]!.header.timestamp / 1000));
    expect(latest!.baseFeePerGas).toBe(BASE_FEE);
    const b1 = await provider.getBlock(1, true);
    expect(b1!.hash).toBe(toHex(h.stub.blocks[1]!.hash));
    expect(b1!.transactions).toEqual([toHex(h.stub.included[0]!.hash)]);
    expect(b1!.prefetchedTransactions[0]!.from.toLowerCase()).toBe(SENDER);
    expect(await provider.getBlock(99)).toBeNull();
    const finalized = await provider.getBlock("finalized");
    expect(finalized!.number).toBe(1);
  });

  it("parses transactions of both types; the signature round-trips to the same hash", async () => {
    for (const tx of h.stub.included) {
      const got = await provider.getTransaction(toHex(tx.hash));
      expect(got!.hash).toBe(toHex(tx.hash));
      expect(got!.from.toLowerCase()).toBe(SENDER);
      expect(got!.to!.toLowerCase()).toBe(RECIPIENT);
      expect(got!.value).toBe(tx.value);
      expect(got!.type).toBe(tx.type);
      // ethers rebuilds the signed envelope from our JSON: every signed field must be exact.
      expect(Transaction.from(got!).hash).toBe(toHex(tx.hash));
    }
    const pending = await provider.getTransaction(toHex(h.stub.pendingTx.hash));
    expect(pending!.blockNumber).toBeNull();
  });

  it("parses receipts", async () => {
    const tx = h.stub.included[1]!;
    const r = await provider.getTransactionReceipt(toHex(tx.hash));
    expect(r!.status).toBe(1);
    expect(r!.blockNumber).toBe(2);
    expect(r!.gasUsed).toBe(21500n);
    expect(r!.gasPrice).toBe(5n * BASE_FEE);
    expect(r!.logs).toHaveLength(1);
    expect(r!.logs[0]!.index).toBe(0);
    expect(await provider.getTransactionReceipt(toHex(h.stub.pendingTx.hash))).toBeNull();
  });

  it("reads fee data, code, logs and fee history", async () => {
    const fees = await provider.getFeeData();
    expect(fees.gasPrice).toBe(BASE_FEE + TIP);
    expect(fees.maxPriorityFeePerGas).toBe(TIP);
    expect(fees.maxFeePerGas).toBe(2n * BASE_FEE + TIP);
    expect(await provider.getCode(RECIPIENT)).toBe("0x");
    // The stub's block 2 receipt carries one log: ethers parses what eth_getLogs returns.
    const logs = await provider.getLogs({ fromBlock: 0, toBlock: "latest" });
    expect(logs).toHaveLength(1);
    expect(logs[0]!.blockNumber).toBe(2);
    expect(logs[0]!.data).toBe("0x0102");
    expect(
      await provider.getLogs({ fromBlock: 0, toBlock: "latest", topics: [`0x${"00".repeat(32)}`] }),
    ).toEqual([]);
    expect(await provider.estimateGas({ from: SENDER, to: RECIPIENT, value: 1n })).toBe(21000n);
    expect(await provider.call({ to: RECIPIENT, data: "0x" })).toBe("0x");
  });

  it("Wallet.sendTransaction goes through and tx.wait() sees the receipt", async () => {
    const wallet = new Wallet(DEV_KEY, provider);
    const real = h.stub.submitRawTransaction;
    // Include the transaction in block 3 as soon as it is submitted.
    vi.spyOn(h.stub, "submitRawTransaction").mockImplementation(async (raw) => {
      const hash = await real(raw);
      const tx = txFromSerialized(toHex(raw));
      h.stub.receipts.set(toHex(hash), {
        receipt: {
          txHash: hash,
          status: 1,
          gasUsed: 21000n,
          cumulativeGasUsed: 21000n,
          effectiveGasPrice: BASE_FEE + TIP,
          logs: [],
        },
        tx,
        blockHash: h.stub.blocks[3]!.hash,
        height: 3,
        index: 0,
        firstLogIndex: 0,
      });
      return hash;
    });
    const sent = await wallet.sendTransaction({ to: RECIPIENT, value: 12345n });
    expect(sent.nonce).toBe(3);
    expect(sent.chainId).toBe(BigInt(CHAIN_ID));
    const receipt = await sent.wait(1, 10_000);
    expect(receipt!.status).toBe(1);
    expect(receipt!.hash).toBe(sent.hash);
    h.stub.receipts.delete(sent.hash);
  });

  it("ethers classifies mempool rejections from our messages", async () => {
    const wallet = new Wallet(DEV_KEY, provider);
    const cases: Array<[string, string]> = [
      ["MEMPOOL_NONCE_TOO_LOW", "NONCE_EXPIRED"],
      ["MEMPOOL_INSUFFICIENT_FUNDS", "INSUFFICIENT_FUNDS"],
      ["MEMPOOL_UNDERPRICED", "REPLACEMENT_UNDERPRICED"],
      ["TX_UNPROTECTED", "UNSUPPORTED_OPERATION"],
    ];
    for (const [code, ethersCode] of cases) {
      vi.spyOn(h.stub, "submitRawTransaction").mockRejectedValueOnce(new LvoError(code, "detail"));
      await expect(wallet.sendTransaction({ to: RECIPIENT, value: 1n })).rejects.toMatchObject({
        code: ethersCode,
      });
    }
  });

  it("ethers sees an unknown method as unsupported", async () => {
    await expect(provider.send("eth_newFilter", [{}])).rejects.toMatchObject({
      code: "UNSUPPORTED_OPERATION",
    });
  });

  it("a returned hash that is keccak of the sent bytes is what ethers insists on", async () => {
    const raw = h.stub.pendingTx.raw;
    const hash = await provider.send("eth_sendRawTransaction", [toHex(raw)]);
    expect(fromHex(hash)).toEqual(fromHex(keccak256(raw)));
  });
});
