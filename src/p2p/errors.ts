/** p2p error codes (thrown as LvoError). */
export const P2pErrorCode = {
  /** An operation needs a started node. */
  P2P_NOT_STARTED: "P2P_NOT_STARTED",
  /** A P2pOptions value is out of range. */
  P2P_BAD_OPTIONS: "P2P_BAD_OPTIONS",
  /** A gossip message to publish exceeds the size cap of its kind. */
  P2P_MESSAGE_TOO_LARGE: "P2P_MESSAGE_TOO_LARGE",
  /** The peer key file exists but is not a readable Ed25519 libp2p key. */
  P2P_BAD_PEER_KEY: "P2P_BAD_PEER_KEY",
  /** A request frame does not decode, or asks for something out of range. */
  P2P_BAD_REQUEST: "P2P_BAD_REQUEST",
  /** A response is malformed, oversized, or has more items than asked. */
  P2P_BAD_RESPONSE: "P2P_BAD_RESPONSE",
  /** The remote refused a request because this node asks too often. */
  P2P_RATE_LIMITED: "P2P_RATE_LIMITED",
  /** The remote failed to serve a request. */
  P2P_SERVER_ERROR: "P2P_SERVER_ERROR",
  /** The stream to the peer failed: dial, protocol negotiation or a reset. */
  P2P_REQUEST_FAILED: "P2P_REQUEST_FAILED",
  /** A request, dial or stream did not finish within its deadline. */
  P2P_TIMEOUT: "P2P_TIMEOUT",
} as const;

export type P2pErrorCode = (typeof P2pErrorCode)[keyof typeof P2pErrorCode];
