export { paramsForBlock } from "./effective.ts";
export { GovErrorCode } from "./errors.ts";
export {
  applyScheduled,
  GOVERNANCE_METHODS,
  GovGas,
  MAX_OPEN_PARAM_PROPOSALS,
  MAX_PARAM_VOTERS,
  stakeWeight,
  tallyEnding,
} from "./methods.ts";
export { applyChanges, GOVERNABLE, type ParamChanges } from "./params.ts";
export { type ParamProposal, readNextParamId, readOverrides, readParamProposal } from "./store.ts";
