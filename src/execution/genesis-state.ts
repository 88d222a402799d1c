import type { Address } from "../crypto/address.ts";
import { genesisDposEntries } from "../dpos/genesis.ts";
import { DPOS_ADDRESS } from "../genesis/constants.ts";
import { bucketRemainders } from "../genesis/parse.ts";
import type { BucketName, Genesis } from "../genesis/types.ts";
import { encodeAccount } from "../ledger/encoding.ts";
import { accountKey } from "../ledger/keys.ts";
import { StateOverlay } from "../ledger/state.ts";
import { StateTrie } from "../ledger/trie/index.ts";
import { installGenesisContracts } from "../registry/genesis.ts";

/**
 * The genesis state as trie entries: bucket remainders at the bucket addresses, grants at
 * their accounts, delegate self-stakes held by the DPoS system address (so the supply
 * invariant is simply the sum of all balances), the DPoS records (candidates, active set), and
 * the genesis contracts (code, records, and whatever their `init` stored).
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
  if (g.contracts.length === 0) return out;
  const base = StateTrie.fromEntries(out);
  const state = new StateOverlay(base);
  installGenesisContracts(state, g);
  return [...base.update(state.changes()).entries()];
}
