/** Genesis error codes. */
export const GenesisErrorCode = {
  /** The genesis file is not valid JSON or not an object. */
  GENESIS_MALFORMED: "GENESIS_MALFORMED",
  /** A field is missing, of the wrong type, or out of its allowed range. */
  GENESIS_INVALID_FIELD: "GENESIS_INVALID_FIELD",
  /** Allocations do not add up to the fixed supply or a bucket's share. */
  GENESIS_SUPPLY_MISMATCH: "GENESIS_SUPPLY_MISMATCH",
  /** The genesis file could not be read. */
  GENESIS_NOT_FOUND: "GENESIS_NOT_FOUND",
} as const;

export type GenesisErrorCode = (typeof GenesisErrorCode)[keyof typeof GenesisErrorCode];
