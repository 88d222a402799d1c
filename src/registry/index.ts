export { applyContractTx, type ContractTxResult, HEALTH_MIN_CALLS } from "./apply.ts";
export { CONTRACT_NAME_RE } from "./audit.ts";
export { callEnv, type RegistryContext } from "./context.ts";
export { MAX_CONTRACT_CALL_GAS, runContractCall, simulateContractCall } from "./contract-call.ts";
export { RegistryErrorCode } from "./errors.ts";
export { RegistryEvent } from "./events.ts";
export { genesisContractHandler } from "./handler.ts";
export { expireProposals, installContract, REGISTRY_METHODS, RegistryGas } from "./methods.ts";
export type {
  AuditReport,
  ContractHealth,
  ContractRecord,
  ContractStatus,
  Proposal,
  ProposalStatus,
} from "./records.ts";
export {
  readCode,
  readContract,
  readContractList,
  readHealth,
  readNamed,
  readNextId,
  readProposal,
} from "./store.ts";
