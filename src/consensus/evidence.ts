import type { Address } from "../crypto/address.ts";
import { keccak256 } from "../crypto/hash.ts";
import { hashHeader } from "../ledger/encoding.ts";
import { u64 } from "../ledger/keys.ts";
import type { Evidence, SignedHeader, SignedVote } from "../ledger/types.ts";
import { bytesEqual, concatBytes, fromHex, utf8 } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import { ConsensusErrorCode } from "./errors.ts";
import { blockSigningDigest, recoverSigner, voteSigner } from "./vote.ts";

/** An offence proven by evidence: who, and a 32-byte id unique per offence (slash once). */
export interface Offence {
  offender: Address;
  offenceId: Uint8Array;
}

function headerSigner(chainId: number, h: SignedHeader): Address | null {
  return recoverSigner(blockSigningDigest(chainId, hashHeader(h.header)), h.signature);
}

function bad(msg: string): never {
  throw new LvoError(ConsensusErrorCode.BAD_EVIDENCE, msg);
}

/**
 * Check evidence and name the offence. Two blocks: same slot, different hashes, both signed by
 * their common producer. Two votes: same target height, different (source, target), same voter.
 * The offence id covers (kind, offender, slot or height), so reporting the same offence again —
 * with the same or other conflicting pairs — is recognised and slashes nothing more.
 */
export function verifyEvidence(chainId: number, e: Evidence): Offence {
  if (e.kind === "double-block") {
    const { a, b } = e;
    if (a.header.slot !== b.header.slot) bad("double-block evidence for two different slots");
    if (bytesEqual(hashHeader(a.header), hashHeader(b.header)))
      bad("double-block evidence with one block twice");
    if (a.header.producer !== b.header.producer) bad("double-block evidence from two producers");
    const sa = headerSigner(chainId, a);
    const sb = headerSigner(chainId, b);
    if (!sa || sa !== a.header.producer || sb !== sa)
      bad("double-block evidence signatures do not match the producer");
    return { offender: sa, offenceId: offenceId(1, sa, a.header.slot) };
  }
  const { a, b } = e;
  if (a.target.height !== b.target.height) bad("double-vote evidence for two different target heights");
  if (bytesEqual(a.target.hash, b.target.hash) && bytesEqual(a.source.hash, b.source.hash)) {
    bad("double-vote evidence with one vote twice");
  }
  const va = voteSigner(chainId, a);
  const vb = voteSigner(chainId, b);
  if (!va || va !== vb) bad("double-vote evidence signatures are not from one voter");
  return { offender: va, offenceId: offenceId(2, va, a.target.height) };
}

function offenceId(kind: number, offender: Address, at: number): Uint8Array {
  return keccak256(concatBytes(utf8("lvo-offence"), new Uint8Array([kind]), fromHex(offender), u64(at)));
}

/** Bound on remembered first-seen signatures per kind (oldest dropped). */
const MAX_SEEN = 10_000;

/**
 * Watches signed blocks and votes for equivocation. The first signed header per (producer,
 * slot) and the first vote per (voter, target height) are remembered (bounded); a conflicting
 * second one yields evidence to gossip and include.
 */
export class EquivocationDetector {
  private readonly blocks = new Map<string, SignedHeader>();
  private readonly votes = new Map<string, SignedVote>();

  /** A block header whose signature was verified. */
  onBlock(h: SignedHeader): Evidence | null {
    const key = `${h.header.producer}:${h.header.slot}`;
    const first = this.blocks.get(key);
    if (!first) {
      remember(this.blocks, key, h);
      return null;
    }
    if (bytesEqual(hashHeader(first.header), hashHeader(h.header))) return null;
    return { kind: "double-block", a: first, b: h };
  }

  /** A vote whose signature was verified, from `voter`. */
  onVote(v: SignedVote, voter: Address): Evidence | null {
    const key = `${voter}:${v.target.height}`;
    const first = this.votes.get(key);
    if (!first) {
      remember(this.votes, key, v);
      return null;
    }
    if (bytesEqual(first.target.hash, v.target.hash) && bytesEqual(first.source.hash, v.source.hash))
      return null;
    return { kind: "double-vote", a: first, b: v };
  }
}

function remember<T>(m: Map<string, T>, k: string, v: T): void {
  m.set(k, v);
  if (m.size > MAX_SEEN) m.delete(m.keys().next().value as string);
}
