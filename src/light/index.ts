export { LightClient, type LightClientOptions, type LyingReport, type Verified } from "./client.ts";
export { LightErrorCode, LYING_CODES } from "./errors.ts";
export { httpRpc, type RpcCall } from "./transport.ts";
export {
  ANCHOR_KEYS,
  type Anchor,
  anchorFrom,
  type CheckedHeader,
  checkHeader,
  checkProof,
  HeaderWalk,
  type PendingLookup,
  provenReader,
  type WalkResult,
  walkHeaders,
} from "./verify.ts";
