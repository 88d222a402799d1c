// What other subsystems may use from rpc: the server, its options, the backend contract and
// the error mapping (the CLI's client side reuses the codes).
export {
  type AccountProof,
  type BlockRef,
  CallErrorCode,
  type CallRequest,
  type ChainStatus,
  type DelegatesView,
  type DelegateView,
  type FinalityView,
  type ReceiptLookup,
  type RpcBackend,
  type ScheduledSlot,
  type ScheduleView,
  type StakerView,
  type TxLookup,
} from "./backend.ts";
export { createDispatcher, type Dispatcher } from "./dispatch.ts";
export { JsonRpcCode, type JsonRpcError, RpcErrorCode, revertData, toRpcError } from "./errors.ts";
export { defaultRpcOptions, type RpcOptions } from "./options.ts";
export { createRpcServer, type RpcModules, type RpcServer } from "./server.ts";
