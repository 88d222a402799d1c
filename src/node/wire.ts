import { evidenceFromRlp, evidenceToRlp, voteFromRlp, voteToRlp } from "../ledger/encoding.ts";
import { bytes, list, rlpDecode, rlpEncode } from "../ledger/rlp.ts";
import type { Evidence, SignedVote } from "../ledger/types.ts";

/** Gossip payload of a transaction batch: RLP list of raw signed transactions. */
export function encodeTxBatch(raws: Uint8Array[]): Uint8Array {
  return rlpEncode(raws);
}

/** Decode a transaction batch (throws on malformed input). */
export function decodeTxBatch(data: Uint8Array): Uint8Array[] {
  return list(rlpDecode(data)).map(bytes);
}

/** Gossip payload of a vote. */
export function encodeVote(v: SignedVote): Uint8Array {
  return rlpEncode(voteToRlp(v));
}

/** Decode a vote (throws on malformed input). */
export function decodeVote(data: Uint8Array): SignedVote {
  return voteFromRlp(rlpDecode(data));
}

/** Gossip payload of evidence. */
export function encodeEvidence(e: Evidence): Uint8Array {
  return rlpEncode(evidenceToRlp(e));
}

/** Decode evidence (throws on malformed input). */
export function decodeEvidence(data: Uint8Array): Evidence {
  return evidenceFromRlp(rlpDecode(data));
}
