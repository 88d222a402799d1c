// A failed write (full disk) stops the store for good: one typed error naming the directory,
// reported once to its listeners, and nothing written after it. Before, a failed batch was a
// plain LevelDB error the callers logged and went on from: the producer tried the next slot,
// gossip kept journalling, and LevelDB's log could end up with a torn record followed by
// later ones (campaign full-disk finding). ENOSPC is simulated at the LevelDB calls here; the
// campaign's full-disk scenario fills a real file system.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LedgerErrorCode } from "../../../src/ledger/errors.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import { decodeTxWithSender } from "../../../src/tx/index.ts";
import type { LvoError } from "../../../src/util/errors.ts";
import { silentLogger } from "../../../src/util/log.ts";

const log = silentLogger();
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** What LevelDB throws on a full disk. */
function enospc(dir: string): Error {
  return Object.assign(new Error(`IO error: ${dir}/000003.log: No space left on device`), {
    code: "LEVEL_IO_ERROR",
  });
}

/** A store whose LevelDB writes fail with `fail(dir)` once `broken.on`; counts write attempts. */
async function brokenStore(fail: (dir: string) => Error = enospc) {
  const dir = mkdtempSync(join(tmpdir(), "lvo-wfail-"));
  dirs.push(dir);
  const store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  const db = (store as unknown as { db: Record<string, (...a: unknown[]) => unknown> }).db;
  const broken = { on: false, attempts: 0 };
  const batch = db.batch!.bind(db);
  const put = db.put!.bind(db);
  db.batch = (...a: unknown[]) => {
    if (a.length > 0) {
      broken.attempts++;
      return broken.on ? Promise.reject(fail(dir)) : batch(...a);
    }
    const b = batch() as { write: () => Promise<void> };
    const write = b.write.bind(b);
    b.write = () => {
      broken.attempts++;
      return broken.on ? Promise.reject(fail(dir)) : write();
    };
    return b;
  };
  db.put = (...a: unknown[]) => {
    broken.attempts++;
    return broken.on ? Promise.reject(fail(dir)) : put(...a);
  };
  return { dir, store, broken };
}

const tx = { hash: new Uint8Array(32).fill(1), raw: new Uint8Array([1, 2, 3]) };

describe("ChainStore write failures", () => {
  it("a full disk is LEDGER_DISK_FULL naming the directory, reported once, and final", async () => {
    const { dir, store, broken } = await brokenStore();
    const seen: LvoError[] = [];
    store.onWriteFailure((e) => seen.push(e));
    await store.writeMempool([tx], []);
    broken.on = true;
    const err = await store.writeMempool([{ ...tx, hash: new Uint8Array(32).fill(2) }], []).catch((e) => e);
    expect(err).toMatchObject({ code: LedgerErrorCode.LEDGER_DISK_FULL, context: { path: dir } });
    expect(err.message).toContain(dir);
    expect(err.message).toContain("no space left on device");
    expect(err.context.what).toBe("mempool journal");
    expect(seen).toEqual([err]);
    expect(store.writeFailure).toBe(err);
    // Nothing is written after the failure, even once the disk has room again.
    broken.on = false;
    const before = broken.attempts;
    await expect(
      store
        .batch()
        .putMeta("x", new Uint8Array([1]))
        .commit(),
    ).rejects.toBe(err);
    await expect(store.putMeta([["y", new Uint8Array([1])]])).rejects.toBe(err);
    await expect(store.writeMempool([], [tx.hash])).rejects.toBe(err);
    await expect(store.markSigningFile()).rejects.toBe(err);
    expect(broken.attempts).toBe(before);
    expect(seen.length).toBe(1);
    // Reads still work (what was written before is there).
    expect((await store.loadMempool()).length).toBe(1);
    await store.close();
  });

  it("a failed block batch is reported as the ledger batch", async () => {
    const { store, broken } = await brokenStore();
    broken.on = true;
    await expect(
      store
        .batch()
        .putMeta("x", new Uint8Array([1]))
        .commit(),
    ).rejects.toMatchObject({
      code: LedgerErrorCode.LEDGER_DISK_FULL,
      context: { what: "ledger batch" },
    });
    await store.close();
  });

  it("another I/O error is LEDGER_WRITE_FAILED", async () => {
    const { store, broken } = await brokenStore((d) =>
      Object.assign(new Error(`IO error: ${d}/000003.log: Input/output error`), { code: "LEVEL_IO_ERROR" }),
    );
    broken.on = true;
    await expect(store.putMeta([["x", new Uint8Array([1])]])).rejects.toMatchObject({
      code: LedgerErrorCode.LEDGER_WRITE_FAILED,
    });
    await store.close();
  });

  it("a write after close (shutdown) is not a disk failure", async () => {
    const { store } = await brokenStore();
    const seen: LvoError[] = [];
    store.onWriteFailure((e) => seen.push(e));
    await store.close();
    await expect(store.writeMempool([tx], [])).rejects.toMatchObject({ code: "LEVEL_DATABASE_NOT_OPEN" });
    expect(seen).toEqual([]);
    expect(store.writeFailure).toBeNull();
  });
});
