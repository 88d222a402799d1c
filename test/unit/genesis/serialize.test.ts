import { describe, expect, it } from "vitest";
import {
  BUCKETS,
  type BucketName,
  canonicalJson,
  DEVNET_PARAMS,
  devnetGenesis,
  type Genesis,
  genesisConfigHash,
  genesisToJson,
  paramsToJson,
  parseGenesis,
  parseGenesisText,
} from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, deriveKey } from "../../../src/keys/index.ts";
import { toHex } from "../../../src/util/bytes.ts";

type Json = any;

const g = devnetGenesis(2, 1_700_000_000_000);
const json: Json = genesisToJson(g);
const hash = (x: Genesis) => toHex(genesisConfigHash(x));
const baseHash = hash(g);

/** Keys of an object in reverse insertion order, recursively (arrays keep their order). */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).reverse()) out[k] = reversedKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The first valid genesis with `path` changed to one of `candidates`. */
function variant(path: Array<string | number>, candidates: unknown[]): Genesis {
  for (const c of candidates) {
    const j = structuredClone(json);
    let o = j;
    for (const p of path.slice(0, -1)) o = o[p];
    o[path.at(-1)!] = c;
    try {
      return parseGenesis(j);
    } catch {
      // try the next candidate
    }
  }
  throw new Error(`no valid variant for ${path.join(".")}`);
}

/** Nearby values of a number or a decimal-string amount. */
function nearby(v: unknown): unknown[] {
  if (typeof v === "number") return [v + 1, v - 1];
  if (typeof v === "string" && /^\d+$/.test(v))
    return [(BigInt(v) + 1n).toString(), (BigInt(v) - 1n).toString()];
  throw new Error(`unexpected param value ${String(v)}`);
}

describe("genesis round trip", () => {
  it("parseGenesis(genesisToJson(g)) equals g and has the same config hash", () => {
    for (const x of [g, devnetGenesis(1, 1_650_000_000_123)]) {
      const back = parseGenesis(genesisToJson(x));
      expect(back).toEqual(x);
      expect(hash(back)).toBe(hash(x));
    }
  });

  it("through the file text too", () => {
    const back = parseGenesisText(JSON.stringify(genesisToJson(g), null, 2));
    expect(back).toEqual(g);
    expect(hash(back)).toBe(baseHash);
  });

  it("the file form carries amounts as decimal strings and the time as ISO-8601 UTC", () => {
    expect(json.genesisTime).toBe("2023-11-14T22:13:20.000Z");
    expect(json.params.blockReward).toBe(DEVNET_PARAMS.blockReward.toString());
    expect(json.params.gas).toEqual(DEVNET_PARAMS.gas);
    expect(typeof json.grants[0].amount).toBe("string");
    expect(typeof json.delegates[0].selfStake).toBe("string");
    // Plain JSON: no bigint survives into the file form.
    expect(() => JSON.stringify(json)).not.toThrow();
  });

  it("the file form holds every chain parameter", () => {
    expect(Object.keys(json.params).sort()).toEqual(Object.keys(DEVNET_PARAMS).sort());
    expect(Object.keys(paramsToJson(DEVNET_PARAMS)).sort()).toEqual(Object.keys(DEVNET_PARAMS).sort());
  });
});

describe("genesisConfigHash sensitivity", () => {
  const paramKeys = Object.keys(DEVNET_PARAMS).filter((k) => k !== "gas");
  const gasKeys = Object.keys(DEVNET_PARAMS.gas);

  it.each(paramKeys)("changes when params.%s changes", (k) => {
    const v = variant(["params", k], nearby(json.params[k]));
    expect(v.params).not.toEqual(g.params);
    expect(hash(v)).not.toBe(baseHash);
  });

  it.each(gasKeys)("changes when params.gas.%s changes", (k) => {
    const v = variant(["params", "gas", k], nearby(json.params.gas[k]));
    expect(hash(v)).not.toBe(baseHash);
  });

  it("changes with chainId, networkName and genesisTime (one millisecond)", () => {
    expect(hash(variant(["chainId"], [json.chainId + 1]))).not.toBe(baseHash);
    expect(hash(variant(["networkName"], ["lvo-devnet2"]))).not.toBe(baseHash);
    expect(hash(variant(["genesisTime"], ["2023-11-14T22:13:20.001Z"]))).not.toBe(baseHash);
  });

  it.each(Object.keys(BUCKETS))("changes when the holder of bucket %s changes", (name) => {
    const other = deriveKey(DEV_MNEMONIC, 99).address;
    expect(hash(variant(["buckets", name as BucketName], [other]))).not.toBe(baseHash);
  });

  it("changes with any grant or delegate field, and with their order", () => {
    const other = deriveKey(DEV_MNEMONIC, 99).address;
    const hashes = [
      variant(["grants", 5, "amount"], nearby(json.grants[5].amount)),
      variant(["grants", 5, "address"], [other]),
      variant(["grants", 5, "from"], ["foundingTeam"]),
      variant(["delegates", 1, "name"], ["renamed"]),
      variant(["delegates", 1, "selfStake"], nearby(json.delegates[1].selfStake)),
      variant(["delegates", 1, "from"], ["exchangeEcology"]),
      variant(["delegates", 1, "address"], [other]),
      variant(["delegates"], [[json.delegates[1], json.delegates[0]]]),
      variant(["grants"], [json.grants.slice(1)]),
    ].map(hash);
    for (const h of hashes) expect(h).not.toBe(baseHash);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

describe("canonicalJson", () => {
  it("is independent of key order at every level, and keeps array order", () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: null }, e: "s" };
    const b = { e: "s", a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1,"e":"s"}');
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it("is valid JSON of the same value, without whitespace, with escaped strings", () => {
    const v = { 'k"ey': 'va"l\n', n: -1.5, t: true, u: "é✓", z: [] };
    const text = canonicalJson(v);
    expect(JSON.parse(text)).toEqual(v);
    expect(text).toBe('{"k\\"ey":"va\\"l\\n","n":-1.5,"t":true,"u":"é✓","z":[]}');
  });

  it("the genesis hash ignores key order in the file and in the object", () => {
    const reordered = parseGenesisText(JSON.stringify(reversedKeys(json)));
    expect(hash(reordered)).toBe(baseHash);
    const shuffled = reversedKeys(g) as Genesis;
    expect(Object.keys(shuffled)).not.toEqual(Object.keys(g));
    expect(hash(shuffled)).toBe(baseHash);
  });
});
