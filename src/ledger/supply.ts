import { decodeAccount } from "./encoding.ts";
import { StateNs } from "./keys.ts";
import type { StateTrie } from "./trie/index.ts";

/**
 * Sum of every account balance in a state. Stakes, unbonding funds, deposits and contract
 * funds are all balances of system or contract accounts, so this must equal the fixed supply
 * at every height (checked in tests; served by lvo_getSupply for operators and checkers).
 */
export function totalBalance(trie: StateTrie): { total: bigint; accounts: number } {
  let total = 0n;
  let accounts = 0;
  for (const [k, v] of trie.entries()) {
    if (k[0] !== StateNs.ACCOUNT) continue;
    total += decodeAccount(v).balance;
    accounts++;
  }
  return { total, accounts };
}
