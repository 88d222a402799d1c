import { LvoError } from "../util/errors.ts";

/** Outcome codes of a failed contract call. Deterministic: part of consensus (receipts). */
export const LvmErrorCode = {
  /** The source does not compile (text mode). */
  SYNTAX: "LVM_SYNTAX",
  /** Bytecode, or a forbidden name in the source. */
  FORBIDDEN: "LVM_FORBIDDEN",
  /** The gas budget ran out (cannot be caught by pcall). */
  OUT_OF_GAS: "LVM_OUT_OF_GAS",
  /** A Lua error escaped the called method. */
  RUNTIME: "LVM_RUNTIME",
  /** A size or depth cap was hit (cannot be caught by pcall). */
  LIMIT: "LVM_LIMIT",
  /** The chunk or the method returned something that is not a contract or not JSON. */
  BAD_RESULT: "LVM_BAD_RESULT",
  /** The call's arguments cannot cross into Lua (not JSON-compatible, too big, bad numbers). */
  BAD_ARGS: "LVM_BAD_ARGS",
} as const;
export type LvmErrorCode = (typeof LvmErrorCode)[keyof typeof LvmErrorCode];

export class LvmError extends LvoError<LvmErrorCode> {}
