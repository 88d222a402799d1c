// A delegate whose writes fail (full disk) stops itself: one fatal log line with the code, the
// path and "no space left on device", the usual stop order ("node stopped"), and the owner's
// onFatal (the CLI exits 1). Before, a failed signing-record write was logged as "block
// production failed" and the node tried again every slot; a failed block batch left the node
// running without storing blocks (campaign full-disk finding). ENOSPC comes from /dev/full
// (the record's temporary file) or from the LevelDB calls (simulated).

import { rmSync, symlinkSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { SigningRecord } from "../../../src/consensus/signing-record.ts";
import { LedgerErrorCode } from "../../../src/ledger/errors.ts";
import { dataDir } from "../../../src/node/datadir.ts";
import { openStore } from "../../../src/node/node.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { startDelegateNode } from "../../helpers/delegate-node.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function startDelegate() {
  const started = await startDelegateNode("lvo-wfail-node-");
  dirs.push(started.dir);
  return started;
}

function expectFatalLine(lines: Array<Record<string, unknown>>, path: string, what: string): void {
  const fatal = lines.filter((l) => l.level === 60);
  expect(fatal.length).toBe(1);
  expect(fatal[0]).toMatchObject({ code: LedgerErrorCode.LEDGER_DISK_FULL, path, what });
  expect(String(fatal[0]!.err)).toContain(path);
  expect(String(fatal[0]!.err)).toContain("no space left on device");
  const stopped = lines.findIndex((l) => l.msg === "node stopped");
  expect(stopped).toBeGreaterThan(lines.indexOf(fatal[0]!));
}

describe("a node whose disk is full", () => {
  it("stops when the signing record cannot be written, and signs nothing past it", {
    timeout: 30_000,
  }, async () => {
    const { dir, node, lines, fatal } = await startDelegate();
    const file = dataDir(dir).signingRecord;
    symlinkSync("/dev/full", `${file}.tmp`);
    const err = await fatal;
    expect(err.code).toBe(LedgerErrorCode.LEDGER_DISK_FULL);
    expect(node.failure).toBe(err);
    expectFatalLine(lines, file, "signing record");
    // Every stored block was signed under the record on disk.
    rmSync(`${file}.tmp`, { force: true });
    const store = await openStore(dir, silentLogger());
    const rec = await SigningRecord.load(store, { file });
    let h = 0;
    while (await store.getCanonicalHash(h + 1)) h++;
    const head = await store.getBlock((await store.getCanonicalHash(h))!);
    expect(rec.canSignSlot(head!.header.slot)).toBe(false);
    await store.close();
  });

  it("stops when a block batch cannot be written", { timeout: 30_000 }, async () => {
    const { dir, node, lines, fatal } = await startDelegate();
    const store = (node as unknown as { store: { db: Record<string, (...a: unknown[]) => unknown> } }).store;
    const db = store.db;
    const batch = db.batch!.bind(db);
    const enospc = () =>
      Object.assign(new Error(`IO error: ${dir}/db/000003.log: No space left on device`), {
        code: "LEVEL_IO_ERROR",
      });
    db.batch = (...a: unknown[]) => {
      if (a.length > 0) return Promise.reject(enospc());
      const b = batch() as { write: () => Promise<void> };
      b.write = () => Promise.reject(enospc());
      return b;
    };
    const err = await fatal;
    expect(err.code).toBe(LedgerErrorCode.LEDGER_DISK_FULL);
    expectFatalLine(lines, dataDir(dir).db, "ledger batch");
  });
});
