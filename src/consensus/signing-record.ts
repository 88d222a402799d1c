import { readFileSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { sha256 } from "../crypto/hash.ts";
import { big, list, rlpDecode } from "../ledger/rlp.ts";
import type { ChainStore } from "../ledger/store.ts";
import { writeFailure } from "../ledger/write-failure.ts";
import { bytesEqual } from "../util/bytes.ts";
import { errorMessage, LvoError } from "../util/errors.ts";
import { ConsensusErrorCode } from "./errors.ts";

/** File name of the record when the caller names none: inside the store's directory. */
export const SIGNING_RECORD_FILE = "signing-record";

const MAGIC = new TextEncoder().encode("LVOSIGN1");
/** magic(8) | lastSlot+1 | lastTarget+1 | lastSource+1 (u64 BE each) | sha256(first 32)[0..8] */
const RECORD_BYTES = 40;

export interface SigningRecordOptions {
  /** The record's file (the node: <datadir>/signing-record); default: in the store's directory. */
  file?: string;
  /** Called once when a write of the record fails (the node stops). */
  onWriteFailure?: (err: LvoError) => void;
}

/**
 * What this delegate has signed, persisted with fsync BEFORE a signature leaves the process:
 * the newest slot it produced a block for and its newest vote (source and target heights).
 * After kill -9 and restart it never signs that slot again, never votes twice for a target
 * height and never votes with an older source (so it cannot double-sign or surround itself).
 *
 * The record is its own small file, replaced atomically (temporary file, fsync, rename, fsync
 * of the directory), not a LevelDB key: a torn or truncated LevelDB log is recovered by dropping
 * its tail, which would silently roll the record back to an older value, and a rolled-back
 * record signs again what it signed before. The file carries a checksum; a damaged file, or a
 * missing one where the ledger says one was written, stops the node at start-up
 * (SIGNING_RECORD_DAMAGED / SIGNING_RECORD_MISSING) instead of signing blind.
 */
export class SigningRecord {
  private readonly store: ChainStore;
  private readonly file: string;
  private readonly onWriteFailure: ((err: LvoError) => void) | undefined;
  private lastSlot = -1;
  private lastTarget = -1;
  private lastSource = -1;
  private marked = false;
  private saving: Promise<void> = Promise.resolve();
  private failure: LvoError | null = null;

  private constructor(store: ChainStore, file: string, onWriteFailure?: (err: LvoError) => void) {
    this.store = store;
    this.file = file;
    this.onWriteFailure = onWriteFailure;
  }

  /**
   * Load the record (empty on a fresh data directory). Throws SIGNING_RECORD_DAMAGED or
   * SIGNING_RECORD_MISSING, naming the file, when it cannot be trusted.
   */
  static async load(store: ChainStore, opts: SigningRecordOptions = {}): Promise<SigningRecord> {
    const file = opts.file ?? join(store.dir, SIGNING_RECORD_FILE);
    const r = new SigningRecord(store, file, opts.onWriteFailure);
    r.marked = await store.hasSigningFile();
    const fromFile = readRecordFile(file);
    if (fromFile) {
      [r.lastSlot, r.lastTarget, r.lastSource] = fromFile;
    } else if (r.marked) {
      throw new LvoError(
        ConsensusErrorCode.SIGNING_RECORD_MISSING,
        `signing record ${file} is missing, but this data directory has written one before: the node cannot know what this delegate signed last and will not sign blind; restore the file (docs/ledger.md, torn files)`,
        { path: file },
      );
    }
    // Carried over from the LevelDB key of earlier versions (the higher value wins).
    const legacy = await store.getLegacySigningRecord();
    if (legacy) {
      const f = list(rlpDecode(legacy), 3);
      r.lastSlot = Math.max(r.lastSlot, Number(big(f[0])) - 1);
      r.lastTarget = Math.max(r.lastTarget, Number(big(f[1])) - 1);
      r.lastSource = Math.max(r.lastSource, Number(big(f[2])) - 1);
    }
    return r;
  }

  /** The record's file. */
  get path(): string {
    return this.file;
  }

  /** Saves run one after another; each writes the newest values (already set in memory). */
  private save(): Promise<void> {
    const run = this.saving.then(() => this.writeFile());
    this.saving = run.catch(() => undefined);
    return run;
  }

  private async writeFile(): Promise<void> {
    if (this.failure) throw this.failure;
    const tmp = `${this.file}.tmp`;
    try {
      const fh = await open(tmp, "w", 0o600);
      try {
        await fh.writeFile(encodeRecord(this.lastSlot, this.lastTarget, this.lastSource));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
      // The rename itself must be durable before the signature leaves.
      const dir = await open(dirname(this.file), "r");
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (err) {
      // The old record is still in place (or the new one is): either is safe, since the
      // signature this write was for is never released.
      await rm(tmp, { force: true }).catch(() => undefined);
      this.failure = writeFailure(err, this.file, "signing record");
      this.onWriteFailure?.(this.failure);
      throw this.failure;
    }
    if (!this.marked) {
      // After the file: a crash in between leaves a file and no marker, which loads fine.
      await this.store.markSigningFile();
      this.marked = true;
    }
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

/** The file's bytes (values stored +1 so "never signed", -1, is 0). */
export function encodeRecord(lastSlot: number, lastTarget: number, lastSource: number): Uint8Array {
  const b = new Uint8Array(RECORD_BYTES);
  b.set(MAGIC, 0);
  const v = new DataView(b.buffer);
  v.setBigUint64(8, BigInt(lastSlot + 1));
  v.setBigUint64(16, BigInt(lastTarget + 1));
  v.setBigUint64(24, BigInt(lastSource + 1));
  b.set(sha256(b.subarray(0, 32)).subarray(0, 8), 32);
  return b;
}

/** [lastSlot, lastTarget, lastSource] from the file; null when there is none. */
function readRecordFile(file: string): [number, number, number] | null {
  let b: Uint8Array;
  try {
    b = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw damaged(file, `unreadable: ${errorMessage(err)}`);
  }
  if (b.length !== RECORD_BYTES) throw damaged(file, `${b.length} bytes, expected ${RECORD_BYTES}`);
  if (!bytesEqual(b.subarray(0, 8), MAGIC)) throw damaged(file, "not a signing record");
  if (!bytesEqual(b.subarray(32, 40), sha256(b.subarray(0, 32)).subarray(0, 8)))
    throw damaged(file, "checksum mismatch");
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return [Number(v.getBigUint64(8)) - 1, Number(v.getBigUint64(16)) - 1, Number(v.getBigUint64(24)) - 1];
}

function damaged(file: string, why: string): LvoError {
  return new LvoError(
    ConsensusErrorCode.SIGNING_RECORD_DAMAGED,
    `signing record ${file} is damaged (${why}): the node cannot know what this delegate signed last and will not sign blind; restore the file (docs/ledger.md, torn files)`,
    { path: file },
  );
}
