import { toHex } from "../../../util/bytes.ts";
import { formatReceipt, formatTransaction } from "../../format.ts";
import { param, parseData, parseHash32 } from "../../params.ts";
import { type MethodTable, method } from "../define.ts";

const hashParam = param("transactionHash", parseHash32);

/** Sending and looking up transactions: the calls of ethers' sendTransaction and tx.wait(). */
export const ethTxMethods: MethodTable = {
  // ethers rejects the answer unless it is keccak-256 of the bytes it sent; the backend hashes
  // exactly those bytes, so the hash is passed through untouched.
  eth_sendRawTransaction: method([param("signedTransaction", parseData)], async (b, [raw]) => {
    return toHex(await b.submitRawTransaction(raw));
  }),

  eth_getTransactionByHash: method([hashParam], async (b, [hash]) => {
    const found = await b.getTransaction(hash);
    if (!found) return null;
    if (found.pending) return formatTransaction(found.tx, null);
    return formatTransaction(found.tx, {
      blockHash: found.blockHash,
      height: found.height,
      index: found.index,
      baseFee: found.baseFee,
    });
  }),

  // Pending transactions have no receipt: null tells tx.wait() to keep polling.
  eth_getTransactionReceipt: method([hashParam], async (b, [hash]) => {
    const found = await b.getReceipt(hash);
    return found ? formatReceipt(found) : null;
  }),
};
