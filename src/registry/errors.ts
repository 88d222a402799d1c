/**
 * Genesis contract and contract-call error codes. A transaction that throws one of these ends
 * with receipt status 0 and the message as reason (fee charged, nothing else changed).
 */
export const RegistryErrorCode = {
  /** `data` is not UTF-8 JSON `{"method": string, "args": array}`. */
  REG_BAD_CALL: "REG_BAD_CALL",
  /** No Genesis-contract method of that name. */
  REG_UNKNOWN_METHOD: "REG_UNKNOWN_METHOD",
  /** Wrong number or shape of arguments. */
  REG_BAD_ARGS: "REG_BAD_ARGS",
  /** The value sent is not the proposal deposit (propose/upgrade) or not zero (other methods). */
  REG_BAD_VALUE: "REG_BAD_VALUE",
  /** approve/reject/suspend/resume/terminate by an address outside the active delegate set. */
  REG_NOT_DELEGATE: "REG_NOT_DELEGATE",
  /** No proposal with that id. */
  REG_UNKNOWN_PROPOSAL: "REG_UNKNOWN_PROPOSAL",
  /** The proposal is decided or expired. */
  REG_NOT_PENDING: "REG_NOT_PENDING",
  /** This delegate already voted on the proposal. */
  REG_ALREADY_VOTED: "REG_ALREADY_VOTED",
  /** A released contract already has that name. */
  REG_NAME_TAKEN: "REG_NAME_TAKEN",
  /** An upgrade proposed by someone other than the contract's owner. */
  REG_NOT_OWNER: "REG_NOT_OWNER",
  /** No contract at that address. */
  REG_UNKNOWN_CONTRACT: "REG_UNKNOWN_CONTRACT",
  /** A call to (or an action on) a contract whose status does not allow it. */
  REG_CONTRACT_STATUS: "REG_CONTRACT_STATUS",
  /** The Lua call failed; the message starts with the LVM code (LVM_RUNTIME: contract:12: ...). */
  REG_CALL_FAILED: "REG_CALL_FAILED",
  /** The transaction's gas ran out in a Genesis-contract method or a contract call. */
  REG_OUT_OF_GAS: "REG_OUT_OF_GAS",
} as const;

export type RegistryErrorCode = (typeof RegistryErrorCode)[keyof typeof RegistryErrorCode];
