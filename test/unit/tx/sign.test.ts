import { accessListify, getBytes, hexlify, type TransactionLike, Wallet } from "ethers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { decodeTx, encodeTx, signTx, type UnsignedTx } from "../../../src/tx/index.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import { buildVectors, expectMatchesEthers, KEYS, type Vector } from "./vectors.ts";

const MAX = 128 * 1024;
let vectors: Vector[];

beforeAll(async () => {
  vectors = await buildVectors();
});

/** The same fields as an ethers request, in signTx's shape. */
function unsignedOf(r: TransactionLike): UnsignedTx {
  const base = {
    chainId: BigInt(r.chainId!),
    nonce: BigInt(r.nonce!),
    gasLimit: BigInt(r.gasLimit!),
    to: r.to as Address,
    value: BigInt(r.value ?? 0n),
    data: getBytes(r.data ?? "0x"),
  };
  if (r.type === 0) return { ...base, type: 0, gasPrice: BigInt(r.gasPrice!) };
  return {
    ...base,
    type: 2,
    maxFeePerGas: BigInt(r.maxFeePerGas!),
    maxPriorityFeePerGas: BigInt(r.maxPriorityFeePerGas!),
    accessList: accessListify(r.accessList ?? []).map((e) => [
      getBytes(e.address),
      e.storageKeys.map((k) => getBytes(k)),
    ]),
  } as UnsignedTx;
}

const key = (k: string) => getBytes(k);

describe("signTx", () => {
  it("produces ethers' exact bytes for every vector, and the Tx decodeTx gives", () => {
    for (const v of vectors) {
      const { raw, hash, tx } = signTx(unsignedOf(v.request), key(v.key));
      expect(toHex(raw)).toBe(v.rawHex);
      expect(toHex(hash)).toBe(v.parsed.hash);
      expectMatchesEthers(tx, v);
      expect(tx).toEqual(decodeTx(raw, MAX));
    }
  });

  it("matches ethers on 200 pseudo-random transactions", async () => {
    // xorshift: reproducible without a dependency.
    let seed = 0x2545f491;
    const rnd = (bits: number): bigint => {
      let out = 0n;
      for (let i = 0; i < bits; i += 32) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        out = (out << 32n) | BigInt(seed >>> 0);
      }
      return out & ((1n << BigInt(bits)) - 1n);
    };
    for (let i = 0; i < 200; i++) {
      const width = [8, 32, 64, 256][i % 4]!;
      const dataLen = Number(rnd(8)) % (i % 3 === 0 ? 200 : 4);
      const data = new Uint8Array(dataLen).map(() => (rnd(2) === 0n ? 0 : Number(rnd(8))));
      const fee = rnd(width);
      const common = {
        chainId: rnd(32) + 1n,
        nonce: Number(rnd(52)),
        gasLimit: rnd(Math.min(width, 63)),
        to: toHex(getBytes(`0x${rnd(160).toString(16).padStart(40, "0")}`)),
        value: rnd(width),
        data: hexlify(data),
      };
      const req: TransactionLike =
        i % 2 === 0
          ? { ...common, type: 0, gasPrice: fee }
          : { ...common, type: 2, maxFeePerGas: fee, maxPriorityFeePerGas: rnd(width) % (fee + 1n) };
      const k = KEYS[i % KEYS.length]!;
      const expected = await new Wallet(k).signTransaction(req);
      const { raw, tx } = signTx(unsignedOf(req), key(k));
      expect(toHex(raw)).toBe(expected);
      expect(toHex(encodeTx(tx))).toBe(expected);
    }
  });

  it("keeps golden vectors stable", () => {
    // Fixed bytes (from ethers 6.17) so a change in encoding or signing shows up even if the
    // reference library changed with it.
    const k = key(KEYS[0]);
    const to = "0x1111111111111111111111111111111111111111" as Address;
    const legacy = signTx(
      { type: 0, chainId: 1337n, nonce: 0n, gasPrice: 10n ** 9n, gasLimit: 21000n, to, value: 10n ** 18n },
      k,
    );
    const dynamic = signTx(
      {
        type: 2,
        chainId: 1337n,
        nonce: 0n,
        maxFeePerGas: 2n * 10n ** 9n,
        maxPriorityFeePerGas: 10n ** 9n,
        gasLimit: 21000n,
        to,
        value: 10n ** 18n,
      },
      k,
    );
    expect(toHex(legacy.raw)).toBe(GOLDEN_LEGACY.raw);
    expect(toHex(legacy.hash)).toBe(GOLDEN_LEGACY.hash);
    expect(toHex(dynamic.raw)).toBe(GOLDEN_DYNAMIC.raw);
    expect(toHex(dynamic.hash)).toBe(GOLDEN_DYNAMIC.hash);
    expect(legacy.tx.from).toBe("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  });

  it("refuses fields it cannot encode (TX_MALFORMED)", () => {
    const ok: UnsignedTx = {
      type: 2,
      chainId: 1337n,
      nonce: 0n,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
      gasLimit: 21000n,
      to: "0x1111111111111111111111111111111111111111",
      value: 0n,
    };
    const k = key(KEYS[0]);
    expect(() => signTx(ok, k)).not.toThrow();
    const bad: UnsignedTx[] = [
      { ...ok, to: "0x1234" as Address },
      { ...ok, to: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".replace("5a", "5A") as Address },
      { ...ok, value: -1n },
      { ...ok, nonce: 1n << 64n },
      { ...ok, maxFeePerGas: 1n << 256n },
      { ...ok, chainId: 0n },
      { ...ok, accessList: [[new Uint8Array(19), []]] },
      { ...ok, type: 1 } as unknown as UnsignedTx,
    ];
    for (const f of bad) {
      let code = "no error";
      try {
        signTx(f, k);
      } catch (e) {
        if (isLvoError(e)) code = e.code;
      }
      expect(code).toBe("TX_MALFORMED");
    }
  });
});

const GOLDEN_LEGACY = {
  raw: "0xf86d80843b9aca00825208941111111111111111111111111111111111111111880de0b6b3a764000080820a96a0981a0d500b82b592f2d9ade551e8740a89b441fb0427ab944897238461464a53a030b6524c76ae9f6aea6d0fe4ac70a8d9d5bb247b88df726d8835b27bcfcdd46f",
  hash: "0x548880b0ab7c3ba5eacd97da6d62a3bcd205a6e1d08c704c0a34a5e11e81aaa1",
};
const GOLDEN_DYNAMIC = {
  raw: "0x02f87482053980843b9aca008477359400825208941111111111111111111111111111111111111111880de0b6b3a764000080c080a0a90b876a1eff11f4951e89a9d276cd19a08d0807b24863105388a051e1e8af74a00e838ec83d8d24bb6354b6210990ccb5ff690db71ea98d5b0ca3686ef688e4d2",
  hash: "0x5c8e7265ada89b7a107d9bd7966709c549a9a03cc3854fb33e44c8e38260b9d4",
};
