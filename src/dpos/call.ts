import { type Address, parseAddress } from "../crypto/address.ts";
import { type CallData, parseCallData } from "../tx/call-data.ts";
import { LvoError } from "../util/errors.ts";
import { DposErrorCode } from "./errors.ts";

/** A decoded call to the DPoS address: `{"method": "<name>", "args": [...]}`. */
export type DposCall = CallData;

/** Decode tx data as a DPoS call; `args` may be left out when a method takes none. */
export function parseCall(data: Uint8Array): DposCall {
  const c = parseCallData(data);
  if (typeof c === "string") throw new LvoError(DposErrorCode.DPOS_BAD_CALL, c);
  return c;
}

function badArgs(msg: string): LvoError {
  return new LvoError(DposErrorCode.DPOS_BAD_ARGS, msg);
}

/** Check the argument count. */
export function expectArgs(args: unknown[], n: number, method: string): void {
  if (args.length !== n) throw badArgs(`${method} takes ${n} argument(s), got ${args.length}`);
}

// Wei as a decimal string (JSON numbers lose precision above 2^53); at most 78 digits (2^256).
const AMOUNT_RE = /^(0|[1-9][0-9]{0,77})$/;

/** A wei amount given as a decimal string. */
export function argAmount(x: unknown, what: string): bigint {
  if (typeof x !== "string" || !AMOUNT_RE.test(x)) throw badArgs(`${what} must be a decimal string of wei`);
  return BigInt(x);
}

// Printable, unambiguous in logs and CLIs: letters, digits, dot, dash, underscore.
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/** A delegate name: 1 to 32 of [A-Za-z0-9._-], starting with a letter or digit. */
export function argName(x: unknown): string {
  if (typeof x !== "string" || !NAME_RE.test(x)) {
    throw badArgs("name must be 1 to 32 characters of A-Z a-z 0-9 . _ - (starting with a letter or digit)");
  }
  return x;
}

/** A list of 0x addresses: lowercase, uppercase, or mixed case with a valid EIP-55 checksum. */
export function argAddresses(x: unknown, what: string): Address[] {
  if (!Array.isArray(x)) throw badArgs(`${what} must be an array of addresses`);
  return x.map((a, i) => {
    const p = parseAddress(a);
    if (!p) throw badArgs(`${what}[${i}] is not an address`);
    return p;
  });
}
