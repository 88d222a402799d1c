import { Branch, type ByteString, bitAt, createLeaf, Leaf, type Node } from "./node.ts";

/** One pending write, keyed by path; `value === null` deletes. */
export interface Change {
  path: ByteString;
  key: Uint8Array;
  value: Uint8Array | null;
}

// Byte strings compare in byte order natively, which is also the trie's left-to-right order.
function byPath(a: { path: ByteString }, b: { path: ByteString }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

// Below this, Array sort (stable TimSort) is as fast as anything and needs no scratch memory.
const RADIX_MIN = 4096;
// Buckets up to this size are insertion-sorted in place; bigger ones (only if keys were ground to
// share a prefix) go to Array sort, so a crafted state cannot make the bulk load quadratic.
const INSERTION_MAX = 16;

/**
 * Stable sort by path. For a bulk load of a million keys a comparison sort spends ~2 s; one
 * counting pass over the first 16 path bits (uniform: they are sha256 output) leaves buckets of
 * ~15 items, cheap to finish.
 */
function sortByPath<T extends { path: ByteString }>(items: T[]): void {
  const n = items.length;
  if (n < RADIX_MIN) {
    items.sort(byPath);
    return;
  }
  const ends = new Uint32Array(65536);
  for (let i = 0; i < n; i++) ends[top16(items[i]!.path)]!++;
  let sum = 0;
  for (let b = 0; b < 65536; b++) {
    const c = ends[b]!;
    ends[b] = sum;
    sum += c;
  }
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    out[ends[top16(item.path)]!++] = item; // start offsets become end offsets
  }
  let start = 0;
  for (let b = 0; b < 65536; b++) {
    const end = ends[b]!;
    if (end - start <= INSERTION_MAX) {
      for (let i = start + 1; i < end; i++) {
        const item = out[i]!;
        let j = i - 1;
        for (; j >= start && out[j]!.path > item.path; j--) out[j + 1] = out[j]!;
        out[j + 1] = item;
      }
    } else {
      const bucket = out.slice(start, end).sort(byPath);
      for (let i = 0; i < bucket.length; i++) out[start + i] = bucket[i]!;
    }
    start = end;
  }
  for (let i = 0; i < n; i++) items[i] = out[i]!;
}

function top16(path: ByteString): number {
  return (path.charCodeAt(0) << 8) | path.charCodeAt(1);
}

/**
 * Sorts by path (stably) and keeps the last item for each path, so a batch or a bulk load with a
 * key twice means "the last write wins", as it would applied one by one.
 */
export function sortUniqueByPath<T extends { path: ByteString }>(items: T[]): T[] {
  sortByPath(items);
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    const next = items[i + 1];
    if (next !== undefined && next.path === items[i]!.path) continue;
    items[n++] = items[i]!;
  }
  items.length = n;
  return items;
}

// First index in [lo, hi) whose path has bit `depth` set. Items in the range share their first
// `depth` bits and are sorted, so that bit goes 0…0 1…1 and a binary search finds the switch.
function splitAt(items: readonly { path: ByteString }[], lo: number, hi: number, depth: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bitAt(items[mid]!.path, depth) === 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The canonical subtree at `depth` holding exactly `leaves[lo..hi)`, which are sorted by path,
 * distinct, and share their first `depth` bits. Each internal node is hashed once.
 */
export function buildSorted(leaves: readonly Leaf[], lo: number, hi: number, depth: number): Node | null {
  if (hi === lo) return null;
  if (hi - lo === 1) return leaves[lo]!;
  const mid = splitAt(leaves, lo, hi, depth);
  return new Branch(buildSorted(leaves, lo, mid, depth + 1), buildSorted(leaves, mid, hi, depth + 1));
}

/** A parent for two canonical children, lifting a lone leaf (or nothing) to keep paths compressed. */
function join(left: Node | null, right: Node | null): Node | null {
  if (left === null && (right === null || right instanceof Leaf)) return right;
  if (right === null && left instanceof Leaf) return left;
  return new Branch(left, right);
}

/** Running count of keys added minus keys removed, so `size` needs no walk. */
export interface SizeDelta {
  delta: number;
}

/**
 * Applies `changes[lo..hi)` (sorted, unique paths, all under this subtree) to `node` at `depth`.
 * Returns `node` itself when nothing under it changed, so untouched subtrees are shared and no
 * unchanged node is rehashed.
 */
export function applyChanges(
  node: Node | null,
  depth: number,
  changes: readonly Change[],
  lo: number,
  hi: number,
  size: SizeDelta,
): Node | null {
  if (lo === hi) return node;
  if (node instanceof Branch) {
    const mid = splitAt(changes, lo, hi, depth);
    const left = applyChanges(node.left, depth + 1, changes, lo, mid, size);
    const right = applyChanges(node.right, depth + 1, changes, mid, hi, size);
    if (left === node.left && right === node.right) return node;
    return join(left, right);
  }
  // Empty or a single leaf: merge the leaf (if any) into the writes, then build this subtree afresh.
  const leaves: Leaf[] = [];
  let pending: Leaf | null = node;
  for (let i = lo; i < hi; i++) {
    const c = changes[i]!;
    if (pending !== null && c.path > pending.path) {
      leaves.push(pending);
      pending = null;
    }
    if (pending !== null && c.path === pending.path) {
      const old: Leaf = pending;
      pending = null;
      if (c.value === null) size.delta--;
      else leaves.push(sameBytes(c.value, old.value) ? old : createLeaf(c.path, c.key, c.value));
    } else if (c.value !== null) {
      size.delta++;
      leaves.push(createLeaf(c.path, c.key, c.value));
    }
  }
  if (pending !== null) leaves.push(pending);
  if (leaves.length === 1 && leaves[0] === node) return node;
  return buildSorted(leaves, 0, leaves.length, depth);
}

// A rewrite with the same value keeps the old leaf, so the subtree is shared, not rehashed.
function sameBytes(b: Uint8Array, s: ByteString): boolean {
  if (b.length !== s.length) return false;
  for (let i = 0; i < b.length; i++) if (b[i] !== s.charCodeAt(i)) return false;
  return true;
}
