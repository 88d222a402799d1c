// Log output of real processes: `lvo start` with no --log-format writes JSON lines into a pipe;
// `lvo light` and `lvo devnet` take their log level and format from LVO_LOG_LEVEL and
// LVO_LOG_FORMAT like `lvo start` does (light logs to stderr, the devnet's nodes to node.log).

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devnetDelegateKey } from "../../src/genesis/index.ts";
import { toHex } from "../../src/util/bytes.ts";
import { childEnv, closedPort, LVO_BIN, runLvo, tempDir } from "./cli-helpers.ts";

let home: string;
let cleanup: () => void;
let datadir: string;
let port: number;
let node: ChildProcess;
let stdout = "";
const children: ChildProcess[] = [];

/** Spawn `lvo <args>` collecting its output; `exit` resolves with its code. */
function spawnLvo(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [LVO_BIN, ...args], {
    cwd: home,
    env: childEnv(home, env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const out = { stdout: "", stderr: "" };
  child.stdout?.on("data", (d: Buffer) => {
    out.stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out.stderr += d.toString();
  });
  const exit = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  return { child, out, exit };
}

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(2_000),
  });
  return ((await res.json()) as { result: T }).result;
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | null | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every non-empty line parsed as JSON (throws naming the first line that is not). */
function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${l}`);
      }
    });
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir("lvo-logs-"));
  datadir = join(home, "node");
  const init = await runLvo(["init", "--devnet", "--datadir", datadir, "--block-interval", "500"], { home });
  expect(init.code, init.stderr).toBe(0);
  const keyFile = join(home, "delegate.key");
  writeFileSync(keyFile, toHex(devnetDelegateKey(0).secretKey), { mode: 0o600 });
  port = await closedPort();
  // no --log-format: the default (auto) with stdout a pipe
  const s = spawnLvo([
    "start",
    "--datadir",
    datadir,
    "--delegate-key-file",
    keyFile,
    "--no-p2p",
    "--rpc-port",
    String(port),
  ]);
  node = s.child;
  node.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  await until("the node's finality past block 2", 30_000, async () => {
    const st = await rpc<{ finalized: { height: string } }>(`http://127.0.0.1:${port}`, "lvo_getChainStatus");
    return Number(st.finalized.height) >= 2;
  });
}, 60_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  cleanup();
});

describe("log output", () => {
  it("`lvo light` logs to stderr at LVO_LOG_LEVEL in LVO_LOG_FORMAT; its stdout stays the answer", async () => {
    const args = ["light", "--genesis", join(datadir, "genesis.json"), "--rpc", `http://127.0.0.1:${port}`];
    const debug = spawnLvo(args, { LVO_LOG_LEVEL: "debug", LVO_LOG_FORMAT: "json" });
    expect(await debug.exit, debug.out.stderr).toBe(0);
    expect(debug.out.stdout).toMatch(/^finalized: #\d+ 0x[0-9a-f]{64} \(verified from genesis\)$/m);
    const lines = jsonLines(debug.out.stderr);
    expect(lines.some((l) => l.level === 20 && l.msg === "light client finalized" && l.mod === "light")).toBe(
      true,
    );
    // the flag wins over the variable; at info nothing is logged when every endpoint verifies
    const quiet = spawnLvo([...args, "--log-level", "info"], { LVO_LOG_LEVEL: "debug" });
    expect(await quiet.exit, quiet.out.stderr).toBe(0);
    expect(quiet.out.stderr).toBe("");
    // a bad value is refused, naming the variable
    const bad = spawnLvo(args, { LVO_LOG_FORMAT: "xml" });
    expect(await bad.exit).toBe(1);
    expect(bad.out.stderr).toMatch(
      /^lvo: log\.format \(env LVO_LOG_FORMAT\): expected one of json, pretty, auto/,
    );
  }, 60_000);

  it("`lvo devnet` runs its nodes at LVO_LOG_LEVEL in LVO_LOG_FORMAT", async () => {
    const dir = join(home, "devnet");
    const rpcPort = await closedPort();
    const p2pPort = await closedPort();
    const d = spawnLvo(
      [
        "devnet",
        "--nodes",
        "1",
        "--dir",
        dir,
        "--rpc-port",
        String(rpcPort),
        "--p2p-port",
        String(p2pPort),
        "--quiet",
      ],
      { LVO_LOG_LEVEL: "debug", LVO_LOG_FORMAT: "pretty" },
    );
    try {
      await until("the devnet banner", 60_000, async () => d.out.stdout.includes("LVO devnet:"));
      // an error answer is logged at debug by the RPC node
      await rpc(`http://127.0.0.1:${rpcPort}`, "no_suchMethod");
      const log = join(dir, "rpc", "node.log");
      const text = await until("a debug line in the RPC node's log", 20_000, async () => {
        const t = readFileSync(log, "utf8");
        return t.includes("rpc error returned") ? t : null;
      });
      // pino-pretty, not JSON lines: "DEBUG" labels, and the first line is not JSON
      // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes in the pretty output
      const plain = text.replace(/\u001b\[[0-9;]*m/g, "");
      expect(plain).toMatch(/DEBUG.*rpc error returned/);
      expect(() => JSON.parse(plain.split("\n")[0]!)).toThrow();
    } finally {
      d.child.kill("SIGTERM");
      expect(await d.exit, d.out.stderr).toBe(0);
    }
  }, 120_000);

  it("`lvo start` without --log-format writes JSON lines into a pipe, first line to last", async () => {
    node.kill("SIGTERM");
    await new Promise((r) => node.once("exit", r));
    expect(node.exitCode).toBe(0);
    const lines = jsonLines(stdout);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) {
      expect(typeof l.level).toBe("number");
      expect(typeof l.time).toBe("number");
      expect(typeof l.msg).toBe("string");
    }
    expect(lines.some((l) => l.msg === "node started")).toBe(true);
    expect(lines.at(-1)!.msg).toBe("node stopped");
  }, 30_000);
});
