import { expect } from "vitest";
import type { ScenarioResult } from "../../../scripts/campaign/types.ts";

/** Every check of a short campaign run passes (known, documented issues aside). */
export function expectChecksPass(r: ScenarioResult): void {
  const failed = r.checks.filter((c) => !c.ok && c.known === undefined).map((c) => `${c.name}: ${c.detail}`);
  // On failure the figures (load, mismatch examples, error lines) say why.
  expect(failed, failed.length ? r.figures.map(([k, v]) => `${k}: ${v}`).join("\n") : "").toEqual([]);
  expect(r.inputs).toBeGreaterThan(0);
}
