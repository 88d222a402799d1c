import { RLP } from "@ethereumjs/rlp";
import { bigintToBytes, bytesEqual, bytesToBigint } from "../util/bytes.ts";
import { errorMessage, LvoError } from "../util/errors.ts";
import { P2pErrorCode } from "./errors.ts";
import type { PeerStatus } from "./types.ts";

/** Hashes in a status are 32 bytes (keccak-256). */
const HASH_BYTES = 32;

/** Largest encoded status (the real one is about 120 bytes). */
export const MAX_STATUS_BYTES = 256;

function uint(n: number, what: string): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`status ${what} is not a safe non-negative integer`);
  return bigintToBytes(BigInt(n));
}

function hash(h: Uint8Array, what: string): Uint8Array {
  if (h.length !== HASH_BYTES)
    throw new RangeError(`status ${what} is ${h.length} bytes, expected ${HASH_BYTES}`);
  return h;
}

/**
 * Canonical encoding of a status: RLP list
 * `[chainId, genesisHash, headHeight, headHash, finalizedHeight, finalizedHash]`, integers as
 * minimal big-endian bytes. Throws RangeError on a value the encoding cannot carry.
 */
export function encodeStatus(s: PeerStatus): Uint8Array {
  return RLP.encode([
    uint(s.chainId, "chainId"),
    hash(s.genesisHash, "genesisHash"),
    uint(s.head.height, "head height"),
    hash(s.head.hash, "head hash"),
    uint(s.finalized.height, "finalized height"),
    hash(s.finalized.hash, "finalized hash"),
  ]);
}

/**
 * Decode a status; anything but the canonical encoding (extra fields, leading zeros, long
 * hashes, trailing bytes, heights past 2^53) is P2P_BAD_RESPONSE.
 */
export function decodeStatus(data: Uint8Array): PeerStatus {
  const bad = (why: string): never => {
    throw new LvoError(P2pErrorCode.P2P_BAD_RESPONSE, `bad status: ${why}`);
  };
  if (data.length > MAX_STATUS_BYTES) bad("too large");
  let item: unknown;
  try {
    item = RLP.decode(data);
  } catch (err) {
    return bad(errorMessage(err));
  }
  if (!Array.isArray(item) || item.length !== 6 || !item.every((f) => f instanceof Uint8Array)) {
    return bad("not a list of 6 byte strings");
  }
  const [chainId, genesisHash, headHeight, headHash, finHeight, finHash] = item as Uint8Array[];
  const num = (b: Uint8Array): number => {
    const n = bytesToBigint(b);
    if (b.length > 8 || n > BigInt(Number.MAX_SAFE_INTEGER)) bad("integer out of range");
    return Number(n);
  };
  let status: PeerStatus;
  try {
    status = {
      chainId: num(chainId!),
      genesisHash: genesisHash!,
      head: { height: num(headHeight!), hash: headHash! },
      finalized: { height: num(finHeight!), hash: finHash! },
    };
    // Canonical form in one check: re-encoding must give the same bytes.
    if (!bytesEqual(encodeStatus(status), data)) bad("not canonical");
  } catch (err) {
    if (err instanceof LvoError) throw err;
    return bad(errorMessage(err));
  }
  return status;
}

/**
 * Why a peer with status `theirs` cannot be on our chain, or null when it can. Checked at
 * handshake and on every refresh (a peer could restart on another genesis at the same address).
 */
export function statusMismatch(
  ours: { chainId: number; genesisHash: Uint8Array },
  theirs: PeerStatus,
): string | null {
  if (theirs.chainId !== ours.chainId) return `chainId ${theirs.chainId} differs from ours ${ours.chainId}`;
  if (!bytesEqual(theirs.genesisHash, ours.genesisHash)) return "genesis hash differs from ours";
  if (theirs.finalized.height > theirs.head.height) return "finalized height above head";
  return null;
}
