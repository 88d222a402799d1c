import { describe, expect, it } from "vitest";
import { run } from "../../scripts/campaign/faults/equivocation.ts";
import { expectChecksPass } from "../unit/campaign/helpers.ts";

describe("campaign equivocation (short)", () => {
  it("one doubled key: punished once per offence, safety holds; two doubled keys: the checkers catch it", {
    timeout: 240_000,
  }, async () => {
    const r = await run({ scale: "short" });
    expectChecksPass(r);
    const control = r.checks.find((c) => c.name.startsWith("negative control"));
    expect(control?.ok, control?.detail).toBe(true);
    expect(control?.detail).toMatch(/agreement|conflicting finalized|finalized block changed/);
    const detected = r.checks.find((c) => c.name === "the double signing was detected");
    expect(detected?.ok, detected?.detail).toBe(true);
  });
});
