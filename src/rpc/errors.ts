import { bigintToFixed, concatBytes, fromHex, toHex, utf8 } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import { CallErrorCode } from "./backend.ts";
import type { Json } from "./json.ts";

/**
 * Numeric JSON-RPC error codes: the five of the JSON-RPC 2.0 spec plus the EIP-1474 server
 * codes that Ethereum clients (geth, ethers, viem) expect.
 */
export const JsonRpcCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** Generic server error; geth also uses it for every txpool rejection. */
  SERVER_ERROR: -32000,
  RESOURCE_NOT_FOUND: -32001,
  /** geth's code for a request that ran out of time. */
  TIMEOUT: -32002,
  LIMIT_EXCEEDED: -32005,
  /** geth's code for a call that executed and failed ("execution reverted"), with revert data. */
  EXECUTION_REVERTED: 3,
} as const;

/** Codes of the LvoErrors that the rpc layer itself throws. */
export const RpcErrorCode = {
  /** Body is not valid JSON (-32700). */
  RPC_PARSE_ERROR: "RPC_PARSE_ERROR",
  /** Envelope is not a valid JSON-RPC 2.0 request (-32600). */
  RPC_INVALID_REQUEST: "RPC_INVALID_REQUEST",
  /** No such method (-32601). */
  RPC_METHOD_NOT_FOUND: "RPC_METHOD_NOT_FOUND",
  /** A parameter is missing, extra or malformed (-32602); the message names it. */
  RPC_INVALID_PARAMS: "RPC_INVALID_PARAMS",
  /** Block or header asked for does not exist here (-32001). */
  RPC_RESOURCE_NOT_FOUND: "RPC_RESOURCE_NOT_FOUND",
  /** Body, batch or range bound exceeded (-32005). */
  RPC_LIMIT_EXCEEDED: "RPC_LIMIT_EXCEEDED",
  /** Handling took longer than the request timeout (-32002). */
  RPC_TIMEOUT: "RPC_TIMEOUT",
  /** start(): another process already listens on host:port. */
  RPC_PORT_IN_USE: "RPC_PORT_IN_USE",
  /** start(): listening failed for another reason (bad host, permission). */
  RPC_LISTEN_FAILED: "RPC_LISTEN_FAILED",
} as const;
export type RpcErrorCode = (typeof RpcErrorCode)[keyof typeof RpcErrorCode];

/** Shorthand for `new LvoError(code, message, context)` with an rpc code. */
export function rpcError(code: RpcErrorCode, message: string, context?: Record<string, unknown>): LvoError {
  return new LvoError(code, message, context);
}

/** A JSON-RPC error object as sent on the wire. */
export type JsonRpcError = { code: number; message: string; data?: Json };

const RPC_NUMERIC: Record<string, number> = {
  RPC_PARSE_ERROR: JsonRpcCode.PARSE_ERROR,
  RPC_INVALID_REQUEST: JsonRpcCode.INVALID_REQUEST,
  RPC_METHOD_NOT_FOUND: JsonRpcCode.METHOD_NOT_FOUND,
  RPC_INVALID_PARAMS: JsonRpcCode.INVALID_PARAMS,
  RPC_RESOURCE_NOT_FOUND: JsonRpcCode.RESOURCE_NOT_FOUND,
  RPC_LIMIT_EXCEEDED: JsonRpcCode.LIMIT_EXCEEDED,
  RPC_TIMEOUT: JsonRpcCode.TIMEOUT,
};

// geth's wording for the same rejections. ethers and viem classify errors by matching these
// phrases (ethers: /nonce.*too low/, /insufficient funds/, /replacement transaction.*underpriced/,
// /only replay-protected/), so the phrase leads and lvo's own detail follows it.
const GETH_PHRASES: Record<string, string> = {
  TX_MALFORMED: "transaction could not be decoded",
  TX_UNSUPPORTED_TYPE: "transaction type not supported",
  TX_OVERSIZED: "oversized data",
  TX_BAD_SIGNATURE: "invalid sender",
  TX_UNPROTECTED: "only replay-protected (EIP-155) transactions allowed over RPC",
  TX_CONTRACT_CREATION: "contract creation not supported",
  TX_WRONG_CHAIN: "invalid chain id",
  TX_INTRINSIC_GAS: "intrinsic gas too low",
  TX_GAS_LIMIT_ABOVE_BLOCK: "exceeds block gas limit",
  TX_FEE_BELOW_MINIMUM: "max fee per gas less than block base fee",
  TX_PRIORITY_ABOVE_MAX: "max priority fee per gas higher than max fee per gas",
  TX_DATA_TOO_LARGE: "oversized data",
  MEMPOOL_NONCE_TOO_LOW: "nonce too low",
  MEMPOOL_NONCE_TOO_HIGH: "nonce too high",
  MEMPOOL_INSUFFICIENT_FUNDS: "insufficient funds for gas * price + value",
  MEMPOOL_FULL: "txpool is full",
  MEMPOOL_QUEUE_FULL: "txpool is full",
  MEMPOOL_SENDER_FULL: "account limit exceeded",
  MEMPOOL_ALREADY_KNOWN: "already known",
  MEMPOOL_UNDERPRICED: "replacement transaction underpriced",
  STATE_UNAVAILABLE: "missing trie node",
  // Simulated calls (eth_estimateGas / eth_call) run the executor, whose checks have own codes.
  EXEC_INSUFFICIENT_FUNDS: "insufficient funds for gas * price + value",
  EXEC_INTRINSIC_GAS: "intrinsic gas too low",
  EXEC_BLOCK_GAS_EXCEEDED: "exceeds block gas limit",
  CALL_GAS_EXCEEDS_ALLOWANCE: "gas required exceeds allowance",
};

// Solidity's Error(string) selector: keccak256("Error(string)")[0..4].
const ERROR_STRING_SELECTOR = fromHex("0x08c379a0");

/**
 * ABI encoding of `Error(string)`, the revert data of Solidity's `revert("msg")`: ethers and
 * viem decode it into the error's `reason`, so a wallet shows the DPoS handler's message.
 */
export function revertData(reason: string): string {
  const text = utf8(reason);
  const padded = new Uint8Array(Math.ceil(text.length / 32) * 32);
  padded.set(text);
  return toHex(
    concatBytes(
      ERROR_STRING_SELECTOR,
      bigintToFixed(32n, 32),
      bigintToFixed(BigInt(text.length), 32),
      padded,
    ),
  );
}

function withPhrase(phrase: string, detail: string): string {
  if (detail === "" || detail.toLowerCase().startsWith(phrase.toLowerCase())) return detail || phrase;
  return `${phrase}: ${detail}`;
}

/**
 * Map anything thrown while serving a request to the JSON-RPC error sent back. Domain
 * rejections (TX_*, MEMPOOL_*, STATE_UNAVAILABLE) become -32000 with geth's phrase and carry
 * the lvo code in `data`; anything unknown becomes a generic -32603 so internals (messages,
 * stacks) never reach the client — the caller logs those (see `isInternalRpcError`).
 */
export function toRpcError(err: unknown): JsonRpcError {
  if (!(err instanceof LvoError)) return internalError();
  const numeric = RPC_NUMERIC[err.code];
  if (numeric !== undefined) return { code: numeric, message: err.message };
  // geth: code 3, "execution reverted: <reason>", data = the ABI-encoded revert reason.
  if (err.code === CallErrorCode.CALL_REVERTED) {
    return {
      code: JsonRpcCode.EXECUTION_REVERTED,
      message: `execution reverted: ${err.message}`,
      data: revertData(err.message),
    };
  }
  const phrase = GETH_PHRASES[err.code];
  if (phrase !== undefined) {
    return {
      code: JsonRpcCode.SERVER_ERROR,
      message: withPhrase(phrase, err.message),
      data: { code: err.code },
    };
  }
  // A tx or mempool code added after this table: still a rejection of the caller's input.
  if (err.code.startsWith("TX_") || err.code.startsWith("MEMPOOL_") || err.code.startsWith("EXEC_")) {
    return { code: JsonRpcCode.SERVER_ERROR, message: err.message, data: { code: err.code } };
  }
  return internalError();
}

/** True for errors that `toRpcError` hides behind "internal error" (they deserve a log line). */
export function isInternalRpcError(e: JsonRpcError): boolean {
  return e.code === JsonRpcCode.INTERNAL_ERROR;
}

function internalError(): JsonRpcError {
  return { code: JsonRpcCode.INTERNAL_ERROR, message: "internal error" };
}
