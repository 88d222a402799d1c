import { describe, expect, it } from "vitest";
import { run } from "../../scripts/campaign/mempool-flood.ts";
import { expectChecksPass } from "../unit/campaign/helpers.ts";

describe("campaign mempool-flood (short)", () => {
  it("floods hit the caps, honest transfers are admitted and included", { timeout: 120_000 }, async () => {
    const r = await run({ scale: "short" });
    expectChecksPass(r);
    // The known issue stays visible until src/mempool evicts gapped transactions for executable ones.
    expect(r.checks.filter((c) => c.known).map((c) => c.name)).toEqual([
      "honest executable transfers admitted when the pool is full of queued (gapped) transactions",
    ]);
  });
});
