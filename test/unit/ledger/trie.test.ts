import { readFileSync } from "node:fs";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import {
  proofFromJson,
  proofToJson,
  type StateProof,
  StateTrie,
  type TrieChange,
  TrieErrorCode,
  verifyProof,
} from "../../../src/ledger/trie/index.ts";
import { bytesEqual, compareBytes, concatBytes, toHex, utf8 } from "../../../src/util/bytes.ts";
import { isLvoError } from "../../../src/util/errors.ts";

// ---- helpers -------------------------------------------------------------------------------

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randBytes(rand: () => number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

function shuffle<T>(rand: () => number, xs: T[]): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function randomEntries(rand: () => number, n: number): [Uint8Array, Uint8Array][] {
  const out: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < n; i++) {
    out.push([randBytes(rand, 8 + Math.floor(rand() * 33)), randBytes(rand, 1 + Math.floor(rand() * 60))]);
  }
  return out;
}

/** Naive reference: recursive over sorted paths, hashes with noble (independent of the trie's code). */
function referenceRoot(entries: Iterable<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  const map = new Map<string, [Uint8Array, Uint8Array]>();
  for (const [k, v] of entries) {
    const p = nobleSha256(k);
    map.set(toHex(p), [p, v]);
  }
  const items = [...map.values()].sort((a, b) => compareBytes(a[0], b[0]));
  const bit = (p: Uint8Array, i: number) => (p[i >> 3]! >> (7 - (i & 7))) & 1;
  const rec = (xs: [Uint8Array, Uint8Array][], depth: number): Uint8Array => {
    if (xs.length === 0) return new Uint8Array(32);
    if (xs.length === 1) {
      const [p, v] = xs[0]!;
      return nobleSha256(concatBytes(Uint8Array.of(0), p, nobleSha256(v)));
    }
    const left = xs.filter(([p]) => bit(p, depth) === 0);
    const right = xs.filter(([p]) => bit(p, depth) === 1);
    return nobleSha256(concatBytes(Uint8Array.of(1), rec(left, depth + 1), rec(right, depth + 1)));
  };
  return rec(items, 0);
}

const ZERO_ROOT = `0x${"00".repeat(32)}`;
const hex = (t: StateTrie) => toHex(t.root);

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(isLvoError(err, code), String(err)).toBe(true);
    return;
  }
  expect.fail(`expected LvoError ${code}`);
}

// ---- structure and root --------------------------------------------------------------------

// Computed once (and cross-checked with an independent Python hashlib implementation), then
// frozen: a change here is a consensus change (every state root in every header moves).
const GOLDEN: [string, Uint8Array][] = [
  ["alice", utf8("100")],
  ["bob", utf8("250")],
  ["carol", Uint8Array.of(0, 1, 2)],
  ["dave", utf8("x".repeat(40))],
  ["eve", utf8("5")],
];
const GOLDEN_ROOT = "0x7a52e277065e94147a05b9faf5b3f9e1983c5884db6a2ac9f8ee566667b06e04";
const GOLDEN_ALICE_ONLY_ROOT = "0xe88595db6e2373140c77336108e543dd79e1c6420dff08568b120417c8af88b5";

describe("StateTrie root", () => {
  it("empty trie has the zero root", () => {
    const t = StateTrie.empty();
    expect(hex(t)).toBe(ZERO_ROOT);
    expect(t.size).toBe(0);
    expect(t.get(utf8("a"))).toBeUndefined();
    expect([...t.entries()]).toEqual([]);
    expect(hex(StateTrie.fromEntries([]))).toBe(ZERO_ROOT);
  });

  it("golden vector", () => {
    const entries = GOLDEN.map(([k, v]) => [utf8(k), v] as const);
    expect(hex(StateTrie.fromEntries(entries))).toBe(GOLDEN_ROOT);
    expect(hex(StateTrie.empty().update(entries))).toBe(GOLDEN_ROOT);
    let t = StateTrie.empty();
    for (const e of entries) t = t.update([e]);
    expect(hex(t)).toBe(GOLDEN_ROOT);
    expect(toHex(referenceRoot(entries))).toBe(GOLDEN_ROOT);
    expect(hex(StateTrie.empty().update([[utf8("alice"), utf8("100")]]))).toBe(GOLDEN_ALICE_ONLY_ROOT);
  });

  it("agrees with a naive reference on random sets of 1..2000 keys", () => {
    const rand = rng(1);
    for (const n of [1, 2, 3, 5, 17, 100, 513, 2000]) {
      const entries = randomEntries(rand, n);
      const t = StateTrie.fromEntries(entries);
      expect(hex(t)).toBe(toHex(referenceRoot(entries)));
      expect(t.size).toBe(n);
      for (const [k, v] of entries) expect(t.get(k)).toEqual(v);
    }
  });

  it("bulk load of a large set (bucketed sort) agrees with the reference, last duplicate wins", () => {
    const rand = rng(7);
    const entries = randomEntries(rand, 6000);
    // 24 keys whose paths all start 0xf3dd: a bucket too big for insertion sort, as ground keys would make.
    const ground = [
      1904, 66273, 76455, 81503, 105875, 107008, 130576, 148205, 151828, 187677, 188497, 229915, 282429,
      374026, 397477, 421757, 429202, 432072, 485173, 560239, 748124, 750000, 787926, 820509,
    ].map((i) => [utf8(`g${i}`), utf8(`v${i}`)] as [Uint8Array, Uint8Array]);
    for (const [k] of ground) expect(toHex(nobleSha256(k)).slice(0, 6)).toBe("0xf3dd");
    const dupes = entries.slice(0, 100).map(([k]) => [k, utf8("later")] as [Uint8Array, Uint8Array]);
    const all = shuffle(rand, [...entries, ...ground]).concat(dupes);
    const t = StateTrie.fromEntries(all);
    const final = [...entries.slice(100), ...ground, ...dupes];
    expect(t.size).toBe(final.length);
    expect(hex(t)).toBe(toHex(referenceRoot(final)));
    expect(hex(StateTrie.empty().update(all))).toBe(hex(t));
    expect(t.get(entries[0]![0])).toEqual(utf8("later"));
    const paths = [...t.entries()].map(([k]) => toHex(nobleSha256(k)));
    expect(paths).toEqual([...paths].sort());
  });

  it("root depends only on the final set, not on insert or delete order", () => {
    const rand = rng(2);
    const entries = randomEntries(rand, 600);
    const keep = entries.slice(0, 400);
    const expected = hex(StateTrie.fromEntries(keep));
    for (let round = 0; round < 4; round++) {
      // Insert everything in random order and random batch sizes, then delete the extra 200 likewise.
      let t = StateTrie.empty();
      const ins = shuffle(rand, entries);
      for (let i = 0; i < ins.length; ) {
        const n = 1 + Math.floor(rand() * 50);
        t = t.update(ins.slice(i, i + n));
        i += n;
      }
      expect(t.size).toBe(600);
      const del = shuffle(rand, entries.slice(400)).map(([k]) => [k, null] as const);
      for (let i = 0; i < del.length; ) {
        const n = 1 + Math.floor(rand() * 30);
        t = t.update(del.slice(i, i + n));
        i += n;
      }
      expect(t.size).toBe(400);
      expect(hex(t)).toBe(expected);
    }
  });

  it("a mixed batch (overwrite, insert, delete, delete-absent) matches the reference", () => {
    const rand = rng(3);
    const base = randomEntries(rand, 1000);
    const t0 = StateTrie.fromEntries(base);
    const model = new Map(base.map(([k, v]) => [toHex(k), [k, v] as [Uint8Array, Uint8Array]]));
    const batch: TrieChange[] = [];
    for (const [k] of base.slice(0, 200)) batch.push([k, randBytes(rand, 8)]);
    for (const [k] of base.slice(200, 400)) batch.push([k, null]);
    for (const [k, v] of randomEntries(rand, 200)) batch.push([k, v]);
    for (const [k] of randomEntries(rand, 50)) batch.push([k, null]);
    for (const [k, v] of batch) {
      if (v === null) model.delete(toHex(k));
      else model.set(toHex(k), [k, v]);
    }
    const t1 = t0.update(shuffle(rand, batch));
    expect(t1.size).toBe(model.size);
    expect(hex(t1)).toBe(toHex(referenceRoot(model.values())));
    expect(hex(t1)).toBe(hex(StateTrie.fromEntries(model.values())));
    const dumped = [...t1.entries()].map(([k, v]) => `${toHex(k)}=${toHex(v)}`).sort();
    const want = [...model.values()].map(([k, v]) => `${toHex(k)}=${toHex(v)}`).sort();
    expect(dumped).toEqual(want);
  });

  it("old versions stay readable and keep their root after updates", () => {
    const rand = rng(4);
    const entries = randomEntries(rand, 300);
    const versions: { t: StateTrie; root: string; snapshot: [Uint8Array, Uint8Array][] }[] = [];
    let t = StateTrie.empty();
    for (let i = 0; i < entries.length; i += 50) {
      const batch: TrieChange[] = entries.slice(i, i + 50);
      if (i > 0) batch.push([entries[i - 50]![0], null], [entries[i - 49]![0], utf8(`v${i}`)]);
      t = t.update(batch);
      versions.push({ t, root: hex(t), snapshot: [...t.entries()] });
    }
    for (const { t: v, root, snapshot } of versions) {
      expect(hex(v)).toBe(root);
      expect(v.size).toBe(snapshot.length);
      for (const [k, val] of snapshot) expect(v.get(k)).toEqual(val);
      expect(verifyProof(v.root, snapshot[0]![0], v.prove(snapshot[0]![0])).value).toEqual(snapshot[0]![1]);
    }
  });

  it("last write wins for a key given twice; no-op batches return the same version", () => {
    const k = utf8("k");
    const t = StateTrie.empty().update([
      [k, utf8("1")],
      [k, utf8("2")],
    ]);
    expect(t.get(k)).toEqual(utf8("2"));
    expect(t.size).toBe(1);
    expect(
      StateTrie.fromEntries([
        [k, utf8("1")],
        [k, utf8("2")],
      ]).root,
    ).toEqual(t.root);
    expect(
      t
        .update([
          [k, null],
          [k, utf8("3")],
        ])
        .get(k),
    ).toEqual(utf8("3"));
    expect(t.update([])).toBe(t);
    expect(t.update([[utf8("absent"), null]])).toBe(t);
    expect(t.update([[k, utf8("2")]])).toBe(t);
  });

  it("callers cannot corrupt a version through buffers they passed in or got out", () => {
    const k = utf8("key");
    const v = utf8("value");
    const t = StateTrie.fromEntries([[k, v]]);
    const root = hex(t);
    v[0] = 0;
    t.get(k)![0] = 0;
    t.root[0]! ^= 1;
    [...t.entries()][0]![1][0] = 0;
    expect(t.get(k)).toEqual(utf8("value"));
    expect(hex(t)).toBe(root);
    StateTrie.empty().root[0] = 1;
    expect(hex(StateTrie.empty())).toBe(ZERO_ROOT);
  });

  it("deleting everything returns the zero root", () => {
    const rand = rng(5);
    const entries = randomEntries(rand, 500);
    let t = StateTrie.fromEntries(entries);
    t = t.update(entries.slice(0, 250).map(([k]) => [k, null] as const));
    for (const [k] of shuffle(rand, entries.slice(250))) t = t.update([[k, null]]);
    expect(hex(t)).toBe(ZERO_ROOT);
    expect(t.size).toBe(0);
    expect([...t.entries()]).toEqual([]);
  });

  it("one key: the root is that key's leaf hash", () => {
    const k = utf8("solo");
    const v = utf8("value");
    const t = StateTrie.empty().update([[k, v]]);
    const leaf = nobleSha256(concatBytes(Uint8Array.of(0), nobleSha256(k), nobleSha256(v)));
    expect(t.root).toEqual(leaf);
    const proof = t.prove(k);
    expect(proof.siblings).toHaveLength(0);
    expect(verifyProof(t.root, k, proof)).toEqual({ valid: true, value: v });
    const absent = t.prove(utf8("other"));
    expect(absent.end.type).toBe("other");
    expect(verifyProof(t.root, utf8("other"), absent)).toEqual({ valid: true, value: null });
  });

  it("two keys sharing a 38-bit path prefix sit 38 levels down, and lift when one goes", () => {
    // sha256("k284421") and sha256("k252162") both start 0x132196ba + 6 more equal bits.
    const a = utf8("k284421");
    const b = utf8("k252162");
    const t = StateTrie.fromEntries([
      [a, utf8("A")],
      [b, utf8("B")],
    ]);
    expect(hex(t)).toBe(toHex(referenceRoot([...t.entries()])));
    const proof = t.prove(a);
    expect(proof.siblings).toHaveLength(39);
    for (const s of proof.siblings.slice(0, 38)) expect(s).toEqual(new Uint8Array(32));
    expect(verifyProof(t.root, a, proof)).toEqual({ valid: true, value: utf8("A") });
    // A third key elsewhere, then removing b: a must move back up to depth 1.
    const c = utf8("k4"); // path starts with bit 1, a's with bit 0
    const t3 = t.update([[c, utf8("C")]]);
    const t2 = t3.update([[b, null]]);
    expect(t2.root).toEqual(
      StateTrie.fromEntries([
        [a, utf8("A")],
        [c, utf8("C")],
      ]).root,
    );
    expect(t2.prove(a).siblings).toHaveLength(1);
    expect(t.update([[b, null]]).root).toEqual(StateTrie.fromEntries([[a, utf8("A")]]).root);
  });

  it("rejects empty values with TRIE_EMPTY_VALUE", () => {
    expectCode(() => StateTrie.empty().update([[utf8("k"), new Uint8Array(0)]]), TrieErrorCode.EMPTY_VALUE);
    expectCode(() => StateTrie.fromEntries([[utf8("k"), new Uint8Array(0)]]), TrieErrorCode.EMPTY_VALUE);
  });
});

// ---- proofs --------------------------------------------------------------------------------

describe("state proofs", () => {
  const rand = rng(6);
  const entries = randomEntries(rand, 300);
  const trie = StateTrie.fromEntries(entries);
  const absent = randomEntries(rand, 300).map(([k]) => k);

  it("inclusion proofs verify and return the value", () => {
    for (const [k, v] of entries) {
      const proof = trie.prove(k);
      expect(proof.end.type).toBe("leaf");
      expect(verifyProof(trie.root, k, proof)).toEqual({ valid: true, value: v });
      expect(
        verifyProof(trie.root, k, proofFromJson(JSON.parse(JSON.stringify(proofToJson(proof))))),
      ).toEqual({
        valid: true,
        value: v,
      });
    }
  });

  it("non-inclusion proofs (empty subtree and other leaf) verify with value null", () => {
    const seen = new Set<string>();
    for (const k of absent) {
      const proof = trie.prove(k);
      seen.add(proof.end.type);
      expect(proof.end.type).not.toBe("leaf");
      expect(verifyProof(trie.root, k, proof)).toEqual({ valid: true, value: null });
      const viaJson = proofFromJson(JSON.parse(JSON.stringify(proofToJson(proof))));
      expect(verifyProof(trie.root, k, viaJson)).toEqual({ valid: true, value: null });
    }
    expect(seen).toEqual(new Set(["empty", "other"]));
    const empty = StateTrie.empty();
    expect(verifyProof(empty.root, utf8("x"), empty.prove(utf8("x")))).toEqual({ valid: true, value: null });
  });

  const clone = (p: StateProof): StateProof => proofFromJson(proofToJson(p));
  const invalid = { valid: false, value: null };

  it("tampered inclusion proofs fail", () => {
    const [k, v] = entries[7]!;
    const good = trie.prove(k);
    expect(good.siblings.length).toBeGreaterThan(2);
    for (let i = 0; i < good.siblings.length; i++) {
      const p = clone(good);
      p.siblings[i]![i % 32]! ^= 1;
      expect(verifyProof(trie.root, k, p)).toEqual(invalid);
    }
    const wrongValue = clone(good);
    wrongValue.end = { type: "leaf", value: concatBytes(v, Uint8Array.of(0)) };
    expect(verifyProof(trie.root, k, wrongValue)).toEqual(invalid);
    const truncated = clone(good);
    truncated.siblings.pop();
    expect(verifyProof(trie.root, k, truncated)).toEqual(invalid);
    const dropFirst = clone(good);
    dropFirst.siblings.shift();
    expect(verifyProof(trie.root, k, dropFirst)).toEqual(invalid);
    const extra = clone(good);
    extra.siblings.push(new Uint8Array(32));
    expect(verifyProof(trie.root, k, extra)).toEqual(invalid);
    const otherRoot = trie.update([[k, utf8("changed")]]).root;
    expect(verifyProof(otherRoot, k, good)).toEqual(invalid);
    expect(verifyProof(trie.root, entries[8]![0], good)).toEqual(invalid);
    expect(verifyProof(trie.root.subarray(1), k, good)).toEqual(invalid);
  });

  it("a present key cannot be proven absent", () => {
    const [k, v] = entries[3]!;
    const good = trie.prove(k);
    const asOther: StateProof = {
      siblings: good.siblings,
      end: { type: "other", path: nobleSha256(k), valueHash: nobleSha256(v) },
    };
    expect(verifyProof(trie.root, k, asOther)).toEqual(invalid);
    expect(verifyProof(trie.root, k, { siblings: good.siblings, end: { type: "empty" } })).toEqual(invalid);
    // Another key's proof ending at this leaf does not prove `k` absent.
    const missing = absent.find((a) => trie.prove(a).end.type === "other")!;
    const p = trie.prove(missing);
    expect(verifyProof(trie.root, missing, p).valid).toBe(true);
    if (p.end.type !== "other") throw new Error("unreachable");
    const owner = entries.find(([ek]) => bytesEqual(nobleSha256(ek), (p.end as { path: Uint8Array }).path))!;
    expect(verifyProof(trie.root, owner[0], p)).toEqual(invalid);
  });

  it("tampered non-inclusion proofs fail", () => {
    const k = absent.find((a) => trie.prove(a).end.type === "other")!;
    const good = trie.prove(k);
    if (good.end.type !== "other") throw new Error("unreachable");
    const badHash = clone(good);
    (badHash.end as { valueHash: Uint8Array }).valueHash[0]! ^= 1;
    expect(verifyProof(trie.root, k, badHash)).toEqual(invalid);
    const flipped = clone(good);
    flipped.siblings[0]![0]! ^= 0x80;
    expect(verifyProof(trie.root, k, flipped)).toEqual(invalid);
    expect(verifyProof(trie.root, k, { siblings: good.siblings, end: { type: "empty" } })).toEqual(invalid);
    const e = absent.find((a) => trie.prove(a).end.type === "empty")!;
    const emptyProof = trie.prove(e);
    const truncated = clone(emptyProof);
    truncated.siblings.pop();
    expect(verifyProof(trie.root, e, truncated)).toEqual(invalid);
  });

  it("proofFromJson rejects malformed input with PROOF_MALFORMED", () => {
    const good = proofToJson(trie.prove(entries[0]![0]));
    const sib = good.siblings[0]!;
    const bad: unknown[] = [
      null,
      "proof",
      [],
      { siblings: [] },
      { siblings: good.siblings, end: good.end, extra: 1 },
      { siblings: "0x", end: { type: "empty" } },
      { siblings: Array(257).fill(sib), end: { type: "empty" } },
      { siblings: [sib.slice(0, -2)], end: { type: "empty" } },
      { siblings: [`${sib}00`], end: { type: "empty" } },
      { siblings: [sib.slice(2)], end: { type: "empty" } },
      { siblings: [`${sib.slice(0, -1)}g`], end: { type: "empty" } },
      { siblings: [], end: { type: "leaf", value: "0x" } },
      { siblings: [], end: { type: "leaf", value: "0x123" } },
      { siblings: [], end: { type: "leaf" } },
      { siblings: [], end: { type: "empty", value: "0x01" } },
      { siblings: [], end: { type: "other", path: sib, valueHash: "0x00" } },
      { siblings: [], end: { type: "nope" } },
      { siblings: [], end: "empty" },
      { siblings: [42], end: { type: "empty" } },
    ];
    for (const b of bad) expectCode(() => proofFromJson(b), TrieErrorCode.PROOF_MALFORMED);
    expect(proofFromJson({ siblings: Array(256).fill(sib), end: { type: "empty" } }).siblings).toHaveLength(
      256,
    );
  });

  it("the verifier imports nothing node-only (light clients run it in a browser)", () => {
    const allowed = [
      "@noble/hashes/sha2.js",
      "@noble/hashes/utils.js",
      "./bits.ts",
      "./proof.ts",
      "./errors.ts",
      "../../util/errors.ts",
    ];
    for (const file of ["proof.ts", "bits.ts", "proof-json.ts", "errors.ts"]) {
      const src = readFileSync(new URL(`../../../src/ledger/trie/${file}`, import.meta.url), "utf8");
      // Type-only imports vanish at build time, so they may point anywhere.
      const imports = [...src.matchAll(/^import (?!type )[^;]*from "([^"]+)"/gm)].map((m) => m[1]);
      for (const i of imports) expect(allowed).toContain(i);
      const code = src.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "");
      expect(code).not.toMatch(/\bBuffer\b|\brequire\(|\bprocess\./);
    }
  });

  it("verifyProof returns invalid (never throws) on structurally broken proof objects", () => {
    const k = entries[0]![0];
    const broken = [
      { siblings: Array(257).fill(new Uint8Array(32)), end: { type: "empty" } },
      { siblings: [new Uint8Array(31)], end: { type: "empty" } },
      { siblings: [], end: { type: "leaf", value: new Uint8Array(0) } },
      { siblings: [], end: { type: "other", path: new Uint8Array(3), valueHash: new Uint8Array(32) } },
      { siblings: [], end: null },
      { siblings: null, end: { type: "empty" } },
    ];
    for (const p of broken) expect(verifyProof(trie.root, k, p as unknown as StateProof)).toEqual(invalid);
  });
});
