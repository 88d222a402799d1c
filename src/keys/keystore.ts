import { createCipheriv, createDecipheriv, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { type Address, publicKeyToAddress } from "../crypto/address.ts";
import { keccak256 } from "../crypto/hash.ts";
import { isValidSecretKey, publicKeyOf } from "../crypto/secp256k1.ts";
import { concatBytes, fromHex, utf8 } from "../util/bytes.ts";
import { KeysErrorCode, keysError } from "./errors.ts";
import { pbkdf2Sha256Async, pbkdf2Sha256Sync, scryptAsync, scryptSync } from "./kdf.ts";
import { isUuid, type KeystoreCrypto, type KeystoreV3, parseKeystore } from "./keystore-format.ts";

/** scrypt N written by default: ethers' choice, about 0.3 s to unlock on the reference machine. */
export const SCRYPT_N_STANDARD = 2 ** 17;
/** geth's --lightkdf N: for throwaway devnet keys only, as it is 32x cheaper to brute-force. */
export const SCRYPT_N_LIGHT = 2 ** 12;

const SCRYPT_R = 8;
const SCRYPT_P = 1;
const DKLEN = 32;

/** Overrides for `encryptKeystore`; iv, salt and uuid exist for reproducible test vectors. */
export interface EncryptOptions {
  scryptN?: number;
  uuid?: string;
  iv?: Uint8Array;
  salt?: Uint8Array;
}

/** A decrypted keystore. */
export interface UnlockedKey {
  secretKey: Uint8Array;
  address: Address;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

function aes128ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const c = encrypt ? createCipheriv("aes-128-ctr", key, iv) : createDecipheriv("aes-128-ctr", key, iv);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

function macOf(derivedKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return keccak256(concatBytes(derivedKey.subarray(16, 32), ciphertext));
}

// ---- encrypt -------------------------------------------------------------------------------

interface SealInput {
  secretKey: Uint8Array;
  password: Uint8Array;
  n: number;
  salt: Uint8Array;
  iv: Uint8Array;
  id: string;
}

function prepareSeal(secretKey: Uint8Array, password: string, opts: EncryptOptions): SealInput {
  if (!(secretKey instanceof Uint8Array) || !isValidSecretKey(secretKey)) {
    throw keysError(KeysErrorCode.KEY_INVALID, "secret key must be 32 bytes in 1..n-1");
  }
  const salt = opts.salt ?? randomBytes(32);
  const iv = opts.iv ?? randomBytes(16);
  const id = opts.uuid ?? randomUUID();
  if (iv.length !== 16 || salt.length < 16 || salt.length > 1024 || !isUuid(id)) {
    throw keysError(
      KeysErrorCode.KEYSTORE_MALFORMED,
      "iv must be 16 bytes, salt 16..1024, uuid 8-4-4-4-12 hex",
    );
  }
  // NFKC as ethers does, so ethers opens what we write whatever the password's Unicode form.
  const pw = utf8(password.normalize("NFKC"));
  return { secretKey, password: pw, n: opts.scryptN ?? SCRYPT_N_STANDARD, salt, iv, id };
}

function seal(input: SealInput, derived: Uint8Array): KeystoreV3 {
  const ciphertext = aes128ctr(derived.subarray(0, 16), input.iv, input.secretKey, true);
  const mac = macOf(derived, ciphertext);
  derived.fill(0);
  return {
    address: publicKeyToAddress(publicKeyOf(input.secretKey)).slice(2),
    crypto: {
      cipher: "aes-128-ctr",
      ciphertext: hex(ciphertext),
      cipherparams: { iv: hex(input.iv) },
      kdf: "scrypt",
      kdfparams: { dklen: DKLEN, n: input.n, p: SCRYPT_P, r: SCRYPT_R, salt: hex(input.salt) },
      mac: hex(mac),
    },
    id: input.id.toLowerCase(),
    version: 3,
  };
}

/**
 * Encrypt a secret key as a Web3 Secret Storage v3 object (scrypt, aes-128-ctr, keccak MAC),
 * the format geth and ethers read. Blocks for the KDF (about 0.3 s at the default N): for the
 * CLI; a running node uses `encryptKeystoreAsync`.
 */
export function encryptKeystore(
  secretKey: Uint8Array,
  password: string,
  opts: EncryptOptions = {},
): KeystoreV3 {
  const s = prepareSeal(secretKey, password, opts);
  return seal(s, scryptSync(s.password, s.salt, s.n, SCRYPT_R, SCRYPT_P, DKLEN));
}

/** `encryptKeystore` without blocking the event loop. */
export async function encryptKeystoreAsync(
  secretKey: Uint8Array,
  password: string,
  opts: EncryptOptions = {},
): Promise<KeystoreV3> {
  const s = prepareSeal(secretKey, password, opts);
  return seal(s, await scryptAsync(s.password, s.salt, s.n, SCRYPT_R, SCRYPT_P, DKLEN));
}

// ---- decrypt -------------------------------------------------------------------------------

interface OpenInput {
  ks: KeystoreV3;
  ciphertext: Uint8Array;
  mac: Uint8Array;
  salt: Uint8Array;
  passwords: Uint8Array[];
}

function prepareOpen(json: string | unknown, password: string): OpenInput {
  const ks = parseKeystore(json);
  const c = ks.crypto;
  // ethers NFKC-normalises passwords, geth and web3.py hash the raw UTF-8: they differ only for
  // compatibility characters (full-width letters, ligatures). Try both so either file opens.
  const nfkc = password.normalize("NFKC");
  const passwords = nfkc === password ? [utf8(password)] : [utf8(password), utf8(nfkc)];
  return {
    ks,
    ciphertext: fromHex(`0x${c.ciphertext}`),
    mac: fromHex(`0x${c.mac}`),
    salt: fromHex(`0x${c.kdfparams.salt}`),
    passwords,
  };
}

function deriveSync(c: KeystoreCrypto, password: Uint8Array, salt: Uint8Array): Uint8Array {
  if (c.kdf === "pbkdf2") return pbkdf2Sha256Sync(password, salt, c.kdfparams.c, c.kdfparams.dklen);
  const { n, r, p, dklen } = c.kdfparams;
  return scryptSync(password, salt, n, r, p, dklen);
}

function deriveAsync(c: KeystoreCrypto, password: Uint8Array, salt: Uint8Array): Promise<Uint8Array> {
  if (c.kdf === "pbkdf2") return pbkdf2Sha256Async(password, salt, c.kdfparams.c, c.kdfparams.dklen);
  const { n, r, p, dklen } = c.kdfparams;
  return scryptAsync(password, salt, n, r, p, dklen);
}

/** Unlocked key when `derived` passes the MAC (compared in constant time), else null. */
function tryOpen(input: OpenInput, derived: Uint8Array): UnlockedKey | null {
  if (!timingSafeEqual(macOf(derived, input.ciphertext), input.mac)) {
    derived.fill(0);
    return null;
  }
  const { ks } = input;
  const secretKey = aes128ctr(
    derived.subarray(0, 16),
    fromHex(`0x${ks.crypto.cipherparams.iv}`),
    input.ciphertext,
    false,
  );
  derived.fill(0);
  // The MAC matched, so the password is right and the file was written this way: call it
  // malformed rather than a wrong password.
  if (!isValidSecretKey(secretKey)) {
    throw keysError(KeysErrorCode.KEYSTORE_MALFORMED, "keystore holds an invalid secret key", { id: ks.id });
  }
  const address = publicKeyToAddress(publicKeyOf(secretKey));
  if (ks.address !== undefined && `0x${ks.address}` !== address) {
    secretKey.fill(0);
    throw keysError(KeysErrorCode.KEYSTORE_MALFORMED, "keystore address does not match its key", {
      id: ks.id,
      fileAddress: `0x${ks.address}`,
    });
  }
  return { secretKey, address };
}

function badPassword(input: OpenInput): never {
  throw keysError(KeysErrorCode.KEYSTORE_BAD_PASSWORD, "wrong password or corrupted keystore", {
    id: input.ks.id,
  });
}

/**
 * Decrypt an untrusted keystore (JSON text or object). Structure and KDF cost are checked
 * before any work (parseKeystore). Blocks for the KDF: for the CLI; a running node uses
 * `decryptKeystoreAsync`.
 */
export function decryptKeystore(json: string | unknown, password: string): UnlockedKey {
  const input = prepareOpen(json, password);
  for (const pw of input.passwords) {
    const key = tryOpen(input, deriveSync(input.ks.crypto, pw, input.salt));
    if (key) return key;
  }
  return badPassword(input);
}

/** `decryptKeystore` without blocking the event loop. */
export async function decryptKeystoreAsync(json: string | unknown, password: string): Promise<UnlockedKey> {
  const input = prepareOpen(json, password);
  for (const pw of input.passwords) {
    const key = tryOpen(input, await deriveAsync(input.ks.crypto, pw, input.salt));
    if (key) return key;
  }
  return badPassword(input);
}
