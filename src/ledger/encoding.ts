import { keccak256, sha256 } from "../crypto/hash.ts";
import type { Tx } from "../tx/types.ts";
import { utf8 } from "../util/bytes.ts";
import { merkleRoot } from "./merkle.ts";
import { addr, addrBytes, big, bytes, list, num, type RlpItem, rlpDecode, rlpEncode, uint } from "./rlp.ts";
import type { Account, Block, BlockHeader, FinalityCert, Log, Receipt } from "./types.ts";

/** Header fields in their canonical RLP order (the block hash is keccak of this list). */
export function headerToRlp(h: BlockHeader): RlpItem {
  return [
    h.parentHash,
    uint(h.height),
    uint(h.slot),
    uint(h.timestamp),
    addrBytes(h.producer),
    h.stateRoot,
    h.txRoot,
    h.receiptRoot,
    uint(h.gasUsed),
    uint(h.gasLimit),
    uint(h.baseFee),
    h.cert ? certToRlp(h.cert) : [],
  ];
}

/** Parse header fields from RLP. */
export function headerFromRlp(item: RlpItem): BlockHeader {
  const f = list(item, 12);
  const c = list(f[11]);
  return {
    parentHash: bytes(f[0]),
    height: num(f[1]),
    slot: num(f[2]),
    timestamp: num(f[3]),
    producer: addr(f[4]),
    stateRoot: bytes(f[5]),
    txRoot: bytes(f[6]),
    receiptRoot: bytes(f[7]),
    gasUsed: big(f[8]),
    gasLimit: big(f[9]),
    baseFee: big(f[10]),
    cert: c.length === 0 ? null : certFromRlp(c),
  };
}

/** Certificate as RLP. */
export function certToRlp(c: FinalityCert): RlpItem {
  return [uint(c.height), c.blockHash, c.signatures];
}

/** Certificate from RLP. */
export function certFromRlp(item: RlpItem): FinalityCert {
  const f = list(item, 3);
  return { height: num(f[0]), blockHash: bytes(f[1]), signatures: list(f[2]).map(bytes) };
}

/** Block hash: keccak-256 of the RLP header. */
export function hashHeader(h: BlockHeader): Uint8Array {
  return keccak256(rlpEncode(headerToRlp(h)));
}

/** Root over the block's transaction hashes. */
export function txRootOf(txs: readonly Tx[]): Uint8Array {
  return merkleRoot(txs.map((t) => t.hash));
}

/** Root over the block's receipts. */
export function receiptRootOf(receipts: readonly Receipt[]): Uint8Array {
  return merkleRoot(receipts.map((r) => sha256(rlpEncode(receiptToRlp(r)))));
}

/**
 * Stored block: [header, signature, [[raw, sender], ...]]. The sender is stored so reading a
 * block back never repeats signature recovery (our own disk is trusted; the wire form is not).
 */
export function encodeStoredBlock(b: Block): Uint8Array {
  return rlpEncode([headerToRlp(b.header), b.signature, b.txs.map((t) => [t.raw, addrBytes(t.from)])]);
}

/** Parts of a stored block; txs are left raw for the caller to decode with the known sender. */
export function decodeStoredBlock(data: Uint8Array): {
  header: BlockHeader;
  signature: Uint8Array;
  txs: Array<{ raw: Uint8Array; from: ReturnType<typeof addr> }>;
} {
  const f = list(rlpDecode(data), 3);
  return {
    header: headerFromRlp(f[0]!),
    signature: bytes(f[1]),
    txs: list(f[2]).map((t) => {
      const p = list(t, 2);
      return { raw: bytes(p[0]), from: addr(p[1]) };
    }),
  };
}

function logToRlp(l: Log): RlpItem {
  return [addrBytes(l.address), l.topics, l.data];
}

function logFromRlp(item: RlpItem): Log {
  const f = list(item, 3);
  return { address: addr(f[0]), topics: list(f[1]).map(bytes), data: bytes(f[2]) };
}

/** Receipt as RLP: [txHash, status, gasUsed, cumulativeGasUsed, effectiveGasPrice, logs, error]. */
export function receiptToRlp(r: Receipt): RlpItem {
  return [
    r.txHash,
    uint(r.status),
    uint(r.gasUsed),
    uint(r.cumulativeGasUsed),
    uint(r.effectiveGasPrice),
    r.logs.map(logToRlp),
    utf8(r.error ?? ""),
  ];
}

/** Receipt from RLP. */
export function receiptFromRlp(item: RlpItem): Receipt {
  const f = list(item, 7);
  const err = new TextDecoder().decode(bytes(f[6]));
  const r: Receipt = {
    txHash: bytes(f[0]),
    status: num(f[1]) === 1 ? 1 : 0,
    gasUsed: big(f[2]),
    cumulativeGasUsed: big(f[3]),
    effectiveGasPrice: big(f[4]),
    logs: list(f[5]).map(logFromRlp),
  };
  if (err) r.error = err;
  return r;
}

/** A block's receipts, stored together. */
export function encodeReceipts(rs: readonly Receipt[]): Uint8Array {
  return rlpEncode(rs.map(receiptToRlp));
}

/** Decode a block's receipts. */
export function decodeReceipts(data: Uint8Array): Receipt[] {
  return list(rlpDecode(data)).map(receiptFromRlp);
}

/** Account value in the state trie: RLP [nonce, balance]. */
export function encodeAccount(a: Account): Uint8Array {
  return rlpEncode([uint(a.nonce), uint(a.balance)]);
}

/** Account from its trie value. */
export function decodeAccount(v: Uint8Array): Account {
  const f = list(rlpDecode(v), 2);
  return { nonce: big(f[0]), balance: big(f[1]) };
}

/** The newest final block and the certificate proving it (meta FINALIZED). */
export interface FinalityRecord {
  height: number;
  hash: Uint8Array;
  cert: FinalityCert | null;
}

/** Encode the finality record. */
export function encodeFinality(f: FinalityRecord): Uint8Array {
  return rlpEncode([uint(f.height), f.hash, f.cert ? certToRlp(f.cert) : []]);
}

/** Decode the finality record. */
export function decodeFinality(data: Uint8Array): FinalityRecord {
  const f = list(rlpDecode(data), 3);
  const c = list(f[2]);
  return { height: num(f[0]), hash: bytes(f[1]), cert: c.length === 0 ? null : certFromRlp(c) };
}
