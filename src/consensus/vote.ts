import { RLP } from "@ethereumjs/rlp";
import { type Address, publicKeyToAddress } from "../crypto/address.ts";
import { keccak256 } from "../crypto/hash.ts";
import { recoverPublicKey, signDigest } from "../crypto/secp256k1.ts";
import { bigintToBytes, utf8 } from "../util/bytes.ts";

/** 65-byte signature r|s|recovery to and from the compact form used on the wire. */
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

/**
 * What a finality vote signs: keccak(rlp(["lvo-vote", chainId, height, blockHash])). The domain
 * tag and chain id keep a vote from ever being valid as a transaction or on another chain.
 */
export function voteDigest(chainId: number, height: number, blockHash: Uint8Array): Uint8Array {
  return keccak256(
    RLP.encode([utf8("lvo-vote"), bigintToBytes(BigInt(chainId)), bigintToBytes(BigInt(height)), blockHash]),
  );
}

/** Sign a finality vote. */
export function signVote(
  chainId: number,
  height: number,
  blockHash: Uint8Array,
  key: Uint8Array,
): Uint8Array {
  return packSignature(signDigest(voteDigest(chainId, height, blockHash), key));
}

/**
 * What a producer signs for a block: keccak(rlp(["lvo-block", chainId, blockHash])).
 */
export function blockSigningDigest(chainId: number, blockHash: Uint8Array): Uint8Array {
  return keccak256(RLP.encode([utf8("lvo-block"), bigintToBytes(BigInt(chainId)), blockHash]));
}
