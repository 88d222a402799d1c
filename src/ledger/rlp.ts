import { RLP } from "@ethereumjs/rlp";
import type { Address } from "../crypto/address.ts";
import { bigintToBytes, bytesToBigint, fromHex, toHex } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import { LedgerErrorCode } from "./errors.ts";

/** RLP item: bytes or a nested list. */
export type RlpItem = Uint8Array | RlpItem[];

/** Encode an RLP item. */
export function rlpEncode(item: RlpItem): Uint8Array {
  return RLP.encode(item);
}

/**
 * Deepest list nesting accepted. Our deepest record (a block carrying double-block evidence whose
 * headers carry certificates) nests 6 levels; anything much deeper is hostile.
 */
export const MAX_RLP_DEPTH = 32;

function corrupt(reason: string): never {
  throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, `stored record does not decode: ${reason}`);
}

/**
 * Decode RLP; any failure is LEDGER_CORRUPT (stored data is ours: a decode failure means damage).
 * Gossip and sync payloads come through here too, so it is hostile-input safe: list bodies are
 * walked in place (RLP.decode copied every list body at every level, so 3.5 MB of nested list
 * headers took ~26 s), nesting is bounded by MAX_RLP_DEPTH, and the same non-canonical forms
 * RLP.decode refused are refused. Byte strings are copies, never views into `data`.
 */
export function rlpDecode(data: Uint8Array): RlpItem {
  if (data.length === 0) return new Uint8Array(0);
  const [item, end] = decodeAt(data, 0, data.length, 0);
  if (end !== data.length) corrupt("invalid RLP: remainder must be zero");
  return item;
}

function lengthAt(data: Uint8Array, start: number, n: number, limit: number): number {
  if (start + n > limit) corrupt("invalid RLP: not enough bytes for the length");
  if (data[start] === 0) corrupt("invalid RLP: length has a leading zero");
  // More than 4 length bytes cannot describe anything we would hold in memory.
  if (n > 4) corrupt("invalid RLP: length of length over 4 bytes");
  let len = 0;
  for (let i = start; i < start + n; i++) len = len * 256 + data[i]!;
  return len;
}

function decodeAt(data: Uint8Array, pos: number, limit: number, depth: number): [RlpItem, number] {
  const b = data[pos]!;
  if (b <= 0x7f) return [data.slice(pos, pos + 1), pos + 1];
  if (b <= 0xbf) {
    let start: number;
    let len: number;
    if (b <= 0xb7) {
      start = pos + 1;
      len = b - 0x80;
      if (len === 1 && start < limit && data[start]! < 0x80) {
        corrupt("invalid RLP encoding: invalid prefix, single byte < 0x80 are not prefixed");
      }
    } else {
      const n = b - 0xb7;
      len = lengthAt(data, pos + 1, n, limit);
      if (len <= 55) corrupt("invalid RLP: expected string length to be greater than 55");
      start = pos + 1 + n;
    }
    if (start + len > limit) corrupt("invalid RLP: string runs past its container");
    return [data.slice(start, start + len), start + len];
  }
  if (depth >= MAX_RLP_DEPTH) corrupt(`lists nested deeper than ${MAX_RLP_DEPTH}`);
  let start: number;
  let len: number;
  if (b <= 0xf7) {
    start = pos + 1;
    len = b - 0xc0;
  } else {
    const n = b - 0xf7;
    len = lengthAt(data, pos + 1, n, limit);
    if (len < 56) corrupt("invalid RLP: encoded list too short");
    start = pos + 1 + n;
  }
  const end = start + len;
  if (end > limit) corrupt("invalid RLP: list runs past its container");
  const out: RlpItem[] = [];
  let p = start;
  while (p < end) {
    const [item, next] = decodeAt(data, p, end, depth + 1);
    out.push(item);
    p = next;
  }
  return [out, end];
}

/** Minimal big-endian bytes of a number or bigint. */
export function uint(n: number | bigint): Uint8Array {
  return bigintToBytes(BigInt(n));
}

/** An RLP list at `item`, or LEDGER_CORRUPT. */
export function list(item: RlpItem | undefined, len?: number): RlpItem[] {
  if (!Array.isArray(item) || (len !== undefined && item.length !== len)) {
    throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "stored record has the wrong shape");
  }
  return item;
}

/** RLP bytes at `item`, or LEDGER_CORRUPT. */
export function bytes(item: RlpItem | undefined): Uint8Array {
  if (!(item instanceof Uint8Array))
    throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "stored field is not bytes");
  return item;
}

/**
 * Bigint from RLP bytes, which must be minimal (as `uint` writes them: no leading zero byte, 0 is
 * empty). A leading zero would let one record (a gossiped vote, a block header) have several
 * encodings that decode to the same value.
 */
export function big(item: RlpItem | undefined): bigint {
  const b = bytes(item);
  if (b.length > 0 && b[0] === 0) {
    throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "integer with a leading zero byte");
  }
  return bytesToBigint(b);
}

/** Safe integer from RLP bytes. */
export function num(item: RlpItem | undefined): number {
  const n = big(item);
  if (n > BigInt(Number.MAX_SAFE_INTEGER))
    throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "integer out of range");
  return Number(n);
}

/** Address from 20 RLP bytes. */
export function addr(item: RlpItem | undefined): Address {
  const b = bytes(item);
  if (b.length !== 20) throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "address is not 20 bytes");
  return toHex(b) as Address;
}

/** 20 bytes of an address. */
export function addrBytes(a: Address): Uint8Array {
  return fromHex(a);
}
