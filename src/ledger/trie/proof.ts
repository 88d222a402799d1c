// Proof verification for light clients: this file, bits.ts and proof-json.ts must stay free of
// node: imports and Buffer, so they bundle for a browser. Noble's sha256 gives the same digests as OpenSSL's.
import { sha256 } from "@noble/hashes/sha2.js";
import { bitAt, sharePrefix } from "./bits.ts";

/** Most siblings a proof can have: one per bit of a 256-bit path. */
export const MAX_PROOF_DEPTH = 256;

/**
 * What sits where the key's path ends:
 * - `leaf`: the key's own leaf (inclusion), with its value;
 * - `empty`: an empty subtree (non-inclusion);
 * - `other`: another key's leaf, alone in the subtree the key would be in (non-inclusion), given
 *   as its path and sha256(value) so the verifier can hash it without the other value.
 */
export type ProofEnd =
  | { type: "leaf"; value: Uint8Array }
  | { type: "empty" }
  | { type: "other"; path: Uint8Array; valueHash: Uint8Array };

/** A Merkle proof for one key: sibling hashes from the root down (32 bytes each), then the end. */
export interface StateProof {
  siblings: Uint8Array[];
  end: ProofEnd;
}

/** Outcome of verifyProof: `value` is the key's value when proven present, null when proven absent. */
export interface ProofResult {
  valid: boolean;
  value: Uint8Array | null;
}

const INVALID: ProofResult = Object.freeze({ valid: false, value: null });

function isHash(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === 32;
}

function hashPair(domain: number, a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(65);
  buf[0] = domain;
  buf.set(a, 1);
  buf.set(b, 33);
  return sha256(buf);
}

/**
 * Checks `proof` for `key` against a state `root` using sha256 only. Never throws on a malformed
 * proof object: anything that does not hash up to `root` is `{ valid: false }`.
 */
export function verifyProof(root: Uint8Array, key: Uint8Array, proof: StateProof): ProofResult {
  const { siblings, end } = proof;
  if (!isHash(root) || !Array.isArray(siblings) || siblings.length > MAX_PROOF_DEPTH) return INVALID;
  const path = sha256(key);
  const depth = siblings.length;
  let hash: Uint8Array;
  let value: Uint8Array | null = null;
  switch (end?.type) {
    case "empty":
      hash = new Uint8Array(32);
      break;
    case "leaf":
      if (!(end.value instanceof Uint8Array) || end.value.length === 0) return INVALID;
      hash = hashPair(0x00, path, sha256(end.value));
      value = end.value;
      break;
    case "other":
      if (!isHash(end.path) || !isHash(end.valueHash)) return INVALID;
      // The other leaf must sit in the subtree the key's path leads to (share `depth` bits), and
      // must not be the key itself: that would hide a present key behind a "non-inclusion".
      if (!sharePrefix(end.path, path, depth) || sharePrefix(end.path, path, 256)) return INVALID;
      hash = hashPair(0x00, end.path, end.valueHash);
      break;
    default:
      return INVALID;
  }
  for (let i = depth - 1; i >= 0; i--) {
    const sibling = siblings[i];
    if (!isHash(sibling)) return INVALID;
    hash = bitAt(path, i) === 0 ? hashPair(0x01, hash, sibling) : hashPair(0x01, sibling, hash);
  }
  for (let i = 0; i < 32; i++) if (hash[i] !== root[i]) return INVALID;
  return { valid: true, value };
}
