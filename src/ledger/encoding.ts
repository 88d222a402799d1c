import { keccak256, sha256 } from "../crypto/hash.ts";
import type { Tx } from "../tx/types.ts";
import { utf8 } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import { LedgerErrorCode } from "./errors.ts";
import { merkleRoot } from "./merkle.ts";
import { addr, addrBytes, big, bytes, list, num, type RlpItem, rlpDecode, rlpEncode, uint } from "./rlp.ts";
import type {
  Account,
  Block,
  BlockHeader,
  Checkpoint,
  Evidence,
  Log,
  QuorumCert,
  Receipt,
  SignedVote,
} from "./types.ts";

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
    h.evidenceRoot,
    h.cert ? certToRlp(h.cert) : [],
  ];
}

/** Parse header fields from RLP. */
export function headerFromRlp(item: RlpItem): BlockHeader {
  const f = list(item, 13);
  const c = list(f[12]);
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
    evidenceRoot: bytes(f[11]),
    cert: c.length === 0 ? null : certFromRlp(c),
  };
}

function checkpointToRlp(c: Checkpoint): RlpItem[] {
  return [uint(c.height), c.hash];
}

function checkpointFromRlp(h: RlpItem | undefined, hash: RlpItem | undefined): Checkpoint {
  const b = bytes(hash);
  if (b.length !== 32) throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, "checkpoint hash is not 32 bytes");
  return { height: num(h), hash: b };
}

/** Quorum certificate as RLP: [sourceHeight, sourceHash, targetHeight, targetHash, [sig...]]. */
export function certToRlp(c: QuorumCert): RlpItem {
  return [...checkpointToRlp(c.source), ...checkpointToRlp(c.target), c.signatures];
}

/** Quorum certificate from RLP. */
export function certFromRlp(item: RlpItem): QuorumCert {
  const f = list(item, 5);
  return {
    source: checkpointFromRlp(f[0], f[1]),
    target: checkpointFromRlp(f[2], f[3]),
    signatures: list(f[4]).map(bytes),
  };
}

/** A signed vote as RLP: [sourceHeight, sourceHash, targetHeight, targetHash, signature]. */
export function voteToRlp(v: SignedVote): RlpItem {
  return [...checkpointToRlp(v.source), ...checkpointToRlp(v.target), v.signature];
}

/** A signed vote from RLP. */
export function voteFromRlp(item: RlpItem): SignedVote {
  const f = list(item, 5);
  return {
    source: checkpointFromRlp(f[0], f[1]),
    target: checkpointFromRlp(f[2], f[3]),
    signature: bytes(f[4]),
  };
}

/** Evidence as RLP: [kind (1 block, 2 vote), a, b]. */
export function evidenceToRlp(e: Evidence): RlpItem {
  if (e.kind === "double-block") {
    return [uint(1), [headerToRlp(e.a.header), e.a.signature], [headerToRlp(e.b.header), e.b.signature]];
  }
  return [uint(2), voteToRlp(e.a), voteToRlp(e.b)];
}

/** Evidence from RLP. */
export function evidenceFromRlp(item: RlpItem): Evidence {
  const f = list(item, 3);
  const kind = num(f[0]);
  if (kind === 1) {
    const a = list(f[1], 2);
    const b = list(f[2], 2);
    return {
      kind: "double-block",
      a: { header: headerFromRlp(a[0]!), signature: bytes(a[1]) },
      b: { header: headerFromRlp(b[0]!), signature: bytes(b[1]) },
    };
  }
  if (kind === 2) return { kind: "double-vote", a: voteFromRlp(f[1]!), b: voteFromRlp(f[2]!) };
  throw new LvoError(LedgerErrorCode.LEDGER_CORRUPT, `unknown evidence kind ${kind}`);
}

/** Root committing the header to the block's evidence list. */
export function evidenceRootOf(ev: readonly Evidence[]): Uint8Array {
  return keccak256(rlpEncode(ev.map(evidenceToRlp)));
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
  return rlpEncode([
    headerToRlp(b.header),
    b.signature,
    b.txs.map((t) => [t.raw, addrBytes(t.from)]),
    b.evidence.map(evidenceToRlp),
  ]);
}

/** Parts of a stored block; txs are left raw for the caller to decode with the known sender. */
export function decodeStoredBlock(data: Uint8Array): {
  header: BlockHeader;
  signature: Uint8Array;
  txs: Array<{ raw: Uint8Array; from: ReturnType<typeof addr> }>;
  evidence: Evidence[];
} {
  const f = list(rlpDecode(data), 4);
  return {
    header: headerFromRlp(f[0]!),
    signature: bytes(f[1]),
    txs: list(f[2]).map((t) => {
      const p = list(t, 2);
      return { raw: bytes(p[0]), from: addr(p[1]) };
    }),
    evidence: list(f[3]).map(evidenceFromRlp),
  };
}

/**
 * Wire block (gossip and sync): [header, signature, [rawTx...], [evidence...]]. Senders are not
 * sent: the receiver recovers them (or finds the transaction already verified in its mempool).
 */
export function encodeWireBlock(b: Block): Uint8Array {
  return rlpEncode([
    headerToRlp(b.header),
    b.signature,
    b.txs.map((t) => t.raw),
    b.evidence.map(evidenceToRlp),
  ]);
}

/** Parts of a wire block; raw transactions are left for the importer to decode. */
export function decodeWireBlock(data: Uint8Array): {
  header: BlockHeader;
  signature: Uint8Array;
  txs: Uint8Array[];
  evidence: Evidence[];
} {
  const f = list(rlpDecode(data), 4);
  return {
    header: headerFromRlp(f[0]!),
    signature: bytes(f[1]),
    txs: list(f[2]).map(bytes),
    evidence: list(f[3]).map(evidenceFromRlp),
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
  /** A certificate whose source is this block and whose target is its child (null at genesis). */
  cert: QuorumCert | null;
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
