// Configuration layers with real processes: `lvo config show` reports file < LVO_* env < flag
// key by key, and `lvo start` serves where the winning layer says (RPC, metrics, /readyz).

import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devnetDelegateKey } from "../../src/genesis/index.ts";
import { toHex } from "../../src/util/bytes.ts";
import { childEnv, closedPort, expectCliError, LVO_BIN, runLvo, tempDir } from "./cli-helpers.ts";

let home: string;
let cleanup: () => void;
let datadir: string;
let child: ChildProcess | null = null;

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir("lvo-config-"));
  datadir = join(home, "node");
  const init = await runLvo(["init", "--devnet", "--datadir", datadir, "--block-interval", "500"], { home });
  expect(init.code, init.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  const c = child;
  if (c && c.exitCode === null) {
    await new Promise<void>((res) => {
      const force = setTimeout(() => c.kill("SIGKILL"), 5_000);
      c.once("exit", () => {
        clearTimeout(force);
        res();
      });
      c.kill("SIGTERM");
    });
  }
  cleanup();
});

interface Shown {
  file: string | null;
  settings: Record<string, { value: unknown; source: string }>;
}

describe("lvo config show", () => {
  it("shows file < env < flag with the source of each value", async () => {
    writeFileSync(
      join(datadir, "config.yaml"),
      [
        "# node settings",
        "rpc:",
        "  host: 127.0.0.1",
        "  port: 9000",
        "log:",
        "  level: debug",
        "metrics:",
        "  port: 9100",
        "maxTxsPerBlock: 500",
        "",
      ].join("\n"),
    );
    const env = { LVO_RPC_PORT: "9001", LVO_LOG_LEVEL: "error", LVO_MAX_TXS_PER_BLOCK: "600" };
    const args = ["config", "show", "--datadir", datadir, "--log-level", "warn"];
    const text = await runLvo(args, { home, env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`# config file: ${join(datadir, "config.yaml")}`);
    expect(text.stdout).toMatch(/^rpc\.host\s+127\.0\.0\.1\s+file$/m);
    expect(text.stdout).toMatch(/^metrics\.port\s+9100\s+file$/m);
    expect(text.stdout).toMatch(/^rpc\.port\s+9001\s+env LVO_RPC_PORT$/m);
    expect(text.stdout).toMatch(/^maxTxsPerBlock\s+600\s+env LVO_MAX_TXS_PER_BLOCK$/m);
    expect(text.stdout).toMatch(/^log\.level\s+warn\s+flag --log-level$/m);
    expect(text.stdout).toMatch(/^datadir\s+\S+\s+flag --datadir$/m);
    expect(text.stdout).toMatch(/^explorer\.port\s+off\s+default$/m);

    const json = await runLvo([...args, "--json"], { home, env });
    expect(json.code, json.stderr).toBe(0);
    const shown = JSON.parse(json.stdout) as Shown;
    expect(shown.file).toBe(join(datadir, "config.yaml"));
    expect(shown.settings["rpc.port"]).toEqual({ value: 9001, source: "env" });
    expect(shown.settings["log.level"]).toEqual({ value: "warn", source: "flag" });
    expect(shown.settings["metrics.port"]).toEqual({ value: 9100, source: "file" });
    expect(shown.settings["rpc.enabled"]).toEqual({ value: true, source: "default" });
  }, 60_000);

  it("a bad key or value is a one-line error naming the key and the source", async () => {
    const bad = join(home, "bad.yaml");
    writeFileSync(bad, "rpc:\n  prot: 1\n");
    expectCliError(await runLvo(["config", "show", "--config", bad], { home }), /unknown key rpc\.prot/);
    expectCliError(
      await runLvo(["config", "show", "--datadir", datadir], { home, env: { LVO_METRICS_PORT: "x" } }),
      /metrics\.port \(env LVO_METRICS_PORT\): not an integer/,
    );
    expectCliError(await runLvo(["start", "--config", bad, "--no-p2p"], { home }), /unknown key rpc\.prot/);
    expectCliError(
      await runLvo(["start", "--datadir", datadir, "--rpc-port", "99999"], { home }),
      /rpc\.port \(flag --rpc-port\): must be between 0 and 65535/,
    );
  }, 60_000);
});

describe("lvo start with a config file, env and flags", () => {
  it("listens where the winning layer says; /readyz turns 200", async () => {
    const [filePort, envPort, metricsPort] = [await closedPort(), await closedPort(), await closedPort()];
    const keyFile = join(home, "delegate.key");
    writeFileSync(keyFile, toHex(devnetDelegateKey(0).secretKey), { mode: 0o600 });
    const cfg = join(home, "node.yaml");
    writeFileSync(
      cfg,
      [
        `datadir: ${datadir}`,
        "rpc:",
        `  port: ${filePort}`,
        "metrics:",
        `  port: ${metricsPort}`,
        "log:",
        "  level: info",
        "  format: pretty",
        "",
      ].join("\n"),
    );
    // The key file of the devnet delegate comes from the environment; the log format from a flag.
    let out = "";
    const c = spawn(process.execPath, [LVO_BIN, "start", "--no-p2p", "--log-format", "json"], {
      cwd: home,
      env: childEnv(home, { LVO_CONFIG: cfg, LVO_RPC_PORT: String(envPort), LVO_DELEGATE_KEY_FILE: keyFile }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = c;
    c.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    c.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const readyz = `http://127.0.0.1:${metricsPort}/readyz`;
    const until = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < until && c.exitCode === null) {
      status = await fetch(readyz, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status, out).toBe(200);
    const res = await fetch(`http://127.0.0.1:${envPort}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
    });
    expect(res.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^lvo_rpc_request_seconds_count\{method="eth_blockNumber",status="ok"\} 1$/m);
    expect(metrics).toMatch(/^lvo_delegate_missed_slots 0$/m);
    // JSON lines (flag beat the file's "pretty"), naming the file it read.
    const first = out.split("\n").find((l) => l.includes("config file read"));
    expect(JSON.parse(first!)).toMatchObject({ file: cfg, level: 30 });
    // Nothing on the file's RPC port: env won.
    await expect(fetch(`http://127.0.0.1:${filePort}`, { method: "POST" })).rejects.toThrow();
  }, 60_000);
});
