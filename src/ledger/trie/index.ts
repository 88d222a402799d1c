// The authenticated state structure: what the ledger may use from the trie. Light clients import
// proof.ts and proof-json.ts directly: they are browser-safe (no node: modules, no Buffer).
export { TrieErrorCode } from "./errors.ts";
export {
  MAX_PROOF_DEPTH,
  type ProofEnd,
  type ProofResult,
  type StateProof,
  verifyProof,
} from "./proof.ts";
export { proofFromJson, proofToJson, type StateProofJson } from "./proof-json.ts";
export { StateTrie, type TrieChange } from "./trie.ts";
