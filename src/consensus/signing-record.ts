import { big, list, rlpDecode, rlpEncode, uint } from "../ledger/rlp.ts";
import type { ChainStore } from "../ledger/store.ts";
import { LvoError } from "../util/errors.ts";
import { ConsensusErrorCode } from "./errors.ts";

/**
 * What this delegate has signed, persisted with fsync BEFORE a signature leaves the process:
 * the newest slot it produced a block for and its newest vote (source and target heights).
 * After kill -9 and restart it never signs that slot again, never votes twice for a target
 * height and never votes with an older source (so it cannot double-sign or surround itself).
 */
export class SigningRecord {
  private readonly store: ChainStore;
  private lastSlot = -1;
  private lastTarget = -1;
  private lastSource = -1;

  private constructor(store: ChainStore) {
    this.store = store;
  }

  /** Load the record from the store (empty on a fresh data directory). */
  static async load(store: ChainStore): Promise<SigningRecord> {
    const r = new SigningRecord(store);
    const v = await store.getSigningRecord();
    if (v) {
      const f = list(rlpDecode(v), 3);
      r.lastSlot = Number(big(f[0])) - 1;
      r.lastTarget = Number(big(f[1])) - 1;
      r.lastSource = Number(big(f[2])) - 1;
    }
    return r;
  }

  private async save(): Promise<void> {
    // Stored +1 so "never signed" (-1) encodes as 0.
    await this.store.putSigningRecord(
      rlpEncode([uint(this.lastSlot + 1), uint(this.lastTarget + 1), uint(this.lastSource + 1)]),
    );
  }

  /** May this node sign a block for `slot`? */
  canSignSlot(slot: number): boolean {
    return slot > this.lastSlot;
  }

  /** Record a block signature for `slot` (durably); throws WOULD_DOUBLE_SIGN if not allowed. */
  async signSlot(slot: number): Promise<void> {
    if (!this.canSignSlot(slot)) {
      throw new LvoError(
        ConsensusErrorCode.WOULD_DOUBLE_SIGN,
        `slot ${slot} is not after the last signed slot ${this.lastSlot}`,
      );
    }
    this.lastSlot = slot;
    await this.save();
  }

  /** May this node vote (source → target)? */
  canVote(sourceHeight: number, targetHeight: number): boolean {
    return targetHeight > this.lastTarget && sourceHeight >= this.lastSource;
  }

  /** Record a vote (durably); throws WOULD_DOUBLE_SIGN if not allowed. */
  async signVote(sourceHeight: number, targetHeight: number): Promise<void> {
    if (!this.canVote(sourceHeight, targetHeight)) {
      throw new LvoError(
        ConsensusErrorCode.WOULD_DOUBLE_SIGN,
        `vote ${sourceHeight}→${targetHeight} would double-sign`,
      );
    }
    this.lastTarget = targetHeight;
    this.lastSource = sourceHeight;
    await this.save();
  }
}
