import { RLP } from "@ethereumjs/rlp";
import { type Address, publicKeyToAddress } from "../crypto/address.ts";
import { keccak256 } from "../crypto/hash.ts";
import { recoverPublicKey, signDigest } from "../crypto/secp256k1.ts";
import type { Checkpoint, SignedVote } from "../ledger/types.ts";
import { bigintToBytes, utf8 } from "../util/bytes.ts";

/** 65-byte signature r|s|recovery. */
export function packSignature(sig: { r: Uint8Array; s: Uint8Array; recovery: number }): Uint8Array {
  const out = new Uint8Array(65);
  out.set(sig.r, 0);
  out.set(sig.s, 32);
  out[64] = sig.recovery;
  return out;
}

/** Signer address of a 65-byte signature over a digest, or null. */
export function recoverSigner(digest: Uint8Array, sig: Uint8Array): Address | null {
  if (sig.length !== 65) return null;
  const pub = recoverPublicKey(digest, {
    r: sig.subarray(0, 32),
    s: sig.subarray(32, 64),
    recovery: sig[64]!,
  });
  return pub ? publicKeyToAddress(pub) : null;
}

const n = (x: number) => bigintToBytes(BigInt(x));

/**
 * What a finality vote signs: keccak(rlp(["lvo-vote", chainId, sourceHeight, sourceHash,
 * targetHeight, targetHash])). The domain tag and chain id keep a vote from ever being valid as
 * a transaction, a block signature or a vote on another chain.
 */
export function voteDigest(chainId: number, source: Checkpoint, target: Checkpoint): Uint8Array {
  return keccak256(
    RLP.encode([utf8("lvo-vote"), n(chainId), n(source.height), source.hash, n(target.height), target.hash]),
  );
}

/** Sign a finality vote. */
export function signVote(
  chainId: number,
  source: Checkpoint,
  target: Checkpoint,
  key: Uint8Array,
): SignedVote {
  return { source, target, signature: packSignature(signDigest(voteDigest(chainId, source, target), key)) };
}

/** The voter of a signed vote, or null when the signature does not recover. */
export function voteSigner(chainId: number, v: SignedVote): Address | null {
  return recoverSigner(voteDigest(chainId, v.source, v.target), v.signature);
}

/** What a producer signs for a block: keccak(rlp(["lvo-block", chainId, blockHash])). */
export function blockSigningDigest(chainId: number, blockHash: Uint8Array): Uint8Array {
  return keccak256(RLP.encode([utf8("lvo-block"), n(chainId), blockHash]));
}
