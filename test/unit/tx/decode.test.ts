import { beforeAll, describe, expect, it } from "vitest";
import { secpBackend } from "../../../src/crypto/secp256k1.ts";
import { decodeTx, decodeTxHex, decodeTxWithSender, encodeTx } from "../../../src/tx/index.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { buildVectors, expectMatchesEthers, type Vector } from "./vectors.ts";

const MAX = 128 * 1024;
let vectors: Vector[];

beforeAll(async () => {
  vectors = await buildVectors();
});

describe("decodeTx (libsecp256k1)", () => {
  it("runs on the native backend", () => {
    expect(secpBackend).toBe("libsecp256k1");
  });

  it("agrees with ethers on every vector", () => {
    for (const v of vectors) expectMatchesEthers(decodeTx(v.raw, MAX), v);
  });

  it("decodes from hex the same way", () => {
    for (const v of vectors) expectMatchesEthers(decodeTxHex(v.rawHex, MAX), v);
  });

  it("re-encodes to the exact received bytes", () => {
    for (const v of vectors) expect(toHex(encodeTx(decodeTx(v.raw, MAX)))).toBe(v.rawHex);
  });

  it("rebuilds a stored tx with its known sender, identical to a full decode", () => {
    for (const v of vectors) {
      const full = decodeTx(v.raw, MAX);
      expect(decodeTxWithSender(v.raw, full.from)).toEqual(full);
    }
  });

  it("accepts a transaction of exactly maxBytes", () => {
    const v = vectors[0]!;
    expect(decodeTx(v.raw, v.raw.length).from).toBe(v.parsed.from!.toLowerCase());
  });

  it("keeps raw without copying and views data into it", () => {
    const v = vectors.find((x) => x.parsed.data.length > 100)!;
    const tx = decodeTx(v.raw, MAX);
    expect(tx.raw).toBe(v.raw);
    expect(tx.data.buffer).toBe(v.raw.buffer);
  });
});
