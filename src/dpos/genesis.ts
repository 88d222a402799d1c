import type { Address } from "../crypto/address.ts";
import type { Genesis } from "../genesis/types.ts";
import { byElectionOrder, isEligible } from "./election.ts";
import { candidateKey, DposRecord, metaKey } from "./keys.ts";
import { type Candidate, encodeAddresses, encodeCandidate, encodeSet } from "./records.ts";

/**
 * The DPoS part of the genesis state: a candidate record per initial delegate (its self-stake
 * is already a balance of the DPoS address, see src/execution/genesis-state.ts), the candidate
 * list, and the initial active set, elected by the same rule as every later round (top
 * activeDelegates by weight, then address). No pending snapshot: the first is taken at the
 * first round boundary.
 */
export function genesisDposEntries(g: Genesis): Array<[Uint8Array, Uint8Array]> {
  const all = g.delegates.map((d) => {
    const c: Candidate = {
      name: d.name,
      selfStake: d.selfStake,
      votes: 0n,
      jailed: false,
      jailedAt: 0,
      missed: 0,
      rewardPerVote: 0n,
    };
    return { address: d.address, c };
  });
  const out: Array<[Uint8Array, Uint8Array]> = all.map((x) => [
    candidateKey(x.address),
    encodeCandidate(x.c),
  ]);
  const list: Address[] = all.map((x) => x.address).sort();
  out.push([metaKey(DposRecord.CANDIDATES), encodeAddresses(list)]);
  const active = all
    .filter((x) => isEligible(x.c, g.params))
    .sort(byElectionOrder)
    .slice(0, g.params.activeDelegates)
    .map((x) => x.address);
  out.push([metaKey(DposRecord.ACTIVE), encodeSet({ at: 0, members: active })]);
  return out;
}
