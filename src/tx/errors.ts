import { LvoError } from "../util/errors.ts";

/**
 * Why a transaction was refused by the codec or the static checks. Gossip maps each code to a
 * verdict (every code here is a REJECT: the bytes can never become valid), RPC to a JSON-RPC
 * error. Nonce and balance problems are the mempool's, not listed here.
 */
export const TxErrorCode = {
  /** Not a well-formed envelope: bad or non-canonical RLP, trailing bytes, wrong field count,
   * integers with leading zeros or wider than their field, an address that is not 20 bytes. */
  TX_MALFORMED: "TX_MALFORMED",
  /** A typed envelope other than 2 (access-list, blob, set-code...): only legacy and EIP-1559. */
  TX_UNSUPPORTED_TYPE: "TX_UNSUPPORTED_TYPE",
  /** Raw bytes over the size limit; checked before any decoding so junk costs nothing. */
  TX_OVERSIZED: "TX_OVERSIZED",
  /** v invalid for the type, r or s zero or out of range, high s (EIP-2), or no sender recovers. */
  TX_BAD_SIGNATURE: "TX_BAD_SIGNATURE",
  /** Legacy transaction without EIP-155 chain id (v = 27/28): replayable on any chain. */
  TX_UNPROTECTED: "TX_UNPROTECTED",
  /** Empty `to`: contracts are deployed through the Genesis contract, never by a creation tx. */
  TX_CONTRACT_CREATION: "TX_CONTRACT_CREATION",
  /** Signed for another chain id. */
  TX_WRONG_CHAIN: "TX_WRONG_CHAIN",
  /** Gas limit below the intrinsic gas (base + calldata + access list). */
  TX_INTRINSIC_GAS: "TX_INTRINSIC_GAS",
  /** Gas limit above the block gas limit: it could never be included. */
  TX_GAS_LIMIT_ABOVE_BLOCK: "TX_GAS_LIMIT_ABOVE_BLOCK",
  /** Max fee per gas (legacy: gas price) below the minimum gas price, which is the base fee. */
  TX_FEE_BELOW_MINIMUM: "TX_FEE_BELOW_MINIMUM",
  /** Type 2 with maxPriorityFeePerGas above maxFeePerGas (EIP-1559 forbids it). */
  TX_PRIORITY_ABOVE_MAX: "TX_PRIORITY_ABOVE_MAX",
  /** Calldata longer than the data limit. */
  TX_DATA_TOO_LARGE: "TX_DATA_TOO_LARGE",
  /** signTx was given a secret key that is not a valid secp256k1 scalar (local caller error). */
  TX_INVALID_KEY: "TX_INVALID_KEY",
} as const;

/** One of the {@link TxErrorCode} strings. */
export type TxErrorCode = (typeof TxErrorCode)[keyof typeof TxErrorCode];

/** The error thrown by everything in src/tx. */
export type TxError = LvoError<TxErrorCode>;

/** Build a TxError; callers `throw txError(...)` so the throw site stays visible. */
export function txError(code: TxErrorCode, message: string, context: Record<string, unknown> = {}): TxError {
  return new LvoError(code, message, context);
}

/** TX_MALFORMED with the reason in context (decoders throw it from deep inside a parse). */
export function malformed(reason: string, context: Record<string, unknown> = {}): never {
  throw txError("TX_MALFORMED", `malformed transaction: ${reason}`, { reason, ...context });
}
