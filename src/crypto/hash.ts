import { createHash } from "node:crypto";
import { keccak_256 } from "@noble/hashes/sha3.js";

/** keccak-256 (Ethereum's, not NIST SHA3): transaction hashes, addresses, block hashes. */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

/** SHA-256 through OpenSSL: the state trie's node hash (hot path, about 3x faster than JS). */
export function sha256(data: Uint8Array): Uint8Array {
  const d = createHash("sha256").update(data).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}
