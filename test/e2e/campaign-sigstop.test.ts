import { describe, expect, it } from "vitest";
import { run } from "../../scripts/campaign/faults/sigstop.ts";
import { expectChecksPass } from "../unit/campaign/helpers.ts";

describe("campaign sigstop (short)", () => {
  it("a delegate stopped across its turn fills no past slot; the others finalize; it rejoins", {
    timeout: 180_000,
  }, async () => {
    const r = await run({ scale: "short" });
    expectChecksPass(r);
    const past = r.checks.find((c) => c.name.startsWith("no block of a stopped delegate"));
    expect(past?.ok).toBe(true);
    // The pause really covered its turn: each resumed delegate logged at least one late slot.
    const pauses = r.tables.find((t) => t.title === "Pauses")!;
    expect(pauses.rows.length).toBe(1);
    for (const row of pauses.rows) expect(Number(row[6])).toBeGreaterThan(0);
  });
});
