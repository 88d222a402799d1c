import { toHex, toQuantity } from "../../../util/bytes.ts";
import { blockParam, param, parseAddressValue, parseStorageSlot } from "../../params.ts";
import { type MethodTable, method } from "../define.ts";
import { stateHeight } from "../resolve.ts";

const addressParam = param("address", parseAddressValue);
const EMPTY_SLOT = `0x${"00".repeat(32)}`;

/** Chain identity and account state: what wallets read before building a transaction. */
export const ethStateMethods: MethodTable = {
  eth_chainId: method([], (b) => toQuantity(b.chainId)),
  eth_blockNumber: method([], (b) => toQuantity(b.headHeight())),
  eth_accounts: method([], () => []),
  eth_syncing: method([], (b) => {
    const s = b.syncing();
    if (s === false) return false;
    return {
      startingBlock: toQuantity(s.startingBlock),
      currentBlock: toQuantity(s.currentBlock),
      highestBlock: toQuantity(s.highestBlock),
    };
  }),

  eth_getBalance: method([addressParam, blockParam], async (b, [address, tag]) => {
    return toQuantity(b.getAccount(address, await stateHeight(b, tag)).balance);
  }),

  // "pending" counts the sender's mempool transactions, so a wallet sending twice in a row
  // picks the next free nonce rather than replacing its own first transaction.
  eth_getTransactionCount: method([addressParam, blockParam], async (b, [address, tag]) => {
    if (tag.kind === "tag" && tag.tag === "pending") return toQuantity(b.pendingNonce(address));
    return toQuantity(b.getAccount(address, await stateHeight(b, tag)).nonce);
  }),

  // Contract code lives behind the Genesis contract, not in accounts: every account reads as
  // code-less, which makes wallets treat transfers as plain sends.
  // Accounts have no code; a contract's "code" is its Lua source (UTF-8), so tools that test
  // getCode() !== "0x" to tell contracts from accounts get the right answer.
  eth_getCode: method([addressParam, blockParam], async (b, [address, tag]) => {
    const k = b.getContract(address, await stateHeight(b, tag), true);
    return k?.source === undefined ? "0x" : toHex(new TextEncoder().encode(k.source));
  }),

  eth_getStorageAt: method(
    [addressParam, param("slot", parseStorageSlot), blockParam],
    async (b, [, , tag]) => {
      await stateHeight(b, tag);
      return EMPTY_SLOT;
    },
  ),
};
