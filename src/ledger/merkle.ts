import { sha256 } from "../crypto/hash.ts";
import { concatBytes } from "../util/bytes.ts";

const ZERO32 = new Uint8Array(32);

/**
 * Binary Merkle root of a list of 32-byte leaves (tx hashes, receipt hashes). An odd last node
 * is paired with 32 zero bytes; the root is domain-tagged. Empty list → 32 zero bytes. sha256.
 */
export function merkleRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return ZERO32;
  let level = leaves;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(sha256(concatBytes(level[i]!, level[i + 1] ?? ZERO32)));
    }
    level = next;
  }
  return sha256(concatBytes(new Uint8Array([0x01]), level[0]!));
}
