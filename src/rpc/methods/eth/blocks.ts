import { toQuantity } from "../../../util/bytes.ts";
import { formatBlock } from "../../format.ts";
import { BlockNumberOrTag, Bool, Hash32, nullable, param } from "../../params.ts";
import { ref, S } from "../../schemas.ts";
import { type MethodTable, method } from "../define.ts";
import { blockForTag } from "../resolve.ts";

const numberParam = param("block", BlockNumberOrTag);
const hashParam = param("blockHash", Hash32);
const fullParam = param("fullTransactions", Bool);
const BLOCK_DOC = { result: nullable(ref("Block")), resultName: "block" };
const COUNT_DOC = { result: nullable(S.quantity), resultName: "transactionCount" };

/** Block reads; an absent block is null, as every Ethereum client expects. */
export const ethBlockMethods: MethodTable = {
  eth_getBlockByNumber: method(
    { summary: "The block at a height or tag, or null.", ...BLOCK_DOC },
    [numberParam, fullParam],
    async (b, [tag, full]) => {
      const block = await blockForTag(b, tag);
      return block ? formatBlock(block, full) : null;
    },
  ),

  eth_getBlockByHash: method(
    { summary: "The block with a hash, or null.", ...BLOCK_DOC },
    [hashParam, fullParam],
    async (b, [hash, full]) => {
      const block = await b.getBlockByHash(hash);
      return block ? formatBlock(block, full) : null;
    },
  ),

  eth_getBlockTransactionCountByNumber: method(
    { summary: "Number of transactions in the block at a height or tag, or null.", ...COUNT_DOC },
    [numberParam],
    async (b, [tag]) => {
      const block = await blockForTag(b, tag);
      return block ? toQuantity(block.txs.length) : null;
    },
  ),

  eth_getBlockTransactionCountByHash: method(
    { summary: "Number of transactions in the block with a hash, or null.", ...COUNT_DOC },
    [hashParam],
    async (b, [hash]) => {
      const block = await b.getBlockByHash(hash);
      return block ? toQuantity(block.txs.length) : null;
    },
  ),
};
