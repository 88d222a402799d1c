import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

/** The CLI entry point; spawned with process.execPath (Node 22 under `npx vitest`). */
export const LVO_BIN = fileURLToPath(new URL("../../bin/lvo.js", import.meta.url));

/** Result of one CLI run. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runLvo}. */
export interface RunOptions {
  /** HOME for the child (always a temp dir: nothing touches the real home). */
  home: string;
  /** Extra environment; every inherited LVO_* variable is dropped first. */
  env?: Record<string, string>;
  /** Kill the child after this many ms. */
  timeoutMs?: number;
}

/** Environment for a child: the test's, minus LVO_*, with HOME pointing at a temp dir. */
export function childEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("LVO_")) env[k] = v;
  return { ...env, HOME: home, ...extra };
}

/** Run `lvo <args>` to completion; stdin is closed and not a TTY. */
export function runLvo(args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [LVO_BIN, ...args], {
      cwd: opts.home,
      env: childEnv(opts.home, opts.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
    child.on("error", rej);
    child.on("close", (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = "lvo-cli-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A one-line `lvo: ...` error with exit code 1 and no stack trace; returns the message. */
export function expectCliError(r: RunResult, pattern?: RegExp): string {
  expect(r.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(1);
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^lvo: /);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  if (pattern) expect(lines[0]).toMatch(pattern);
  return lines[0]!;
}

/** A TCP port nothing listens on right now (bound, then released). */
export function closedPort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

/** The Hardhat/Anvil development mnemonic (public keys: devnet only). */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";
/** Dev mnemonic index 0, checksummed. */
export const DEV_ADDRESS_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/** Dev mnemonic index 0's private key. */
export const DEV_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/** Dev mnemonic index 1, checksummed. */
export const DEV_ADDRESS_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
/** Dev mnemonic index 1's private key. */
export const DEV_KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
