import { describe, expect, it } from "vitest";
import { mountSupport, run } from "../../scripts/campaign/faults/full-disk.ts";
import { expectChecksPass } from "../unit/campaign/helpers.ts";

// Mounting a small file system needs root (and Linux): elsewhere the test says why and skips.
const cannot = mountSupport();
if (cannot) console.log(`campaign full-disk skipped: ${cannot}`);

describe("campaign full-disk (short)", () => {
  it.skipIf(cannot !== null)(
    "a full disk stops the delegate cleanly; after space is freed it starts, verifies and rejoins",
    { timeout: 300_000 },
    async () => {
      const r = await run({ scale: "short" });
      expectChecksPass(r);
      expect(r.inputs).toBe(2);
      const names = r.checks.map((c) => c.name);
      for (const n of ["agreement", "no double signature", "replay gives the same state roots"])
        expect(names).toContain(n);
    },
  );
});
