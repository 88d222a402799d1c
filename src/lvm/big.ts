/**
 * Unsigned big-number arithmetic on decimal strings (amounts never live in Lua's 32-bit
 * integers). Inputs: canonical decimal strings (no sign, no leading zeros except "0"), at most
 * 78 digits; results must stay below 2^256. Anything else is an error (a Lua error in `lvo.big`).
 */
export const UINT256_MAX = (1n << 256n) - 1n;
const DECIMAL = /^(0|[1-9][0-9]{0,77})$/;

export class BigFault extends Error {}

export function parseAmount(s: unknown): bigint {
  if (typeof s === "number" && Number.isInteger(s) && s >= 0) return BigInt(s);
  if (typeof s !== "string" || !DECIMAL.test(s))
    throw new BigFault("amount must be a non-negative decimal string");
  const v = BigInt(s);
  if (v > UINT256_MAX) throw new BigFault("amount overflows uint256");
  return v;
}

function out(v: bigint): string {
  if (v < 0n) throw new BigFault("negative result");
  if (v > UINT256_MAX) throw new BigFault("result overflows uint256");
  return v.toString();
}

export const BIG_OPS: Readonly<Record<string, (a: bigint, b: bigint) => string | number>> = Object.freeze({
  add: (a, b) => out(a + b),
  sub: (a, b) => out(a - b),
  mul: (a, b) => out(a * b),
  div: (a, b) => {
    if (b === 0n) throw new BigFault("division by zero");
    return out(a / b);
  },
  mod: (a, b) => {
    if (b === 0n) throw new BigFault("division by zero");
    return out(a % b);
  },
  cmp: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
});
