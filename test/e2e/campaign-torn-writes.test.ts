import { describe, expect, it } from "vitest";
import { run } from "../../scripts/campaign/faults/torn-writes.ts";
import { expectChecksPass } from "../unit/campaign/helpers.ts";

describe("campaign torn-writes (short)", () => {
  it("a damaged file after kill -9: the node recovers by itself or refuses with one clear line", {
    timeout: 300_000,
  }, async () => {
    const r = await run({ scale: "short" });
    expectChecksPass(r);
    const rows = new Map(r.tables[0]!.rows.map((row) => [String(row[0]), row]));
    // columns: damage, tries, recovered, refused, bad, rejoin, verify
    expect(rows.get("signing-record")?.slice(1, 5)).toEqual([1, 0, 1, 0]);
    expect(rows.get("delegate-key")?.[3]).toBe(1);
    for (const k of ["leveldb-log-tail", "leveldb-log-cut", "genesis-copy"]) expect(rows.get(k)?.[2]).toBe(1);
    const names = r.checks.map((c) => c.name);
    for (const n of ["agreement", "no double signature", "replay gives the same state roots"])
      expect(names).toContain(n);
  });
});
