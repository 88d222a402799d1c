import type { Address } from "../crypto/address.ts";
import { genesisDposEntries } from "../dpos/genesis.ts";
import { DPOS_ADDRESS } from "../genesis/constants.ts";
import { bucketRemainders } from "../genesis/parse.ts";
import type { BucketName, Genesis } from "../genesis/types.ts";
import { encodeAccount } from "./encoding.ts";
import { accountKey } from "./keys.ts";

/**
 * The genesis state as trie entries: bucket remainders at the bucket addresses, grants at
 * their accounts, delegate self-stakes held by the DPoS system address (so the supply
 * invariant is simply the sum of all balances), and the DPoS records (candidates, active set).
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
  out.push(...genesisDposEntries(g));
  return out;
}
