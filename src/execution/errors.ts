/** Why a transaction cannot be applied to a block's state (block invalid on import). */
export const ExecErrorCode = {
  /** Transaction nonce differs from the sender's account nonce. */
  EXEC_BAD_NONCE: "EXEC_BAD_NONCE",
  /** Sender cannot cover value plus gas limit times max fee. */
  EXEC_INSUFFICIENT_FUNDS: "EXEC_INSUFFICIENT_FUNDS",
  /** Max fee per gas below the block's base fee. */
  EXEC_FEE_BELOW_BASE: "EXEC_FEE_BELOW_BASE",
  /** The transaction's gas limit is below its intrinsic gas. */
  EXEC_INTRINSIC_GAS: "EXEC_INTRINSIC_GAS",
  /** The transaction's gas limit does not fit in what is left of the block. */
  EXEC_BLOCK_GAS_EXCEEDED: "EXEC_BLOCK_GAS_EXCEEDED",
} as const;

export type ExecErrorCode = (typeof ExecErrorCode)[keyof typeof ExecErrorCode];
