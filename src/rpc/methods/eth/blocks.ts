import { toQuantity } from "../../../util/bytes.ts";
import { formatBlock } from "../../format.ts";
import { param, parseBlockNumberOrTag, parseBool, parseHash32 } from "../../params.ts";
import { type MethodTable, method } from "../define.ts";
import { blockForTag } from "../resolve.ts";

const numberParam = param("block", parseBlockNumberOrTag);
const hashParam = param("blockHash", parseHash32);
const fullParam = param("fullTransactions", parseBool);

/** Block reads; an absent block is null, as every Ethereum client expects. */
export const ethBlockMethods: MethodTable = {
  eth_getBlockByNumber: method([numberParam, fullParam], async (b, [tag, full]) => {
    const block = await blockForTag(b, tag);
    return block ? formatBlock(block, full) : null;
  }),

  eth_getBlockByHash: method([hashParam, fullParam], async (b, [hash, full]) => {
    const block = await b.getBlockByHash(hash);
    return block ? formatBlock(block, full) : null;
  }),

  eth_getBlockTransactionCountByNumber: method([numberParam], async (b, [tag]) => {
    const block = await blockForTag(b, tag);
    return block ? toQuantity(block.txs.length) : null;
  }),

  eth_getBlockTransactionCountByHash: method([hashParam], async (b, [hash]) => {
    const block = await b.getBlockByHash(hash);
    return block ? toQuantity(block.txs.length) : null;
  }),
};
