import { createRequire } from "node:module";
import { secp256k1 as noble } from "@noble/curves/secp256k1.js";

/**
 * secp256k1 for signing and sender recovery. Recovery is the node's throughput ceiling
 * (NOTES.md): libsecp256k1 through the `secp256k1` package's N-API prebuild is about 39x faster
 * than @noble/curves, which stays as the portable reference and the fallback where the native
 * addon does not load.
 */

interface NativeSecp {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed?: boolean): Uint8Array;
  ecdsaSign(msg32: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(key: Uint8Array, compressed?: boolean): Uint8Array;
}

function loadNative(): NativeSecp | null {
  if (process.env.LVO_NO_NATIVE_SECP === "1") return null;
  try {
    const require = createRequire(import.meta.url);
    // bindings.js loads only the native addon (index.js would silently fall back to elliptic).
    return require("secp256k1/bindings.js") as NativeSecp;
  } catch {
    return null;
  }
}

const native = loadNative();

/** Which implementation recovers signatures in this process. */
export const secpBackend: "libsecp256k1" | "noble" = native ? "libsecp256k1" : "noble";

const N = noble.Point.CURVE().n;
const HALF_N = N >> 1n;

/** A recoverable ECDSA signature: r, s as 32-byte big-endian, recovery id 0 or 1. */
export interface RecoverableSig {
  r: Uint8Array;
  s: Uint8Array;
  recovery: number;
}

/** Sign a 32-byte digest (RFC 6979, low-S). */
export function signDigest(digest: Uint8Array, secretKey: Uint8Array): RecoverableSig {
  if (native) {
    const { signature, recid } = native.ecdsaSign(digest, secretKey);
    return { r: signature.slice(0, 32), s: signature.slice(32, 64), recovery: recid };
  }
  const sig = noble.sign(digest, secretKey, { prehash: false, format: "recovered" });
  return { r: sig.slice(1, 33), s: sig.slice(33, 65), recovery: sig[0]! };
}

function toBig(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString("hex")}`);
}

/**
 * Recover the uncompressed public key (65 bytes, 0x04-prefixed) from a digest and signature.
 * Returns null for any invalid signature (r or s out of range, high S, no point).
 */
export function recoverPublicKey(digest: Uint8Array, sig: RecoverableSig): Uint8Array | null {
  if (sig.recovery !== 0 && sig.recovery !== 1) return null;
  if (sig.r.length !== 32 || sig.s.length !== 32) return null;
  const r = toBig(sig.r);
  const s = toBig(sig.s);
  // Homestead rule (EIP-2): reject high-S and out-of-range values before touching the curve.
  if (r === 0n || s === 0n || r >= N || s > HALF_N) return null;
  try {
    if (native) {
      const rs = new Uint8Array(64);
      rs.set(sig.r, 0);
      rs.set(sig.s, 32);
      return native.ecdsaRecover(rs, sig.recovery, digest, false);
    }
    const packed = new Uint8Array(65);
    packed[0] = sig.recovery;
    packed.set(sig.r, 1);
    packed.set(sig.s, 33);
    const compressed = noble.recoverPublicKey(packed, digest, { prehash: false });
    return noble.Point.fromBytes(compressed).toBytes(false);
  } catch {
    return null;
  }
}

/** Uncompressed public key (65 bytes) of a secret key. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return noble.getPublicKey(secretKey, false);
}

/** True when `key` is a valid secp256k1 secret key (32 bytes, 0 < k < n). */
export function isValidSecretKey(key: Uint8Array): boolean {
  return key.length === 32 && noble.utils.isValidSecretKey(key);
}

/** A fresh random secret key. */
export function randomSecretKey(): Uint8Array {
  return noble.utils.randomSecretKey();
}
