/** Ledger error codes. */
export const LedgerErrorCode = {
  /** The data directory holds another chain (genesis hash differs). */
  LEDGER_WRONG_CHAIN: "LEDGER_WRONG_CHAIN",
  /** LevelDB is held by another process (a node already runs on this data directory). */
  LEDGER_LOCKED: "LEDGER_LOCKED",
  /** The database could not be opened or read (corruption, permissions). */
  LEDGER_OPEN_FAILED: "LEDGER_OPEN_FAILED",
  /** Stored data does not decode or is inconsistent. */
  LEDGER_CORRUPT: "LEDGER_CORRUPT",
  /** The data directory was never initialised (`lvo init`). */
  LEDGER_NOT_INITIALISED: "LEDGER_NOT_INITIALISED",
  /**
   * A write failed because the file system is full (ENOSPC). The node stops at the first such
   * failure (nothing is written after it) and starts again once space is freed.
   */
  LEDGER_DISK_FULL: "LEDGER_DISK_FULL",
  /** A write failed for another reason (I/O error, read-only file system): the node stops. */
  LEDGER_WRITE_FAILED: "LEDGER_WRITE_FAILED",
  /** State at that height is no longer kept in memory. */
  STATE_UNAVAILABLE: "STATE_UNAVAILABLE",
} as const;

export type LedgerErrorCode = (typeof LedgerErrorCode)[keyof typeof LedgerErrorCode];
