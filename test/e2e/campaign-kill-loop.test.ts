import { describe, expect, it } from "vitest";
import { run } from "../../scripts/campaign/faults/kill-loop.ts";
import { expectChecksPass } from "../unit/campaign/helpers.ts";

describe("campaign kill-loop (short)", () => {
  it("kill -9 of random delegates under load: finality goes on, every checker passes", {
    timeout: 180_000,
  }, async () => {
    const r = await run({ scale: "short" });
    expectChecksPass(r);
    const names = r.checks.map((c) => c.name);
    // The checkers that must have run (not only the scenario's own).
    for (const n of [
      "agreement",
      "no finalized block changed (watched)",
      "no final transaction lost",
      "replay gives the same state roots",
      "supply invariant at every height",
      "no double signature",
    ])
      expect(names).toContain(n);
    expect(names.some((n) => n.startsWith("restarted nodes rejoin the head"))).toBe(true);
  });
});
