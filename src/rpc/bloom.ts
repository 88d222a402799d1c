import { keccak256 } from "../crypto/hash.ts";
import type { Log } from "../ledger/types.ts";
import { fromHex } from "../util/bytes.ts";

/** Size of an Ethereum logs bloom: 2048 bits. */
export const BLOOM_BYTES = 256;

/**
 * The Ethereum 2048-bit logs bloom of some logs (yellow paper 4.3.1): for the address and each
 * topic, three bits chosen by the low 11 bits of the first three byte pairs of its keccak.
 * Clients use it to skip receipts when filtering, so it must not under-report.
 */
export function logsBloom(logs: readonly Log[]): Uint8Array {
  const bloom = new Uint8Array(BLOOM_BYTES);
  const add = (item: Uint8Array) => {
    const h = keccak256(item);
    for (let i = 0; i < 6; i += 2) {
      const bit = ((h[i]! << 8) | h[i + 1]!) & 2047;
      bloom[BLOOM_BYTES - 1 - (bit >> 3)]! |= 1 << (bit & 7);
    }
  };
  for (const log of logs) {
    add(fromHex(log.address));
    for (const t of log.topics) add(t);
  }
  return bloom;
}
