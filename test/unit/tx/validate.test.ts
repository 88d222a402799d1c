import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import type { GasSchedule } from "../../../src/genesis/types.ts";
import {
  effectiveGasPrice,
  intrinsicGas,
  maxCost,
  signTx,
  type Tx,
  TxErrorCode,
  type TxRules,
  type UnsignedTx,
  validateTxStatic,
} from "../../../src/tx/index.ts";
import { isLvoError } from "../../../src/util/errors.ts";

const GAS: GasSchedule = {
  txBase: 21000,
  txDataZero: 4,
  txDataNonZero: 16,
  accessListAddress: 2400,
  accessListStorageKey: 1900,
};
const GWEI = 1_000_000_000n;
const RULES: TxRules = {
  chainId: 1337,
  minGasPrice: GWEI,
  blockGasLimit: 30_000_000n,
  maxDataBytes: 1024,
  gas: GAS,
};
const KEY = Uint8Array.from(
  Buffer.from("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "hex"),
);
const TO = "0x0000000000000000000000000000000000000100" as Address;

const legacy = (o: Partial<Extract<UnsignedTx, { type: 0 }>> = {}): Tx =>
  signTx(
    { type: 0, chainId: 1337n, nonce: 0n, gasPrice: GWEI, gasLimit: 21000n, to: TO, value: 1n, ...o },
    KEY,
  ).tx;
const dynamic = (o: Partial<Extract<UnsignedTx, { type: 2 }>> = {}): Tx =>
  signTx(
    {
      type: 2,
      chainId: 1337n,
      nonce: 0n,
      maxFeePerGas: 2n * GWEI,
      maxPriorityFeePerGas: GWEI,
      gasLimit: 21000n,
      to: TO,
      value: 1n,
      ...o,
    },
    KEY,
  ).tx;

function codeOf(tx: Tx, rules: TxRules = RULES): string {
  try {
    validateTxStatic(tx, rules);
  } catch (e) {
    if (isLvoError(e)) return e.code;
    throw e;
  }
  return "ok";
}

describe("intrinsicGas", () => {
  it("prices base, zero and non-zero calldata bytes and the access list", () => {
    expect(intrinsicGas(legacy(), GAS)).toBe(21000n);
    expect(intrinsicGas(legacy({ data: Uint8Array.of(0, 0xff, 0, 1) }), GAS)).toBe(
      21000n + 2n * 4n + 2n * 16n,
    );
    const al = dynamic({
      accessList: [
        [new Uint8Array(20), [new Uint8Array(32), new Uint8Array(32)]],
        [new Uint8Array(20).fill(1), []],
      ],
    });
    expect(intrinsicGas(al, GAS)).toBe(21000n + 2n * 2400n + 2n * 1900n);
  });
});

describe("validateTxStatic", () => {
  it("accepts valid transactions, including every bound met exactly", () => {
    expect(codeOf(legacy())).toBe("ok");
    expect(codeOf(dynamic())).toBe("ok");
    const data = new Uint8Array(1024).fill(1);
    expect(codeOf(dynamic({ data, gasLimit: 21000n + 1024n * 16n, maxFeePerGas: GWEI }))).toBe("ok");
    expect(codeOf(legacy({ gasLimit: 30_000_000n }))).toBe("ok");
    expect(codeOf(dynamic({ maxFeePerGas: GWEI, maxPriorityFeePerGas: GWEI }))).toBe("ok");
  });

  it(TxErrorCode.TX_WRONG_CHAIN, () => {
    expect(codeOf(legacy({ chainId: 1n }))).toBe("TX_WRONG_CHAIN");
    expect(codeOf(dynamic({ chainId: 1338n }))).toBe("TX_WRONG_CHAIN");
  });

  it(TxErrorCode.TX_DATA_TOO_LARGE, () => {
    expect(codeOf(dynamic({ data: new Uint8Array(1025), gasLimit: 1_000_000n }))).toBe("TX_DATA_TOO_LARGE");
  });

  it(TxErrorCode.TX_GAS_LIMIT_ABOVE_BLOCK, () => {
    expect(codeOf(legacy({ gasLimit: 30_000_001n }))).toBe("TX_GAS_LIMIT_ABOVE_BLOCK");
  });

  it(TxErrorCode.TX_INTRINSIC_GAS, () => {
    expect(codeOf(legacy({ gasLimit: 20999n }))).toBe("TX_INTRINSIC_GAS");
    expect(codeOf(dynamic({ data: Uint8Array.of(1) }))).toBe("TX_INTRINSIC_GAS");
    expect(codeOf(dynamic({ accessList: [[new Uint8Array(20), []]], gasLimit: 23399n }))).toBe(
      "TX_INTRINSIC_GAS",
    );
  });

  it(TxErrorCode.TX_PRIORITY_ABOVE_MAX, () => {
    expect(codeOf(dynamic({ maxFeePerGas: 2n * GWEI, maxPriorityFeePerGas: 2n * GWEI + 1n }))).toBe(
      "TX_PRIORITY_ABOVE_MAX",
    );
  });

  it(TxErrorCode.TX_FEE_BELOW_MINIMUM, () => {
    expect(codeOf(legacy({ gasPrice: GWEI - 1n }))).toBe("TX_FEE_BELOW_MINIMUM");
    expect(codeOf(dynamic({ maxFeePerGas: GWEI - 1n, maxPriorityFeePerGas: 0n }))).toBe(
      "TX_FEE_BELOW_MINIMUM",
    );
  });
});

describe("effectiveGasPrice and maxCost", () => {
  it("pays the full gas price for legacy", () => {
    expect(effectiveGasPrice(legacy({ gasPrice: 5n * GWEI }), GWEI)).toBe(5n * GWEI);
  });

  it("caps base fee + tip at the max fee for type 2", () => {
    const tx = dynamic({ maxFeePerGas: 10n, maxPriorityFeePerGas: 2n });
    expect(effectiveGasPrice(tx, 5n)).toBe(7n);
    expect(effectiveGasPrice(tx, 9n)).toBe(10n);
  });

  it("is value plus gas limit times max fee", () => {
    expect(maxCost(dynamic({ value: 7n, gasLimit: 21000n, maxFeePerGas: 3n }))).toBe(7n + 63000n);
  });
});
