import { Option } from "commander";
import { type Address, parseAddress } from "../crypto/address.ts";
import { CliError } from "./fail.ts";
import { parseLvoAmount } from "./parse.ts";

// Commander turns an InvalidArgumentError into its own two-line "error: ..." output; these parsers
// throw CliError instead, which commander lets through, so a bad value reads like every other
// CLI failure: one `lvo: ...` line and exit code 1.

/** Parser for an address flag: 0x + 40 hex, EIP-55 checksum enforced when mixed case. */
export function addressArg(flag: string): (v: string) => Address {
  return (v) => parseAddressOrFail(v, flag);
}

/** Parse an address or fail naming the flag, if any (a bad checksum gets its own hint). */
export function parseAddressOrFail(v: string, flag: string): Address {
  const a = parseAddress(v);
  if (a) return a;
  const hint = /^0x[0-9a-fA-F]{40}$/.test(v)
    ? "bad EIP-55 checksum (check for a typo, or write it all lowercase)"
    : "expected 0x followed by 40 hex digits";
  throw new CliError(`${flag ? `${flag}: ` : ""}invalid address ${v}: ${hint}`);
}

/** Parser for an LVO amount flag ("1.5" LVO or "42wei"); returns wei. */
export function amountArg(flag: string): (v: string) => bigint {
  return (v) => {
    try {
      return parseLvoAmount(v);
    } catch {
      throw new CliError(`${flag}: not an LVO amount: ${v} (examples: 1.5, 100, 42wei)`);
    }
  };
}

/** Parser for a non-negative integer in wei (or any other unbounded count) as bigint. */
export function bigintArg(flag: string): (v: string) => bigint {
  return (v) => {
    if (!/^\d{1,78}$/.test(v)) throw new CliError(`${flag}: not a non-negative integer: ${v}`);
    return BigInt(v);
  };
}

/** Parser for an integer flag within [min, max]. */
export function intArg(flag: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = /^-?\d{1,16}$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new CliError(`${flag}: expected an integer from ${min} to ${max}, got ${v}`);
    }
    return n;
  };
}

/** Accumulator for a repeatable string flag. */
export function collect(v: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), v];
}

/** Parser for an http(s) JSON-RPC endpoint. */
export function rpcUrlArg(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new CliError(`--rpc: not a URL: ${v} (example: http://127.0.0.1:8545)`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new CliError(`--rpc: only http:// and https:// endpoints are supported, got ${v}`);
  }
  return v;
}

/** Default JSON-RPC endpoint of a local node. */
export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

/** The --rpc option of client commands (env LVO_RPC). */
export function rpcOption(): Option {
  return new Option("--rpc <url>", "JSON-RPC endpoint of a node")
    .env("LVO_RPC")
    .argParser(rpcUrlArg)
    .default(DEFAULT_RPC_URL);
}
