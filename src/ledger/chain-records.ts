import { chainKey } from "./keys.ts";
import { big, list, rlpDecode, rlpEncode, uint } from "./rlp.ts";

/** Anything state can be read from (a committed view or an overlay). */
export interface StateReader {
  get(key: Uint8Array): Uint8Array | undefined;
}

/** Anything state can be written to. */
export interface StateWriter extends StateReader {
  set(key: Uint8Array, value: Uint8Array | null): void;
}

const FINALIZED = chainKey("finalized");

/**
 * The newest final height that this chain itself has recorded (from the finality certificates
 * carried in its headers). Deterministic on every node, unlike a node's local view of finality,
 * so rules that must depend on finality (the delegate election) read this.
 */
export function readRecordedFinality(s: StateReader): number {
  const v = s.get(FINALIZED);
  return v ? Number(big(list(rlpDecode(v), 1)[0])) : 0;
}

/** Record a newer final height (ignored if not higher). */
export function writeRecordedFinality(s: StateWriter, height: number): void {
  if (height > readRecordedFinality(s)) s.set(FINALIZED, rlpEncode([uint(height)]));
}
