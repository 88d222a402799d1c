import type { Address } from "../crypto/address.ts";
import { keccak256 } from "../crypto/hash.ts";
import type { StateReader, StateWriter } from "../ledger/chain-records.ts";
import { toHex } from "../util/bytes.ts";
import { registryKeys } from "./keys.ts";
import { type ContractHealth, type ContractRecord, EMPTY_HEALTH, type Proposal } from "./records.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function readJson<T>(r: StateReader, key: Uint8Array): T | undefined {
  const v = r.get(key);
  return v === undefined ? undefined : (JSON.parse(dec.decode(v)) as T);
}

function writeJson(w: StateWriter, key: Uint8Array, v: unknown): void {
  w.set(key, enc.encode(JSON.stringify(v)));
}

export function readContract(r: StateReader, a: Address): ContractRecord | undefined {
  return readJson<ContractRecord>(r, registryKeys.contract(a));
}

export function writeContract(w: StateWriter, c: ContractRecord): void {
  writeJson(w, registryKeys.contract(c.address), c);
}

/** Source of a code hash (raw bytes as proposed). */
export function readCode(r: StateReader, codeHash: string): Uint8Array | undefined {
  return r.get(registryKeys.code(Buffer.from(codeHash.slice(2), "hex")));
}

/** Stores a source under its keccak256; returns the hash (0x hex). */
export function writeCode(w: StateWriter, source: Uint8Array): string {
  const h = keccak256(source);
  w.set(registryKeys.code(h), source);
  return toHex(h);
}

export function codeHashOf(source: Uint8Array): string {
  return toHex(keccak256(source));
}

export function readProposal(r: StateReader, id: number): Proposal | undefined {
  return readJson<Proposal>(r, registryKeys.proposal(id));
}

export function writeProposal(w: StateWriter, p: Proposal): void {
  writeJson(w, registryKeys.proposal(p.id), p);
}

/** Id the next proposal gets (ids start at 1). */
export function readNextId(r: StateReader): number {
  return readJson<number>(r, registryKeys.nextId()) ?? 1;
}

export function writeNextId(w: StateWriter, id: number): void {
  writeJson(w, registryKeys.nextId(), id);
}

export function readExpiring(r: StateReader, height: number): number[] {
  return readJson<number[]>(r, registryKeys.expiry(height)) ?? [];
}

export function writeExpiring(w: StateWriter, height: number, ids: number[]): void {
  if (ids.length === 0) w.set(registryKeys.expiry(height), null);
  else writeJson(w, registryKeys.expiry(height), ids);
}

export function readOpenAction(r: StateReader, action: string, a: Address): number | undefined {
  return readJson<number>(r, registryKeys.openAction(action, a));
}

export function writeOpenAction(w: StateWriter, action: string, a: Address, id: number | null): void {
  if (id === null) w.set(registryKeys.openAction(action, a), null);
  else writeJson(w, registryKeys.openAction(action, a), id);
}

export function readNamed(r: StateReader, name: string): Address | undefined {
  return readJson<Address>(r, registryKeys.name(name));
}

export function writeNamed(w: StateWriter, name: string, a: Address): void {
  writeJson(w, registryKeys.name(name), a);
}

export function readHealth(r: StateReader, a: Address): ContractHealth {
  return readJson<ContractHealth>(r, registryKeys.health(a)) ?? { ...EMPTY_HEALTH };
}

export function writeHealth(w: StateWriter, a: Address, h: ContractHealth): void {
  writeJson(w, registryKeys.health(a), h);
}

export function readContractList(r: StateReader): Address[] {
  return readJson<Address[]>(r, registryKeys.list()) ?? [];
}

export function writeContractList(w: StateWriter, list: Address[]): void {
  writeJson(w, registryKeys.list(), list);
}
