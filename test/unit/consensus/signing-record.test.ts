import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConsensusErrorCode } from "../../../src/consensus/errors.ts";
import { SigningRecord } from "../../../src/consensus/signing-record.ts";
import { LedgerErrorCode } from "../../../src/ledger/errors.ts";
import { DbPrefix, dbKey } from "../../../src/ledger/keys.ts";
import { rlpEncode, uint } from "../../../src/ledger/rlp.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import { decodeTxWithSender } from "../../../src/tx/index.ts";
import { utf8 } from "../../../src/util/bytes.ts";
import { silentLogger } from "../../../src/util/log.ts";

const log = silentLogger();

describe("signing record (never sign twice, across restarts)", () => {
  it("refuses a slot or vote it signed before, also after the store is reopened", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lvo-sign-"));
    let store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
    let rec = await SigningRecord.load(store);
    expect(rec.canSignSlot(0)).toBe(true);
    await rec.signSlot(5);
    await rec.signVote(3, 5);
    await expect(rec.signSlot(5)).rejects.toMatchObject({ code: ConsensusErrorCode.WOULD_DOUBLE_SIGN });
    await expect(rec.signSlot(4)).rejects.toMatchObject({ code: ConsensusErrorCode.WOULD_DOUBLE_SIGN });
    // Same target height again (double vote) or an older source (surround) are refused.
    await expect(rec.signVote(4, 5)).rejects.toMatchObject({ code: ConsensusErrorCode.WOULD_DOUBLE_SIGN });
    await expect(rec.signVote(2, 6)).rejects.toMatchObject({ code: ConsensusErrorCode.WOULD_DOUBLE_SIGN });
    await store.close();

    // A restart reads the record back.
    store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
    rec = await SigningRecord.load(store);
    expect(rec.canSignSlot(5)).toBe(false);
    expect(rec.canSignSlot(6)).toBe(true);
    expect(rec.canVote(3, 5)).toBe(false);
    expect(rec.canVote(2, 6)).toBe(false);
    expect(rec.canVote(3, 6)).toBe(true);
    await rec.signVote(5, 6);
    expect(rec.canVote(3, 7)).toBe(false);
    await store.close();
  });
});

/** A store and a signing record file beside it (as in a data directory). */
async function setup() {
  const root = mkdtempSync(join(tmpdir(), "lvo-sign-"));
  const open = () => ChainStore.open(join(root, "db"), { decodeTx: decodeTxWithSender, log });
  return { root, file: join(root, "signing-record"), open };
}

describe("signing record file (torn files)", () => {
  it("survives the loss of LevelDB's newest writes (a truncated log): it is its own file", async () => {
    // Before, the record was a LevelDB key: a truncated LevelDB log is recovered by dropping its
    // tail, which silently rolled the record back and let the delegate sign again what it had
    // signed (campaign torn-writes finding).
    const { root, file, open } = await setup();
    let store = await open();
    let rec = await SigningRecord.load(store, { file });
    await rec.signSlot(10);
    await rec.signVote(7, 8);
    await store.close();
    expect(readFileSync(file).length).toBe(40);
    const db = join(root, "db");
    for (const f of readdirSync(db)) if (f.endsWith(".log")) truncateSync(join(db, f), 0);
    store = await open();
    rec = await SigningRecord.load(store, { file });
    expect(rec.canSignSlot(10)).toBe(false);
    expect(rec.canVote(7, 8)).toBe(false);
    expect(rec.canVote(8, 9)).toBe(true);
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("carries over a record kept in LevelDB by earlier versions (the higher value wins)", async () => {
    const { root, file, open } = await setup();
    const store = await open();
    const db = (store as unknown as { db: { put(k: Uint8Array, v: Uint8Array): Promise<void> } }).db;
    await db.put(dbKey(DbPrefix.SIGNING, utf8("record")), rlpEncode([uint(3), uint(2), uint(1)]));
    let rec = await SigningRecord.load(store, { file });
    expect(rec.canSignSlot(2)).toBe(false);
    expect(rec.canSignSlot(3)).toBe(true);
    expect(rec.canVote(0, 1)).toBe(false);
    await rec.signSlot(6);
    rec = await SigningRecord.load(store, { file });
    expect(rec.canSignSlot(6)).toBe(false);
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("refuses to load a truncated or altered file, naming it (every cut length)", async () => {
    const { root, file, open } = await setup();
    const store = await open();
    const rec = await SigningRecord.load(store, { file });
    await rec.signSlot(5);
    const good = readFileSync(file);
    for (let len = 0; len < good.length; len++) {
      writeFileSync(file, good);
      truncateSync(file, len);
      const err = await SigningRecord.load(store, { file }).catch((e) => e);
      expect(err).toMatchObject({ code: ConsensusErrorCode.SIGNING_RECORD_DAMAGED, context: { path: file } });
      expect(err.message).toContain(file);
      expect(err.message).not.toContain("\n");
    }
    const flipped = Uint8Array.from(good);
    flipped[12]! ^= 1;
    writeFileSync(file, flipped);
    await expect(SigningRecord.load(store, { file })).rejects.toMatchObject({
      code: ConsensusErrorCode.SIGNING_RECORD_DAMAGED,
    });
    writeFileSync(file, good);
    expect((await SigningRecord.load(store, { file })).canSignSlot(5)).toBe(false);
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("refuses a missing file once one was written (not a fresh node), accepts a fresh directory", async () => {
    const { root, file, open } = await setup();
    const store = await open();
    const fresh = await SigningRecord.load(store, { file });
    expect(fresh.canSignSlot(0)).toBe(true);
    expect(existsSync(file)).toBe(false);
    await fresh.signSlot(1);
    rmSync(file);
    await expect(SigningRecord.load(store, { file })).rejects.toMatchObject({
      code: ConsensusErrorCode.SIGNING_RECORD_MISSING,
      context: { path: file },
    });
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("a write that fails (full disk) is LEDGER_DISK_FULL, reported once, and nothing is signed after", async () => {
    const { root, file, open } = await setup();
    const store = await open();
    const failures: unknown[] = [];
    const rec = await SigningRecord.load(store, { file, onWriteFailure: (e) => failures.push(e) });
    await rec.signSlot(3);
    // The temporary file the record is written to answers ENOSPC (/dev/full).
    symlinkSync("/dev/full", `${file}.tmp`);
    const err = await rec.signSlot(4).catch((e) => e);
    expect(err).toMatchObject({ code: LedgerErrorCode.LEDGER_DISK_FULL, context: { path: file } });
    expect(err.message).toContain("no space left on device");
    expect(failures).toEqual([err]);
    // Sticky: no later signature either, even with room again; the old record is intact.
    rmSync(`${file}.tmp`, { force: true });
    await expect(rec.signVote(1, 2)).rejects.toBe(err);
    expect(failures.length).toBe(1);
    const again = await SigningRecord.load(store, { file });
    expect(again.canSignSlot(3)).toBe(false);
    expect(again.canSignSlot(4)).toBe(true);
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });
});
