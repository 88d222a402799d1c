import { keccak_256 } from "@noble/hashes/sha3.js";

/** 0x-prefixed hex. */
export type Hex = `0x${string}`;
/** A 0x address, lowercase as the node returns it. */
export type Address = `0x${string}`;
/** Any JSON value (contract arguments, results and event arguments). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** An input the SDK refuses before anything is sent (bad address, amount, name...). */
export class LvoInputError extends Error {
  override name = "LvoInputError";
}

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

export function bytesToHex(b: Uint8Array): Hex {
  let s = "0x";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s as Hex;
}

export function hexToBytes(h: string): Uint8Array {
  if (typeof h !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(h))
    throw new LvoInputError(`not 0x-hex bytes: ${h}`);
  const out = new Uint8Array((h.length - 2) / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(h.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

export function utf8ToHex(s: string): Hex {
  return bytesToHex(enc.encode(s));
}

/** UTF-8 text of 0x-hex bytes (or of bytes); throws on invalid UTF-8. */
export function hexToUtf8(h: string | Uint8Array): string {
  return dec.decode(typeof h === "string" ? hexToBytes(h) : h);
}

/** keccak-256 of bytes or of a string's UTF-8. */
export function keccak256(data: Uint8Array | string): Hex {
  return bytesToHex(keccak_256(typeof data === "string" ? enc.encode(data) : data));
}

/** A JSON-RPC quantity ("0x1a") as a bigint. */
export function quantityToBigint(q: unknown, what = "quantity"): bigint {
  if (typeof q === "number" && Number.isSafeInteger(q) && q >= 0) return BigInt(q);
  if (typeof q !== "string" || !/^0x[0-9a-fA-F]+$/.test(q))
    throw new LvoInputError(`${what}: not a hex quantity: ${String(q)}`);
  return BigInt(q);
}

/** A JSON-RPC quantity as a number (heights, slots, counts); refuses values above 2^53. */
export function quantityToNumber(q: unknown, what = "quantity"): number {
  const n = quantityToBigint(q, what);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new LvoInputError(`${what}: ${n} does not fit a JS number`);
  return Number(n);
}

export function toQuantity(n: bigint | number): Hex {
  return `0x${BigInt(n).toString(16)}` as Hex;
}

/** EIP-55 checksum form of a 20-byte address. */
export function checksumAddress(a: string): Address {
  const lower = parseAddress(a).slice(2);
  const hash = keccak256(lower).slice(2);
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const c = lower[i] as string;
    out += Number.parseInt(hash[i] as string, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out as Address;
}

/**
 * A 0x address, lowercased: all-lowercase, all-uppercase, or mixed case with a valid EIP-55
 * checksum (the rule the node applies to call arguments).
 */
export function parseAddress(a: unknown, what = "address"): Address {
  if (typeof a !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(a)) {
    throw new LvoInputError(`${what} must be a 0x address of 40 hex digits, got ${JSON.stringify(a)}`);
  }
  const body = a.slice(2);
  const lower = `0x${body.toLowerCase()}` as Address;
  if (body !== body.toLowerCase() && body !== body.toUpperCase() && checksumAddress(lower) !== a) {
    throw new LvoInputError(`${what} ${a} has a bad EIP-55 checksum`);
  }
  return lower;
}

const MAX_UINT256 = (1n << 256n) - 1n;

/** A wei amount: a non-negative bigint (or a safe integer number), at most 2^256−1. */
export function parseAmount(x: unknown, what = "amount"): bigint {
  let v: bigint;
  if (typeof x === "bigint") v = x;
  else if (typeof x === "number" && Number.isSafeInteger(x)) v = BigInt(x);
  else throw new LvoInputError(`${what} must be a bigint of wei, got ${typeof x}`);
  if (v < 0n) throw new LvoInputError(`${what} must not be negative`);
  if (v > MAX_UINT256) throw new LvoInputError(`${what} is above 2^256-1`);
  return v;
}

/** Converts bigint amounts (anywhere in the value) to decimal strings, checking it is plain JSON. */
export function toJsonArgs(x: unknown, path = "args"): JsonValue {
  if (x === null || typeof x === "boolean" || typeof x === "string") return x;
  if (typeof x === "bigint") {
    if (x < 0n) throw new LvoInputError(`${path}: negative amounts are not allowed`);
    return x.toString();
  }
  if (typeof x === "number") {
    if (!Number.isFinite(x)) throw new LvoInputError(`${path}: ${x} is not JSON`);
    if (Number.isInteger(x) && !Number.isSafeInteger(x)) {
      throw new LvoInputError(`${path}: ${x} loses precision; pass amounts as bigint`);
    }
    return x;
  }
  if (Array.isArray(x)) return x.map((v, i) => toJsonArgs(v, `${path}[${i}]`));
  if (typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(x)) {
      if (v !== undefined) out[k] = toJsonArgs(v, `${path}.${k}`);
    }
    return out;
  }
  throw new LvoInputError(`${path}: ${typeof x} is not JSON`);
}
