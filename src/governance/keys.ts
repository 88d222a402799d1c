import { StateNs } from "../ledger/keys.ts";
import { concatBytes } from "../util/bytes.ts";

/** Record kinds under StateNs.GOVERNANCE (JSON values written with a fixed key order). */
export const GovKind = {
  /** 0x01 | id(u64 BE) → ParamProposal */
  PROPOSAL: 0x01,
  /** 0x02 → next proposal id */
  NEXT_ID: 0x02,
  /** 0x03 → overrides in force: { name: value (decimal string) } */
  OVERRIDES: 0x03,
  /** 0x04 → ids of proposals still open (voting), ascending */
  OPEN: 0x04,
  /** 0x05 → changes passed and waiting for their round: [{ id, round, changes }] */
  SCHEDULED: 0x05,
} as const;

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
}

const k = (kind: number, ...parts: Uint8Array[]) =>
  concatBytes(new Uint8Array([StateNs.GOVERNANCE, kind]), ...parts);

export const govKeys = {
  proposal: (id: number) => k(GovKind.PROPOSAL, u64(id)),
  nextId: () => k(GovKind.NEXT_ID),
  overrides: () => k(GovKind.OVERRIDES),
  open: () => k(GovKind.OPEN),
  scheduled: () => k(GovKind.SCHEDULED),
};
