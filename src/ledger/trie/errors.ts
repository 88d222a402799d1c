import { LvoError } from "../../util/errors.ts";

/** Error codes of the state trie. */
export const TrieErrorCode = {
  /** A value of zero bytes was written; absence is the only "empty" the trie commits to (use null to delete). */
  EMPTY_VALUE: "TRIE_EMPTY_VALUE",
  /** A proof from the wire (JSON) has the wrong shape, a bad hex field, a wrong length or too many siblings. */
  PROOF_MALFORMED: "PROOF_MALFORMED",
} as const;

export type TrieErrorCode = (typeof TrieErrorCode)[keyof typeof TrieErrorCode];

/** Throw-site helper so every trie error carries a code from the table above. */
export function trieError(code: TrieErrorCode, message: string, context: Record<string, unknown> = {}) {
  return new LvoError<TrieErrorCode>(code, message, context);
}
