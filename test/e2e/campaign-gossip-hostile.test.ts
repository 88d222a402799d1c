import { describe, expect, it } from "vitest";
import { run } from "../../scripts/campaign/faults/gossip-hostile.ts";
import { expectChecksPass } from "../unit/campaign/helpers.ts";

describe("campaign gossip-hostile (short)", () => {
  it("hostile peers send every kind of bad gossip: each is cut and kept out, nothing relayed, the chain goes on", {
    timeout: 240_000,
  }, async () => {
    const r = await run({ scale: "short" });
    expectChecksPass(r);
    const named = (prefix: string) => r.checks.find((c) => c.name.startsWith(prefix));
    // Every attack that must cost a ban was disconnected on every node, and probes ran.
    expect(named("every node disconnects every attacker")?.ok).toBe(true);
    expect(named("banned attackers are kept out")?.detail).toMatch(/^[1-9]\d* reconnection attempts/);
    expect(named("no invalid message relayed")?.detail).toMatch(/none of the [1-9]\d* hostile ones/);
    expect(r.inputs).toBeGreaterThan(1_000);
  });
});
