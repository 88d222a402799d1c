import { toHex, toQuantity } from "../util/bytes.ts";

/** A JSON value: what handlers return, so a stray bigint or Uint8Array fails typechecking. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * Convert a loosely typed value (e.g. a backend's `proof: unknown`) to JSON using the Ethereum
 * conventions: bigint → quantity, Uint8Array → data hex. Depth is bounded so a cyclic or
 * pathological value cannot blow the stack.
 */
export function toJsonValue(value: unknown, depth = 0): Json {
  if (depth > 64) throw new RangeError("value nested too deeply for JSON");
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      return toQuantity(value);
  }
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map((v) => toJsonValue(v, depth + 1));
  if (typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toJsonValue(v, depth + 1);
    }
    return out;
  }
  return null;
}
