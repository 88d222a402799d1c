import { HDKey } from "@scure/bip32";
import * as bip39 from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { type Address, publicKeyToAddress } from "../crypto/address.ts";
import { isValidSecretKey, publicKeyOf } from "../crypto/secp256k1.ts";
import { KeysErrorCode, keysError } from "./errors.ts";

/**
 * The well-known Hardhat/Anvil development phrase. Its keys are public: devnet only, never
 * for anything holding value.
 */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** BIP-44 prefix for Ethereum accounts (coin type 60); account `i` is `${ETH_PATH_PREFIX}/i`. */
export const ETH_PATH_PREFIX = "m/44'/60'/0'/0";

/** Most keys one `deriveKeys` call returns, so a typo in a count cannot hang the node. */
export const MAX_DERIVE_COUNT = 10_000;

const MAX_INDEX = 2 ** 31 - 1;

/** A secp256k1 key pair as the node uses it: raw 32-byte secret and lowercase address. */
export interface DerivedKey {
  secretKey: Uint8Array;
  address: Address;
}

/** A fresh random English mnemonic: 12 words (128-bit entropy) or 24 words (256-bit). */
export function generateMnemonic(words: 12 | 24 = 12): string {
  if (words !== 12 && words !== 24) {
    throw keysError(KeysErrorCode.MNEMONIC_INVALID, "mnemonic length must be 12 or 24 words", { words });
  }
  return bip39.generateMnemonic(wordlist, words === 12 ? 128 : 256);
}

/**
 * Canonical form of a user-typed phrase: users paste with capitals, double spaces and
 * newlines, which BIP-39 would otherwise hash into a different seed.
 */
export function normalizeMnemonic(phrase: string): string {
  return phrase.normalize("NFKD").trim().toLowerCase().split(/\s+/).join(" ");
}

/** True when the phrase (after normalisation) is a valid English BIP-39 mnemonic. */
export function validateMnemonic(phrase: string): boolean {
  return typeof phrase === "string" && bip39.validateMnemonic(normalizeMnemonic(phrase), wordlist);
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX) {
    throw keysError(KeysErrorCode.KEY_INVALID, "derivation index must be an integer in 0..2^31-1", {
      index,
    });
  }
}

function accountParent(phrase: string, passphrase: string): HDKey {
  const normalized = typeof phrase === "string" ? normalizeMnemonic(phrase) : "";
  if (!bip39.validateMnemonic(normalized, wordlist)) {
    // The phrase is secret: never put it (or a word of it) in the error context.
    throw keysError(KeysErrorCode.MNEMONIC_INVALID, "invalid BIP-39 mnemonic");
  }
  const seed = bip39.mnemonicToSeedSync(normalized, passphrase);
  return HDKey.fromMasterSeed(seed).derive(ETH_PATH_PREFIX);
}

function childKey(parent: HDKey, index: number): DerivedKey {
  const secretKey = parent.deriveChild(index).privateKey;
  // privateKey is null only for a public-only parent, which this module never builds.
  if (!secretKey || !isValidSecretKey(secretKey)) {
    throw keysError(KeysErrorCode.KEY_INVALID, "derived key is invalid", { index });
  }
  return { secretKey, address: publicKeyToAddress(publicKeyOf(secretKey)) };
}

/** Key at m/44'/60'/0'/0/{index} (MetaMask, ethers, Hardhat and Anvil all use this path). */
export function deriveKey(phrase: string, index: number, passphrase = ""): DerivedKey {
  checkIndex(index);
  return childKey(accountParent(phrase, passphrase), index);
}

/**
 * Keys at indices `from .. from+count-1`. Runs the seed PBKDF2 and the hardened path once,
 * which is most of the cost when a devnet wants its 20 accounts.
 */
export function deriveKeys(phrase: string, count: number, passphrase = "", from = 0): DerivedKey[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_DERIVE_COUNT) {
    throw keysError(KeysErrorCode.KEY_INVALID, `count must be an integer in 0..${MAX_DERIVE_COUNT}`, {
      count,
    });
  }
  checkIndex(from);
  if (count > 0) checkIndex(from + count - 1);
  const parent = accountParent(phrase, passphrase);
  const out: DerivedKey[] = [];
  for (let i = 0; i < count; i++) out.push(childKey(parent, from + i));
  return out;
}
