/**
 * The lvo TypeScript SDK: a typed client of the `lvo_` namespace, payload builders for the
 * DPoS address, the Genesis contract and Lua contracts, send helpers for ethers and viem
 * signers, event decoders and the devnet chain object. It imports nothing of the node (only
 * @noble/hashes for keccak), so a dApp can use it alone.
 */
export { lvoChain, lvoDevnet } from "./chain.ts";
export {
  type BlockTag,
  createLvoClient,
  LvoClient,
  type LvoParams,
  LvoTxError,
  type ProposalFilter,
  type WaitOptions,
} from "./client.ts";
export {
  type Address,
  bytesToHex,
  checksumAddress,
  type Hex,
  hexToBytes,
  hexToUtf8,
  type JsonValue,
  keccak256,
  LvoInputError,
  parseAddress,
  quantityToBigint,
  quantityToNumber,
  utf8ToHex,
} from "./encoding.ts";
export {
  type ContractEvent,
  DposEvent,
  decodeContractEvent,
  decodeSystemEvent,
  eventTopic,
  findEvents,
  proposalIdFrom,
  RegistryEvent,
  type SystemEvent,
  topicAddress,
} from "./events.ts";
export {
  type ContractHandle,
  contract,
  DPOS_ADDRESS,
  decodeCall,
  dpos,
  encodeCall,
  GENESIS_CONTRACT_ADDRESS,
  genesis,
  MAX_VOTES,
  type Payload,
} from "./payloads.ts";
export {
  type EthersSignerLike,
  type LvoSigner,
  type SendOptions,
  sendPayload as send,
  sendPayload,
  signerAddress,
  type ViemWalletLike,
} from "./send.ts";
export {
  type Eip1193Like,
  type EthersProviderLike,
  httpTransport,
  LvoRpcError,
  type LvoTransport,
  lvoTransport,
  TRANSPORT_ERROR,
  type TransportSource,
  toRpcError,
  toTransport,
} from "./transport.ts";
export type * from "./types.ts";
export { type LvoSubscribingTransport, wsTransport } from "./ws.ts";
