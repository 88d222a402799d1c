import { applyChanges, buildSorted, type Change, type SizeDelta, sortUniqueByPath } from "./build.ts";
import { TrieErrorCode, trieError } from "./errors.ts";
import { Branch, bitAt, createLeaf, fromByteString, hashOf, Leaf, type Node, sha256Str } from "./node.ts";
import type { ProofEnd, StateProof } from "./proof.ts";

/** One write of a batch: a value sets the key, null deletes it. */
export type TrieChange = readonly [key: Uint8Array, value: Uint8Array | null];

/**
 * One version of the state: an immutable binary Merkle trie over sha256(key), path-compressed
 * (see docs/state-commitment.md). `update` returns a new version sharing every untouched node, so
 * the node can keep recent block states for reads and proofs at little cost.
 *
 * Keys and values are copied in, and every Uint8Array handed out is a fresh copy, so no caller
 * can corrupt a version another reader still holds.
 */
export class StateTrie {
  // One shared empty version: versions are immutable, so there is no reason to make more.
  static readonly #empty = new StateTrie(null, 0);
  readonly #root: Node | null;
  /** Number of keys. */
  readonly size: number;

  private constructor(root: Node | null, size: number) {
    this.#root = root;
    this.size = size;
  }

  /** The trie with no keys; its root is 32 zero bytes. */
  static empty(): StateTrie {
    return StateTrie.#empty;
  }

  /**
   * Bulk build (node start-up from the stored key/values): one sort, then each node built and
   * hashed once. A key given twice keeps its last value.
   */
  static fromEntries(entries: Iterable<readonly [key: Uint8Array, value: Uint8Array]>): StateTrie {
    const leaves: Leaf[] = [];
    for (const [key, value] of entries) {
      checkValue(key, value);
      leaves.push(createLeaf(sha256Str(key), key, value));
    }
    sortUniqueByPath(leaves);
    return new StateTrie(buildSorted(leaves, 0, leaves.length, 0), leaves.length);
  }

  /** The state commitment that goes in the block header: 32 bytes, zeros for the empty trie. */
  get root(): Uint8Array {
    return fromByteString(hashOf(this.#root));
  }

  /** The value stored under `key`, or undefined. */
  get(key: Uint8Array): Uint8Array | undefined {
    const path = sha256Str(key);
    let node = this.#root;
    for (let depth = 0; node instanceof Branch; depth++) {
      node = bitAt(path, depth) === 0 ? node.left : node.right;
    }
    return node !== null && node.path === path ? fromByteString(node.value) : undefined;
  }

  /**
   * A new version with `changes` applied (null deletes; a key given twice keeps its last write).
   * The batch is sorted by path and applied in one descent, so each touched internal node is
   * rebuilt and hashed once per batch however many of its keys changed.
   */
  update(changes: Iterable<TrieChange>): StateTrie {
    const batch: Change[] = [];
    for (const [key, value] of changes) {
      if (value !== null) checkValue(key, value);
      batch.push({ path: sha256Str(key), key, value });
    }
    if (batch.length === 0) return this;
    sortUniqueByPath(batch);
    const size: SizeDelta = { delta: 0 };
    const root = applyChanges(this.#root, 0, batch, 0, batch.length, size);
    return root === this.#root ? this : new StateTrie(root, this.size + size.delta);
  }

  /** All [key, value] pairs in path order (sha256(key)), not key order; for tests and dumps. */
  *entries(): IterableIterator<[key: Uint8Array, value: Uint8Array]> {
    const stack: Node[] = this.#root === null ? [] : [this.#root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node instanceof Leaf) {
        yield [fromByteString(node.key), fromByteString(node.value)];
        continue;
      }
      if (node.right !== null) stack.push(node.right);
      if (node.left !== null) stack.push(node.left);
    }
  }

  /** Inclusion proof for a present key, non-inclusion proof for an absent one; check with verifyProof. */
  prove(key: Uint8Array): StateProof {
    const path = sha256Str(key);
    const { node, siblings, end } = this.#find(path);
    let proofEnd: ProofEnd;
    if (node !== null) proofEnd = { type: "leaf", value: fromByteString(node.value) };
    else if (end === null) proofEnd = { type: "empty" };
    else {
      const valueHash = sha256Str(fromByteString(end.value));
      proofEnd = { type: "other", path: fromByteString(end.path), valueHash: fromByteString(valueHash) };
    }
    return { siblings: siblings.map(fromByteString), end: proofEnd };
  }

  // Walks `path` down to where it ends: `node` is the key's leaf if present, `end` what sits
  // there otherwise (another leaf, or null for empty), `siblings` the hashes passed on the way.
  #find(path: string): { node: Leaf | null; end: Leaf | null; siblings: string[] } {
    const siblings: string[] = [];
    let node = this.#root;
    for (let depth = 0; node instanceof Branch; depth++) {
      const right = bitAt(path, depth) === 1;
      siblings.push(hashOf(right ? node.left : node.right));
      node = right ? node.right : node.left;
    }
    if (node !== null && node.path === path) return { node, end: node, siblings };
    return { node: null, end: node, siblings };
  }
}

function checkValue(key: Uint8Array, value: Uint8Array): void {
  // A zero-length value would be indistinguishable from deletion to every reader of the state.
  if (value.length === 0) {
    throw trieError(TrieErrorCode.EMPTY_VALUE, "state value must not be empty (use null to delete)", {
      keyLength: key.length,
    });
  }
}
