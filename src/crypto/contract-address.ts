import { type Address, parseAddress } from "./address.ts";
import { keccak256 } from "./hash.ts";

const enc = new TextEncoder();

function derive(text: string): Address {
  const h = keccak256(enc.encode(text));
  return parseAddress("0x" + Buffer.from(h.subarray(12)).toString("hex"))!;
}

/**
 * Address of a contract released by the Genesis contract from proposal `proposalId`:
 * last 20 bytes of keccak256("lvo:contract:" + proposalId). Proposal ids are unique on a
 * chain, so addresses never repeat; anyone can compute it before the release.
 */
export function releasedContractAddress(proposalId: number): Address {
  return derive(`lvo:contract:${proposalId}`);
}

/** Address of a contract installed by the genesis file: keccak256("lvo:genesis-contract:" + name). */
export function genesisContractAddress(name: string): Address {
  return derive(`lvo:genesis-contract:${name}`);
}
