import {
  pbkdf2Sync as nodePbkdf2Sync,
  scryptSync as nodeScryptSync,
  pbkdf2 as pbkdf2Callback,
  type ScryptOptions,
  scrypt as scryptCallback,
} from "node:crypto";
import { promisify } from "node:util";
import { scryptAsync as nobleScryptAsync, scrypt as nobleScryptSync } from "@noble/hashes/scrypt.js";
import { KeysErrorCode, keysError } from "./errors.ts";

/**
 * What a keystore file may make us compute. A keystore is untrusted input (a user may import
 * one from anywhere), and its kdfparams alone decide the cost: N = 2^30 would ask for
 * 128 GiB or more.
 */
export const KDF_LIMITS = {
  /** Largest scrypt N; ethers writes 2^17 and geth 2^18 by default. */
  maxScryptN: 2 ** 20,
  /** Largest block size; every known writer uses 1 or 8. */
  maxScryptR: 32,
  /** Largest parallelism; geth's light mode writes 6, the spec's vector 8. */
  maxScryptP: 16,
  /**
   * Bound on 128·N·r·p bytes, i.e. table size times sequential passes. Geth's standard
   * (2^18, 8, 1) and the spec's vector (2^18, 1, 8) both sit exactly at it.
   */
  maxScryptWork: 256 * 1024 * 1024,
  /** Bound on PBKDF2 iterations times 32-byte output blocks (each block repeats all c rounds). */
  maxPbkdf2Work: 10_000_000,
  /** Longest derived key; every implementation writes 32. */
  maxDklen: 1024,
} as const;

function refuse(message: string, context: Record<string, unknown>): never {
  throw keysError(KeysErrorCode.KEYSTORE_PARAMS_REFUSED, message, context);
}

function inRange(v: number, lo: number, hi: number): boolean {
  return Number.isSafeInteger(v) && v >= lo && v <= hi;
}

/** Throws KEYSTORE_PARAMS_REFUSED unless scrypt(n, r, p, dklen) is cheap enough to run. */
export function checkScryptParams(n: number, r: number, p: number, dklen: number): void {
  const ctx = { n, r, p, dklen };
  if (!inRange(n, 2, KDF_LIMITS.maxScryptN) || (n & (n - 1)) !== 0) {
    refuse(`scrypt n must be a power of two in 2..${KDF_LIMITS.maxScryptN}`, ctx);
  }
  if (!inRange(r, 1, KDF_LIMITS.maxScryptR)) refuse(`scrypt r must be in 1..${KDF_LIMITS.maxScryptR}`, ctx);
  if (!inRange(p, 1, KDF_LIMITS.maxScryptP)) refuse(`scrypt p must be in 1..${KDF_LIMITS.maxScryptP}`, ctx);
  if (128 * n * r * p > KDF_LIMITS.maxScryptWork) refuse("scrypt 128*n*r*p exceeds 256 MiB", ctx);
  if (!inRange(dklen, 32, KDF_LIMITS.maxDklen)) refuse(`dklen must be in 32..${KDF_LIMITS.maxDklen}`, ctx);
}

/** Throws KEYSTORE_PARAMS_REFUSED unless PBKDF2-HMAC-SHA256(c, dklen) is cheap enough to run. */
export function checkPbkdf2Params(c: number, dklen: number): void {
  const ctx = { c, dklen };
  if (!inRange(dklen, 32, KDF_LIMITS.maxDklen)) refuse(`dklen must be in 32..${KDF_LIMITS.maxDklen}`, ctx);
  if (!inRange(c, 1, KDF_LIMITS.maxPbkdf2Work) || c * Math.ceil(dklen / 32) > KDF_LIMITS.maxPbkdf2Work) {
    refuse(`pbkdf2 c * ceil(dklen/32) must be at most ${KDF_LIMITS.maxPbkdf2Work}`, ctx);
  }
}

const nodePbkdf2 = promisify(pbkdf2Callback);

function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function nodeScryptAsync(
  password: Uint8Array,
  salt: Uint8Array,
  dklen: number,
  opts: ScryptOptions,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, dklen, opts, (err, key) => (err ? reject(err) : resolve(asBytes(key))));
  });
}

/**
 * Which scrypt to run. node:crypto (OpenSSL) measured 304 ms for N=2^17, r=8 against 538 ms for
 * @noble/hashes (medians, 2 vCPU), and its async form runs in the libuv threadpool. But OpenSSL
 * enforces RFC 7914's N < 2^(16r), which rejects the r=1, p=8 files older tools wrote (the
 * spec's own vector among them), so those go to noble.
 */
function openSslAccepts(n: number, r: number): boolean {
  // OpenSSL applies the rule only while 16r fits its 64-bit shift, i.e. for r < 4.
  return 16 * r >= 64 || n < 2 ** (16 * r);
}

/** OpenSSL allocates 128·r·(N+p+2) bytes; checkScryptParams bounds this to about 256 MiB. */
function openSslOptions(n: number, r: number, p: number): ScryptOptions {
  return { N: n, r, p, maxmem: 128 * r * (n + p + 2) };
}

function nobleOptions(n: number, r: number, p: number, dklen: number) {
  return { N: n, r, p, dkLen: dklen, maxmem: 128 * r * (n + p + 1) };
}

/** scrypt that blocks the thread: for the CLI, which has nothing else to do meanwhile. */
export function scryptSync(
  password: Uint8Array,
  salt: Uint8Array,
  n: number,
  r: number,
  p: number,
  dklen: number,
): Uint8Array {
  checkScryptParams(n, r, p, dklen);
  if (openSslAccepts(n, r)) return asBytes(nodeScryptSync(password, salt, dklen, openSslOptions(n, r, p)));
  return nobleScryptSync(password, salt, nobleOptions(n, r, p, dklen));
}

/** scrypt that leaves the event loop free (OpenSSL in the threadpool, or noble yielding every 10 ms). */
export async function scryptAsync(
  password: Uint8Array,
  salt: Uint8Array,
  n: number,
  r: number,
  p: number,
  dklen: number,
): Promise<Uint8Array> {
  checkScryptParams(n, r, p, dklen);
  if (openSslAccepts(n, r)) return nodeScryptAsync(password, salt, dklen, openSslOptions(n, r, p));
  return nobleScryptAsync(password, salt, nobleOptions(n, r, p, dklen));
}

// PBKDF2-HMAC-SHA256 goes through OpenSSL: about 9x faster than @noble/hashes (31 vs 270 ms at c=2^18).

/** PBKDF2-HMAC-SHA256, blocking. */
export function pbkdf2Sha256Sync(
  password: Uint8Array,
  salt: Uint8Array,
  c: number,
  dklen: number,
): Uint8Array {
  checkPbkdf2Params(c, dklen);
  return asBytes(nodePbkdf2Sync(password, salt, c, dklen, "sha256"));
}

/** PBKDF2-HMAC-SHA256 in the libuv threadpool. */
export async function pbkdf2Sha256Async(
  password: Uint8Array,
  salt: Uint8Array,
  c: number,
  dklen: number,
): Promise<Uint8Array> {
  checkPbkdf2Params(c, dklen);
  return asBytes(await nodePbkdf2(password, salt, c, dklen, "sha256"));
}
