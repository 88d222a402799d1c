import { InvalidArgumentError } from "commander";

/** Commander parser for an integer option within bounds. */
export function intOption(min: number, max: number): (v: string) => number {
  return (v: string) => {
    if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`not an integer: ${v}`);
    const n = Number(v);
    if (n < min || n > max) throw new InvalidArgumentError(`must be between ${min} and ${max}`);
    return n;
  };
}

/** Commander parser for a TCP port (0 = any free port). */
export const portOption = intOption(0, 65535);

/**
 * Parse an LVO amount: "1.5" (LVO, up to 18 decimals) or "123wei". Returns wei.
 */
export function parseLvoAmount(v: string): bigint {
  const wei = /^(\d+)wei$/.exec(v);
  if (wei) return BigInt(wei[1]!);
  const m = /^(\d+)(?:\.(\d{1,18}))?$/.exec(v);
  if (!m) throw new InvalidArgumentError(`not an LVO amount: ${v} (examples: 1.5, 100, 42wei)`);
  return BigInt(m[1]!) * 10n ** 18n + BigInt((m[2] ?? "").padEnd(18, "0") || "0");
}

/** Format wei as LVO with trailing zeros trimmed. */
export function formatLvo(wei: bigint): string {
  const neg = wei < 0n;
  const a = neg ? -wei : wei;
  const whole = a / 10n ** 18n;
  const frac = (a % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}
