import type { Address } from "../crypto/address.ts";
import { DPOS_ADDRESS } from "../genesis/constants.ts";
import { bucketRemainders } from "../genesis/parse.ts";
import type { BucketName, Genesis } from "../genesis/types.ts";
import { utf8 } from "../util/bytes.ts";
import { encodeAccount } from "./encoding.ts";
import { accountKey, delegateKey } from "./keys.ts";
import { rlpEncode, uint } from "./rlp.ts";

/** Delegate record at genesis: RLP [name, selfStake]. */
export function encodeGenesisDelegate(name: string, selfStake: bigint): Uint8Array {
  return rlpEncode([utf8(name), uint(selfStake)]);
}

/**
 * The genesis state as trie entries: bucket remainders at the bucket addresses, grants at
 * their accounts, delegate self-stakes held by the DPoS system address (so the supply
 * invariant is simply the sum of all balances), and a record per initial delegate.
 */
export function genesisStateEntries(g: Genesis): Array<[Uint8Array, Uint8Array]> {
  const balances = new Map<Address, bigint>();
  const credit = (a: Address, v: bigint) => balances.set(a, (balances.get(a) ?? 0n) + v);
  for (const [name, rem] of Object.entries(bucketRemainders(g))) credit(g.buckets[name as BucketName], rem);
  for (const x of g.grants) credit(x.address, x.amount);
  for (const d of g.delegates) credit(DPOS_ADDRESS, d.selfStake);
  const out: Array<[Uint8Array, Uint8Array]> = [];
  for (const [a, balance] of balances) {
    if (balance > 0n) out.push([accountKey(a), encodeAccount({ nonce: 0n, balance })]);
  }
  for (const d of g.delegates) out.push([delegateKey(d.address), encodeGenesisDelegate(d.name, d.selfStake)]);
  return out;
}
