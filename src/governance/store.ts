import type { Address } from "../crypto/address.ts";
import type { StateReader, StateWriter } from "../ledger/chain-records.ts";
import { govKeys } from "./keys.ts";
import type { ParamChanges } from "./params.ts";

/** A parameter-change proposal. Stakes are counted when voting ends, not when votes are cast. */
export interface ParamProposal {
  id: number;
  proposer: Address;
  changes: ParamChanges;
  createdAt: number;
  /** Last height votes are accepted; the tally runs at the end of this block. */
  endsAt: number;
  /** voting → passed (waiting for its round) → applied | rejected. */
  status: "voting" | "passed" | "rejected" | "applied";
  yes: Address[];
  no: Address[];
  /** Set by the tally (wei, decimal strings). */
  tally: { yes: string; no: string; bonded: string } | null;
  /** Round whose first block applies the change (passed/applied). */
  round: number | null;
  reason: string | null;
}

export interface Scheduled {
  id: number;
  round: number;
  changes: ParamChanges;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function get<T>(r: StateReader, key: Uint8Array): T | undefined {
  const v = r.get(key);
  return v === undefined ? undefined : (JSON.parse(dec.decode(v)) as T);
}

function put(w: StateWriter, key: Uint8Array, v: unknown): void {
  w.set(key, enc.encode(JSON.stringify(v)));
}

export const readParamProposal = (r: StateReader, id: number) => get<ParamProposal>(r, govKeys.proposal(id));
export const writeParamProposal = (w: StateWriter, p: ParamProposal) => put(w, govKeys.proposal(p.id), p);
export const readNextParamId = (r: StateReader) => get<number>(r, govKeys.nextId()) ?? 1;
export const writeNextParamId = (w: StateWriter, id: number) => put(w, govKeys.nextId(), id);
export const readOverrides = (r: StateReader) => get<ParamChanges>(r, govKeys.overrides()) ?? {};
export const writeOverrides = (w: StateWriter, o: ParamChanges) => put(w, govKeys.overrides(), o);
export const readOpen = (r: StateReader) => get<number[]>(r, govKeys.open()) ?? [];

export function writeOpen(w: StateWriter, ids: number[]): void {
  if (ids.length === 0) w.set(govKeys.open(), null);
  else put(w, govKeys.open(), ids);
}

export const readScheduled = (r: StateReader) => get<Scheduled[]>(r, govKeys.scheduled()) ?? [];

export function writeScheduled(w: StateWriter, s: Scheduled[]): void {
  if (s.length === 0) w.set(govKeys.scheduled(), null);
  else put(w, govKeys.scheduled(), s);
}
