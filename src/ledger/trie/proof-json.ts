// Browser-safe like proof.ts (a light client parses RPC proofs too): hex via noble, not Buffer.
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import type { Hex } from "../../util/bytes.ts";
import { TrieErrorCode, trieError } from "./errors.ts";
import { MAX_PROOF_DEPTH, type ProofEnd, type StateProof } from "./proof.ts";

/** A StateProof on the wire (JSON-RPC): every byte string as 0x-hex. */
export interface StateProofJson {
  siblings: Hex[];
  end: { type: "leaf"; value: Hex } | { type: "empty" } | { type: "other"; path: Hex; valueHash: Hex };
}

/** StateProof to its JSON-RPC shape. */
export function proofToJson(proof: StateProof): StateProofJson {
  const { end } = proof;
  let endJson: StateProofJson["end"];
  if (end.type === "leaf") endJson = { type: "leaf", value: toHex(end.value) };
  else if (end.type === "empty") endJson = { type: "empty" };
  else endJson = { type: "other", path: toHex(end.path), valueHash: toHex(end.valueHash) };
  return { siblings: proof.siblings.map(toHex), end: endJson };
}

function toHex(b: Uint8Array): Hex {
  return `0x${bytesToHex(b)}`;
}

const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})*$/;

function malformed(reason: string, context: Record<string, unknown> = {}): never {
  throw trieError(TrieErrorCode.PROOF_MALFORMED, `malformed state proof: ${reason}`, context);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

// Exactly these keys: unknown fields are refused rather than ignored, so a proof has one spelling.
function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) malformed(`unknown field ${where}.${k}`);
  for (const k of allowed) if (!(k in obj)) malformed(`missing field ${where}.${k}`);
}

// 0x-hex of exactly `len` bytes, or of 1..maxLen bytes when `len` is null.
function hexField(x: unknown, field: string, len: number | null): Uint8Array {
  if (typeof x !== "string" || !HEX_BYTES.test(x))
    malformed(`${field} is not 0x-hex of whole bytes`, { field });
  const bytes = hexToBytes(x.slice(2));
  if (len !== null ? bytes.length !== len : bytes.length === 0) {
    malformed(`${field} has ${bytes.length} bytes`, { field, length: bytes.length });
  }
  return bytes;
}

/**
 * Parses and validates an untrusted JSON proof (shape, hex, 32-byte hashes, at most 256 siblings,
 * non-empty value). Throws LvoError PROOF_MALFORMED; a well-formed proof may still fail verifyProof.
 */
export function proofFromJson(json: unknown): StateProof {
  if (!isPlainObject(json)) malformed("not an object");
  checkKeys(json, ["siblings", "end"], "proof");
  const { siblings, end } = json;
  if (!Array.isArray(siblings)) malformed("siblings is not an array");
  if (siblings.length > MAX_PROOF_DEPTH) malformed("too many siblings", { count: siblings.length });
  const sibs = siblings.map((s, i) => hexField(s, `siblings[${i}]`, 32));
  if (!isPlainObject(end)) malformed("end is not an object");
  let parsed: ProofEnd;
  switch (end.type) {
    case "leaf":
      checkKeys(end, ["type", "value"], "end");
      parsed = { type: "leaf", value: hexField(end.value, "end.value", null) };
      break;
    case "empty":
      checkKeys(end, ["type"], "end");
      parsed = { type: "empty" };
      break;
    case "other":
      checkKeys(end, ["type", "path", "valueHash"], "end");
      parsed = {
        type: "other",
        path: hexField(end.path, "end.path", 32),
        valueHash: hexField(end.valueHash, "end.valueHash", 32),
      };
      break;
    default:
      malformed("end.type is not leaf, empty or other");
  }
  return { siblings: sibs, end: parsed };
}
