import type { Address } from "../crypto/address.ts";
import { fromHex } from "../util/bytes.ts";

/**
 * LevelDB key prefixes: one byte each, never reused. `key → value` per line.
 * Everything for one block is written in one batch.
 */
export const DbPrefix = {
  /** 0x01 | name(utf8) → meta value (see MetaKey) */
  META: 0x01,
  /** 0x02 | blockHash(32) → stored block (header, signature, txs with senders) */
  BLOCK: 0x02,
  /** 0x03 | height(u64 BE) → canonical blockHash(32) */
  CANONICAL: 0x03,
  /** 0x04 | txHash(32) → height(u64 BE) | index(u32 BE) */
  TX_LOCATION: 0x04,
  /** 0x05 | blockHash(32) → RLP list of receipts */
  RECEIPTS: 0x05,
  /** 0x06 | stateKey → state value at the finalized head */
  STATE: 0x06,
  /** 0x07 | txHash(32) → raw signed tx admitted to the mempool and not yet included */
  MEMPOOL: 0x07,
  /**
   * 0x08 | "record" → this node's signing record before it moved to <datadir>/signing-record
   * (read once to carry it over); 0x08 | "file" → 0x01 once that file was written (its absence
   * is then damage, not a fresh node)
   */
  SIGNING: 0x08,
} as const;

/** Names under DbPrefix.META. */
export const MetaKey = {
  /** genesis JSON text this data directory was initialised with */
  GENESIS: "genesis",
  /** hash(32) of the block whose state is in DbPrefix.STATE (the newest final block) */
  HEAD: "head",
  /** RLP [height, hash, certificate] of the newest final block */
  FINALIZED: "finalized",
  /** schema version (utf8 decimal) */
  SCHEMA: "schema",
} as const;

/** Current storage schema version. */
export const SCHEMA_VERSION = "1";

/**
 * State trie key namespaces (first byte of every trie key). The account is `0x01 | address`;
 * later subsystems (staking, contracts, governance) take new bytes here, never reuse one.
 */
export const StateNs = {
  /** 0x01 | address(20) → RLP [nonce, balance] */
  ACCOUNT: 0x01,
  /** 0x02 | address(20) → delegate (candidate) record (src/dpos) */
  DELEGATE: 0x02,
  // 0x03..0x06: DPoS records, allocated in src/dpos/keys.ts.
  /** 0x07 | contract address(20) | key utf8 → value utf8 (src/lvm contract storage) */
  CONTRACT_STORAGE: 0x07,
  /** 0x08 | kind | … → Genesis contract records: contracts, code, proposals (src/registry/keys.ts) */
  REGISTRY: 0x08,
  /** 0x09 | kind | … → stake-weighted parameter governance (src/governance/keys.ts) */
  GOVERNANCE: 0x09,
  /** 0x10 | name → chain records kept in state (e.g. the finality the chain has recorded) */
  CHAIN: 0x10,
} as const;

/** Trie key of an account. */
export function accountKey(addr: Address): Uint8Array {
  const k = new Uint8Array(21);
  k[0] = StateNs.ACCOUNT;
  k.set(fromHex(addr), 1);
  return k;
}

/** Trie key of a chain record (namespace CHAIN). */
export function chainKey(name: string): Uint8Array {
  const body = new TextEncoder().encode(name);
  const k = new Uint8Array(1 + body.length);
  k[0] = StateNs.CHAIN;
  k.set(body, 1);
  return k;
}

/** Trie key of a delegate record. */
export function delegateKey(addr: Address): Uint8Array {
  const k = new Uint8Array(21);
  k[0] = StateNs.DELEGATE;
  k.set(fromHex(addr), 1);
  return k;
}

/** A DB key: prefix byte then body. */
export function dbKey(prefix: number, body: Uint8Array): Uint8Array {
  const k = new Uint8Array(1 + body.length);
  k[0] = prefix;
  k.set(body, 1);
  return k;
}

/** u64 big-endian of a height. */
export function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
}

/** Read a u64 big-endian as a safe integer. */
export function readU64(b: Uint8Array, off = 0): number {
  return Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(off));
}
