import { describe, expect, it } from "vitest";
import { run } from "../../scripts/campaign/faults/clock-skew.ts";
import { expectChecksPass } from "../unit/campaign/helpers.ts";

describe("campaign clock-skew (short)", () => {
  it("a delegate's clock jumps ahead and behind: far-future blocks refused, the rest finalizes, it rejoins", {
    timeout: 180_000,
  }, async () => {
    const r = await run({ scale: "short" });
    expectChecksPass(r);
    const refused = r.checks.find((c) => c.name === "far-future blocks refused with a logged reason");
    expect(refused?.ok, refused?.detail).toBe(true);
    expect(refused?.detail).not.toMatch(/^0 /);
  });
});
