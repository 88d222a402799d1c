import type { Address } from "../crypto/address.ts";
import type { ChainParams } from "../genesis/types.ts";
import type { Checkpoint, QuorumCert, SignedVote } from "../ledger/types.ts";
import { bytesEqual, toHex } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import { ConsensusErrorCode } from "./errors.ts";
import { recoverSigner, voteDigest, voteSigner } from "./vote.ts";

/** True when `votes` of an active set of `active` is MORE than quorumNumerator/quorumDenominator. */
export function hasQuorum(votes: number, active: number, p: ChainParams): boolean {
  return votes * p.quorumDenominator > active * p.quorumNumerator;
}

/**
 * Check a quorum certificate against the active set its target was produced under: every
 * signature is a vote for (source, target) from a distinct member, and there are more than
 * 2/3 of them. Returns the signers.
 */
export function verifyQc(
  qc: QuorumCert,
  active: readonly Address[],
  chainId: number,
  p: ChainParams,
): Address[] {
  if (qc.source.height >= qc.target.height) {
    throw new LvoError(ConsensusErrorCode.BAD_CERTIFICATE, "certificate source is not below its target");
  }
  const digest = voteDigest(chainId, qc.source, qc.target);
  const members = new Set(active);
  const signers = new Set<Address>();
  for (const sig of qc.signatures) {
    const who = recoverSigner(digest, sig);
    if (!who || !members.has(who)) {
      throw new LvoError(
        ConsensusErrorCode.BAD_CERTIFICATE,
        "certificate signature is not from an active delegate",
        {
          target: qc.target.height,
        },
      );
    }
    if (signers.has(who))
      throw new LvoError(ConsensusErrorCode.BAD_CERTIFICATE, `duplicate vote from ${who}`);
    signers.add(who);
  }
  if (!hasQuorum(signers.size, active.length, p)) {
    throw new LvoError(
      ConsensusErrorCode.BAD_CERTIFICATE,
      `certificate has ${signers.size} of ${active.length} votes`,
      {
        target: toHex(qc.target.hash),
      },
    );
  }
  return [...signers];
}

/** Same checkpoint. */
export function sameCheckpoint(a: Checkpoint, b: Checkpoint): boolean {
  return a.height === b.height && bytesEqual(a.hash, b.hash);
}

/** Bound on distinct (source, target) pairs collected, so a flood of votes cannot grow memory. */
const MAX_VOTE_LINKS = 4096;

/**
 * Collects gossiped votes per (source, target) link until one reaches a quorum. Votes are
 * checked (signature, membership) by the caller-supplied active-set lookup; duplicates are
 * ignored. Links for heights at or below the finalized height are pruned.
 */
export class VoteBook {
  private readonly links = new Map<
    string,
    { source: Checkpoint; target: Checkpoint; sigs: Map<Address, Uint8Array> }
  >();

  /**
   * Add a vote from a known active member `voter`. Returns a quorum certificate the first time
   * the link reaches quorum over `activeCount` members, else null.
   */
  add(v: SignedVote, voter: Address, activeCount: number, p: ChainParams): QuorumCert | null {
    const key = `${toHex(v.source.hash)}:${toHex(v.target.hash)}`;
    let link = this.links.get(key);
    if (!link) {
      if (this.links.size >= MAX_VOTE_LINKS) return null; // newest dropped at the bound
      link = { source: v.source, target: v.target, sigs: new Map() };
      this.links.set(key, link);
    }
    if (link.sigs.has(voter)) return null;
    const before = hasQuorum(link.sigs.size, activeCount, p);
    link.sigs.set(voter, v.signature);
    if (before || !hasQuorum(link.sigs.size, activeCount, p)) return null;
    const sorted = [...link.sigs.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    return { source: link.source, target: link.target, signatures: sorted.map(([, s]) => s) };
  }

  /** Drop links whose target is at or below `height`. */
  prune(height: number): void {
    for (const [k, l] of this.links) if (l.target.height <= height) this.links.delete(k);
  }
}

export { voteSigner };
