import { toHex } from "../../../util/bytes.ts";
import { formatReceipt, formatTransaction } from "../../format.ts";
import { Data, Hash32, nullable, param } from "../../params.ts";
import { ref, S } from "../../schemas.ts";
import { type MethodTable, method } from "../define.ts";

const hashParam = param("transactionHash", Hash32);

/** Sending and looking up transactions: the calls of ethers' sendTransaction and tx.wait(). */
export const ethTxMethods: MethodTable = {
  // ethers rejects the answer unless it is keccak-256 of the bytes it sent; the backend hashes
  // exactly those bytes, so the hash is passed through untouched.
  eth_sendRawTransaction: method(
    {
      summary: "Submit a signed transaction (RLP, 0x-hex) to the mempool; returns its hash.",
      result: S.hash,
      resultName: "transactionHash",
    },
    [param("signedTransaction", Data)],
    async (b, [raw]) => {
      return toHex(await b.submitRawTransaction(raw));
    },
  ),

  eth_getTransactionByHash: method(
    {
      summary: "A transaction by hash (included or pending), or null.",
      result: nullable(ref("Transaction")),
      resultName: "transaction",
    },
    [hashParam],
    async (b, [hash]) => {
      const found = await b.getTransaction(hash);
      if (!found) return null;
      if (found.pending) return formatTransaction(found.tx, null);
      return formatTransaction(found.tx, {
        blockHash: found.blockHash,
        height: found.height,
        index: found.index,
        baseFee: found.baseFee,
      });
    },
  ),

  // Pending transactions have no receipt: null tells tx.wait() to keep polling.
  eth_getTransactionReceipt: method(
    {
      summary: "The receipt of an included transaction, or null (pending or unknown).",
      result: nullable(ref("Receipt")),
      resultName: "receipt",
    },
    [hashParam],
    async (b, [hash]) => {
      const found = await b.getReceipt(hash);
      return found ? formatReceipt(found) : null;
    },
  ),
};
