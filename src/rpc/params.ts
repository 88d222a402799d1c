import { type Address, parseAddress } from "../crypto/address.ts";
import { fromHex } from "../util/bytes.ts";
import { RpcErrorCode, rpcError } from "./errors.ts";
import type { Json } from "./json.ts";

/**
 * A JSON Schema, as published by rpc.discover. The vocabulary used (and checked by the OpenRPC
 * test): type, pattern, enum, const, properties, required, items, anyOf, oneOf, $ref, minimum,
 * maximum, minLength, maxLength, maxItems, title, description.
 */
export type Schema = { [key: string]: Json };

/** A parser and the JSON Schema of the values it accepts, defined together. */
export interface Codec<T> {
  /** Parse a raw JSON value; throws an invalid-params error. */
  readonly parse: (value: unknown) => T;
  /** What `parse` accepts (it may check more: checksums, ranges a pattern cannot express). */
  readonly schema: Schema;
}

/** Pair a parser with its schema. */
export function codec<T>(parse: (value: unknown) => T, schema: Schema): Codec<T> {
  return { parse, schema };
}

/** A positional parameter: its name, its schema, and the parser of its raw JSON value. */
export interface Param<T> {
  readonly name: string;
  /** False for `optional(...)` parameters. */
  readonly required: boolean;
  /** The codec's schema; `{}` for a parameter defined from a bare parse function. */
  readonly schema: Schema;
  /** Parse the raw value (`undefined` when the caller left it out); throws an invalid-params error. */
  parse(value: unknown): T;
}

/** A parse failure; the dispatcher prefixes it with the argument's position and name. */
export function invalidParam(reason: string): Error {
  return rpcError(RpcErrorCode.RPC_INVALID_PARAMS, reason);
}

/**
 * A required parameter. Pass a codec; a bare parse function still works but leaves the
 * parameter without a schema (`{}`), which the OpenRPC test reports.
 */
export function param<T>(name: string, c: Codec<T> | ((value: unknown) => T)): Param<T> {
  const { parse, schema } = typeof c === "function" ? { parse: c, schema: {} } : c;
  return {
    name,
    required: true,
    schema,
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
    required: false,
    schema: p.schema,
    parse: (value) => (value === undefined || value === null ? fallback : p.parse(value)),
  };
}

/** The schema that also accepts null (object fields that `field` reads as absent when null). */
export function nullable(s: Schema): Schema {
  return { anyOf: [s, { type: "null" }] };
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

/** Hex quantity codec: the schema's pattern is the parser's regex. */
export const Quantity: Codec<bigint> = codec(parseQuantity, {
  title: "Quantity",
  type: "string",
  pattern: QUANTITY_RE.source,
  maxLength: 66,
  description: "0x-prefixed hex integer, no leading zeros, at most 256 bits",
});

/** Hex quantity that fits a JS safe integer (heights, counts). */
export function parseUint(value: unknown): number {
  const n = parseQuantity(value);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidParam("number too large");
  return Number(n);
}

/** Hex quantity up to 2^53 - 1. */
export const Uint: Codec<number> = codec(parseUint, {
  title: "Uint",
  type: "string",
  pattern: QUANTITY_RE.source,
  maxLength: 16,
  description: "0x-prefixed hex integer, no leading zeros, at most 2^53 - 1",
});

/** Even-length 0x-hex bytes ("0x" is empty). */
export function parseData(value: unknown): Uint8Array {
  if (typeof value !== "string" || !DATA_RE.test(value)) {
    throw invalidParam("expected 0x-prefixed hex bytes of even length");
  }
  return fromHex(value);
}

/** Hex bytes codec. */
export const Data: Codec<Uint8Array> = codec(parseData, {
  title: "Data",
  type: "string",
  pattern: DATA_RE.source,
  description: "0x-prefixed hex bytes, even length",
});

/** 20-byte address; mixed case must be a valid EIP-55 checksum. Returns lowercase. */
export function parseAddressValue(value: unknown): Address {
  const addr = parseAddress(value);
  if (addr === null)
    throw invalidParam("expected a 20-byte 0x address (mixed case must be EIP-55 checksummed)");
  return addr;
}

/** Address codec (the EIP-55 check is beyond the pattern). */
export const AddressCodec: Codec<Address> = codec(parseAddressValue, {
  title: "Address",
  type: "string",
  pattern: "^0x[0-9a-fA-F]{40}$",
  description: "20-byte 0x address; mixed case must be a valid EIP-55 checksum",
});

/** 32-byte hash. */
export function parseHash32(value: unknown): Uint8Array {
  if (typeof value !== "string" || !HASH_RE.test(value)) throw invalidParam("expected a 32-byte 0x hash");
  return fromHex(value);
}

/** 32-byte hash codec. */
export const Hash32: Codec<Uint8Array> = codec(parseHash32, {
  title: "Hash32",
  type: "string",
  pattern: HASH_RE.source,
  description: "32-byte 0x hash",
});

/** JSON boolean (no "true"/"false" strings: geth rejects them too). */
export function parseBool(value: unknown): boolean {
  if (typeof value !== "boolean") throw invalidParam("expected a boolean");
  return value;
}

/** Boolean codec. */
export const Bool: Codec<boolean> = codec(parseBool, { type: "boolean" });

/** Storage slot: up to 32 bytes of hex, leading zeros allowed (clients send padded slots). */
export function parseStorageSlot(value: unknown): bigint {
  if (typeof value !== "string" || !SLOT_RE.test(value)) throw invalidParam("expected a hex storage slot");
  return BigInt(value);
}

/** Storage slot codec. */
export const StorageSlot: Codec<bigint> = codec(parseStorageSlot, {
  title: "StorageSlot",
  type: "string",
  pattern: SLOT_RE.source,
  description: "0x hex of up to 32 bytes, leading zeros allowed",
});

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

/** Block tag or height codec. */
export const BlockNumberOrTag: Codec<BlockTag> = codec(parseBlockNumberOrTag, {
  title: "BlockNumberOrTag",
  anyOf: [{ type: "string", enum: [...NAMED_TAGS] }, Uint.schema],
});

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

/** Block tag, height or EIP-1898 selector codec. */
export const BlockTagCodec: Codec<BlockTag> = codec(parseBlockTag, {
  title: "BlockTag",
  oneOf: [
    BlockNumberOrTag.schema,
    { type: "object", properties: { blockNumber: BlockNumberOrTag.schema }, required: ["blockNumber"] },
    {
      type: "object",
      properties: { blockHash: Hash32.schema, requireCanonical: { type: "boolean" } },
      required: ["blockHash"],
    },
  ],
  description: "a block tag, a height, or an EIP-1898 {blockNumber} / {blockHash, requireCanonical?}",
});

/** Parameter "block": required block tag, height or EIP-1898 selector. */
export const blockParam: Param<BlockTag> = param("block", BlockTagCodec);

/** A plain-object check shared by the object parsers (call requests, log filters). */
export function parseObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalidParam("expected an object");
  return value as Record<string, unknown>;
}

/**
 * Codec of an options object whose fields the handler reads with `field` (each optional, null
 * reading as absent): the schema lists them; `parse` only checks that it is an object.
 */
export function objectCodec(properties: Record<string, Schema>): Codec<Record<string, unknown>> {
  const props: Schema = {};
  for (const [k, v] of Object.entries(properties)) props[k] = nullable(v);
  return codec(parseObject, { type: "object", properties: props });
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
