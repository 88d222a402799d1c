import { RLP } from "@ethereumjs/rlp";
import type { Address } from "../crypto/address.ts";
import { bigintToBytes, bytesToBigint, fromHex, toHex } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import { LedgerErrorCode } from "./errors.ts";

/** RLP item: bytes or a nested list. */
export type RlpItem = Uint8Array | RlpItem[];

/** Encode an RLP item. */
export function rlpEncode(item: RlpItem): Uint8Array {
  return RLP.encode(item);
}

/** Decode RLP; any failure is LEDGER_CORRUPT (stored data is ours: a decode failure means damage). */
export function rlpDecode(data: Uint8Array): RlpItem {
  try {
    return RLP.decode(data) as RlpItem;
  } catch (err) {
    throw new LvoError(
      LedgerErrorCode.LEDGER_CORRUPT,
      `stored record does not decode: ${(err as Error).message}`,
    );
  }
}

/** Minimal big-endian bytes of a number or bigint. */
export function uint(n: number | bigint): Uint8Array {
  return bigintToBytes(BigInt(n));
}

/** An RLP list at `item`, or LEDGER_CORRUPT. */
export function list(item: RlpItem | undefined, len?: number): RlpItem[] {
  if (!Array.isArray(item) || (len !== undefined && item.length !== len)) {
    throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "stored record has the wrong shape");
  }
  return item;
}

/** RLP bytes at `item`, or LEDGER_CORRUPT. */
export function bytes(item: RlpItem | undefined): Uint8Array {
  if (!(item instanceof Uint8Array))
    throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "stored field is not bytes");
  return item;
}

/** Bigint from RLP bytes. */
export function big(item: RlpItem | undefined): bigint {
  return bytesToBigint(bytes(item));
}

/** Safe integer from RLP bytes. */
export function num(item: RlpItem | undefined): number {
  const n = big(item);
  if (n > BigInt(Number.MAX_SAFE_INTEGER))
    throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "integer out of range");
  return Number(n);
}

/** Address from 20 RLP bytes. */
export function addr(item: RlpItem | undefined): Address {
  const b = bytes(item);
  if (b.length !== 20) throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "address is not 20 bytes");
  return toHex(b) as Address;
}

/** 20 bytes of an address. */
export function addrBytes(a: Address): Uint8Array {
  return fromHex(a);
}
