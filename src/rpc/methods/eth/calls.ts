import type { Block, Log } from "../../../ledger/types.ts";
import { bytesEqual, toHex, toQuantity } from "../../../util/bytes.ts";
import type { RpcBackend } from "../../backend.ts";
import { RpcErrorCode, rpcError } from "../../errors.ts";
import type { Json } from "../../json.ts";
import {
  AddressCodec,
  BlockNumberOrTag,
  blockParam,
  type Codec,
  codec,
  Data,
  Hash32,
  invalidParam,
  nullable,
  optional,
  param,
  Quantity,
  type Schema,
} from "../../params.ts";
import { type LogFilter, type ParsedCall, parseCallRequest, parseLogFilter } from "../../requests.ts";
import { arrayOf, ref, S } from "../../schemas.ts";
import { type MethodTable, method } from "../define.ts";
import { blockForTag, stateHeight } from "../resolve.ts";

const LATEST = { kind: "tag", tag: "latest" } as const;
const nullableFields = (props: Record<string, Schema>) =>
  Object.fromEntries(Object.entries(props).map(([k, v]) => [k, nullable(v)]));

/** eth_call / eth_estimateGas transaction object (parseCallRequest). */
export const CallRequestCodec: Codec<ParsedCall> = codec(parseCallRequest, {
  title: "CallRequest",
  type: "object",
  properties: nullableFields({
    from: AddressCodec.schema,
    to: AddressCodec.schema,
    gas: Quantity.schema,
    gasPrice: Quantity.schema,
    maxFeePerGas: Quantity.schema,
    maxPriorityFeePerGas: Quantity.schema,
    value: Quantity.schema,
    data: Data.schema,
    input: Data.schema,
    nonce: Quantity.schema,
    type: Quantity.schema,
    chainId: Quantity.schema,
    accessList: arrayOf({
      type: "object",
      properties: { address: AddressCodec.schema, storageKeys: nullable(arrayOf(Hash32.schema)) },
      required: ["address"],
    }),
  }),
});

/** eth_getLogs filter object (parseLogFilter). */
export const LogFilterCodec: Codec<LogFilter> = codec(parseLogFilter, {
  title: "LogFilter",
  type: "object",
  properties: nullableFields({
    fromBlock: BlockNumberOrTag.schema,
    toBlock: BlockNumberOrTag.schema,
    blockHash: Hash32.schema,
    address: { anyOf: [AddressCodec.schema, { ...arrayOf(AddressCodec.schema), maxItems: 1000 }] },
    topics: {
      type: "array",
      maxItems: 4,
      items: {
        anyOf: [
          { type: "null" },
          Hash32.schema,
          { type: "array", maxItems: 1000, items: nullable(Hash32.schema) },
        ],
      },
    },
  }),
});

const txParam = param("transaction", CallRequestCodec);

// geth refuses a call object built for another chain instead of silently estimating it here.
function checkChainId(b: RpcBackend, req: ParsedCall): void {
  if (req.chainId !== undefined && req.chainId !== BigInt(b.chainId)) {
    throw invalidParam(`chainId does not match node's (have=${req.chainId}, want=${b.chainId})`);
  }
}

/** Simulation: eth_call, eth_estimateGas, and eth_getLogs' filter validation. */
export const ethCallMethods: MethodTable = {
  // A contract address: the method runs as a read-only Lua view and the result is its JSON as
  // UTF-8 bytes (decode with ethers.toUtf8String, then JSON.parse). Accounts carry no code and
  // system methods return nothing: "0x", after running the call like a transaction would. A
  // failure is code 3, "execution reverted: <reason>", as geth answers a reverted call.
  eth_call: method(
    {
      summary: "Run a read-only call (a contract view: its JSON result as UTF-8 bytes) at a block.",
      result: S.data,
    },
    [txParam, optional(blockParam, LATEST)],
    async (b, [req, tag]) => {
      const height = await stateHeight(b, tag);
      checkChainId(b, req);
      return toHex(b.call(req.call, height));
    },
  ),

  // Exact for system calls (gas does not depend on the gas limit), so no search is needed.
  eth_estimateGas: method(
    { summary: "Gas the transaction would use at a block.", result: S.quantity, resultName: "gas" },
    [txParam, optional(blockParam, LATEST)],
    async (b, [req, tag]) => {
      const height = await stateHeight(b, tag);
      checkChainId(b, req);
      return toQuantity(b.estimateGas(req.call, height));
    },
  ),

  // Logs of canonical blocks (DPoS events today, contract events later), bounded: at most
  // MAX_LOG_BLOCKS blocks scanned and MAX_LOGS logs returned per call (-32005 beyond).
  eth_getLogs: method(
    {
      summary: "Logs of canonical blocks matching a filter (bounded block range and result count).",
      result: arrayOf(ref("Log")),
      resultName: "logs",
    },
    [param("filter", LogFilterCodec)],
    async (b, [filter]) => {
      let blocks: Block[];
      if (filter.blockHash !== undefined) {
        const block = await blockForTag(b, { kind: "hash", hash: filter.blockHash, requireCanonical: false });
        if (!block) throw invalidParam("unknown block");
        blocks = [block];
      } else {
        const from = await stateHeight(b, filter.fromBlock ?? LATEST);
        const to = await stateHeight(b, filter.toBlock ?? LATEST);
        if (from > to) throw invalidParam("invalid block range params: fromBlock is after toBlock");
        if (to - from + 1 > MAX_LOG_BLOCKS) {
          throw rpcError(
            RpcErrorCode.RPC_LIMIT_EXCEEDED,
            `block range too large: at most ${MAX_LOG_BLOCKS} blocks per query`,
          );
        }
        blocks = [];
        for (let h = from; h <= to; h++) {
          const blk = await b.getBlockByHeight(h);
          if (blk) blocks.push(blk);
        }
      }
      const out: Json[] = [];
      for (const blk of blocks) {
        const receipts = (await b.getBlockReceipts(blk.hash)) ?? [];
        let logIndex = 0;
        for (let i = 0; i < receipts.length; i++) {
          for (const log of receipts[i]!.logs) {
            if (logMatches(log, filter)) {
              if (out.length >= MAX_LOGS) {
                throw rpcError(
                  RpcErrorCode.RPC_LIMIT_EXCEEDED,
                  `query returned more than ${MAX_LOGS} results`,
                );
              }
              out.push({
                address: log.address,
                topics: log.topics.map(toHex),
                data: toHex(log.data),
                blockNumber: toQuantity(blk.header.height),
                blockHash: toHex(blk.hash),
                transactionHash: toHex(blk.txs[i]!.hash),
                transactionIndex: toQuantity(i),
                logIndex: toQuantity(logIndex),
                removed: false,
              });
            }
            logIndex++;
          }
        }
      }
      return out;
    },
  ),
};

/** Blocks one eth_getLogs call may scan. */
export const MAX_LOG_BLOCKS = 10_000;
/** Logs one eth_getLogs call may return. */
export const MAX_LOGS = 10_000;

/** Ethereum filter semantics: any listed address; per topic position, null or any listed. */
export function logMatches(log: Log, f: Pick<LogFilter, "addresses" | "topics">): boolean {
  if (f.addresses.length > 0 && !f.addresses.includes(log.address)) return false;
  for (let i = 0; i < f.topics.length; i++) {
    const want = f.topics[i];
    if (!want) continue;
    const t = log.topics[i];
    if (!t || !want.some((w) => bytesEqual(w, t))) return false;
  }
  return true;
}
