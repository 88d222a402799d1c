import { toHex, toQuantity } from "../../../util/bytes.ts";
import { AddressCodec, blockParam, param, StorageSlot } from "../../params.ts";
import { arrayOf, object, S } from "../../schemas.ts";
import { type MethodTable, method } from "../define.ts";
import { stateHeight } from "../resolve.ts";

const addressParam = param("address", AddressCodec);
const EMPTY_SLOT = `0x${"00".repeat(32)}`;

/** Chain identity and account state: what wallets read before building a transaction. */
export const ethStateMethods: MethodTable = {
  eth_chainId: method(
    { summary: "The chain id (EIP-155).", result: S.quantity, resultName: "chainId" },
    [],
    (b) => toQuantity(b.chainId),
  ),
  eth_blockNumber: method(
    { summary: "Height of the head block.", result: S.quantity, resultName: "blockNumber" },
    [],
    (b) => toQuantity(b.headHeight()),
  ),
  eth_accounts: method(
    {
      summary: "Accounts the node signs for: always none.",
      result: arrayOf(S.address),
      resultName: "accounts",
    },
    [],
    () => [],
  ),
  eth_syncing: method(
    {
      summary: "false, or the sync progress while catching up.",
      result: {
        anyOf: [
          { type: "boolean", const: false },
          object({ startingBlock: S.quantity, currentBlock: S.quantity, highestBlock: S.quantity }),
        ],
      },
      resultName: "syncing",
    },
    [],
    (b) => {
      const s = b.syncing();
      if (s === false) return false;
      return {
        startingBlock: toQuantity(s.startingBlock),
        currentBlock: toQuantity(s.currentBlock),
        highestBlock: toQuantity(s.highestBlock),
      };
    },
  ),

  eth_getBalance: method(
    { summary: "Balance of an account in wei.", result: S.quantity, resultName: "balance" },
    [addressParam, blockParam],
    async (b, [address, tag]) => {
      return toQuantity(b.getAccount(address, await stateHeight(b, tag)).balance);
    },
  ),

  // "pending" counts the sender's mempool transactions, so a wallet sending twice in a row
  // picks the next free nonce rather than replacing its own first transaction.
  eth_getTransactionCount: method(
    {
      summary: 'Nonce of an account ("pending" counts its mempool transactions).',
      result: S.quantity,
      resultName: "nonce",
    },
    [addressParam, blockParam],
    async (b, [address, tag]) => {
      if (tag.kind === "tag" && tag.tag === "pending") return toQuantity(b.pendingNonce(address));
      return toQuantity(b.getAccount(address, await stateHeight(b, tag)).nonce);
    },
  ),

  // Contract code lives behind the Genesis contract, not in accounts: every account reads as
  // code-less, which makes wallets treat transfers as plain sends.
  // Accounts have no code; a contract's "code" is its Lua source (UTF-8), so tools that test
  // getCode() !== "0x" to tell contracts from accounts get the right answer.
  eth_getCode: method(
    {
      summary: 'A contract\'s Lua source as UTF-8 bytes; "0x" for accounts.',
      result: S.data,
      resultName: "code",
    },
    [addressParam, blockParam],
    async (b, [address, tag]) => {
      const k = b.getContract(address, await stateHeight(b, tag), true);
      return k?.source === undefined ? "0x" : toHex(new TextEncoder().encode(k.source));
    },
  ),

  eth_getStorageAt: method(
    { summary: "Always 32 zero bytes: lvo state has no EVM storage.", result: S.data, resultName: "value" },
    [addressParam, param("slot", StorageSlot), blockParam],
    async (b, [, , tag]) => {
      await stateHeight(b, tag);
      return EMPTY_SLOT;
    },
  ),
};
