// The authenticated state structure: what the ledger may use from the trie. Light clients import
// only proof.ts (browser-safe, no node: modules).
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
