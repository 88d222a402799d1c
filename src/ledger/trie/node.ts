import { hash } from "node:crypto";

// Node bytes are kept as "byte strings" (one char per byte, 0..255, i.e. latin1), not Uint8Arrays.
// A million-key state held as Uint8Arrays means millions of ArrayBuffers with off-heap backing
// stores, and V8's GC then dominates: a 1M-key build took 20+ s, almost all in GC. One-byte
// strings live on the V8 heap, are immutable (so no caller can corrupt a shared node), compare
// natively in byte order, and crypto.hash can return them directly without allocating a Buffer.

/** Bytes as a latin1 string, one char per byte. Immutable and GC-cheap; see the note above. */
export type ByteString = string;

/** Hash of the empty subtree and of the empty trie. */
export const ZERO_HASH: ByteString = "\0".repeat(32);

/** Uint8Array to ByteString. */
export function toByteString(b: Uint8Array): ByteString {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}

/** ByteString to a fresh plain Uint8Array (never a view of Node's shared Buffer pool). */
export function fromByteString(s: ByteString): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * sha256 through OpenSSL's one-shot crypto.hash: unlike createHash (src/crypto/hash.ts) it makes
 * no Hash object and no Buffer per call, which made the trie 3-4x faster (4 hashes per new key).
 */
export function sha256Str(data: Uint8Array): ByteString {
  return hash("sha256", data, "binary");
}

// One scratch buffer for hash preimages: crypto.hash consumes its input synchronously, and this is
// the hot path, so no per-hash allocation.
const scratch = Buffer.alloc(65);

function hashPair(domain: number, a: ByteString, b: ByteString): ByteString {
  scratch[0] = domain;
  scratch.write(a, 1, "latin1");
  scratch.write(b, 33, "latin1");
  return sha256Str(scratch);
}

/** Bit `i` of a 256-bit path, most significant bit of byte 0 first. */
export function bitAt(path: ByteString, i: number): number {
  return (path.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1;
}

/**
 * A key and its value, at the shallowest depth where it is alone in its subtree. The depth is not
 * stored: it is implied by the position, and the hash does not depend on it, so a leaf can move up
 * when its sibling subtree empties without being rehashed.
 */
export class Leaf {
  /** sha256(key): where the key lives. */
  readonly path: ByteString;
  readonly key: ByteString;
  readonly value: ByteString;
  /** sha256(0x00 || path || sha256(value)); domain byte 0 keeps leaves apart from internal nodes. */
  readonly hash: ByteString;

  constructor(path: ByteString, key: ByteString, value: ByteString, valueHash: ByteString) {
    this.path = path;
    this.key = key;
    this.value = value;
    this.hash = hashPair(0x00, path, valueHash);
  }
}

/** A leaf for caller-supplied bytes: copies them (as strings), hashes the value straight from its bytes. */
export function createLeaf(path: ByteString, key: Uint8Array, value: Uint8Array): Leaf {
  return new Leaf(path, toByteString(key), toByteString(value), sha256Str(value));
}

/**
 * An internal node. Invariant (path compression): never (leaf, empty), (empty, leaf) or
 * (empty, empty); (internal, empty) and (empty, internal) are allowed.
 */
export class Branch {
  readonly left: Node | null;
  readonly right: Node | null;
  /** sha256(0x01 || left.hash || right.hash), zeros standing for an empty side. */
  readonly hash: ByteString;

  constructor(left: Node | null, right: Node | null) {
    this.left = left;
    this.right = right;
    this.hash = hashPair(0x01, left?.hash ?? ZERO_HASH, right?.hash ?? ZERO_HASH);
  }
}

/** A trie node; `null` is the empty subtree. Nodes are immutable and shared between versions. */
export type Node = Leaf | Branch;

/** Hash of a subtree, zeros when empty. */
export function hashOf(node: Node | null): ByteString {
  return node === null ? ZERO_HASH : node.hash;
}
