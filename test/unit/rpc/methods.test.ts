// Every method's happy path and its invalid-params case, over real HTTP against the stub.

import { AbiCoder } from "ethers";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { toChecksumAddress } from "../../../src/crypto/address.ts";
import { keccak256 } from "../../../src/crypto/hash.ts";
import { toHex } from "../../../src/util/bytes.ts";
import {
  BASE_FEE,
  CHAIN_ID,
  DPOS,
  DPOS_CALL_GAS,
  type Harness,
  LVO,
  PRODUCER,
  RECIPIENT,
  SENDER,
  startHarness,
  TIP,
} from "./stub.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
afterEach(() => vi.restoreAllMocks());

const q = (n: bigint | number) => `0x${n.toString(16)}`;

async function expectError(method: string, params: unknown[], code: number, match?: RegExp) {
  const res = await h.call(method, params);
  expect(res.result).toBeUndefined();
  expect(res.error.code).toBe(code);
  if (match) expect(res.error.message).toMatch(match);
  return res.error;
}

describe("chain identity", () => {
  it("eth_chainId, net_version, net_listening, net_peerCount, web3_clientVersion", async () => {
    expect(await h.result("eth_chainId")).toBe(q(CHAIN_ID));
    expect(await h.result("net_version")).toBe(String(CHAIN_ID));
    expect(await h.result("net_listening")).toBe(true);
    expect(await h.result("net_peerCount")).toBe("0x3");
    expect(await h.result("web3_clientVersion")).toBe("lvo/0.1.0-test");
  });
  it("rejects arguments to parameterless methods", async () => {
    await expectError("eth_chainId", [1], -32602, /too many arguments/);
    await expectError("net_version", ["x"], -32602);
  });
  it("web3_sha3 is keccak-256", async () => {
    expect(await h.result("web3_sha3", ["0x68656c6c6f"])).toBe(
      "0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8",
    );
    await expectError("web3_sha3", ["0x123"], -32602, /argument 0 \(data\)/);
    await expectError("web3_sha3", [], -32602, /missing value/);
  });
  it("eth_blockNumber, eth_accounts, eth_syncing", async () => {
    expect(await h.result("eth_blockNumber")).toBe("0x3");
    expect(await h.result("eth_accounts")).toEqual([]);
    expect(await h.result("eth_syncing")).toBe(false);
    vi.spyOn(h.stub, "syncing").mockReturnValue({ startingBlock: 0, currentBlock: 3, highestBlock: 10 });
    expect(await h.result("eth_syncing")).toEqual({
      startingBlock: "0x0",
      currentBlock: "0x3",
      highestBlock: "0xa",
    });
  });
});

describe("account state", () => {
  it("eth_getBalance at latest, by number, by EIP-1898 hash, with a checksummed address", async () => {
    const bal = q(100n * 10n ** 18n);
    expect(await h.result("eth_getBalance", [SENDER, "latest"])).toBe(bal);
    expect(await h.result("eth_getBalance", [toChecksumAddress(SENDER), "0x2"])).toBe(bal);
    expect(await h.result("eth_getBalance", [SENDER, { blockHash: toHex(h.stub.blocks[2]!.hash) }])).toBe(
      bal,
    );
    expect(await h.result("eth_getBalance", [SENDER, { blockNumber: "safe" }])).toBe(bal);
    expect(await h.result("eth_getBalance", [RECIPIENT, "finalized"])).toBe("0x0");
  });
  it("eth_getBalance rejects bad addresses and block tags, naming the parameter", async () => {
    await expectError("eth_getBalance", ["0x1234", "latest"], -32602, /argument 0 \(address\)/);
    await expectError(
      "eth_getBalance",
      [SENDER.slice(0, 41) + "G", "latest"],
      -32602,
      /argument 0 \(address\)/,
    );
    await expectError("eth_getBalance", [SENDER], -32602, /argument 1 \(block\): missing/);
    await expectError("eth_getBalance", [SENDER, "0x01"], -32602, /argument 1 \(block\)/);
    await expectError("eth_getBalance", [SENDER, "newest"], -32602, /argument 1 \(block\)/);
    await expectError(
      "eth_getBalance",
      [SENDER, { blockNumber: "0x1", blockHash: toHex(h.stub.blocks[1]!.hash) }],
      -32602,
    );
  });
  it("a mixed-case address with a wrong checksum is invalid", async () => {
    const good = toChecksumAddress(SENDER);
    // Flip the case of the first letter in the address body.
    const i = [...good].findIndex((c, k) => k > 1 && /[a-fA-F]/.test(c));
    const c = good[i]!;
    const bad =
      good.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + good.slice(i + 1);
    await expectError("eth_getBalance", [bad, "latest"], -32602, /checksum/);
  });
  it("state reads beyond the head, at unknown hashes, or at pruned heights fail", async () => {
    await expectError("eth_getBalance", [SENDER, "0x10"], -32001, /header not found/);
    await expectError("eth_getBalance", [SENDER, { blockHash: `0x${"ab".repeat(32)}` }], -32001);
    await expectError(
      "eth_getBalance",
      [SENDER, "earliest"],
      -32000,
      /^missing trie node: state at height 0/,
    );
  });
  it("eth_getTransactionCount: latest from state, pending from the mempool", async () => {
    expect(await h.result("eth_getTransactionCount", [SENDER, "latest"])).toBe("0x2");
    expect(await h.result("eth_getTransactionCount", [SENDER, "pending"])).toBe("0x3");
    expect(await h.result("eth_getTransactionCount", [SENDER, { blockNumber: "pending" }])).toBe("0x3");
    await expectError("eth_getTransactionCount", [SENDER, 3], -32602, /argument 1 \(block\)/);
  });
  it("eth_getCode and eth_getStorageAt read empty", async () => {
    expect(await h.result("eth_getCode", [RECIPIENT, "latest"])).toBe("0x");
    expect(await h.result("eth_getStorageAt", [RECIPIENT, "0x0", "latest"])).toBe(`0x${"0".repeat(64)}`);
    expect(await h.result("eth_getStorageAt", [RECIPIENT, `0x${"00".repeat(31)}01`, "latest"])).toBe(
      `0x${"0".repeat(64)}`,
    );
    await expectError("eth_getCode", [RECIPIENT, "0x99"], -32001);
    await expectError(
      "eth_getStorageAt",
      [RECIPIENT, `0x${"00".repeat(33)}`, "latest"],
      -32602,
      /argument 1 \(slot\)/,
    );
  });
});

describe("fees", () => {
  it("eth_gasPrice is base fee + tip; eth_maxPriorityFeePerGas the tip", async () => {
    expect(await h.result("eth_gasPrice")).toBe(q(BASE_FEE + TIP));
    expect(await h.result("eth_maxPriorityFeePerGas")).toBe(q(TIP));
  });
  it("eth_feeHistory with reward percentiles", async () => {
    const r = await h.result("eth_feeHistory", ["0x4", "latest", [25, 75]]);
    expect(r.oldestBlock).toBe("0x0");
    expect(r.baseFeePerGas).toEqual(Array(5).fill(q(BASE_FEE)));
    expect(r.gasUsedRatio).toEqual([0, 21000 / 30e6, 30000 / 30e6, 0]);
    // Block 1: type 2 tip (2 gwei); block 2: legacy gasPrice 5 gwei minus the base fee.
    expect(r.reward).toEqual([
      ["0x0", "0x0"],
      [q(TIP), q(TIP)],
      [q(4n * BASE_FEE), q(4n * BASE_FEE)],
      ["0x0", "0x0"],
    ]);
  });
  it("eth_feeHistory accepts decimal counts, clamps to available blocks, omits reward without percentiles", async () => {
    const r = await h.result("eth_feeHistory", [2000, "0x2"]);
    expect(r.oldestBlock).toBe("0x0");
    expect(r.baseFeePerGas).toHaveLength(4);
    expect(r.gasUsedRatio).toHaveLength(3);
    expect(r.reward).toBeUndefined();
    const one = await h.result("eth_feeHistory", ["1", "latest", []]);
    expect(one.oldestBlock).toBe("0x3");
    const none = await h.result("eth_feeHistory", ["0x0", "latest"]);
    expect(none).toEqual({ oldestBlock: "0x0", baseFeePerGas: [], gasUsedRatio: [] });
  });
  it("eth_feeHistory rejects bad counts, percentiles and newest blocks", async () => {
    await expectError("eth_feeHistory", [-1, "latest"], -32602, /argument 0 \(blockCount\)/);
    await expectError(
      "eth_feeHistory",
      ["0x4", "latest", [50, 25]],
      -32602,
      /argument 2 \(rewardPercentiles\)/,
    );
    await expectError("eth_feeHistory", ["0x4", "latest", [101]], -32602);
    await expectError("eth_feeHistory", ["0x4", { blockHash: toHex(h.stub.blocks[1]!.hash) }], -32602);
    await expectError("eth_feeHistory", ["0x4", "0x20"], -32001, /beyond head/);
  });
});

describe("calls", () => {
  it("eth_estimateGas asks the backend", async () => {
    expect(await h.result("eth_estimateGas", [{ from: SENDER, to: RECIPIENT, value: "0x1" }])).toBe("0x5208");
    expect(await h.result("eth_estimateGas", [{ to: RECIPIENT, input: "0x7b7d" }, "latest"])).toBe(q(21032));
  });
  it("eth_estimateGas rejects malformed call objects", async () => {
    await expectError("eth_estimateGas", [{ to: "0x12" }], -32602, /argument 0 \(transaction\): to:/);
    await expectError("eth_estimateGas", [{ to: RECIPIENT, gasPrice: "0x1", maxFeePerGas: "0x1" }], -32602);
    await expectError("eth_estimateGas", [{ to: RECIPIENT, data: "0x01", input: "0x02" }], -32602);
    await expectError("eth_estimateGas", [{ to: RECIPIENT, chainId: "0x1" }], -32602, /chainId/);
    await expectError("eth_estimateGas", ["0x"], -32602);
    await expectError("eth_estimateGas", [], -32602);
  });
  it("eth_call returns empty data and validates through estimateGas", async () => {
    const spy = vi.spyOn(h.stub, "estimateGas");
    expect(await h.result("eth_call", [{ to: RECIPIENT, data: "0x" }, "latest"])).toBe("0x");
    expect(spy).toHaveBeenCalledOnce();
    await expectError("eth_call", [{ to: RECIPIENT }, "0x50"], -32001);
    await expectError("eth_call", [{ to: RECIPIENT, value: "0x0001" }, "latest"], -32602, /value/);
  });
  it("eth_getLogs validates the filter; filters that match nothing return []", async () => {
    const topic = toHex(keccak256(new Uint8Array([1])));
    expect(
      await h.result("eth_getLogs", [
        { fromBlock: "0x0", toBlock: "latest", address: [RECIPIENT], topics: [topic, null, [topic, topic]] },
      ]),
    ).toEqual([]);
    expect(await h.result("eth_getLogs", [{ blockHash: toHex(h.stub.blocks[1]!.hash) }])).toEqual([]);
    await expectError(
      "eth_getLogs",
      [{ fromBlock: "0x1", blockHash: toHex(h.stub.blocks[1]!.hash) }],
      -32602,
    );
    await expectError("eth_getLogs", [{ fromBlock: "0x3", toBlock: "0x1" }], -32602, /range/);
    await expectError("eth_getLogs", [{ topics: [null, null, null, null, null] }], -32602);
    await expectError("eth_getLogs", [{ address: "nope" }], -32602, /address/);
  });
});

describe("blocks", () => {
  it("eth_getBlockByNumber maps tags to heights", async () => {
    const num = async (tag: string) => (await h.result("eth_getBlockByNumber", [tag, false])).number;
    expect(await num("latest")).toBe("0x3");
    expect(await num("pending")).toBe("0x3");
    expect(await num("safe")).toBe("0x2");
    expect(await num("finalized")).toBe("0x1");
    expect(await num("earliest")).toBe("0x0");
    expect(await num("0x2")).toBe("0x2");
    expect(await h.result("eth_getBlockByNumber", ["0x9", false])).toBeNull();
  });
  it("eth_getBlockByNumber formats every Ethereum block field", async () => {
    const b = await h.result("eth_getBlockByNumber", ["0x1", false]);
    const blk = h.stub.blocks[1]!;
    expect(b).toMatchObject({
      number: "0x1",
      hash: toHex(blk.hash),
      parentHash: toHex(h.stub.blocks[0]!.hash),
      nonce: "0x0000000000000000",
      sha3Uncles: "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
      logsBloom: `0x${"00".repeat(256)}`,
      transactionsRoot: toHex(blk.header.txRoot),
      stateRoot: toHex(blk.header.stateRoot),
      receiptsRoot: toHex(blk.header.receiptRoot),
      miner: PRODUCER,
      difficulty: "0x0",
      totalDifficulty: "0x0",
      extraData: "0x",
      gasLimit: q(30_000_000),
      gasUsed: q(21000),
      timestamp: q(1_700_000_002), // 1_700_000_002_500 ms floored to seconds
      transactions: [toHex(blk.txs[0]!.hash)],
      uncles: [],
      baseFeePerGas: q(BASE_FEE),
      mixHash: `0x${"00".repeat(32)}`,
    });
    expect(b.size).toMatch(/^0x[1-9a-f][0-9a-f]*$/);
  });
  it("eth_getBlockByNumber with full transactions", async () => {
    const b = await h.result("eth_getBlockByNumber", ["0x1", true]);
    expect(b.transactions[0]).toMatchObject({
      hash: toHex(h.stub.included[0]!.hash),
      blockNumber: "0x1",
      transactionIndex: "0x0",
    });
  });
  it("eth_getBlockByNumber rejects bad params", async () => {
    await expectError("eth_getBlockByNumber", ["latest"], -32602, /argument 1 \(fullTransactions\)/);
    await expectError("eth_getBlockByNumber", ["latest", "true"], -32602, /boolean/);
    await expectError("eth_getBlockByNumber", ["0x", false], -32602, /argument 0 \(block\)/);
    await expectError("eth_getBlockByNumber", [{ blockNumber: "0x1" }, false], -32602);
  });
  it("eth_getBlockByHash", async () => {
    const hash = toHex(h.stub.blocks[2]!.hash);
    expect((await h.result("eth_getBlockByHash", [hash, false])).number).toBe("0x2");
    expect(await h.result("eth_getBlockByHash", [`0x${"11".repeat(32)}`, false])).toBeNull();
    await expectError("eth_getBlockByHash", ["0x1234", false], -32602, /argument 0 \(blockHash\)/);
  });
  it("eth_getBlockTransactionCountByNumber / ByHash", async () => {
    expect(await h.result("eth_getBlockTransactionCountByNumber", ["0x1"])).toBe("0x1");
    expect(await h.result("eth_getBlockTransactionCountByNumber", ["0x3"])).toBe("0x0");
    expect(await h.result("eth_getBlockTransactionCountByNumber", ["0x7"])).toBeNull();
    expect(await h.result("eth_getBlockTransactionCountByHash", [toHex(h.stub.blocks[2]!.hash)])).toBe("0x1");
    expect(await h.result("eth_getBlockTransactionCountByHash", [`0x${"11".repeat(32)}`])).toBeNull();
    await expectError("eth_getBlockTransactionCountByNumber", ["one"], -32602);
    await expectError("eth_getBlockTransactionCountByHash", [12], -32602);
  });
});

describe("transactions", () => {
  it("eth_sendRawTransaction returns keccak-256 of the sent bytes", async () => {
    const raw = toHex(h.stub.pendingTx.raw);
    expect(await h.result("eth_sendRawTransaction", [raw])).toBe(toHex(keccak256(h.stub.pendingTx.raw)));
    await expectError("eth_sendRawTransaction", ["0xzz"], -32602, /argument 0 \(signedTransaction\)/);
    await expectError("eth_sendRawTransaction", [], -32602);
  });
  it("eth_getTransactionByHash: included type 2 with effective gas price", async () => {
    const tx = h.stub.included[0]!;
    const r = await h.result("eth_getTransactionByHash", [toHex(tx.hash)]);
    expect(r).toMatchObject({
      hash: toHex(tx.hash),
      type: "0x2",
      chainId: q(CHAIN_ID),
      nonce: "0x0",
      gas: q(21000),
      gasPrice: q(BASE_FEE + TIP),
      maxFeePerGas: q(10n * BASE_FEE),
      maxPriorityFeePerGas: q(TIP),
      to: RECIPIENT,
      from: SENDER,
      value: q(10n ** 18n),
      input: "0x",
      blockHash: toHex(h.stub.blocks[1]!.hash),
      blockNumber: "0x1",
      transactionIndex: "0x0",
    });
    expect(r.accessList).toHaveLength(1);
    expect(r.yParity).toBe(r.v);
  });
  it("eth_getTransactionByHash: legacy and pending", async () => {
    const legacy = await h.result("eth_getTransactionByHash", [toHex(h.stub.included[1]!.hash)]);
    expect(legacy.type).toBe("0x0");
    expect(legacy.gasPrice).toBe(q(5n * BASE_FEE));
    expect(legacy.maxFeePerGas).toBeUndefined();
    expect(BigInt(legacy.v)).toBeGreaterThanOrEqual(BigInt(CHAIN_ID * 2 + 35));
    const pending = await h.result("eth_getTransactionByHash", [toHex(h.stub.pendingTx.hash)]);
    expect(pending).toMatchObject({
      blockHash: null,
      blockNumber: null,
      transactionIndex: null,
      gasPrice: q(3n * BASE_FEE),
    });
    expect(await h.result("eth_getTransactionByHash", [`0x${"22".repeat(32)}`])).toBeNull();
    await expectError("eth_getTransactionByHash", ["0x22"], -32602, /argument 0 \(transactionHash\)/);
  });
  it("eth_getTransactionReceipt", async () => {
    const tx = h.stub.included[1]!;
    const r = await h.result("eth_getTransactionReceipt", [toHex(tx.hash)]);
    expect(r).toMatchObject({
      transactionHash: toHex(tx.hash),
      transactionIndex: "0x0",
      blockHash: toHex(h.stub.blocks[2]!.hash),
      blockNumber: "0x2",
      from: SENDER,
      to: RECIPIENT,
      cumulativeGasUsed: q(21500),
      gasUsed: q(21500),
      effectiveGasPrice: q(5n * BASE_FEE),
      contractAddress: null,
      status: "0x1",
      type: "0x0",
    });
    expect(r.logs).toEqual([
      {
        address: RECIPIENT,
        topics: [toHex(keccak256(new TextEncoder().encode("Transfer")))],
        data: "0x0102",
        blockNumber: "0x2",
        blockHash: toHex(h.stub.blocks[2]!.hash),
        transactionHash: toHex(tx.hash),
        transactionIndex: "0x0",
        logIndex: "0x0",
        removed: false,
      },
    ]);
    expect(r.logsBloom).not.toBe(`0x${"00".repeat(256)}`);
    expect(await h.result("eth_getTransactionReceipt", [toHex(h.stub.pendingTx.hash)])).toBeNull();
    await expectError("eth_getTransactionReceipt", [null], -32602);
  });
});

describe("lvo_ namespace", () => {
  it("lvo_getAccount", async () => {
    expect(await h.result("lvo_getAccount", [toChecksumAddress(SENDER)])).toEqual({
      address: SENDER,
      nonce: "0x2",
      balance: q(100n * 10n ** 18n),
    });
    expect((await h.result("lvo_getAccount", [RECIPIENT, "0x1"])).balance).toBe("0x0");
    await expectError("lvo_getAccount", ["alice"], -32602, /argument 0 \(address\)/);
  });
  it("lvo_getProof", async () => {
    const p = await h.result("lvo_getProof", [SENDER, "0x2"]);
    expect(p).toMatchObject({
      address: SENDER,
      height: "0x2",
      blockHash: toHex(h.stub.blocks[2]!.hash),
      stateRoot: toHex(h.stub.blocks[2]!.header.stateRoot),
      nonce: "0x2",
    });
    expect(p.proof.depth).toBe("0x1");
    expect(p.proof.siblings[0]).toMatch(/^0x[0-9a-f]{64}$/);
    await expectError("lvo_getProof", [SENDER, "0x9"], -32001);
  });
  it("lvo_getChainStatus", async () => {
    const s = await h.result("lvo_getChainStatus");
    expect(s).toMatchObject({
      chainId: q(CHAIN_ID),
      networkName: "lvo-test",
      head: { height: "0x3", hash: toHex(h.stub.blocks[3]!.hash) },
      finalized: { height: "0x1" },
      safe: { height: "0x2" },
      activeDelegates: [PRODUCER],
      mempool: { pending: "0x1", queued: "0x0" },
      peers: "0x3",
      syncing: false,
      delegate: null,
    });
    await expectError("lvo_getChainStatus", [true], -32602);
  });
  it("lvo_getSupply", async () => {
    const s = await h.result("lvo_getSupply", ["latest"]);
    expect(s).toEqual({ height: "0x3", total: q(10n ** 27n), accounts: "0x3" });
    await expectError("lvo_getSupply", ["0xzz"], -32602);
  });
});

describe("lvo_ staking and consensus", () => {
  it("lvo_getDelegates: candidates in election order, active set, pending snapshot", async () => {
    const d = await h.result("lvo_getDelegates");
    expect(d).toMatchObject({ height: "0x3", slot: "0x3", round: "0x0" });
    expect(d.candidates).toEqual([
      {
        address: PRODUCER,
        name: "delegate-0",
        selfStake: q(100_000n * LVO),
        votes: q(5n * LVO),
        weight: q(100_005n * LVO),
        jailed: false,
        jailedAt: "0x0",
        missed: "0x0",
        active: true,
      },
      {
        address: RECIPIENT,
        name: "delegate-1",
        selfStake: q(10_000n * LVO),
        votes: "0x0",
        weight: q(10_000n * LVO),
        jailed: true,
        jailedAt: "0x2",
        missed: q(30),
        active: false,
      },
    ]);
    expect(d.active).toEqual({ sinceRound: "0x0", members: [PRODUCER] });
    expect(d.pending).toEqual({ basedOnHeight: "0x1", members: [PRODUCER] });
    const at1 = await h.result("lvo_getDelegates", ["0x1"]);
    expect(at1.height).toBe("0x1");
    expect(at1.pending).toBeNull();
    expect((await h.result("lvo_getDelegates", [{ blockHash: toHex(h.stub.blocks[2]!.hash) }])).height).toBe(
      "0x2",
    );
  });
  it("lvo_getDelegates rejects bad tags; unknown or pruned heights fail", async () => {
    await expectError("lvo_getDelegates", ["0xzz"], -32602, /argument 0 \(block\)/);
    await expectError("lvo_getDelegates", ["latest", 1], -32602, /too many arguments/);
    await expectError("lvo_getDelegates", ["0x9"], -32001, /header not found/);
    await expectError("lvo_getDelegates", ["0x0"], -32000, /missing trie node/);
  });

  it("lvo_getSchedule: two rounds from the slot after the head by default, or a given range", async () => {
    const s = await h.result("lvo_getSchedule");
    expect(s.head).toEqual({ height: "0x3", slot: "0x3" });
    expect(s.slots).toHaveLength(8);
    expect(s.slots[0]).toEqual({
      slot: "0x4",
      round: "0x1",
      startMs: q(1_700_000_000_000 + 4 * 2_500),
      producer: PRODUCER,
    });
    expect(s.past.map((x: { slot: string; height: string | null }) => [x.slot, x.height])).toEqual([
      ["0x0", "0x0"],
      ["0x1", "0x1"],
      ["0x2", "0x2"],
      ["0x3", "0x3"],
    ]);
    const r = await h.result("lvo_getSchedule", ["0x10", "0x3"]);
    expect(r.slots.map((x: { slot: string }) => x.slot)).toEqual(["0x10", "0x11", "0x12"]);
    expect(r.past).toEqual(s.past);
    expect((await h.result("lvo_getSchedule", [null, "0x0"])).slots).toEqual([]);
    expect((await h.result("lvo_getSchedule", [null, q(1000)])).slots).toHaveLength(1000);
  });
  it("lvo_getSchedule rejects past slots, counts above 1000 and malformed numbers", async () => {
    await expectError("lvo_getSchedule", ["0x3"], -32602, /fromSlot.*after the head's slot 3/);
    await expectError("lvo_getSchedule", [null, q(1001)], -32602, /argument 1 \(count\): .*at most 1000/);
    await expectError("lvo_getSchedule", ["0x05"], -32602, /argument 0 \(fromSlot\)/);
    await expectError("lvo_getSchedule", [5], -32602, /argument 0 \(fromSlot\)/);
    await expectError(
      "lvo_getSchedule",
      [q(2 ** 40 + 1)],
      -32602,
      /argument 0 \(fromSlot\): slot must be at most/,
    );
    await expectError("lvo_getSchedule", ["0x5", "0x1", "0x1"], -32602, /too many arguments/);
  });

  it("lvo_getStake: stake, pending rewards, unbonding; zeros for a stranger", async () => {
    expect(await h.result("lvo_getStake", [toChecksumAddress(SENDER)])).toEqual({
      address: SENDER,
      height: "0x3",
      stake: q(5n * LVO),
      pendingRewards: "0x7",
      unbonding: [{ amount: q(LVO), releaseHeight: q(40) }],
    });
    expect(await h.result("lvo_getStake", [RECIPIENT, "safe"])).toEqual({
      address: RECIPIENT,
      height: "0x2",
      stake: "0x0",
      pendingRewards: "0x0",
      unbonding: [],
    });
  });
  it("lvo_getStake rejects bad addresses and tags", async () => {
    await expectError("lvo_getStake", [], -32602, /argument 0 \(address\): missing/);
    await expectError("lvo_getStake", ["0x1234"], -32602, /argument 0 \(address\)/);
    await expectError("lvo_getStake", [SENDER, "next"], -32602, /argument 1 \(block\)/);
  });

  it("lvo_getVotes: the candidates an address votes for", async () => {
    expect(await h.result("lvo_getVotes", [SENDER, "latest"])).toEqual({
      address: SENDER,
      height: "0x3",
      stake: q(5n * LVO),
      candidates: [PRODUCER, RECIPIENT],
    });
    expect((await h.result("lvo_getVotes", [RECIPIENT])).candidates).toEqual([]);
  });
  it("lvo_getVotes rejects bad params", async () => {
    await expectError("lvo_getVotes", [42], -32602, /argument 0 \(address\)/);
    await expectError("lvo_getVotes", [SENDER, "0x9"], -32001);
  });

  it("lvo_getFinality: head, safe, finalized with its certificate", async () => {
    const b = h.stub.blocks;
    expect(await h.result("lvo_getFinality")).toEqual({
      head: { height: "0x3", hash: toHex(b[3]!.hash), slot: "0x3" },
      safe: { height: "0x2", hash: toHex(b[2]!.hash) },
      finalized: {
        height: "0x1",
        hash: toHex(b[1]!.hash),
        certificate: {
          source: { height: "0x1", hash: toHex(b[1]!.hash) },
          target: { height: "0x2", hash: toHex(b[2]!.hash) },
          signatures: "0x3",
        },
      },
    });
    vi.spyOn(h.stub, "finality").mockReturnValue({
      head: { height: 0, hash: b[0]!.hash, slot: 0 },
      safe: { height: 0, hash: b[0]!.hash },
      finalized: { height: 0, hash: b[0]!.hash, cert: null },
    });
    expect((await h.result("lvo_getFinality")).finalized.certificate).toBeNull();
  });
  it("lvo_getFinality takes no arguments", async () => {
    await expectError("lvo_getFinality", ["latest"], -32602, /too many arguments/);
  });
});

describe("calls to the DPoS address", () => {
  const data = (o: unknown) => toHex(new TextEncoder().encode(JSON.stringify(o)));

  it("eth_estimateGas returns the simulated gas; eth_call returns empty data", async () => {
    const call = { from: SENDER, to: DPOS, data: data({ method: "stake", args: [] }), value: q(LVO) };
    expect(await h.result("eth_estimateGas", [call])).toBe(q(DPOS_CALL_GAS));
    expect(await h.result("eth_call", [call, "latest"])).toBe("0x");
  });
  it("a failing call is code 3 'execution reverted' with the reason ABI-encoded as Error(string)", async () => {
    const call = { from: SENDER, to: DPOS, data: data({ method: "bad" }) };
    for (const m of ["eth_estimateGas", "eth_call"]) {
      const err = await expectError(m, [call], 3, /^execution reverted: unknown DPoS method "bad"$/);
      expect(err.data.slice(0, 10)).toBe("0x08c379a0");
      const [reason] = AbiCoder.defaultAbiCoder().decode(["string"], `0x${err.data.slice(10)}`);
      expect(reason).toBe('unknown DPoS method "bad"');
    }
  });
  it("a gas limit below what the call needs is -32000 'gas required exceeds allowance'", async () => {
    const call = { from: SENDER, to: DPOS, data: data({ method: "unjail" }), gas: "0x5208" };
    await expectError("eth_estimateGas", [call], -32000, /^gas required exceeds allowance \(21000\)$/);
  });
  it("the block tag is resolved before simulating", async () => {
    const spy = vi.spyOn(h.stub, "estimateGas");
    await h.result("eth_estimateGas", [{ to: DPOS, data: data({ method: "unjail" }) }, "0x2"]);
    expect(spy.mock.calls[0]![1]).toBe(2);
    await expectError("eth_estimateGas", [{ to: DPOS }, "0x9"], -32001);
  });
});
