import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConsensusErrorCode } from "../../../src/consensus/errors.ts";
import { SigningRecord } from "../../../src/consensus/signing-record.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import { decodeTxWithSender } from "../../../src/tx/index.ts";
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
