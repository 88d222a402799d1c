/**
 * Transaction codec: Ethereum-format envelopes (legacy EIP-155 and EIP-1559 type 2) in and out,
 * and the checks that need no state. The mempool adds nonce and balance; the ledger executes.
 */
export { decodeTx, decodeTxHex, decodeTxWithSender } from "./decode.ts";
export { type TxError, TxErrorCode } from "./errors.ts";
export { intrinsicGas } from "./intrinsic.ts";
export {
  encodeTx,
  type SignedTx,
  signTx,
  type TxFields,
  type UnsignedDynamicFeeTx,
  type UnsignedLegacyTx,
  type UnsignedTx,
} from "./sign.ts";
export type { AccessList, Tx, TxType } from "./types.ts";
export { effectiveGasPrice, maxCost, type TxRules, validateTxStatic } from "./validate.ts";
