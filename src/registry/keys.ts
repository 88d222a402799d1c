import type { Address } from "../crypto/address.ts";
import { StateNs } from "../ledger/keys.ts";
import { concatBytes, fromHex, utf8 } from "../util/bytes.ts";

/** Record kinds under StateNs.REGISTRY (second key byte). `key → value`, values JSON unless noted. */
export const RegistryKind = {
  /** 0x01 | address(20) → ContractRecord */
  CONTRACT: 0x01,
  /** 0x02 | codeHash(32) → Lua source bytes (raw) */
  CODE: 0x02,
  /** 0x03 | id(u64 BE) → Proposal */
  PROPOSAL: 0x03,
  /** 0x04 → next proposal id (decimal) */
  NEXT_ID: 0x04,
  /** 0x05 | height(u64 BE) → ids of proposals expiring at that height (JSON array) */
  EXPIRY: 0x05,
  /** 0x06 | action(utf8) | 0x00 | address(20) → id of the open action proposal */
  OPEN_ACTION: 0x06,
  /** 0x07 | name(utf8) → address of the released contract with that name */
  NAME: 0x07,
  /** 0x08 | address(20) → ContractHealth */
  HEALTH: 0x08,
  /** 0x09 → addresses of all contracts, in release order (JSON array) */
  LIST: 0x09,
} as const;

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
}

const k = (kind: number, ...parts: Uint8Array[]) =>
  concatBytes(new Uint8Array([StateNs.REGISTRY, kind]), ...parts);

export const registryKeys = {
  contract: (a: Address) => k(RegistryKind.CONTRACT, fromHex(a)),
  code: (hash: Uint8Array) => k(RegistryKind.CODE, hash),
  proposal: (id: number) => k(RegistryKind.PROPOSAL, u64(id)),
  nextId: () => k(RegistryKind.NEXT_ID),
  expiry: (height: number) => k(RegistryKind.EXPIRY, u64(height)),
  openAction: (action: string, a: Address) =>
    k(RegistryKind.OPEN_ACTION, utf8(action), new Uint8Array([0]), fromHex(a)),
  name: (name: string) => k(RegistryKind.NAME, utf8(name)),
  health: (a: Address) => k(RegistryKind.HEALTH, fromHex(a)),
  list: () => k(RegistryKind.LIST),
};
