import { type Address, parseAddress } from "../crypto/address.ts";
import { fromHex } from "../util/bytes.ts";
import { RpcErrorCode, rpcError } from "./errors.ts";

/** A positional parameter: its name for error messages and the parser of its raw JSON value. */
export interface Param<T> {
  readonly name: string;
  /** Parse the raw value (`undefined` when the caller left it out); throws an invalid-params error. */
  parse(value: unknown): T;
}

/** A parse failure; the dispatcher prefixes it with the argument's position and name. */
export function invalidParam(reason: string): Error {
  return rpcError(RpcErrorCode.RPC_INVALID_PARAMS, reason);
}

/** A required parameter. */
export function param<T>(name: string, parse: (value: unknown) => T): Param<T> {
  return {
    name,
    parse(value) {
      if (value === undefined) throw invalidParam("missing value for required argument");
      return parse(value);
    },
  };
}

/** An optional parameter: missing or null reads as `fallback`. */
export function optional<T, D>(p: Param<T>, fallback: D): Param<T | D> {
  return {
    name: p.name,
    parse: (value) => (value === undefined || value === null ? fallback : p.parse(value)),
  };
}

// Ethereum quantities: no leading zeros (geth rejects them), "0x0" for zero.
const QUANTITY_RE = /^0x(?:0|[1-9a-fA-F][0-9a-fA-F]*)$/;
const DATA_RE = /^0x(?:[0-9a-fA-F]{2})*$/;
const HASH_RE = /^0x[0-9a-fA-F]{64}$/;
const SLOT_RE = /^0x[0-9a-fA-F]{1,64}$/;

/** Hex quantity of at most 256 bits. */
export function parseQuantity(value: unknown): bigint {
  if (typeof value !== "string") throw invalidParam("expected a hex quantity string");
  if (!QUANTITY_RE.test(value)) throw invalidParam("hex quantity must be 0x-prefixed with no leading zeros");
  if (value.length > 66) throw invalidParam("quantity exceeds 256 bits");
  return BigInt(value);
}

/** Hex quantity that fits a JS safe integer (heights, counts). */
export function parseUint(value: unknown): number {
  const n = parseQuantity(value);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidParam("number too large");
  return Number(n);
}

/** Even-length 0x-hex bytes ("0x" is empty). */
export function parseData(value: unknown): Uint8Array {
  if (typeof value !== "string" || !DATA_RE.test(value)) {
    throw invalidParam("expected 0x-prefixed hex bytes of even length");
  }
  return fromHex(value);
}

/** 20-byte address; mixed case must be a valid EIP-55 checksum. Returns lowercase. */
export function parseAddressValue(value: unknown): Address {
  const addr = parseAddress(value);
  if (addr === null)
    throw invalidParam("expected a 20-byte 0x address (mixed case must be EIP-55 checksummed)");
  return addr;
}

/** 32-byte hash. */
export function parseHash32(value: unknown): Uint8Array {
  if (typeof value !== "string" || !HASH_RE.test(value)) throw invalidParam("expected a 32-byte 0x hash");
  return fromHex(value);
}

/** JSON boolean (no "true"/"false" strings: geth rejects them too). */
export function parseBool(value: unknown): boolean {
  if (typeof value !== "boolean") throw invalidParam("expected a boolean");
  return value;
}

/** Storage slot: up to 32 bytes of hex, leading zeros allowed (clients send padded slots). */
export function parseStorageSlot(value: unknown): bigint {
  if (typeof value !== "string" || !SLOT_RE.test(value)) throw invalidParam("expected a hex storage slot");
  return BigInt(value);
}

/** The block tags Ethereum clients send by name. */
export type NamedTag = "latest" | "earliest" | "pending" | "safe" | "finalized";
const NAMED_TAGS: ReadonlySet<string> = new Set(["latest", "earliest", "pending", "safe", "finalized"]);

/** A parsed block selector: a named tag, a height, or (EIP-1898) a block hash. */
export type BlockTag =
  | { kind: "tag"; tag: NamedTag }
  | { kind: "number"; height: number }
  | { kind: "hash"; hash: Uint8Array; requireCanonical: boolean };

/** Block tag name or height quantity (eth_getBlockByNumber, eth_feeHistory). */
export function parseBlockNumberOrTag(value: unknown): BlockTag {
  if (typeof value === "string" && NAMED_TAGS.has(value)) return { kind: "tag", tag: value as NamedTag };
  if (typeof value !== "string") throw invalidParam("expected a block number or tag");
  try {
    return { kind: "number", height: parseUint(value) };
  } catch {
    throw invalidParam(`expected a block number or one of ${[...NAMED_TAGS].join(", ")}`);
  }
}

/** Block tag, height, or EIP-1898 `{blockNumber}` / `{blockHash, requireCanonical?}` (state reads). */
export function parseBlockTag(value: unknown): BlockTag {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return parseBlockNumberOrTag(value);
  const o = value as Record<string, unknown>;
  const hasNumber = o["blockNumber"] !== undefined;
  const hasHash = o["blockHash"] !== undefined;
  if (hasNumber === hasHash)
    throw invalidParam("EIP-1898 block selector needs exactly one of blockNumber, blockHash");
  if (hasNumber) return parseBlockNumberOrTag(o["blockNumber"]);
  const rc = o["requireCanonical"];
  if (rc !== undefined && typeof rc !== "boolean") throw invalidParam("requireCanonical must be a boolean");
  return { kind: "hash", hash: parseHash32(o["blockHash"]), requireCanonical: rc === true };
}

/** Parameter "block": required block tag, height or EIP-1898 selector. */
export const blockParam: Param<BlockTag> = param("block", parseBlockTag);

/** A plain-object check shared by the object parsers (call requests, log filters). */
export function parseObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalidParam("expected an object");
  return value as Record<string, unknown>;
}

/** Parse `obj[key]` when present (not undefined/null); failures name the field. */
export function field<T>(obj: Record<string, unknown>, key: string, parse: (v: unknown) => T): T | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  try {
    return parse(v);
  } catch (err) {
    throw invalidParam(`${key}: ${(err as Error).message}`);
  }
}
