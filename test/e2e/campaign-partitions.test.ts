import { describe, expect, it } from "vitest";
import { run } from "../../scripts/campaign/faults/partitions.ts";
import { expectChecksPass } from "../unit/campaign/helpers.ts";
import { netnsUnavailable } from "./helpers/netns.ts";

const unavailable = netnsUnavailable();
if (unavailable) console.log(`campaign-partitions skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)("campaign partitions (short, network namespaces)", () => {
  it("isolated delegate, random halves, ring, bridge killed at a round boundary: every checker passes", {
    timeout: 240_000,
  }, async () => {
    const r = await run({ scale: "short" });
    expectChecksPass(r);
    const names = r.checks.map((c) => c.name);
    // The harness's checkers and the scenario's own must all have run.
    for (const n of [
      "agreement",
      "no finalized block changed (watched)",
      "no final transaction lost",
      "replay gives the same state roots",
      "supply invariant at every height",
      "no double signature",
      "no side with <= 2/3 of the delegates finalizes a block made during its cut",
      "network namespaces, veth links and bridge removed",
    ])
      expect(names).toContain(n);
    for (const p of ["phase 1:", "phase 3:", "phase 4:", "after every heal:"])
      expect(names.some((n) => n.startsWith(p))).toBe(true);
    // Every phase left a row: isolated, one random-halves cut, ring, three bridge steps.
    expect(r.tables[0]!.rows.map((row) => String(row[0]))).toEqual([
      "1 isolated",
      "2 halves",
      "3 ring",
      "4 bridge",
      "4 bridge",
      "4 bridge",
    ]);
  });
});
