import { RLP } from "@ethereumjs/rlp";
import { bigintToBytes, bytesEqual, bytesToBigint } from "../util/bytes.ts";
import { errorMessage, LvoError } from "../util/errors.ts";
import { P2pErrorCode } from "./errors.ts";

/** Largest encoded range request (two integers of at most 8 bytes). */
export const MAX_BLOCKS_REQUEST_BYTES = 32;

/** A range of canonical blocks: heights `fromHeight .. fromHeight + count - 1`. */
export interface BlocksRequest {
  fromHeight: number;
  count: number;
}

/** RLP `[fromHeight, count]`, minimal integers. */
export function encodeBlocksRequest(r: BlocksRequest): Uint8Array {
  for (const n of [r.fromHeight, r.count]) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError("blocks request field out of range");
  }
  return RLP.encode([bigintToBytes(BigInt(r.fromHeight)), bigintToBytes(BigInt(r.count))]);
}

/** Decode a range request; non-canonical input or `count` 0 is P2P_BAD_REQUEST. */
export function decodeBlocksRequest(data: Uint8Array): BlocksRequest {
  const bad = (why: string): never => {
    throw new LvoError(P2pErrorCode.P2P_BAD_REQUEST, `bad blocks request: ${why}`);
  };
  let item: unknown;
  try {
    item = RLP.decode(data);
  } catch (err) {
    return bad(errorMessage(err));
  }
  if (!Array.isArray(item) || item.length !== 2 || !item.every((f) => f instanceof Uint8Array)) {
    return bad("not a list of 2 integers");
  }
  const [from, count] = (item as Uint8Array[]).map((b) => {
    const n = bytesToBigint(b);
    if (b.length > 8 || n > BigInt(Number.MAX_SAFE_INTEGER)) bad("integer out of range");
    return Number(n);
  }) as [number, number];
  const req = { fromHeight: from, count };
  if (!bytesEqual(encodeBlocksRequest(req), data)) bad("not canonical");
  if (count === 0) bad("count is 0");
  return req;
}

/**
 * The blocks to answer a range request with. A request above `maxBlocks` is capped, not refused
 * (the client sees fewer blocks and asks again from where they end). The answer stops before
 * the first block that would take the response past `maxBytes`, keeping it contiguous.
 */
export async function serveBlocks(
  req: BlocksRequest,
  getBlocks: (fromHeight: number, count: number) => Promise<Uint8Array[]>,
  limits: { maxBlocks: number; maxBytes: number },
): Promise<Uint8Array[]> {
  const count = Math.min(req.count, limits.maxBlocks);
  const blocks = await getBlocks(req.fromHeight, count);
  const out: Uint8Array[] = [];
  let bytes = 0;
  for (const b of blocks.slice(0, count)) {
    if (bytes + b.length > limits.maxBytes) break;
    bytes += b.length;
    out.push(b);
  }
  return out;
}
