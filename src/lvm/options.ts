/**
 * Size and depth caps of the LVM sandbox. All of them are consensus rules: every node must use
 * the same values (changing one is a hard fork).
 */
export interface LvmLimits {
  /** Largest contract source, in bytes. */
  readonly maxSourceBytes: number;
  /** Largest string any metered operation (and the `..` operator) may produce. */
  readonly maxStringBytes: number;
  /** Largest stored value (storage key + value are charged; the value alone is capped). */
  readonly maxValueBytes: number;
  /** Largest storage key. */
  readonly maxKeyBytes: number;
  /** Deepest chain of contract-to-contract calls (the outermost call is depth 0). */
  readonly maxCallDepth: number;
  /** Most events one call (including its nested calls) may emit. */
  readonly maxEventsPerCall: number;
  /** Largest JSON document crossing the boundary (args, results, events, lvo.json). */
  readonly maxJsonBytes: number;
  /** Deepest JSON nesting crossing the boundary. */
  readonly maxJsonDepth: number;
  /** Most operands one `..` chain may have (checked on the compiled code). */
  readonly maxConcatOperands: number;
  /** Most values table.unpack / string.byte may push at once. */
  readonly maxUnpack: number;
  /** Largest subject of string.find / match / gmatch / gsub. */
  readonly maxPatternSubjectBytes: number;
  /** Largest pattern. */
  readonly maxPatternBytes: number;
  /** Worst-case matcher steps allowed for one pattern call (see docs/lvm.md). */
  readonly maxPatternSteps: number;
  /** Instructions between two runs of the count hook. */
  readonly hookInterval: number;
}

export const DEFAULT_LIMITS: LvmLimits = Object.freeze({
  maxSourceBytes: 64 * 1024,
  maxStringBytes: 1024 * 1024,
  maxValueBytes: 16 * 1024,
  maxKeyBytes: 256,
  maxCallDepth: 8,
  maxEventsPerCall: 64,
  maxJsonBytes: 64 * 1024,
  maxJsonDepth: 16,
  maxConcatOperands: 16,
  maxUnpack: 4096,
  maxPatternSubjectBytes: 64 * 1024,
  maxPatternBytes: 128,
  maxPatternSteps: 2_000_000,
  hookInterval: 100,
});
