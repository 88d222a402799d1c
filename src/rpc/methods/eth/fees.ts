import type { Block } from "../../../ledger/types.ts";
import { type Hex, toQuantity } from "../../../util/bytes.ts";
import type { RpcBackend } from "../../backend.ts";
import { RpcErrorCode, rpcError } from "../../errors.ts";
import { effectiveGasPrice } from "../../format.ts";
import {
  BlockNumberOrTag,
  type Codec,
  codec,
  invalidParam,
  optional,
  param,
  parseUint,
  Uint,
} from "../../params.ts";
import { arrayOf, object, S } from "../../schemas.ts";
import { type MethodTable, method } from "../define.ts";
import { tagOrNumberHeight } from "../resolve.ts";

/** Most blocks one eth_feeHistory call covers; larger counts are clamped, as geth does. */
export const MAX_FEE_HISTORY_BLOCKS = 1024;
/** Most reward percentiles one eth_feeHistory call may ask for (geth's bound). */
export const MAX_REWARD_PERCENTILES = 100;

// geth accepts the count as a JSON number, a decimal string or a hex quantity.
function parseBlockCount(value: unknown): number {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw invalidParam("expected a non-negative integer");
    return value;
  }
  if (typeof value === "string" && /^(?:0|[1-9][0-9]{0,15})$/.test(value)) return Number(value);
  return parseUint(value);
}

const BlockCount: Codec<number> = codec(parseBlockCount, {
  anyOf: [
    { type: "integer", minimum: 0 },
    { type: "string", pattern: "^(?:0|[1-9][0-9]{0,15})$" },
    Uint.schema,
  ],
  description: "a JSON integer, a decimal string or a hex quantity; clamped to 1024",
});

function parsePercentiles(value: unknown): number[] {
  if (!Array.isArray(value)) throw invalidParam("expected an array of percentiles");
  if (value.length > MAX_REWARD_PERCENTILES)
    throw invalidParam(`more than ${MAX_REWARD_PERCENTILES} percentiles`);
  let prev = -1;
  for (const p of value) {
    if (typeof p !== "number" || !(p >= 0 && p <= 100))
      throw invalidParam("percentiles must be numbers in [0, 100]");
    if (p <= prev) throw invalidParam("percentiles must be strictly increasing");
    prev = p;
  }
  return value as number[];
}

const Percentiles: Codec<number[]> = codec(parsePercentiles, {
  type: "array",
  maxItems: MAX_REWARD_PERCENTILES,
  items: { type: "number", minimum: 0, maximum: 100 },
  description: "strictly increasing",
});

// The tip a transaction actually paid above the base fee.
function paidTip(tx: Block["txs"][number], baseFee: bigint): bigint {
  const tip = effectiveGasPrice(tx, baseFee) - baseFee;
  return tip > 0n ? tip : 0n;
}

/**
 * Tips at the given percentiles of a block's gas, weighted by each transaction's gas used:
 * geth's algorithm, so fee estimators (viem, wallets) see the numbers they are tuned for.
 */
async function blockRewards(b: RpcBackend, block: Block, percentiles: number[]): Promise<Hex[]> {
  if (block.txs.length === 0) return percentiles.map(() => "0x0");
  const baseFee = block.header.baseFee;
  const items = await Promise.all(
    block.txs.map(async (tx) => ({
      tip: paidTip(tx, baseFee),
      gasUsed: (await b.getReceipt(tx.hash))?.receipt.gasUsed ?? tx.gasLimit,
    })),
  );
  items.sort((x, y) => (x.tip < y.tip ? -1 : x.tip > y.tip ? 1 : 0));
  const out: Hex[] = [];
  let i = 0;
  let sum = items[0]!.gasUsed;
  for (const p of percentiles) {
    const threshold = BigInt(Math.floor((Number(block.header.gasUsed) * p) / 100));
    while (sum < threshold && i < items.length - 1) {
      i++;
      sum += items[i]!.gasUsed;
    }
    out.push(toQuantity(items[i]!.tip));
  }
  return out;
}

/** eth_feeHistory's answer; `reward` only when percentiles were asked for. */
type FeeHistory =
  | { oldestBlock: Hex; baseFeePerGas: Hex[]; gasUsedRatio: number[] }
  | { oldestBlock: Hex; baseFeePerGas: Hex[]; gasUsedRatio: number[]; reward: Hex[][] };

async function canonicalBlock(b: RpcBackend, height: number): Promise<Block> {
  const block = await b.getBlockByHeight(height);
  if (!block) throw rpcError(RpcErrorCode.RPC_RESOURCE_NOT_FOUND, "block not found", { height });
  return block;
}

/** Fee suggestions: eth_gasPrice for legacy senders, the rest for EIP-1559 estimators. */
export const ethFeeMethods: MethodTable = {
  eth_gasPrice: method(
    { summary: "Suggested legacy gas price: base fee plus tip.", result: S.quantity, resultName: "gasPrice" },
    [],
    (b) => toQuantity(b.baseFee() + b.suggestedTip()),
  ),
  eth_maxPriorityFeePerGas: method(
    { summary: "Suggested EIP-1559 tip.", result: S.quantity, resultName: "maxPriorityFeePerGas" },
    [],
    (b) => toQuantity(b.suggestedTip()),
  ),

  eth_feeHistory: method(
    {
      summary: "Base fees, gas used ratios and (with percentiles) tips of recent blocks.",
      result: object(
        {
          oldestBlock: S.quantity,
          baseFeePerGas: arrayOf(S.quantity),
          gasUsedRatio: arrayOf({ type: "number" }),
          reward: arrayOf(arrayOf(S.quantity)),
        },
        ["reward"],
      ),
      resultName: "feeHistory",
    },
    [
      param("blockCount", BlockCount),
      param("newestBlock", BlockNumberOrTag),
      optional(param("rewardPercentiles", Percentiles), [] as number[]),
    ],
    async (b, [count, newestTag, percentiles]): Promise<FeeHistory> => {
      const head = b.headHeight();
      const height = tagOrNumberHeight(b, newestTag);
      if (height > head) {
        throw rpcError(
          RpcErrorCode.RPC_RESOURCE_NOT_FOUND,
          `request beyond head block: requested ${height}, head ${head}`,
        );
      }
      const n = Math.min(count, MAX_FEE_HISTORY_BLOCKS, height + 1);
      const withReward = percentiles.length > 0;
      if (n === 0) {
        const empty = { oldestBlock: "0x0" as Hex, baseFeePerGas: [], gasUsedRatio: [] };
        return withReward ? { ...empty, reward: [] } : empty;
      }
      const oldest = height - n + 1;
      const blocks = await Promise.all(Array.from({ length: n }, (_, k) => canonicalBlock(b, oldest + k)));
      // One extra base fee: the block after the newest, which is the next block when newest is head.
      const next = height === head ? b.baseFee() : (await canonicalBlock(b, height + 1)).header.baseFee;
      const result = {
        oldestBlock: toQuantity(oldest),
        baseFeePerGas: [...blocks.map((blk) => toQuantity(blk.header.baseFee)), toQuantity(next)],
        gasUsedRatio: blocks.map((blk) =>
          blk.header.gasLimit > 0n ? Number(blk.header.gasUsed) / Number(blk.header.gasLimit) : 0,
        ),
      };
      if (!withReward) return result;
      return { ...result, reward: await Promise.all(blocks.map((blk) => blockRewards(b, blk, percentiles))) };
    },
  ),
};
