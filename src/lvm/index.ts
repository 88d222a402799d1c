export { LvmError, LvmErrorCode } from "./errors.ts";
export { GAS, type GasSchedule } from "./gas.ts";
export type { HostApi, LvmEvent, NestedResult } from "./host.ts";
export type { JsonValue } from "./json.ts";
export { DEFAULT_LIMITS, type LvmLimits } from "./options.ts";
export { type RunOptions, type RunResult, runContract } from "./run.ts";
export { FORBIDDEN_NAMES } from "./scan.ts";
