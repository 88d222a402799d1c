import type { Address } from "../crypto/address.ts";
import { StateNs } from "../ledger/keys.ts";
import { fromHex } from "../util/bytes.ts";

const enc = new TextEncoder();

/**
 * Trie key of one storage slot of a contract: `0x07 | contract address(20) | key utf8`
 * (StateNs.CONTRACT_STORAGE). The value is the stored string as utf8 (never empty).
 */
export function contractStorageKey(contract: Address, key: string): Uint8Array {
  const body = enc.encode(key);
  const k = new Uint8Array(21 + body.length);
  k[0] = StateNs.CONTRACT_STORAGE;
  k.set(fromHex(contract), 1);
  k.set(body, 21);
  return k;
}
