import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NodeProcess, runLvo } from "./helpers/node-process.ts";

/** A CLI failure: exit 1, one line on stderr starting "lvo:", no stack trace. */
function expectOneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^lvo: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe("lvo start/init: clear one-line errors", () => {
  const node = NodeProcess.create();
  afterAll(async () => {
    await node.stop();
  });

  it("missing data directory, corrupt or invalid genesis, bad flags", () => {
    const dir = mkdtempSync(join(tmpdir(), "lvo-cli-"));
    expectOneLineError(runLvo(["start", "--datadir", join(dir, "none")]), /not an lvo data directory/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, '{"chainId": 5');
    expectOneLineError(runLvo(["init", "--genesis", bad, "--datadir", join(dir, "d")]), /not valid JSON/);
    writeFileSync(bad, '{"chainId": 5}');
    expectOneLineError(runLvo(["init", "--genesis", bad, "--datadir", join(dir, "d")]), /networkName/);
    expectOneLineError(
      runLvo(["init", "--genesis", join(dir, "missing.json"), "--datadir", join(dir, "d")]),
      /cannot read/,
    );
    expectOneLineError(runLvo(["start", "--bogus"]), /unknown option/);
    expectOneLineError(runLvo(["start", "--rpc-port", "99999"]), /between 0 and 65535/);
  });

  it("a locked database and a port in use", async () => {
    await node.start();
    expectOneLineError(
      runLvo([
        "start",
        "--datadir",
        node.dataDir,
        "--rpc-port",
        String(node.port + 1),
        "--log-level",
        "silent",
      ]),
      /locked/,
    );
    const other = NodeProcess.create();
    expectOneLineError(
      runLvo([
        "start",
        "--datadir",
        other.dataDir,
        "--no-p2p",
        "--rpc-port",
        String(node.port),
        "--log-level",
        "silent",
      ]),
      /already in use/,
    );
  });

  it("a data directory of another chain", async () => {
    await node.stop();
    const other = NodeProcess.create();
    const r = runLvo(["init", "--devnet", "--nodes", "2", "--datadir", other.dataDir]);
    expectOneLineError(r, /another chain/);
    expectOneLineError(
      runLvo(["start", "--datadir", node.dataDir, "--genesis", join(other.dataDir, "genesis.json")]),
      /another chain/,
    );
  });
});
