import type { Address } from "../crypto/address.ts";
import type { ChainParams } from "../genesis/types.ts";
import type { FinalityCert } from "../ledger/types.ts";
import { toHex } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import { ConsensusErrorCode } from "./errors.ts";
import { recoverSigner, voteDigest } from "./vote.ts";

/** True when `votes` of an active set of `active` is MORE than quorumNumerator/quorumDenominator. */
export function hasQuorum(votes: number, active: number, p: ChainParams): boolean {
  return votes * p.quorumDenominator > active * p.quorumNumerator;
}

/**
 * Check a certificate against the active set that was in force for its block: every signature
 * is a vote for (height, blockHash) from a distinct active delegate, and there are more than
 * 2/3 of them. Returns the signers.
 */
export function verifyCert(
  cert: FinalityCert,
  active: readonly Address[],
  chainId: number,
  p: ChainParams,
): Address[] {
  const digest = voteDigest(chainId, cert.height, cert.blockHash);
  const members = new Set(active);
  const signers = new Set<Address>();
  for (const sig of cert.signatures) {
    const who = recoverSigner(digest, sig);
    if (!who || !members.has(who)) {
      throw new LvoError(
        ConsensusErrorCode.BAD_CERTIFICATE,
        "certificate signature is not from an active delegate",
        {
          height: cert.height,
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
        block: toHex(cert.blockHash),
      },
    );
  }
  return [...signers];
}
