import { toHex, toQuantity } from "../../util/bytes.ts";
import { toJsonValue } from "../json.ts";
import { blockParam, optional, param, parseAddressValue } from "../params.ts";
import { type MethodTable, method } from "./define.ts";
import { stateHeight } from "./resolve.ts";

const LATEST = { kind: "tag", tag: "latest" } as const;
const addressParam = param("address", parseAddressValue);
const optionalBlock = optional(blockParam, LATEST);

/**
 * The `lvo_` namespace. Same encoding rules as `eth_`: integers are hex quantities, bytes are
 * 0x-hex, addresses lowercase; the block defaults to "latest".
 */
export const lvoMethods: MethodTable = {
  lvo_getAccount: method([addressParam, optionalBlock], async (b, [address, tag]) => {
    const acct = b.getAccount(address, await stateHeight(b, tag));
    return { address, nonce: toQuantity(acct.nonce), balance: toQuantity(acct.balance) };
  }),

  // The proof is checked by light clients against the stateRoot of the named block.
  lvo_getProof: method([addressParam, optionalBlock], async (b, [address, tag]) => {
    const p = b.getAccountProof(address, await stateHeight(b, tag));
    return {
      address: p.address,
      height: toQuantity(p.height),
      blockHash: toHex(p.blockHash),
      stateRoot: toHex(p.stateRoot),
      nonce: toQuantity(p.nonce),
      balance: toQuantity(p.balance),
      key: toHex(p.key),
      proof: toJsonValue(p.proof),
    };
  }),

  // The supply invariant, checkable by anyone at any retained height: the sum of every balance
  // (stakes, deposits and contract funds are balances of system and contract accounts).
  lvo_getSupply: method([optionalBlock], async (b, [tag]) => {
    const height = await stateHeight(b, tag);
    const s = b.getSupply(height);
    return { height: toQuantity(height), total: toQuantity(s.total), accounts: toQuantity(s.accounts) };
  }),

  lvo_getChainStatus: method([], (b) => {
    const s = b.chainStatus();
    return {
      chainId: toQuantity(s.chainId),
      networkName: s.networkName,
      head: {
        height: toQuantity(s.head.height),
        hash: toHex(s.head.hash),
        timestampMs: toQuantity(s.head.timestamp),
      },
      finalized: { height: toQuantity(s.finalized.height), hash: toHex(s.finalized.hash) },
      safe: { height: toQuantity(s.safe.height), hash: toHex(s.safe.hash) },
      genesisHash: toHex(s.genesisHash),
      delegate: s.delegate,
      activeDelegates: s.activeDelegates,
      mempool: { pending: toQuantity(s.mempool.pending), queued: toQuantity(s.mempool.queued) },
      peers: toQuantity(s.peers),
      syncing: s.syncing,
    };
  }),
};
