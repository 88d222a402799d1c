// The same vectors through @noble/curves: the fallback must accept and recover exactly what the
// native backend does. src is imported only after the env var is set (the backend is chosen at
// import time); vitest isolates each test file's modules.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildVectors, expectMatchesEthers, type Vector } from "./vectors.ts";

const MAX = 128 * 1024;
const previous = process.env.LVO_NO_NATIVE_SECP;
process.env.LVO_NO_NATIVE_SECP = "1";
const { secpBackend } = await import("../../../src/crypto/secp256k1.ts");
const { decodeTx, signTx } = await import("../../../src/tx/index.ts");

let vectors: Vector[];

beforeAll(async () => {
  vectors = await buildVectors();
});

afterAll(() => {
  if (previous === undefined) delete process.env.LVO_NO_NATIVE_SECP;
  else process.env.LVO_NO_NATIVE_SECP = previous;
});

describe("decodeTx (noble)", () => {
  it("runs on the noble backend", () => {
    expect(secpBackend).toBe("noble");
  });

  it("agrees with ethers on every vector", () => {
    for (const v of vectors) expectMatchesEthers(decodeTx(v.raw, MAX), v);
  });

  it("signs the same bytes as ethers", () => {
    const v = vectors[4]!;
    const r = v.request;
    const { raw } = signTx(
      {
        type: 2,
        chainId: BigInt(r.chainId!),
        nonce: BigInt(r.nonce!),
        maxFeePerGas: BigInt(r.maxFeePerGas!),
        maxPriorityFeePerGas: BigInt(r.maxPriorityFeePerGas!),
        gasLimit: BigInt(r.gasLimit!),
        to: r.to as `0x${string}`,
        value: BigInt(r.value!),
      },
      Buffer.from(v.key.slice(2), "hex"),
    );
    expect(`0x${Buffer.from(raw).toString("hex")}`).toBe(v.rawHex);
  });
});
