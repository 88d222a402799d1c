/** Parameter-governance error codes (receipt status 0 with the message as reason). */
export const GovErrorCode = {
  /** Wrong shape of arguments: changes object, parameter names and values, ids. */
  GOV_BAD_ARGS: "GOV_BAD_ARGS",
  /** A parameter that is not governable (SPEC: only the listed ones change by vote). */
  GOV_NOT_GOVERNABLE: "GOV_NOT_GOVERNABLE",
  /** The caller has no stake (self-stake or staked LVO) to propose or vote with. */
  GOV_NO_STAKE: "GOV_NO_STAKE",
  /** No proposal with that id. */
  GOV_UNKNOWN_PROPOSAL: "GOV_UNKNOWN_PROPOSAL",
  /** Voting on the proposal is over. */
  GOV_CLOSED: "GOV_CLOSED",
  /** This account already voted on the proposal. */
  GOV_ALREADY_VOTED: "GOV_ALREADY_VOTED",
  /** Too many open proposals (in all, or this proposer already has one), or too many voters. */
  GOV_LIMIT: "GOV_LIMIT",
  /** These methods take no value. */
  GOV_BAD_VALUE: "GOV_BAD_VALUE",
} as const;

export type GovErrorCode = (typeof GovErrorCode)[keyof typeof GovErrorCode];
