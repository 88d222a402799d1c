/**
 * Key management: BIP-39/BIP-44 derivation, Web3 Secret Storage v3 keystores and the keys
 * directory. Everything else in the node imports from here, not from the files behind it.
 */
export { type Address, toChecksumAddress } from "../crypto/address.ts";
export { KeysErrorCode, keysError } from "./errors.ts";
export { KDF_LIMITS } from "./kdf.ts";
export {
  findKeystore,
  type KeyfileEntry,
  keystoreFileName,
  listKeystores,
  readKeystoreFile,
  saveKeystore,
} from "./keyfiles.ts";
export {
  decryptKeystore,
  decryptKeystoreAsync,
  type EncryptOptions,
  encryptKeystore,
  encryptKeystoreAsync,
  SCRYPT_N_LIGHT,
  SCRYPT_N_STANDARD,
  type UnlockedKey,
} from "./keystore.ts";
export {
  type KeystoreCrypto,
  type KeystoreV3,
  MAX_KEYSTORE_JSON_CHARS,
  type Pbkdf2Params,
  parseKeystore,
  type ScryptParams,
} from "./keystore-format.ts";
export {
  DEV_MNEMONIC,
  type DerivedKey,
  deriveKey,
  deriveKeys,
  ETH_PATH_PREFIX,
  generateMnemonic,
  MAX_DERIVE_COUNT,
  normalizeMnemonic,
  validateMnemonic,
} from "./mnemonic.ts";
