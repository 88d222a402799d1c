/** Light-client error codes (src/light). */
export const LightErrorCode = {
  /** A header does not decode, does not hash to its claimed hash, or does not link to its parent. */
  LIGHT_BAD_HEADER: "LIGHT_BAD_HEADER",
  /** A header's signature is not its producer's, or the producer is not the one scheduled. */
  LIGHT_BAD_PRODUCER: "LIGHT_BAD_PRODUCER",
  /** A certificate is not a quorum of the target's active set, or names blocks off the branch. */
  LIGHT_BAD_CERTIFICATE: "LIGHT_BAD_CERTIFICATE",
  /** A Merkle proof does not verify against the trusted state root, or disagrees with its answer. */
  LIGHT_BAD_PROOF: "LIGHT_BAD_PROOF",
  /** A proven active set disagrees with the one the headers were checked under. */
  LIGHT_ACTIVE_SET_MISMATCH: "LIGHT_ACTIVE_SET_MISMATCH",
  /** The active set of a certificate's target cannot be known yet (finality lags a rotation). */
  LIGHT_ACTIVE_SET_UNKNOWN: "LIGHT_ACTIVE_SET_UNKNOWN",
  /** The endpoint serves another chain (its genesis header differs). */
  LIGHT_WRONG_CHAIN: "LIGHT_WRONG_CHAIN",
  /** Two verified certificates finalize different blocks at one height (a safety failure). */
  LIGHT_CONFLICTING_FINALITY: "LIGHT_CONFLICTING_FINALITY",
  /** The genesis file's state does not hash to the genesis header's state root. */
  LIGHT_BAD_GENESIS: "LIGHT_BAD_GENESIS",
  /** No endpoint gave an answer that verifies (all unreachable, erroring, or dropped as lying). */
  LIGHT_NO_ANSWER: "LIGHT_NO_ANSWER",
  /** An endpoint could not be reached or answered with a JSON-RPC error (not a lie). */
  LIGHT_UNREACHABLE: "LIGHT_UNREACHABLE",
} as const;

export type LightErrorCode = (typeof LightErrorCode)[keyof typeof LightErrorCode];

/** Codes that prove an endpoint served something false (it is named and dropped). */
export const LYING_CODES: ReadonlySet<string> = new Set([
  LightErrorCode.LIGHT_BAD_HEADER,
  LightErrorCode.LIGHT_BAD_PRODUCER,
  LightErrorCode.LIGHT_BAD_CERTIFICATE,
  LightErrorCode.LIGHT_BAD_PROOF,
  LightErrorCode.LIGHT_WRONG_CHAIN,
]);
