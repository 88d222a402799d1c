/** Byte and hex helpers shared by every subsystem. Hex strings are 0x-prefixed lowercase. */

export type Hex = `0x${string}`;

const HEX_RE = /^0x[0-9a-fA-F]*$/;

/** True when `s` is a 0x-prefixed hex string (any length, even or odd). */
export function isHex(s: unknown): s is Hex {
  return typeof s === "string" && HEX_RE.test(s);
}

/** Bytes to 0x-hex. */
export function toHex(b: Uint8Array): Hex {
  return `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex")}`;
}

/** 0x-hex (even length) to bytes; throws RangeError on bad input. */
export function fromHex(s: string): Uint8Array {
  if (!isHex(s) || s.length % 2 !== 0) throw new RangeError(`invalid hex string: ${s.slice(0, 20)}`);
  return new Uint8Array(Buffer.from(s.slice(2), "hex"));
}

/** Big-endian minimal bytes of a non-negative bigint (0 → empty). */
export function bigintToBytes(n: bigint): Uint8Array {
  if (n < 0n) throw new RangeError("negative bigint");
  if (n === 0n) return new Uint8Array(0);
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Big-endian bytes to bigint (empty → 0). */
export function bytesToBigint(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt(toHex(b));
}

/** Fixed-width big-endian bytes of a non-negative bigint. */
export function bigintToFixed(n: bigint, width: number): Uint8Array {
  const b = bigintToBytes(n);
  if (b.length > width) throw new RangeError(`bigint does not fit in ${width} bytes`);
  const out = new Uint8Array(width);
  out.set(b, width - b.length);
  return out;
}

/** Quantity (Ethereum JSON-RPC style: 0x-hex, no leading zeros). */
export function toQuantity(n: bigint | number): Hex {
  return `0x${n.toString(16)}`;
}

/** Concatenate byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Constant-shape byte equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic compare of byte arrays. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** UTF-8 encode. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
