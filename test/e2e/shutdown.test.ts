// Graceful shutdown of a real `lvo start`: the first SIGTERM/SIGINT stops the node cleanly
// (logs flushed, exit 0, the data directory reopens); a second signal during a slow shutdown
// (LVO_TEST_SLOW_SHUTDOWN_MS, read by the CLI only) forces exit 1 at once; a signal during a
// slow start-up (LVO_TEST_SLOW_START_MS) stops the node cleanly too.

import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devnetDelegateKey } from "../../src/genesis/index.ts";
import { toHex } from "../../src/util/bytes.ts";
import { childEnv, closedPort, LVO_BIN, runLvo, tempDir } from "./cli-helpers.ts";

let home: string;
let cleanup: () => void;
let datadir: string;
let keyFile: string;
const children: ChildProcess[] = [];

interface Running {
  child: ChildProcess;
  out: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  port: number;
}

/** Start a delegate node and wait until JSON-RPC answers eth_blockNumber. */
async function start(env: Record<string, string> = {}): Promise<Running> {
  const port = await closedPort();
  let out = "";
  const child = spawn(
    process.execPath,
    [
      LVO_BIN,
      "start",
      "--datadir",
      datadir,
      "--delegate-key-file",
      keyFile,
      "--no-p2p",
      "--rpc-port",
      String(port),
      "--log-format",
      "json",
    ],
    { cwd: home, env: childEnv(home, env), stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((res) =>
    child.once("exit", (code, signal) => res({ code, signal, at: Date.now() })),
  );
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node exited: ${out}`);
    const ok = await fetch(`http://127.0.0.1:${port}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
      signal: AbortSignal.timeout(2_000),
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > until) throw new Error(`node did not answer: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, out: () => out, exit, port };
}

async function waitForLog(r: Running, msg: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!r.out().includes(`"msg":"${msg}`)) {
    if (Date.now() > until) throw new Error(`no "${msg}" log line: ${r.out()}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir("lvo-shutdown-"));
  datadir = join(home, "node");
  const init = await runLvo(["init", "--devnet", "--datadir", datadir, "--block-interval", "500"], { home });
  expect(init.code, init.stderr).toBe(0);
  keyFile = join(home, "delegate.key");
  writeFileSync(keyFile, toHex(devnetDelegateKey(0).secretKey), { mode: 0o600 });
}, 60_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  cleanup();
});

describe("graceful shutdown", () => {
  it("first SIGTERM: clean stop, last log lines flushed, exit 0; the ledger reopens", async () => {
    const a = await start();
    a.child.kill("SIGTERM");
    const e = await a.exit;
    expect(e.code, a.out()).toBe(0);
    const lines = a.out().trim().split("\n");
    expect(lines.at(-1)).toContain('"msg":"node stopped"');
    expect(a.out()).toContain('"signal":"SIGTERM"');
    // Not locked, not corrupt: the same data directory starts again (and SIGINT stops it too).
    const b = await start();
    b.child.kill("SIGINT");
    expect((await b.exit).code, b.out()).toBe(0);
    expect(b.out()).toContain('"msg":"node stopped"');
  }, 90_000);

  it("a signal during start-up (before the chain loads) stops cleanly: exit 0, the ledger reopens", async () => {
    const rpcPort = await closedPort();
    const metricsPort = await closedPort();
    let out = "";
    const child = spawn(
      process.execPath,
      [
        LVO_BIN,
        "start",
        "--datadir",
        datadir,
        "--delegate-key-file",
        keyFile,
        "--no-p2p",
        "--rpc-port",
        String(rpcPort),
        "--metrics-port",
        String(metricsPort),
        "--log-format",
        "json",
      ],
      {
        cwd: home,
        env: childEnv(home, { LVO_TEST_SLOW_START_MS: "30000" }),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.push(child);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const exit = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
    // The metrics server is up before the chain loads: /readyz says the node is still starting.
    const until = Date.now() + 30_000;
    for (;;) {
      const r = await fetch(`http://127.0.0.1:${metricsPort}/readyz`, {
        signal: AbortSignal.timeout(2_000),
      }).then(
        async (res) => (await res.json()) as { reason: string | null },
        () => null,
      );
      if (r) {
        expect(r.reason).toBe("starting");
        break;
      }
      if (Date.now() > until) throw new Error(`metrics never answered: ${out}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    const sent = Date.now();
    child.kill("SIGINT");
    expect(await exit, out).toBe(0);
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(out).toContain('"during":"start-up"');
    expect(out).not.toContain('"msg":"node started"');
    expect(out.trim().split("\n").at(-1)).toContain('"msg":"node stopped"');
    // the ledger was closed: the data directory starts again
    const b = await start();
    b.child.kill("SIGTERM");
    expect((await b.exit).code, b.out()).toBe(0);
  }, 90_000);

  it("a second signal while the first shutdown runs forces exit 1 at once", async () => {
    const r = await start({ LVO_TEST_SLOW_SHUTDOWN_MS: "20000" });
    r.child.kill("SIGTERM");
    await waitForLog(r, "shutting down", 10_000);
    const sent = Date.now();
    r.child.kill("SIGINT");
    const e = await r.exit;
    expect(e.code, r.out()).toBe(1);
    expect(e.at - sent).toBeLessThan(5_000);
    expect(r.out()).toContain("lvo: second SIGINT, forcing exit");
    expect(r.out()).not.toContain('"msg":"node stopped"');
  }, 90_000);
});
