/** Consensus error codes. */
export const ConsensusErrorCode = {
  /** The block's parent is not the current head (or is unknown). */
  BLOCK_UNKNOWN_PARENT: "BLOCK_UNKNOWN_PARENT",
  /** Height, slot or timestamp do not follow the parent. */
  BLOCK_BAD_SEQUENCE: "BLOCK_BAD_SEQUENCE",
  /** Producer is not the one scheduled for the slot, or its signature does not verify. */
  BLOCK_BAD_PRODUCER: "BLOCK_BAD_PRODUCER",
  /** State root, tx root, receipt root or gas used differ from re-execution. */
  BLOCK_BAD_STATE: "BLOCK_BAD_STATE",
  /** A finality certificate or vote does not verify. */
  BAD_CERTIFICATE: "BAD_CERTIFICATE",
  /** Evidence that does not prove an offence. */
  BAD_EVIDENCE: "BAD_EVIDENCE",
  /** A block already known (imported before). */
  BLOCK_KNOWN: "BLOCK_KNOWN",
  /** A block at or below the finalized height that is not the finalized chain. */
  BLOCK_CONFLICTS_FINALITY: "BLOCK_CONFLICTS_FINALITY",
  /** This node would sign something it must not (slot or vote already signed). */
  WOULD_DOUBLE_SIGN: "WOULD_DOUBLE_SIGN",
  /**
   * The signing record file is damaged (short, wrong format or checksum): the node cannot know
   * what this delegate signed last, so it does not start (signing blind could double-sign).
   */
  SIGNING_RECORD_DAMAGED: "SIGNING_RECORD_DAMAGED",
  /** The signing record file is gone although this data directory has written one before. */
  SIGNING_RECORD_MISSING: "SIGNING_RECORD_MISSING",
} as const;

export type ConsensusErrorCode = (typeof ConsensusErrorCode)[keyof typeof ConsensusErrorCode];
