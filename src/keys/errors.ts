import { LvoError } from "../util/errors.ts";

/** Error codes of the key-management module; tests and the CLI match on these, never on messages. */
export const KeysErrorCode = {
  /** The phrase is not a BIP-39 English mnemonic (unknown word, bad length or bad checksum). */
  MNEMONIC_INVALID: "MNEMONIC_INVALID",
  /** A secret key or derivation index is out of range (key 0 or >= n, index not 0..2^31-1). */
  KEY_INVALID: "KEY_INVALID",
  /** A user-supplied address is not 0x + 40 hex with a valid EIP-55 checksum when mixed-case. */
  ADDRESS_INVALID: "ADDRESS_INVALID",
  /** The keystore JSON is not well-formed V3: wrong types, hex lengths, or contents that disagree. */
  KEYSTORE_MALFORMED: "KEYSTORE_MALFORMED",
  /** Well-formed but uses a version, kdf, prf or cipher this node does not implement. */
  KEYSTORE_UNSUPPORTED: "KEYSTORE_UNSUPPORTED",
  /** KDF parameters too costly or hostile to run (refused before any work is done). */
  KEYSTORE_PARAMS_REFUSED: "KEYSTORE_PARAMS_REFUSED",
  /** MAC mismatch: wrong password, or the ciphertext/params were tampered with. */
  KEYSTORE_BAD_PASSWORD: "KEYSTORE_BAD_PASSWORD",
  /** No keystore file for the requested address in the keys directory. */
  KEYFILE_NOT_FOUND: "KEYFILE_NOT_FOUND",
  /** Refused to write: a keystore for this address (or this file name) already exists. */
  KEYFILE_EXISTS: "KEYFILE_EXISTS",
} as const;

/** One of the string codes in {@link KeysErrorCode}. */
export type KeysErrorCode = (typeof KeysErrorCode)[keyof typeof KeysErrorCode];

/** Build the module's error; kept as a function so call sites stay one line. */
export function keysError(
  code: KeysErrorCode,
  message: string,
  context: Record<string, unknown> = {},
): LvoError<KeysErrorCode> {
  return new LvoError(code, message, context);
}
