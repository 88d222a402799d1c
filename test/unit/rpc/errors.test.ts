// toRpcError: one case per domain code, and the mapping seen end to end over HTTP.

import { AbiCoder } from "ethers";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CallErrorCode } from "../../../src/rpc/backend.ts";
import { JsonRpcCode, RpcErrorCode, revertData, toRpcError } from "../../../src/rpc/errors.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { LvoError } from "../../../src/util/errors.ts";
import { type Harness, startHarness } from "./stub.ts";

// geth's phrase per code; ethers and viem classify rejections by these.
const PHRASES: Array<[string, string]> = [
  ["TX_MALFORMED", "transaction could not be decoded"],
  ["TX_UNSUPPORTED_TYPE", "transaction type not supported"],
  ["TX_OVERSIZED", "oversized data"],
  ["TX_BAD_SIGNATURE", "invalid sender"],
  ["TX_UNPROTECTED", "only replay-protected (EIP-155) transactions allowed over RPC"],
  ["TX_CONTRACT_CREATION", "contract creation not supported"],
  ["TX_WRONG_CHAIN", "invalid chain id"],
  ["TX_INTRINSIC_GAS", "intrinsic gas too low"],
  ["TX_GAS_LIMIT_ABOVE_BLOCK", "exceeds block gas limit"],
  ["TX_FEE_BELOW_MINIMUM", "max fee per gas less than block base fee"],
  ["TX_PRIORITY_ABOVE_MAX", "max priority fee per gas higher than max fee per gas"],
  ["TX_DATA_TOO_LARGE", "oversized data"],
  ["MEMPOOL_NONCE_TOO_LOW", "nonce too low"],
  ["MEMPOOL_NONCE_TOO_HIGH", "nonce too high"],
  ["MEMPOOL_INSUFFICIENT_FUNDS", "insufficient funds for gas * price + value"],
  ["MEMPOOL_FULL", "txpool is full"],
  ["MEMPOOL_SENDER_FULL", "account limit exceeded"],
  ["MEMPOOL_ALREADY_KNOWN", "already known"],
  ["MEMPOOL_UNDERPRICED", "replacement transaction underpriced"],
  ["STATE_UNAVAILABLE", "missing trie node"],
  ["EXEC_INSUFFICIENT_FUNDS", "insufficient funds for gas * price + value"],
  ["EXEC_INTRINSIC_GAS", "intrinsic gas too low"],
  ["EXEC_BLOCK_GAS_EXCEEDED", "exceeds block gas limit"],
  ["CALL_GAS_EXCEEDS_ALLOWANCE", "gas required exceeds allowance"],
];

describe("toRpcError", () => {
  it.each(PHRASES)("%s → -32000 with geth's phrase before lvo's detail", (code, phrase) => {
    const e = toRpcError(new LvoError(code, "detail 42"));
    expect(e).toEqual({ code: -32000, message: `${phrase}: detail 42`, data: { code } });
  });
  it("does not repeat the phrase when lvo's message already starts with it", () => {
    expect(toRpcError(new LvoError("MEMPOOL_NONCE_TOO_LOW", "nonce too low: next 5")).message).toBe(
      "nonce too low: next 5",
    );
    expect(toRpcError(new LvoError("MEMPOOL_ALREADY_KNOWN", "")).message).toBe("already known");
  });
  it("maps future TX_/MEMPOOL_ codes to -32000 with their own message", () => {
    expect(toRpcError(new LvoError("TX_SOMETHING_NEW", "why"))).toEqual({
      code: -32000,
      message: "why",
      data: { code: "TX_SOMETHING_NEW" },
    });
  });
  it("CALL_REVERTED → geth's code 3 'execution reverted' with Error(string) revert data", () => {
    const e = toRpcError(new LvoError(CallErrorCode.CALL_REVERTED, "candidate is not jailed"));
    expect(e.code).toBe(3);
    expect(e.message).toBe("execution reverted: candidate is not jailed");
    expect(e.data).toBe(revertData("candidate is not jailed"));
    const data = e.data as string;
    expect(data.slice(0, 10)).toBe("0x08c379a0");
    expect(AbiCoder.defaultAbiCoder().decode(["string"], `0x${data.slice(10)}`)[0]).toBe(
      "candidate is not jailed",
    );
    // A 32-byte reason fills exactly one word; an empty one is a zero-length string.
    expect((revertData("x".repeat(32)).length - 2) / 2).toBe(4 + 32 * 3);
    expect(AbiCoder.defaultAbiCoder().decode(["string"], `0x${revertData("").slice(10)}`)[0]).toBe("");
  });
  it("maps rpc codes to their JSON-RPC numbers", () => {
    const cases: Array<[string, number]> = [
      [RpcErrorCode.RPC_PARSE_ERROR, JsonRpcCode.PARSE_ERROR],
      [RpcErrorCode.RPC_INVALID_REQUEST, JsonRpcCode.INVALID_REQUEST],
      [RpcErrorCode.RPC_METHOD_NOT_FOUND, JsonRpcCode.METHOD_NOT_FOUND],
      [RpcErrorCode.RPC_INVALID_PARAMS, JsonRpcCode.INVALID_PARAMS],
      [RpcErrorCode.RPC_RESOURCE_NOT_FOUND, JsonRpcCode.RESOURCE_NOT_FOUND],
      [RpcErrorCode.RPC_LIMIT_EXCEEDED, JsonRpcCode.LIMIT_EXCEEDED],
      [RpcErrorCode.RPC_TIMEOUT, JsonRpcCode.TIMEOUT],
    ];
    for (const [code, numeric] of cases)
      expect(toRpcError(new LvoError(code, "m"))).toEqual({ code: numeric, message: "m" });
  });
  it("hides unknown errors and other domains' errors behind a generic -32603", () => {
    expect(toRpcError(new Error("secret at /home/x/ledger.ts:12"))).toEqual({
      code: -32603,
      message: "internal error",
    });
    expect(toRpcError(new LvoError("LEDGER_CORRUPT", "key 0x12 missing"))).toEqual({
      code: -32603,
      message: "internal error",
    });
    expect(toRpcError("a string")).toEqual({ code: -32603, message: "internal error" });
    expect(toRpcError(undefined)).toEqual({ code: -32603, message: "internal error" });
  });
});

describe("errors over HTTP", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  afterEach(() => vi.restoreAllMocks());

  const send = () => h.call("eth_sendRawTransaction", [toHex(h.stub.pendingTx.raw)]);

  it.each([
    ["MEMPOOL_NONCE_TOO_LOW", "next nonce 5, tx nonce 3", "nonce too low: next nonce 5, tx nonce 3"],
    ["MEMPOOL_UNDERPRICED", "need 10% more", "replacement transaction underpriced: need 10% more"],
    ["TX_WRONG_CHAIN", "tx chainId 1, node 4242", "invalid chain id: tx chainId 1, node 4242"],
    ["TX_INTRINSIC_GAS", "need 21000", "intrinsic gas too low: need 21000"],
    ["MEMPOOL_INSUFFICIENT_FUNDS", "balance 0", "insufficient funds for gas * price + value: balance 0"],
  ])("eth_sendRawTransaction rejected with %s", async (code, detail, message) => {
    vi.spyOn(h.stub, "submitRawTransaction").mockRejectedValue(new LvoError(code, detail));
    const res = await send();
    expect(res.error).toEqual({ code: -32000, message, data: { code } });
  });

  it("a synchronous throw from the backend is caught too", async () => {
    vi.spyOn(h.stub, "estimateGas").mockImplementation(() => {
      throw new LvoError("TX_GAS_LIMIT_ABOVE_BLOCK", "gas 1e9 > block 3e7");
    });
    const res = await h.call("eth_estimateGas", [{ to: h.stub.included[0]!.to }]);
    expect(res.error.code).toBe(-32000);
    expect(res.error.message).toMatch(/^exceeds block gas limit/);
  });

  it("an unexpected failure answers -32603 without its message or stack", async () => {
    vi.spyOn(h.stub, "getBlockByHeight").mockRejectedValue(
      new TypeError("cannot read x of undefined at db.ts:9"),
    );
    const res = await h.call("eth_getBlockByNumber", ["latest", false]);
    expect(res.error).toEqual({ code: -32603, message: "internal error" });
    expect(JSON.stringify(res)).not.toMatch(/db\.ts|TypeError/);
  });

  it("a handler result JSON cannot hold becomes -32603, not a crash", async () => {
    vi.spyOn(h.stub, "chainStatus").mockReturnValue({
      ...h.stub.chainStatus(),
      networkName: 5n as unknown as string,
    });
    const res = await h.call("lvo_getChainStatus");
    expect(res.error).toEqual({ code: -32603, message: "internal error" });
    expect(await h.result("eth_blockNumber")).toBe("0x3");
  });
});
