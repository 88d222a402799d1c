import { describe, expect, it } from "vitest";
import { run } from "../../scripts/campaign/mempool-flood.ts";
import { expectChecksPass } from "../unit/campaign/helpers.ts";

describe("campaign mempool-flood (short)", () => {
  it("floods hit the caps, honest transfers are admitted and included", { timeout: 120_000 }, async () => {
    const r = await run({ scale: "short" });
    expectChecksPass(r);
    // Fixed (maxQueued): no known issue left, and the honest transfers got in while the pool
    // held its cap of gapped transactions.
    expect(r.checks.filter((c) => c.known).map((c) => c.name)).toEqual([]);
    const honest = r.checks.find((c) => c.name.startsWith("honest executable transfers admitted"));
    expect(honest?.ok).toBe(true);
  });
});
