import { RLP } from "@ethereumjs/rlp";
import { type Address, parseAddress, publicKeyToAddress } from "../crypto/address.ts";
import { keccak256 } from "../crypto/hash.ts";
import { isValidSecretKey, publicKeyOf, signDigest } from "../crypto/secp256k1.ts";
import { fromHex } from "../util/bytes.ts";
import { parseTx } from "./decode.ts";
import { txError } from "./errors.ts";
import { uintToBytes } from "./rlp.ts";
import type { AccessList, Tx } from "./types.ts";

interface UnsignedBase {
  /** Must be at least 1: chain id 0 is what wallets use to mean "unprotected". */
  chainId: bigint;
  nonce: bigint;
  gasLimit: bigint;
  /** Recipient; any case, mixed case must carry a valid EIP-55 checksum. */
  to: Address;
  value: bigint;
  /** Calldata; empty when omitted. */
  data?: Uint8Array;
}

/** Fields of a legacy (EIP-155) transaction to sign. */
export interface UnsignedLegacyTx extends UnsignedBase {
  type: 0;
  gasPrice: bigint;
}

/** Fields of an EIP-1559 (type 2) transaction to sign. */
export interface UnsignedDynamicFeeTx extends UnsignedBase {
  type: 2;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  accessList?: AccessList;
}

/** What {@link signTx} signs: the wallet-facing fields of either envelope type. */
export type UnsignedTx = UnsignedLegacyTx | UnsignedDynamicFeeTx;

/** A signed transaction: the bytes to send, their hash, and the decoded form. */
export interface SignedTx {
  raw: Uint8Array;
  hash: Uint8Array;
  tx: Tx;
}

/** The fields of a signed transaction that its encoding is made of. */
export type TxFields = Pick<
  Tx,
  | "type"
  | "chainId"
  | "nonce"
  | "gasLimit"
  | "maxFeePerGas"
  | "maxPriorityFeePerGas"
  | "to"
  | "value"
  | "data"
  | "accessList"
  | "v"
  | "r"
  | "s"
>;

type RlpValue = Uint8Array | RlpValue[];

const MAX_U64 = (1n << 64n) - 1n;
const MAX_U256 = (1n << 256n) - 1n;

function invalid(reason: string, context: Record<string, unknown> = {}): never {
  throw txError("TX_MALFORMED", `cannot encode transaction: ${reason}`, { reason, ...context });
}

function uint(n: bigint, max: bigint, field: string): Uint8Array {
  if (typeof n !== "bigint" || n < 0n || n > max) invalid(`${field} out of range`, { field });
  return uintToBytes(n);
}

function address(a: string): Uint8Array {
  const parsed = parseAddress(a);
  if (parsed === null) invalid("to is not an address");
  return fromHex(parsed);
}

function accessListItems(list: AccessList): RlpValue[] {
  return list.map(([addr, keys]) => {
    if (addr.length !== 20) invalid("access list address is not 20 bytes");
    for (const k of keys) if (k.length !== 32) invalid("storage key is not 32 bytes");
    return [addr, keys];
  });
}

/** Strip a 32-byte scalar to its minimal RLP integer form. */
function scalar(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.subarray(i);
}

function typed(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = type;
  out.set(body, 1);
  return out;
}

interface Normalized {
  type: 0 | 2;
  chainId: bigint;
  /** Legacy: [nonce, gasPrice, gasLimit, to, value, data]; type 2: the nine signed fields. */
  fields: RlpValue[];
}

function normalize(t: UnsignedTx | TxFields): Normalized {
  if (t.type !== 0 && t.type !== 2) invalid("type must be 0 or 2", { type: t.type });
  const nonce = uint(t.nonce, MAX_U64, "nonce");
  const gasLimit = uint(t.gasLimit, MAX_U64, "gasLimit");
  const to = address(t.to);
  const value = uint(t.value, MAX_U256, "value");
  const data = t.data ?? new Uint8Array(0);
  if (t.type === 0) {
    const gasPrice = "gasPrice" in t ? t.gasPrice : t.maxFeePerGas;
    return {
      type: 0,
      chainId: t.chainId,
      fields: [nonce, uint(gasPrice, MAX_U256, "gasPrice"), gasLimit, to, value, data],
    };
  }
  return {
    type: 2,
    chainId: t.chainId,
    fields: [
      uint(t.chainId, MAX_U256, "chainId"),
      nonce,
      uint(t.maxPriorityFeePerGas, MAX_U256, "maxPriorityFeePerGas"),
      uint(t.maxFeePerGas, MAX_U256, "maxFeePerGas"),
      gasLimit,
      to,
      value,
      data,
      accessListItems(t.accessList ?? []),
    ],
  };
}

function signedBytes(n: Normalized, v: bigint, r: Uint8Array, s: Uint8Array): Uint8Array {
  const body = RLP.encode([...n.fields, uintToBytes(v), scalar(r), scalar(s)]);
  return n.type === 0 ? body : typed(2, body);
}

/**
 * Canonical signed bytes of a transaction's fields. For a decoded tx this gives back `raw`
 * (decode accepts only canonical encodings), which the tests use as a round-trip check.
 */
export function encodeTx(tx: TxFields): Uint8Array {
  return signedBytes(normalize(tx), tx.v, tx.r, tx.s);
}

/**
 * Sign with a secp256k1 secret key (RFC 6979, low-s): the bytes equal ethers'
 * `Wallet.signTransaction` for the same fields. Used by the CLI, the devnet and tests.
 */
export function signTx(fields: UnsignedTx, secretKey: Uint8Array): SignedTx {
  if (!isValidSecretKey(secretKey)) {
    throw txError("TX_INVALID_KEY", "secret key is not a valid secp256k1 key");
  }
  const n = normalize(fields);
  if (n.chainId < 1n) invalid("chainId must be at least 1 (0 means unprotected)");
  let digest: Uint8Array;
  if (n.type === 0) {
    // EIP-155: the chain id and two empty strings stand in for v, r, s.
    const empty = new Uint8Array(0);
    digest = keccak256(RLP.encode([...n.fields, uint(n.chainId, MAX_U256, "chainId"), empty, empty]));
  } else {
    digest = keccak256(typed(2, RLP.encode(n.fields)));
  }
  const sig = signDigest(digest, secretKey);
  const v = n.type === 0 ? n.chainId * 2n + 35n + BigInt(sig.recovery) : BigInt(sig.recovery);
  const raw = signedBytes(n, v, sig.r, sig.s);
  // Parsing our own bytes gives the exact Tx decodeTx would; the sender is known, no recovery.
  const tx = parseTx(raw).tx as Tx;
  tx.from = publicKeyToAddress(publicKeyOf(secretKey));
  return { raw, hash: tx.hash, tx };
}
