/**
 * Transactions signed by ethers, the reference: the decode tests run them through both secp
 * backends. Imports nothing from src, so the noble test can set its env before loading src.
 */
import { getBytes, Transaction, type TransactionLike, Wallet } from "ethers";
import { expect } from "vitest";

/** Hardhat's first two dev keys and one more, so senders differ between vectors. */
export const KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
] as const;

const TO = "0x1111111111111111111111111111111111111111";
const DPOS = "0x0000000000000000000000000000000000000100";
const GWEI = 1_000_000_000n;
const U256_MAX = (1n << 256n) - 1n;

function json(s: string): string {
  return `0x${Buffer.from(s, "utf8").toString("hex")}`;
}

/** One ethers-signed transaction and what ethers parses back out of it. */
export interface Vector {
  name: string;
  key: string;
  request: TransactionLike;
  rawHex: string;
  raw: Uint8Array;
  parsed: Transaction;
}

const REQUESTS: Array<{ name: string; key: number; request: TransactionLike }> = [
  {
    name: "legacy transfer, nonce 0",
    key: 0,
    request: { type: 0, chainId: 1337, nonce: 0, gasPrice: GWEI, gasLimit: 21000, to: TO, value: 10n ** 18n },
  },
  {
    name: "legacy, zero gas price and value, chain id 1",
    key: 1,
    request: { type: 0, chainId: 1, nonce: 1, gasPrice: 0n, gasLimit: 21000, to: TO, value: 0n },
  },
  {
    name: "legacy call with JSON data, large nonce and chain id",
    key: 2,
    request: {
      type: 0,
      chainId: 2n ** 40n + 7n,
      nonce: Number.MAX_SAFE_INTEGER,
      gasPrice: 123_456_789_012_345n,
      gasLimit: 5_000_000,
      to: DPOS,
      value: 0n,
      data: json('{"method":"stake","args":["1000000000000000000000"]}'),
    },
  },
  {
    name: "legacy with a leading-zero s (nonce 11)",
    key: 0,
    request: {
      type: 0,
      chainId: 1337,
      nonce: 11,
      gasPrice: GWEI,
      gasLimit: 21000,
      to: `0x${"22".repeat(20)}`,
      value: 1n,
    },
  },
  {
    name: "type 2 transfer, nonce 0",
    key: 0,
    request: {
      type: 2,
      chainId: 1337,
      nonce: 0,
      maxFeePerGas: 2n * GWEI,
      maxPriorityFeePerGas: GWEI,
      gasLimit: 21000,
      to: TO,
      value: 10n ** 18n,
    },
  },
  {
    name: "type 2 with a leading-zero r (nonce 32)",
    key: 0,
    request: {
      type: 2,
      chainId: 1337,
      nonce: 32,
      maxFeePerGas: 2n * GWEI,
      maxPriorityFeePerGas: GWEI,
      gasLimit: 21000,
      to: `0x${"22".repeat(20)}`,
      value: 1n,
    },
  },
  {
    name: "type 2 with a leading-zero s (nonce 21)",
    key: 0,
    request: {
      type: 2,
      chainId: 1337,
      nonce: 21,
      maxFeePerGas: 2n * GWEI,
      maxPriorityFeePerGas: GWEI,
      gasLimit: 21000,
      to: `0x${"22".repeat(20)}`,
      value: 1n,
    },
  },
  {
    name: "type 2 contract call with data and an access list",
    key: 1,
    request: {
      type: 2,
      chainId: 1337,
      nonce: 42,
      maxFeePerGas: 50n * GWEI,
      maxPriorityFeePerGas: 0n,
      gasLimit: 300_000,
      to: "0x0000000000000000000000000000000000000200",
      value: 0n,
      data: json('{"method":"propose","args":["token","return {}"]}'),
      accessList: [
        { address: TO, storageKeys: [`0x${"00".repeat(31)}01`, `0x${"ab".repeat(32)}`] },
        { address: DPOS, storageKeys: [] },
      ],
    },
  },
  {
    name: "type 2 with 1000 bytes of data (zeros and non-zeros) and maximal values",
    key: 2,
    request: {
      type: 2,
      chainId: 2n ** 64n,
      nonce: 2 ** 40,
      maxFeePerGas: U256_MAX,
      maxPriorityFeePerGas: U256_MAX - 1n,
      gasLimit: 2n ** 63n,
      to: TO,
      value: U256_MAX,
      data: `0x${"00ff0102".repeat(250)}`,
    },
  },
  {
    name: "type 2, zero fees, one-byte data",
    key: 2,
    request: {
      type: 2,
      chainId: 7,
      nonce: 127,
      maxFeePerGas: 0n,
      maxPriorityFeePerGas: 0n,
      gasLimit: 0,
      to: TO,
      value: 128n,
      data: "0x7f",
    },
  },
];

/** Sign every request with ethers. */
export async function buildVectors(): Promise<Vector[]> {
  const out: Vector[] = [];
  for (const { name, key, request } of REQUESTS) {
    const k = KEYS[key]!;
    const rawHex = await new Wallet(k).signTransaction(request);
    out.push({ name, key: k, request, rawHex, raw: getBytes(rawHex), parsed: Transaction.from(rawHex) });
  }
  return out;
}

/** The decoded-tx shape checked against ethers (structural, so either backend's Tx fits). */
interface DecodedLike {
  type: number;
  chainId: bigint;
  nonce: bigint;
  gasLimit: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  to: string;
  value: bigint;
  data: Uint8Array;
  accessList: Array<[Uint8Array, Uint8Array[]]>;
  v: bigint;
  r: Uint8Array;
  s: Uint8Array;
  raw: Uint8Array;
  hash: Uint8Array;
  from: string;
}

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;

/** Assert a decoded tx says exactly what ethers says about the same bytes. */
export function expectMatchesEthers(tx: DecodedLike, v: Vector): void {
  const p = v.parsed;
  expect(hex(tx.hash)).toBe(p.hash);
  expect(tx.from).toBe(p.from!.toLowerCase());
  expect(tx.from).toBe(new Wallet(v.key).address.toLowerCase());
  expect(tx.type).toBe(p.type);
  expect(tx.chainId).toBe(p.chainId);
  expect(tx.nonce).toBe(BigInt(p.nonce));
  expect(tx.gasLimit).toBe(p.gasLimit);
  expect(tx.to).toBe(p.to!.toLowerCase());
  expect(tx.value).toBe(p.value);
  expect(hex(tx.data)).toBe(p.data);
  expect(hex(tx.raw)).toBe(v.rawHex);
  const sig = p.signature!;
  expect(hex(tx.r)).toBe(sig.r);
  expect(hex(tx.s)).toBe(sig.s);
  if (p.type === 0) {
    expect(tx.maxFeePerGas).toBe(p.gasPrice);
    expect(tx.maxPriorityFeePerGas).toBe(p.gasPrice);
    expect(tx.v).toBe(sig.networkV);
    expect(tx.accessList).toEqual([]);
  } else {
    expect(tx.maxFeePerGas).toBe(p.maxFeePerGas);
    expect(tx.maxPriorityFeePerGas).toBe(p.maxPriorityFeePerGas);
    expect(tx.v).toBe(BigInt(sig.yParity));
    expect(tx.accessList.map(([a, keys]) => ({ address: hex(a), storageKeys: keys.map(hex) }))).toEqual(
      (p.accessList ?? []).map((e) => ({ address: e.address.toLowerCase(), storageKeys: e.storageKeys })),
    );
  }
}
