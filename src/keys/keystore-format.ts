import { KeysErrorCode, keysError } from "./errors.ts";
import { checkPbkdf2Params, checkScryptParams } from "./kdf.ts";

/** scrypt kdfparams as written in the file (salt: hex without 0x). */
export interface ScryptParams {
  dklen: number;
  n: number;
  p: number;
  r: number;
  salt: string;
}

/** pbkdf2 kdfparams as written in the file; only hmac-sha256 exists in the wild. */
export interface Pbkdf2Params {
  c: number;
  dklen: number;
  prf: "hmac-sha256";
  salt: string;
}

interface KeystoreCryptoBase {
  cipher: "aes-128-ctr";
  ciphertext: string;
  cipherparams: { iv: string };
  mac: string;
}

type KdfSection = { kdf: "scrypt"; kdfparams: ScryptParams } | { kdf: "pbkdf2"; kdfparams: Pbkdf2Params };

/** The `crypto` section; kdf and kdfparams travel together so the params are typed by the kdf. */
export type KeystoreCrypto = KeystoreCryptoBase & KdfSection;

/**
 * Web3 Secret Storage v3 file, hex fields lowercase without 0x (geth's layout). `address` is
 * always written by this node but optional on read: the spec does not require it.
 */
export interface KeystoreV3 {
  address?: string;
  crypto: KeystoreCrypto;
  id: string;
  version: 3;
}

/** Longest keystore JSON text we parse; real files are about 500 characters. */
export const MAX_KEYSTORE_JSON_CHARS = 64 * 1024;
const MAX_SALT_BYTES = 1024;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function malformed(message: string, context: Record<string, unknown> = {}): never {
  throw keysError(KeysErrorCode.KEYSTORE_MALFORMED, message, context);
}

function unsupported(message: string, context: Record<string, unknown>): never {
  throw keysError(KeysErrorCode.KEYSTORE_UNSUPPORTED, message, context);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function record(v: unknown, field: string): Record<string, unknown> {
  if (!isRecord(v)) malformed(`${field} must be an object`, { field });
  return v;
}

/** Hex of `min..max` bytes; a 0x prefix and upper case are tolerated, output is canonical. */
function hex(v: unknown, field: string, min: number, max = min): string {
  if (typeof v !== "string") malformed(`${field} must be a hex string`, { field });
  const body = (v.startsWith("0x") ? v.slice(2) : v).toLowerCase();
  const bytes = body.length / 2;
  if (!/^[0-9a-f]*$/.test(body) || body.length % 2 !== 0 || bytes < min || bytes > max) {
    malformed(`${field} must be ${min === max ? min : `${min}..${max}`} bytes of hex`, { field });
  }
  return body;
}

/** True for an 8-4-4-4-12 hex UUID of any version (the spec's own vector is not v4). */
export function isUuid(v: unknown): v is string {
  return typeof v === "string" && UUID_RE.test(v);
}

function uuid(v: unknown): string {
  if (!isUuid(v)) malformed("id must be a UUID", { field: "id" });
  return v.toLowerCase();
}

function int(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) malformed(`${field} must be an integer`, { field });
  return v;
}

function dklen(v: unknown): number {
  const n = int(v, "kdfparams.dklen");
  // The MAC uses bytes 16..32 of the derived key, so anything shorter cannot be a keystore.
  if (n < 32) malformed("kdfparams.dklen must be at least 32", { dklen: n });
  return n;
}

function parseKdf(kdf: unknown, raw: unknown): KdfSection {
  if (typeof kdf !== "string") malformed("crypto.kdf must be a string");
  const params = record(raw, "crypto.kdfparams");
  if (kdf === "scrypt") {
    const p = {
      dklen: dklen(params.dklen),
      n: int(params.n, "kdfparams.n"),
      p: int(params.p, "kdfparams.p"),
      r: int(params.r, "kdfparams.r"),
      salt: hex(params.salt, "kdfparams.salt", 1, MAX_SALT_BYTES),
    };
    checkScryptParams(p.n, p.r, p.p, p.dklen);
    return { kdf, kdfparams: p };
  }
  if (kdf === "pbkdf2") {
    if (typeof params.prf !== "string") malformed("kdfparams.prf must be a string");
    if (params.prf !== "hmac-sha256") {
      unsupported("only the hmac-sha256 prf is supported", { prf: params.prf });
    }
    const p = {
      c: int(params.c, "kdfparams.c"),
      dklen: dklen(params.dklen),
      prf: params.prf,
      salt: hex(params.salt, "kdfparams.salt", 1, MAX_SALT_BYTES),
    } as const;
    checkPbkdf2Params(p.c, p.dklen);
    return { kdf, kdfparams: p };
  }
  unsupported("kdf must be scrypt or pbkdf2", { kdf });
}

/**
 * Validate an untrusted keystore (JSON text or parsed object) without running the KDF, and
 * return it in canonical form. Every cost-bearing parameter is checked here, so a hostile file
 * is refused before any work.
 */
export function parseKeystore(json: string | unknown): KeystoreV3 {
  let obj: unknown = json;
  if (typeof json === "string") {
    if (json.length > MAX_KEYSTORE_JSON_CHARS) {
      malformed("keystore JSON is too large", { length: json.length });
    }
    try {
      obj = JSON.parse(json);
    } catch {
      malformed("keystore is not valid JSON");
    }
  }
  const root = record(obj, "keystore");
  if (typeof root.version !== "number") malformed("version must be a number");
  if (root.version !== 3) unsupported("only keystore version 3 is supported", { version: root.version });
  // ethers 6 writes "Crypto"; geth reads it too because Go's JSON field matching ignores case.
  const c = record(root.crypto ?? root.Crypto, "crypto");
  if (typeof c.cipher !== "string") malformed("crypto.cipher must be a string");
  if (c.cipher !== "aes-128-ctr") {
    unsupported("only the aes-128-ctr cipher is supported", { cipher: c.cipher });
  }
  const cipherparams = record(c.cipherparams, "crypto.cipherparams");
  const ks: KeystoreV3 = {
    crypto: {
      cipher: c.cipher,
      // A secp256k1 secret key is 32 bytes and CTR mode keeps the length.
      ciphertext: hex(c.ciphertext, "crypto.ciphertext", 32),
      cipherparams: { iv: hex(cipherparams.iv, "cipherparams.iv", 16) },
      ...parseKdf(c.kdf, c.kdfparams),
      mac: hex(c.mac, "crypto.mac", 32),
    },
    id: uuid(root.id),
    version: 3,
  };
  if (root.address !== undefined) ks.address = hex(root.address, "address", 20);
  return ks;
}
