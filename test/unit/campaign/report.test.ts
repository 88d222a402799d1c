import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { updateReport } from "../../../scripts/campaign/report.ts";
import type { ScenarioResult } from "../../../scripts/campaign/types.ts";

function result(name: string, ok: boolean, figure: string): ScenarioResult {
  return {
    name,
    title: `T ${name}`,
    scale: "short",
    startedAt: "2026-01-01T00:00:00.000Z",
    durationMs: 1000,
    summary: "s",
    inputs: 3,
    tables: [{ title: "t", columns: ["a", "b"], rows: [["x|y", 1]] }],
    figures: [["f", figure]],
    checks: [{ name: "c", ok, detail: "d" }],
    findings: [],
  };
}

describe("campaign report writer", () => {
  it("replaces the sections of scenarios run and keeps the others", () => {
    const path = join(mkdtempSync(join(tmpdir(), "lvo-rep-")), "R.md");
    updateReport(path, [result("a", true, "one"), result("b", false, "two")], ["a", "b", "c"]);
    updateReport(path, [result("b", true, "three")], ["a", "b", "c"]);
    const text = readFileSync(path, "utf8");
    expect(text).toContain("- f: one");
    expect(text).toContain("- f: three");
    expect(text).not.toContain("- f: two");
    expect(text).toContain("| [a](#a) | PASS");
    expect(text).toContain("x\\|y");
    expect(text.indexOf("scenario:a")).toBeLessThan(text.indexOf("scenario:b"));
  });
});
