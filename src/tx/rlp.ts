import { bigintToBytes } from "../util/bytes.ts";
import { malformed } from "./errors.ts";

/**
 * A strict, zero-copy RLP reader for transaction envelopes (encoding stays with
 * @ethereumjs/rlp). Why not `RLP.decode`: it copies every list body at every nesting level and
 * recurses without a bound, so a 60 KB blob of nested list headers costs ~160 ms before it
 * fails; here each byte is looked at once, nesting is limited by the caller's shape, and items
 * are offsets into the received bytes, which also lets the signing payload be cut out of them
 * instead of re-encoded.
 */

/** One RLP item inside a buffer: it starts at `pos`, its payload is [start, end). */
export interface RlpItem {
  list: boolean;
  pos: number;
  start: number;
  end: number;
}

/** Read the item at `pos`, which must end by `limit`. Rejects every non-canonical form. */
export function readItem(buf: Uint8Array, pos: number, limit: number): RlpItem {
  if (pos >= limit) malformed("unexpected end of input", { pos });
  const b = buf[pos]!;
  if (b < 0x80) return { list: false, pos, start: pos, end: pos + 1 };
  let list: boolean;
  let start: number;
  let len: number;
  if (b <= 0xb7 || (b >= 0xc0 && b <= 0xf7)) {
    list = b >= 0xc0;
    len = b - (list ? 0xc0 : 0x80);
    start = pos + 1;
    // A single byte below 0x80 is its own encoding; a prefixed one has a second spelling.
    if (!list && len === 1 && start < limit && buf[start]! < 0x80) {
      malformed("single byte below 0x80 must not be prefixed", { pos });
    }
  } else {
    list = b >= 0xf8;
    const lenOfLen = b - (list ? 0xf7 : 0xb7);
    start = pos + 1 + lenOfLen;
    // Four length bytes already exceed any transaction size limit; more cannot be honest.
    if (lenOfLen > 4) malformed("length of length over 4 bytes", { pos });
    if (start > limit) malformed("truncated length", { pos });
    if (buf[pos + 1] === 0) malformed("length with leading zero", { pos });
    len = 0;
    for (let i = pos + 1; i < start; i++) len = len * 256 + buf[i]!;
    if (len < 56) malformed("long form used for a short length", { pos });
  }
  const end = start + len;
  if (end > limit) malformed("item runs past its container", { pos, len });
  return { list, pos, start, end };
}

/** Items of a list item, at most `maxItems` (more is reported, not read). */
export function readList(buf: Uint8Array, item: RlpItem, maxItems: number, what: string): RlpItem[] {
  if (!item.list) malformed(`${what} must be a list`, { pos: item.pos });
  const out: RlpItem[] = [];
  let pos = item.start;
  while (pos < item.end) {
    if (out.length === maxItems) malformed(`${what} has more than ${maxItems} items`, { pos });
    const it = readItem(buf, pos, item.end);
    out.push(it);
    pos = it.end;
  }
  return out;
}

/** The payload of a string item; a list where a string belongs is malformed. */
export function readBytes(buf: Uint8Array, item: RlpItem, field: string): Uint8Array {
  if (item.list) malformed(`${field} must be a byte string`, { field });
  return buf.subarray(item.start, item.end);
}

/**
 * A canonical unsigned integer of at most `maxBytes` bytes: no leading zero (zero is the empty
 * string), as geth's decoder demands, so each integer has exactly one encoding and one hash.
 */
export function readUint(buf: Uint8Array, item: RlpItem, maxBytes: number, field: string): bigint {
  if (item.list) malformed(`${field} must be an integer`, { field });
  const { start, end } = item;
  const len = end - start;
  if (len === 0) return 0n;
  if (buf[start] === 0) malformed(`${field} has a leading zero`, { field });
  if (len > maxBytes) malformed(`${field} is wider than ${maxBytes * 8} bits`, { field, bytes: len });
  return uintFromBytes(buf, start, end);
}

/**
 * Big-endian bytes to bigint without a hex string: 6-byte chunks stay exact in a double, so
 * a gas price or nonce takes one BigInt() call and a 32-byte value six.
 */
export function uintFromBytes(buf: Uint8Array, start: number, end: number): bigint {
  const head = (end - start) % 6 || 6;
  let n = 0;
  let i = start;
  for (const stop = Math.min(end, start + head); i < stop; i++) n = n * 256 + buf[i]!;
  let r = BigInt(n);
  for (; i < end; i += 6) {
    n =
      buf[i]! * 0x10000000000 +
      buf[i + 1]! * 0x100000000 +
      buf[i + 2]! * 0x1000000 +
      buf[i + 3]! * 0x10000 +
      buf[i + 4]! * 0x100 +
      buf[i + 5]!;
    r = (r << 48n) | BigInt(n);
  }
  return r;
}

const EMPTY = new Uint8Array(0);

/** Minimal big-endian bytes of a non-negative bigint (0 → empty), as RLP integers are spelled. */
export function uintToBytes(n: bigint): Uint8Array {
  if (n === 0n) return EMPTY;
  if (n < 0n || n > 0xffffffffffffn) return bigintToBytes(n);
  let x = Number(n);
  let len = 0;
  for (let t = x; t > 0; t = Math.floor(t / 256)) len++;
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = x % 256;
    x = Math.floor(x / 256);
  }
  return out;
}

/** Number of bytes of an RLP list header for a payload of `len` bytes. */
export function listHeaderLength(len: number): number {
  if (len < 56) return 1;
  let n = 1;
  for (let t = len; t > 255; t = Math.floor(t / 256)) n++;
  return 1 + n;
}

/** Write an RLP list header for a payload of `len` bytes at `off`; returns the next offset. */
export function writeListHeader(out: Uint8Array, off: number, len: number): number {
  const hl = listHeaderLength(len);
  if (hl === 1) {
    out[off] = 0xc0 + len;
    return off + 1;
  }
  out[off] = 0xf7 + hl - 1;
  for (let i = hl - 1, t = len; i >= 1; i--, t = Math.floor(t / 256)) out[off + i] = t % 256;
  return off + hl;
}
