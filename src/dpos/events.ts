import type { Address } from "../crypto/address.ts";
import { keccak256 } from "../crypto/hash.ts";
import { DPOS_ADDRESS } from "../genesis/constants.ts";
import type { Log } from "../ledger/types.ts";
import { bigintToFixed, fromHex, utf8 } from "../util/bytes.ts";

/**
 * Event signatures of the DPoS address. Logs are shaped like Solidity events (topic 0 =
 * keccak of the signature, the address indexed, amounts as 32-byte words in data), so wallets
 * and ethers' log filters read them without an ABI of ours.
 */
export const DposEvent = {
  /** candidate, self-stake added */
  REGISTERED: "DelegateRegistered(address,uint256)",
  /** staker, amount */
  STAKED: "Staked(address,uint256)",
  /** staker, amount, release height */
  UNSTAKED: "Unstaked(address,uint256,uint256)",
  /** staker, number of candidates voted for */
  VOTED: "Voted(address,uint256)",
  /** candidate */
  UNJAILED: "Unjailed(address)",
  /** staker, amount paid */
  REWARDS_CLAIMED: "RewardsClaimed(address,uint256)",
} as const;

/** Topic 0 of an event signature. */
export function eventTopic(signature: string): Uint8Array {
  return keccak256(utf8(signature));
}

/** A DPoS log: `who` indexed (topic 1), `words` as 32-byte big-endian data. */
export function dposLog(signature: string, who: Address, words: ReadonlyArray<bigint | number> = []): Log {
  const data = new Uint8Array(32 * words.length);
  for (const [i, w] of words.entries()) data.set(bigintToFixed(BigInt(w), 32), 32 * i);
  const topic = new Uint8Array(32);
  topic.set(fromHex(who), 12);
  return { address: DPOS_ADDRESS, topics: [eventTopic(signature), topic], data };
}
