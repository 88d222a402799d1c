import type { Address } from "../crypto/address.ts";
import type { Block } from "../ledger/types.ts";
import type { Tx } from "../tx/types.ts";
import { bytesToBigint, type Hex, toHex, toQuantity } from "../util/bytes.ts";
import type { ReceiptLookup } from "./backend.ts";
import { BLOOM_BYTES, logsBloom } from "./bloom.ts";

// Fixed fields of a proof-of-stake chain seen through Ethereum's block shape.
const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;
/** keccak256(rlp([])): the uncle hash of every block without uncles. */
const EMPTY_UNCLES_HASH: Hex = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
const ZERO_BLOOM: Hex = `0x${"00".repeat(BLOOM_BYTES)}`;

/** Where an included transaction sits, and the base fee that prices it. */
export interface TxLocation {
  blockHash: Uint8Array;
  height: number;
  index: number;
  baseFee: bigint;
}

type RpcTxCommon = {
  hash: Hex;
  type: Hex;
  chainId: Hex;
  nonce: Hex;
  gas: Hex;
  gasPrice: Hex;
  to: Address;
  from: Address;
  value: Hex;
  input: Hex;
  v: Hex;
  r: Hex;
  s: Hex;
  blockHash: Hex | null;
  blockNumber: Hex | null;
  transactionIndex: Hex | null;
};
type RpcAccessList = Array<{ address: Hex; storageKeys: Hex[] }>;

/** A transaction as eth_getTransactionByHash returns it (geth's field set per type). */
export type RpcTransaction =
  | RpcTxCommon
  | (RpcTxCommon & {
      maxFeePerGas: Hex;
      maxPriorityFeePerGas: Hex;
      accessList: RpcAccessList;
      yParity: Hex;
    });

/**
 * Price per gas actually paid by an included transaction: legacy pays gasPrice; type 2 pays
 * base fee plus its tip, capped by maxFeePerGas.
 */
export function effectiveGasPrice(tx: Tx, baseFee: bigint): bigint {
  if (tx.type !== 2) return tx.maxFeePerGas;
  const p = baseFee + tx.maxPriorityFeePerGas;
  // bigints: Math.min does not apply.
  if (p > tx.maxFeePerGas) return tx.maxFeePerGas;
  return p;
}

/** Tx → Ethereum transaction JSON; `loc` null for a pending transaction. */
export function formatTransaction(tx: Tx, loc: TxLocation | null): RpcTransaction {
  const common: RpcTxCommon = {
    hash: toHex(tx.hash),
    type: toQuantity(tx.type),
    chainId: toQuantity(tx.chainId),
    nonce: toQuantity(tx.nonce),
    gas: toQuantity(tx.gasLimit),
    // Pending type-2 transactions show their cap, as geth does: the base fee is not known yet.
    gasPrice: toQuantity(loc ? effectiveGasPrice(tx, loc.baseFee) : tx.maxFeePerGas),
    to: tx.to,
    from: tx.from,
    value: toQuantity(tx.value),
    input: toHex(tx.data),
    v: toQuantity(tx.v),
    // Quantities, not 32-byte data: geth's encoding, and ethers' Signature.from pads them.
    r: toQuantity(bytesToBigint(tx.r)),
    s: toQuantity(bytesToBigint(tx.s)),
    blockHash: loc ? toHex(loc.blockHash) : null,
    blockNumber: loc ? toQuantity(loc.height) : null,
    transactionIndex: loc ? toQuantity(loc.index) : null,
  };
  if (tx.type !== 2) return common;
  return {
    ...common,
    maxFeePerGas: toQuantity(tx.maxFeePerGas),
    maxPriorityFeePerGas: toQuantity(tx.maxPriorityFeePerGas),
    accessList: tx.accessList.map(([address, keys]) => ({
      address: toHex(address),
      storageKeys: keys.map(toHex),
    })),
    yParity: toQuantity(tx.v),
  };
}

/** A block as eth_getBlockByNumber / eth_getBlockByHash return it. */
export type RpcBlock = {
  number: Hex;
  hash: Hex;
  parentHash: Hex;
  nonce: Hex;
  sha3Uncles: Hex;
  logsBloom: Hex;
  transactionsRoot: Hex;
  stateRoot: Hex;
  receiptsRoot: Hex;
  miner: Address;
  difficulty: Hex;
  totalDifficulty: Hex;
  extraData: Hex;
  size: Hex;
  gasLimit: Hex;
  gasUsed: Hex;
  timestamp: Hex;
  transactions: Hex[] | RpcTransaction[];
  uncles: Hex[];
  baseFeePerGas: Hex;
  mixHash: Hex;
};

// lvo blocks are not RLP, so `size` is an estimate of the block's encoded size: header fields
// (~270 bytes), producer signature, certificate signatures and raw transactions. Clients only
// display it.
function approximateSize(block: Block): number {
  const certBytes = block.header.cert ? 40 + 65 * block.header.cert.signatures.length : 0;
  let txBytes = 0;
  for (const tx of block.txs) txBytes += tx.raw.length;
  return 270 + block.signature.length + certBytes + txBytes;
}

/**
 * Block → Ethereum block JSON. Every field ethers' block formatter requires is present; fields
 * that mean nothing under DPoS (difficulty, nonce, uncles, mixHash) carry Ethereum's PoS
 * constants. The bloom is zero: lvo headers carry no bloom, and blocks have no logs until
 * contract events land.
 */
export function formatBlock(block: Block, fullTxs: boolean): RpcBlock {
  const h = block.header;
  const blockHash = toHex(block.hash);
  return {
    number: toQuantity(h.height),
    hash: blockHash,
    parentHash: toHex(h.parentHash),
    nonce: "0x0000000000000000",
    sha3Uncles: EMPTY_UNCLES_HASH,
    logsBloom: ZERO_BLOOM,
    transactionsRoot: toHex(h.txRoot),
    stateRoot: toHex(h.stateRoot),
    receiptsRoot: toHex(h.receiptRoot),
    miner: h.producer,
    difficulty: "0x0",
    totalDifficulty: "0x0",
    extraData: "0x",
    size: toQuantity(approximateSize(block)),
    gasLimit: toQuantity(h.gasLimit),
    gasUsed: toQuantity(h.gasUsed),
    // Headers keep milliseconds; Ethereum timestamps are whole seconds.
    timestamp: toQuantity(Math.floor(h.timestamp / 1000)),
    transactions: fullTxs
      ? block.txs.map((tx, index) =>
          formatTransaction(tx, { blockHash: block.hash, height: h.height, index, baseFee: h.baseFee }),
        )
      : block.txs.map((tx) => toHex(tx.hash)),
    uncles: [],
    baseFeePerGas: toQuantity(h.baseFee),
    mixHash: ZERO_HASH,
  };
}

/** An event log as in receipts and eth_getLogs. */
export type RpcLog = {
  address: Address;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  blockHash: Hex;
  transactionHash: Hex;
  transactionIndex: Hex;
  logIndex: Hex;
  removed: boolean;
};

/** A receipt as eth_getTransactionReceipt returns it. */
export type RpcReceipt = {
  transactionHash: Hex;
  transactionIndex: Hex;
  blockHash: Hex;
  blockNumber: Hex;
  from: Address;
  to: Address;
  cumulativeGasUsed: Hex;
  gasUsed: Hex;
  effectiveGasPrice: Hex;
  contractAddress: null;
  logs: RpcLog[];
  logsBloom: Hex;
  status: Hex;
  type: Hex;
  /** Why a failed transaction failed (status 0x0 only), as Besu names it; clients ignore it. */
  revertReason?: string;
};

/** Receipt lookup → Ethereum receipt JSON. */
export function formatReceipt(r: ReceiptLookup): RpcReceipt {
  const where = {
    blockNumber: toQuantity(r.height),
    blockHash: toHex(r.blockHash),
    transactionHash: toHex(r.tx.hash),
    transactionIndex: toQuantity(r.index),
  };
  return {
    transactionHash: where.transactionHash,
    transactionIndex: where.transactionIndex,
    blockHash: where.blockHash,
    blockNumber: where.blockNumber,
    from: r.tx.from,
    to: r.tx.to,
    cumulativeGasUsed: toQuantity(r.receipt.cumulativeGasUsed),
    gasUsed: toQuantity(r.receipt.gasUsed),
    effectiveGasPrice: toQuantity(r.receipt.effectiveGasPrice),
    contractAddress: null,
    logs: r.receipt.logs.map((log, i) => ({
      address: log.address,
      topics: log.topics.map(toHex),
      data: toHex(log.data),
      ...where,
      logIndex: toQuantity(r.firstLogIndex + i),
      removed: false,
    })),
    logsBloom: toHex(logsBloom(r.receipt.logs)),
    status: toQuantity(r.receipt.status),
    type: toQuantity(r.tx.type),
    ...(r.receipt.status === 0 && r.receipt.error ? { revertReason: r.receipt.error } : {}),
  };
}
