import type { GasSchedule } from "../genesis/types.ts";
import { txError } from "./errors.ts";
import { intrinsicGas } from "./intrinsic.ts";
import type { Tx } from "./types.ts";

/** Consensus rules a transaction is checked against without state (from genesis params). */
export interface TxRules {
  chainId: number;
  /** Lowest gas price, also the base fee. */
  minGasPrice: bigint;
  blockGasLimit: bigint;
  maxDataBytes: number;
  gas: GasSchedule;
}

/**
 * Checks that need no state, cheapest first; all are REJECTs (the tx can never become valid on
 * this chain). Nonce and balance are the mempool's and the ledger's. Throws a TxError.
 */
export function validateTxStatic(tx: Tx, rules: TxRules): void {
  if (tx.chainId !== BigInt(rules.chainId)) {
    throw txError("TX_WRONG_CHAIN", "transaction is for another chain", {
      chainId: tx.chainId.toString(),
      expected: rules.chainId,
    });
  }
  if (tx.data.length > rules.maxDataBytes) {
    throw txError("TX_DATA_TOO_LARGE", "transaction data too large", {
      size: tx.data.length,
      max: rules.maxDataBytes,
    });
  }
  if (tx.gasLimit > rules.blockGasLimit) {
    throw txError("TX_GAS_LIMIT_ABOVE_BLOCK", "gas limit above the block gas limit", {
      gasLimit: tx.gasLimit.toString(),
      blockGasLimit: rules.blockGasLimit.toString(),
    });
  }
  const intrinsic = intrinsicGas(tx, rules.gas);
  if (tx.gasLimit < intrinsic) {
    throw txError("TX_INTRINSIC_GAS", "gas limit below intrinsic gas", {
      gasLimit: tx.gasLimit.toString(),
      intrinsic: intrinsic.toString(),
    });
  }
  if (tx.maxPriorityFeePerGas > tx.maxFeePerGas) {
    throw txError("TX_PRIORITY_ABOVE_MAX", "maxPriorityFeePerGas above maxFeePerGas", {
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas.toString(),
      maxFeePerGas: tx.maxFeePerGas.toString(),
    });
  }
  // The base fee never moves below minGasPrice, so a max fee under it can never be paid.
  if (tx.maxFeePerGas < rules.minGasPrice) {
    throw txError("TX_FEE_BELOW_MINIMUM", "max fee per gas below the minimum gas price", {
      maxFeePerGas: tx.maxFeePerGas.toString(),
      minGasPrice: rules.minGasPrice.toString(),
    });
  }
}

/**
 * Price per gas actually paid (EIP-1559): min(maxFee, baseFee + tip). For legacy both fields
 * are gasPrice, so it is gasPrice. All of it goes to the producer (nothing is burnt).
 */
export function effectiveGasPrice(
  tx: Pick<Tx, "maxFeePerGas" | "maxPriorityFeePerGas">,
  baseFee: bigint,
): bigint {
  const capped = baseFee + tx.maxPriorityFeePerGas;
  return capped < tx.maxFeePerGas ? capped : tx.maxFeePerGas;
}

/** Most a transaction can take from its sender: what the balance check must cover up front. */
export function maxCost(tx: Pick<Tx, "value" | "gasLimit" | "maxFeePerGas">): bigint {
  return tx.value + tx.gasLimit * tx.maxFeePerGas;
}
