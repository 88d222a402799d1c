import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { devnetDelegateKey } from "../../../src/genesis/index.ts";
import { toHex } from "../../../src/util/bytes.ts";

/** Path of the CLI entry. */
export const LVO_BIN = resolve(import.meta.dirname, "../../../bin/lvo.js");

/** Run the CLI to completion (synchronously) and return its output. */
export function runLvo(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [LVO_BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Run the CLI to completion without blocking the event loop (several at once). */
export function runLvoAsync(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LVO_BIN, ...args], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A real `lvo start` process on a data directory, serving JSON-RPC on a loopback port. */
export class NodeProcess {
  readonly dataDir: string;
  readonly port: number;
  readonly keyFile: string;
  child: ChildProcess | null = null;
  private readonly extraArgs: string[];

  constructor(dataDir: string, port: number, keyFile: string, extraArgs: string[] = []) {
    this.dataDir = dataDir;
    this.port = port;
    this.keyFile = keyFile;
    this.extraArgs = extraArgs;
  }

  /** JSON-RPC URL. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * A fresh single-delegate devnet data directory (genesis time now) and a node for it.
   * `blockInterval` in ms.
   */
  static create(opts: { blockInterval?: number; extraArgs?: string[] } = {}): NodeProcess {
    const dir = mkdtempSync(join(tmpdir(), "lvo-e2e-"));
    const init = runLvo([
      "init",
      "--devnet",
      "--datadir",
      dir,
      "--block-interval",
      String(opts.blockInterval ?? 1000),
    ]);
    if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
    return NodeProcess.forDir(dir, opts.extraArgs);
  }

  /** A node for an existing data directory, with devnet delegate 0's key. */
  static forDir(dir: string, extraArgs: string[] = []): NodeProcess {
    const keyFile = join(dir, "delegate.key");
    writeFileSync(keyFile, toHex(devnetDelegateKey(0).secretKey), { mode: 0o600 });
    const port = 20000 + Math.floor(Math.random() * 20000);
    return new NodeProcess(dir, port, keyFile, extraArgs);
  }

  /** Start the process and wait until JSON-RPC answers. */
  async start(timeoutMs = 30_000): Promise<void> {
    const args = [
      LVO_BIN,
      "start",
      "--datadir",
      this.dataDir,
      "--delegate-key-file",
      this.keyFile,
      "--rpc-port",
      String(this.port),
      "--log-format",
      "json",
      "--log-level",
      "warn",
      // A lone node unless a test says otherwise (no fixed p2p port to collide on).
      ...(this.extraArgs.some((a) => a.startsWith("--p2p") || a === "--bootstrap") ? [] : ["--no-p2p"]),
      ...this.extraArgs,
    ];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    child.stdout?.resume();
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (child.exitCode !== null) throw new Error(`node exited (${child.exitCode}): ${stderr}`);
      try {
        await this.rpc("eth_chainId");
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`node did not answer on ${this.url}: ${stderr}`);
  }

  /** One JSON-RPC call; throws on an error response. */
  async rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await res.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(body.error.message);
    return body.result as T;
  }

  /** Graceful stop (SIGTERM) and wait for exit. */
  async stop(): Promise<number | null> {
    return this.signal("SIGTERM");
  }

  /** kill -9 and wait for exit. */
  async kill9(): Promise<void> {
    await this.signal("SIGKILL");
  }

  private signal(sig: NodeJS.Signals): Promise<number | null> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve(c?.exitCode ?? null);
    return new Promise((res) => {
      c.once("exit", (code) => res(code));
      c.kill(sig);
    });
  }
}

/** Poll until `fn` returns a truthy value or time runs out. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
