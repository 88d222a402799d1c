import { RLP } from "@ethereumjs/rlp";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { getBytes, type TransactionLike, Wallet } from "ethers";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeTx, decodeTxHex, signTx, TxErrorCode } from "../../../src/tx/index.ts";
import { bigintToBytes, bigintToFixed, concatBytes } from "../../../src/util/bytes.ts";
import { isLvoError } from "../../../src/util/errors.ts";

// One test (at least) per decode-time code; the validate-time codes are in validate.test.ts.

const MAX = 128 * 1024;
const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const TO = "0x1111111111111111111111111111111111111111";
const N = secp256k1.Point.CURVE().n;

type Nested = Uint8Array | Nested[];

const LEGACY: TransactionLike = {
  type: 0,
  chainId: 1337,
  nonce: 5,
  gasPrice: 10n ** 9n,
  gasLimit: 21000,
  to: TO,
  value: 10n ** 18n,
};
const DYNAMIC: TransactionLike = {
  type: 2,
  chainId: 1337,
  nonce: 5,
  maxFeePerGas: 2n * 10n ** 9n,
  maxPriorityFeePerGas: 10n ** 9n,
  gasLimit: 21000,
  to: TO,
  value: 10n ** 18n,
  accessList: [{ address: TO, storageKeys: [`0x${"01".repeat(32)}`] }],
};

let legacy: Uint8Array;
let dynamic: Uint8Array;

beforeAll(async () => {
  const w = new Wallet(KEY);
  legacy = getBytes(await w.signTransaction(LEGACY));
  dynamic = getBytes(await w.signTransaction(DYNAMIC));
});

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (isLvoError(err)) return err.code;
    throw err;
  }
  return "no error";
}

const decodeCode = (raw: Uint8Array, max = MAX) => codeOf(() => decodeTx(raw, max));

/** Fields of the legacy vector, to alter and re-encode. */
function legacyFields(): Nested[] {
  return RLP.decode(legacy) as Nested[];
}
function dynamicFields(): Nested[] {
  return RLP.decode(dynamic.subarray(1)) as Nested[];
}
const encLegacy = (f: Nested[]) => RLP.encode(f);
const encTyped = (type: number, f: Nested[]) => concatBytes(Uint8Array.of(type), RLP.encode(f));
const u = (n: bigint) => bigintToBytes(n);

function withField(f: Nested[], i: number, value: Nested): Nested[] {
  const out = f.slice();
  out[i] = value;
  return out;
}

describe("the unaltered vectors", () => {
  it("decode (so each failure below is the alteration's)", () => {
    expect(decodeCode(legacy)).toBe("no error");
    expect(decodeCode(dynamic)).toBe("no error");
    expect(decodeCode(encLegacy(legacyFields()))).toBe("no error");
    expect(decodeCode(encTyped(2, dynamicFields()))).toBe("no error");
  });
});

describe(TxErrorCode.TX_MALFORMED, () => {
  it("rejects empty input and an RLP string", () => {
    expect(decodeCode(new Uint8Array(0))).toBe("TX_MALFORMED");
    expect(decodeCode(RLP.encode(new Uint8Array(40).fill(1)))).toBe("TX_MALFORMED");
    expect(decodeCode(Uint8Array.of(0x80))).toBe("TX_MALFORMED");
  });

  it("rejects truncated RLP", () => {
    expect(decodeCode(legacy.subarray(0, legacy.length - 1))).toBe("TX_MALFORMED");
    expect(decodeCode(dynamic.subarray(0, dynamic.length - 1))).toBe("TX_MALFORMED");
    expect(decodeCode(dynamic.subarray(0, 1))).toBe("TX_MALFORMED");
    expect(decodeCode(legacy.subarray(0, 1))).toBe("TX_MALFORMED");
  });

  it("rejects trailing bytes", () => {
    expect(decodeCode(concatBytes(legacy, Uint8Array.of(0)))).toBe("TX_MALFORMED");
    expect(decodeCode(concatBytes(dynamic, Uint8Array.of(0x80)))).toBe("TX_MALFORMED");
  });

  it("rejects a wrong field count", () => {
    const f = legacyFields();
    expect(decodeCode(encLegacy([...f, new Uint8Array(0)]))).toBe("TX_MALFORMED");
    expect(decodeCode(encLegacy(f.slice(0, 8)))).toBe("TX_MALFORMED");
    const d = dynamicFields();
    expect(decodeCode(encTyped(2, [...d, new Uint8Array(0)]))).toBe("TX_MALFORMED");
    expect(decodeCode(encTyped(2, d.slice(0, 11)))).toBe("TX_MALFORMED");
  });

  it("rejects integers with leading zeros", () => {
    const f = legacyFields();
    expect(decodeCode(encLegacy(withField(f, 0, Uint8Array.of(0, 5))))).toBe("TX_MALFORMED");
    expect(decodeCode(encLegacy(withField(f, 0, Uint8Array.of(0))))).toBe("TX_MALFORMED");
    const d = dynamicFields();
    expect(decodeCode(encTyped(2, withField(d, 0, Uint8Array.of(0, 5, 57))))).toBe("TX_MALFORMED");
    const r = d[10] as Uint8Array;
    expect(decodeCode(encTyped(2, withField(d, 10, concatBytes(Uint8Array.of(0), r))))).toBe("TX_MALFORMED");
  });

  it("rejects non-canonical RLP (prefixed single byte, long form for a short string)", () => {
    // nonce 5 spelled 0x81 0x05 instead of 0x05: splice it in by hand, RLP.encode would fix it.
    const f = legacyFields();
    const body = concatBytes(Uint8Array.of(0x81, 5), ...f.slice(1).map((x) => RLP.encode(x)));
    const raw = concatBytes(Uint8Array.of(0xf8, body.length), body);
    expect(decodeCode(raw)).toBe("TX_MALFORMED");
    const body2 = concatBytes(Uint8Array.of(0xb8, 1, 0x85), ...f.slice(1).map((x) => RLP.encode(x)));
    expect(decodeCode(concatBytes(Uint8Array.of(0xf8, body2.length), body2))).toBe("TX_MALFORMED");
    // the outer list's length spelled with a leading zero byte
    const whole = encLegacy(f);
    expect(whole[0]).toBe(0xf8);
    expect(decodeCode(concatBytes(Uint8Array.of(0xf9, 0), whole.subarray(1)))).toBe("TX_MALFORMED");
  });

  it("rejects integers over 256 bits, and nonce or gas limit over 64 bits", () => {
    const f = legacyFields();
    expect(decodeCode(encLegacy(withField(f, 4, new Uint8Array(33).fill(1))))).toBe("TX_MALFORMED");
    expect(decodeCode(encLegacy(withField(f, 0, new Uint8Array(9).fill(1))))).toBe("TX_MALFORMED");
    expect(decodeCode(encLegacy(withField(f, 2, new Uint8Array(9).fill(1))))).toBe("TX_MALFORMED");
    const d = dynamicFields();
    expect(decodeCode(encTyped(2, withField(d, 3, new Uint8Array(33).fill(1))))).toBe("TX_MALFORMED");
    expect(decodeCode(encTyped(2, withField(d, 11, new Uint8Array(33).fill(1))))).toBe("TX_MALFORMED");
  });

  it("rejects an address that is not 20 bytes", () => {
    const f = legacyFields();
    expect(decodeCode(encLegacy(withField(f, 3, new Uint8Array(19).fill(1))))).toBe("TX_MALFORMED");
    expect(decodeCode(encLegacy(withField(f, 3, new Uint8Array(21).fill(1))))).toBe("TX_MALFORMED");
    const d = dynamicFields();
    const badEntry = [[new Uint8Array(19).fill(1), []]];
    expect(decodeCode(encTyped(2, withField(d, 8, badEntry)))).toBe("TX_MALFORMED");
  });

  it("rejects lists where bytes belong and a malformed access list", () => {
    const f = legacyFields();
    expect(decodeCode(encLegacy(withField(f, 5, [new Uint8Array(1)])))).toBe("TX_MALFORMED");
    expect(decodeCode(encLegacy(withField(f, 0, [])))).toBe("TX_MALFORMED");
    const d = dynamicFields();
    const addr = new Uint8Array(20).fill(1);
    for (const al of [
      new Uint8Array(0), // a string, not a list
      [[addr]], // entry with one item
      [[addr, [], []]], // entry with three items
      [[addr, [new Uint8Array(31)]]], // short storage key
      [[addr, new Uint8Array(32)]], // keys not a list
    ] as Nested[]) {
      expect(decodeCode(encTyped(2, withField(d, 8, al)))).toBe("TX_MALFORMED");
    }
  });

  it("rejects bad hex in decodeTxHex", () => {
    for (const h of ["0xzz", "0x123", "f86c", "", "0x"]) {
      expect(codeOf(() => decodeTxHex(h, MAX))).toBe("TX_MALFORMED");
    }
  });

  it("rejects deep list nesting quickly", () => {
    // 40 KB of nested list headers: a quadratic-copy decoder would take a long time here.
    const depth = 13_000;
    const bomb = new Uint8Array(depth * 3);
    for (let i = 0; i < depth; i++) {
      const len = (depth - i - 1) * 3;
      bomb.set([0xf9, len >> 8, len & 0xff], i * 3);
    }
    const t = performance.now();
    expect(decodeCode(concatBytes(Uint8Array.of(2), bomb))).toBe("TX_MALFORMED");
    expect(decodeCode(bomb)).toBe("TX_MALFORMED");
    expect(performance.now() - t).toBeLessThan(50);
  });
});

describe(TxErrorCode.TX_UNSUPPORTED_TYPE, () => {
  it("rejects types 0, 1, 3, 4 and 0x7f", () => {
    const d = dynamicFields();
    for (const type of [0, 1, 3, 4, 0x7f]) {
      expect(decodeCode(encTyped(type, d))).toBe("TX_UNSUPPORTED_TYPE");
    }
    // a genuine EIP-2930 envelope signed by ethers
    const w = new Wallet(KEY);
    const { maxFeePerGas: _, maxPriorityFeePerGas: __, ...rest } = DYNAMIC;
    return w.signTransaction({ ...rest, type: 1, gasPrice: 10n ** 9n }).then((h) => {
      expect(decodeCode(getBytes(h))).toBe("TX_UNSUPPORTED_TYPE");
    });
  });
});

describe(TxErrorCode.TX_OVERSIZED, () => {
  it("rejects raw bytes over the limit before decoding", () => {
    expect(decodeCode(legacy, legacy.length - 1)).toBe("TX_OVERSIZED");
    expect(decodeCode(new Uint8Array(1000).fill(0xff), 999)).toBe("TX_OVERSIZED");
    expect(codeOf(() => decodeTxHex(`0x${"zz".repeat(1000)}`, 999))).toBe("TX_OVERSIZED");
    expect(codeOf(() => decodeTxHex(`0x${Buffer.from(dynamic).toString("hex")}`, dynamic.length - 1))).toBe(
      "TX_OVERSIZED",
    );
  });
});

describe(TxErrorCode.TX_BAD_SIGNATURE, () => {
  it("rejects a legacy v that is neither 27/28 nor EIP-155", () => {
    const f = legacyFields();
    for (const v of [0n, 1n, 26n, 29n, 34n]) {
      expect(decodeCode(encLegacy(withField(f, 6, u(v))))).toBe("TX_BAD_SIGNATURE");
    }
  });

  it("rejects a yParity other than 0 or 1", () => {
    expect(decodeCode(encTyped(2, withField(dynamicFields(), 9, u(2n))))).toBe("TX_BAD_SIGNATURE");
    expect(decodeCode(encTyped(2, withField(dynamicFields(), 9, u(27n))))).toBe("TX_BAD_SIGNATURE");
  });

  it("rejects r or s zero or not below n", () => {
    for (const [i, value] of [
      [7, new Uint8Array(0)],
      [8, new Uint8Array(0)],
      [7, u(N)],
      [7, u(N + 1n)],
    ] as const) {
      expect(decodeCode(encLegacy(withField(legacyFields(), i, value)))).toBe("TX_BAD_SIGNATURE");
    }
    expect(decodeCode(encTyped(2, withField(dynamicFields(), 10, new Uint8Array(0))))).toBe(
      "TX_BAD_SIGNATURE",
    );
  });

  it("rejects high-s (the malleated twin of a valid signature)", () => {
    const d = dynamicFields();
    const s = BigInt(`0x${Buffer.from(d[11] as Uint8Array).toString("hex")}`);
    const parity = (d[9] as Uint8Array).length === 0 ? 0n : 1n;
    const twin = withField(withField(d, 11, u(N - s)), 9, u(parity ^ 1n));
    expect(decodeCode(encTyped(2, twin))).toBe("TX_BAD_SIGNATURE");
    const f = legacyFields();
    const ls = BigInt(`0x${Buffer.from(f[8] as Uint8Array).toString("hex")}`);
    expect(decodeCode(encLegacy(withField(f, 8, u(N - ls))))).toBe("TX_BAD_SIGNATURE");
  });

  it("rejects an r that is no point's x coordinate (recovery fails)", () => {
    let x = 1n;
    for (; ; x++) {
      try {
        secp256k1.Point.fromBytes(concatBytes(Uint8Array.of(2), bigintToFixed(x, 32)));
      } catch {
        break;
      }
    }
    const err = (() => {
      try {
        decodeTx(encTyped(2, withField(dynamicFields(), 10, u(x))), MAX);
      } catch (e) {
        return e;
      }
    })();
    expect(isLvoError(err, "TX_BAD_SIGNATURE")).toBe(true);
    expect((err as { context: { reason: string } }).context.reason).toMatch(/recover/);
  });
});

describe(TxErrorCode.TX_UNPROTECTED, () => {
  it("rejects a pre-EIP-155 legacy tx signed by ethers (no chain id)", async () => {
    const { chainId: _, ...rest } = LEGACY;
    const raw = getBytes(await new Wallet(KEY).signTransaction(rest));
    expect((RLP.decode(raw) as Uint8Array[])[6]![0]).toBeOneOf([27, 28]);
    expect(decodeCode(raw)).toBe("TX_UNPROTECTED");
  });

  it("rejects v = 27 and v = 28 built by hand", () => {
    expect(decodeCode(encLegacy(withField(legacyFields(), 6, u(27n))))).toBe("TX_UNPROTECTED");
    expect(decodeCode(encLegacy(withField(legacyFields(), 6, u(28n))))).toBe("TX_UNPROTECTED");
  });
});

describe(TxErrorCode.TX_CONTRACT_CREATION, () => {
  it("rejects an empty to in both envelope types", async () => {
    const w = new Wallet(KEY);
    for (const req of [LEGACY, DYNAMIC]) {
      const raw = getBytes(await w.signTransaction({ ...req, to: null, data: "0x6000" }));
      expect(decodeCode(raw)).toBe("TX_CONTRACT_CREATION");
    }
  });
});

describe(TxErrorCode.TX_INVALID_KEY, () => {
  it("refuses to sign with an invalid secret key", () => {
    const fields = {
      type: 0 as const,
      chainId: 1337n,
      nonce: 0n,
      gasPrice: 1n,
      gasLimit: 21000n,
      to: TO as `0x${string}`,
      value: 0n,
    };
    for (const key of [new Uint8Array(32), new Uint8Array(31).fill(1), bigintToFixed(N, 32)]) {
      expect(codeOf(() => signTx(fields, key))).toBe("TX_INVALID_KEY");
    }
  });
});
