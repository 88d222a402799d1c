import type { Address } from "../crypto/address.ts";
import { keccak256 } from "../crypto/hash.ts";
import { GENESIS_CONTRACT_ADDRESS } from "../genesis/constants.ts";
import type { Log } from "../ledger/types.ts";
import { bigintToFixed, fromHex, utf8 } from "../util/bytes.ts";

/**
 * Events of the Genesis contract, shaped like Solidity events (topic 0 = keccak of the
 * signature; the proposal id and addresses indexed as 32-byte topics), so ethers' log
 * filters read them without an ABI of ours.
 */
export const RegistryEvent = {
  /** id, proposer, target */
  PROPOSED: "ContractProposed(uint256,address,address)",
  /** id, voter; data: 1 approve / 0 reject */
  VOTED: "ProposalVoted(uint256,address,bool)",
  /** id, contract */
  RELEASED: "ContractReleased(uint256,address)",
  /** id; data: status code (1 rejected, 2 expired, 3 failed) */
  CLOSED: "ProposalClosed(uint256,uint256)",
  /** id, contract; data: 1 suspended, 2 active (resumed), 3 terminated */
  STATUS: "ContractStatusChanged(uint256,address,uint256)",
} as const;

export const CLOSED_CODE = { rejected: 1, expired: 2, failed: 3 } as const;
export const STATUS_CODE = { suspended: 1, active: 2, terminated: 3 } as const;

function word(x: bigint | number | Address): Uint8Array {
  if (typeof x === "string") {
    const w = new Uint8Array(32);
    w.set(fromHex(x), 12);
    return w;
  }
  return bigintToFixed(BigInt(x), 32);
}

/** A Genesis-contract log: `indexed` as topics after the signature, `data` as 32-byte words. */
export function registryLog(
  signature: string,
  indexed: ReadonlyArray<bigint | number | Address>,
  data: ReadonlyArray<bigint | number> = [],
): Log {
  const body = new Uint8Array(32 * data.length);
  for (const [i, w] of data.entries()) body.set(word(w), 32 * i);
  return {
    address: GENESIS_CONTRACT_ADDRESS,
    topics: [keccak256(utf8(signature)), ...indexed.map(word)],
    data: body,
  };
}
