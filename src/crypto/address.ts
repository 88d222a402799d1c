import { toHex } from "../util/bytes.ts";
import { keccak256 } from "./hash.ts";

/** A 20-byte account address as 0x-hex; canonical form inside the node is lowercase. */
export type Address = `0x${string}`;

const ADDR_RE = /^0x[0-9a-fA-F]{40}$/;

/** Address of an uncompressed public key (65 bytes, 0x04 prefix): last 20 bytes of keccak. */
export function publicKeyToAddress(pub: Uint8Array): Address {
  const body = pub.length === 65 ? pub.subarray(1) : pub;
  return toHex(keccak256(body).subarray(12)) as Address;
}

/** EIP-55 mixed-case checksum form. */
export function toChecksumAddress(addr: string): Address {
  const lower = addr.toLowerCase().replace(/^0x/, "");
  const hash = Buffer.from(keccak256(new TextEncoder().encode(lower))).toString("hex");
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const c = lower[i]!;
    out += Number.parseInt(hash[i]!, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out as Address;
}

/**
 * Parse a user-supplied address: 0x + 40 hex. All-lowercase or all-uppercase is accepted;
 * mixed case must carry a valid EIP-55 checksum. Returns lowercase, or null when invalid.
 */
export function parseAddress(s: unknown): Address | null {
  if (typeof s !== "string" || !ADDR_RE.test(s)) return null;
  const body = s.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  if (mixed && toChecksumAddress(s) !== s) return null;
  return `0x${body.toLowerCase()}` as Address;
}
