import { type Address, type Hex, hexToUtf8, type JsonValue, keccak256, LvoInputError } from "./encoding.ts";
import { DPOS_ADDRESS, GENESIS_CONTRACT_ADDRESS } from "./payloads.ts";
import type { LogLike, ReceiptLike } from "./types.ts";

/** topic 0 of a contract event: keccak256(utf8(name)) (also of a Solidity-style signature). */
export function eventTopic(name: string): Hex {
  return keccak256(name);
}

/** A decoded Lua-contract event. */
export interface ContractEvent {
  address: Address;
  /** The event name when it was among the names given, else null. */
  name: string | null;
  topic: Hex;
  /** The event's arguments (amounts are decimal strings, as the contract emitted them). */
  args: JsonValue[];
}

/**
 * Decodes a Lua-contract log: `topics[0]` = keccak256(name), `data` = UTF-8 JSON array. The name
 * is matched against `names` (a hash cannot be reversed). Returns null for a log that is not
 * shaped so (a Genesis-contract or DPoS log, for instance).
 */
export function decodeContractEvent(log: LogLike, names: readonly string[] = []): ContractEvent | null {
  const topic = log.topics[0];
  if (log.topics.length !== 1 || topic === undefined) return null;
  let args: unknown;
  try {
    args = JSON.parse(hexToUtf8(log.data));
  } catch {
    return null;
  }
  if (!Array.isArray(args)) return null;
  const t = topic.toLowerCase();
  const name = names.find((n) => eventTopic(n) === t) ?? null;
  return { address: log.address.toLowerCase() as Address, name, topic: t as Hex, args: args as JsonValue[] };
}

/** The arguments of every `name` event emitted by `address` among the logs (of a receipt or eth_getLogs). */
export function findEvents(
  logsOrReceipt: readonly LogLike[] | ReceiptLike,
  address: string,
  name: string,
): JsonValue[][] {
  const logs = Array.isArray(logsOrReceipt) ? logsOrReceipt : (logsOrReceipt as ReceiptLike).logs;
  const addr = address.toLowerCase();
  const out: JsonValue[][] = [];
  for (const l of logs as readonly LogLike[]) {
    if (l.address.toLowerCase() !== addr) continue;
    const e = decodeContractEvent(l, [name]);
    if (e?.name === name) out.push(e.args);
  }
  return out;
}

// ---- Solidity-shaped system events (Genesis contract and DPoS) -----------------------------

/** Genesis-contract event signatures (src/registry/events.ts). */
export const RegistryEvent = {
  PROPOSED: "ContractProposed(uint256,address,address)",
  VOTED: "ProposalVoted(uint256,address,bool)",
  RELEASED: "ContractReleased(uint256,address)",
  CLOSED: "ProposalClosed(uint256,uint256)",
  STATUS: "ContractStatusChanged(uint256,address,uint256)",
} as const;

/** DPoS event signatures (src/dpos/events.ts). */
export const DposEvent = {
  REGISTERED: "DelegateRegistered(address,uint256)",
  STAKED: "Staked(address,uint256)",
  UNSTAKED: "Unstaked(address,uint256,uint256)",
  VOTED: "Voted(address,uint256)",
  UNJAILED: "Unjailed(address)",
  REWARDS_CLAIMED: "RewardsClaimed(address,uint256)",
} as const;

/** A decoded system event: indexed topics and 32-byte data words as bigint. */
export interface SystemEvent {
  address: Address;
  /** The event's signature, e.g. "ContractProposed(uint256,address,address)". */
  signature: string;
  /** topics[1..] as bigint (addresses are their 160-bit value; see `topicAddress`). */
  indexed: bigint[];
  words: bigint[];
}

const SIGNATURES = new Map<string, { address: Address; signature: string }>([
  ...Object.values(RegistryEvent).map(
    (s) => [eventTopic(s), { address: GENESIS_CONTRACT_ADDRESS, signature: s }] as const,
  ),
  ...Object.values(DposEvent).map((s) => [eventTopic(s), { address: DPOS_ADDRESS, signature: s }] as const),
]);

/** Decodes a Genesis-contract or DPoS log; null for any other log. */
export function decodeSystemEvent(log: LogLike): SystemEvent | null {
  const t0 = log.topics[0]?.toLowerCase();
  const known = t0 === undefined ? undefined : SIGNATURES.get(t0);
  if (!known || log.address.toLowerCase() !== known.address) return null;
  const data = log.data.startsWith("0x") ? log.data.slice(2) : log.data;
  const words: bigint[] = [];
  for (let i = 0; i + 64 <= data.length; i += 64) words.push(BigInt(`0x${data.slice(i, i + 64)}`));
  return {
    address: known.address,
    signature: known.signature,
    indexed: log.topics.slice(1).map((t) => BigInt(t)),
    words,
  };
}

/** An indexed address topic as a lowercase address. */
export function topicAddress(t: bigint | string): Address {
  return `0x${BigInt(t).toString(16).padStart(40, "0")}` as Address;
}

/**
 * The id of the proposal a `genesis.propose`/`proposeUpgrade` transaction opened (its
 * ContractProposed log). Works with an ethers or viem receipt, or LvoClient's. Throws when the
 * receipt has none (the transaction failed, or the audit failed: then see getProposals).
 */
export function proposalIdFrom(receipt: ReceiptLike): number {
  for (const l of receipt.logs) {
    const e = decodeSystemEvent(l);
    if (e?.signature === RegistryEvent.PROPOSED) return Number(e.indexed[0]);
  }
  throw new LvoInputError("the receipt has no ContractProposed log");
}
