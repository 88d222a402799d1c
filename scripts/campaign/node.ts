// A real `lvo start` process for campaign scenarios: single devnet delegate on 127.0.0.1, with
// its stdout/stderr kept (to look for crashes and unhandled rejections) and its RSS readable.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import WebSocket from "ws";
import { NodeProcess } from "../../test/e2e/helpers/node-process.ts";

export class CampaignNode {
  readonly proc: NodeProcess;
  output = "";
  exit: { code: number | null; signal: string | null } | null = null;
  private child: ChildProcess | null = null;

  private constructor(proc: NodeProcess) {
    this.proc = proc;
  }

  static create(o: { blockInterval?: number; extraArgs?: string[]; inspect?: boolean } = {}): CampaignNode {
    const n = new CampaignNode(NodeProcess.create(o));
    n.inspect = o.inspect ?? false;
    return n;
  }

  /** Start with the V8 inspector on 127.0.0.1 (a free port) so `collectGarbage` can force a GC. */
  private inspect = false;

  get url(): string {
    return this.proc.url;
  }
  get port(): number {
    return this.proc.port;
  }
  get pid(): number {
    return this.child?.pid ?? -1;
  }

  /** Start with warn-level JSON logs (so error lines and crashes show) and wait for JSON-RPC. */
  async start(timeoutMs = 60_000): Promise<void> {
    const p = this.proc;
    const args = [
      (await import("../../test/e2e/helpers/node-process.ts")).LVO_BIN,
      "start",
      "--datadir",
      p.dataDir,
      "--delegate-key-file",
      p.keyFile,
      "--rpc-port",
      String(p.port),
      "--log-format",
      "json",
      "--log-level",
      "warn",
      "--no-p2p",
      "--metrics-port",
      String(p.port + 1),
    ];
    const node = this.inspect ? ["--inspect=127.0.0.1:0"] : [];
    const child = spawn(process.execPath, [...node, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    p.child = child;
    const keep = (d: Buffer) => {
      this.output += String(d);
      // Bounded: only the tail matters.
      if (this.output.length > 4_000_000) this.output = this.output.slice(-2_000_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.once("exit", (code, signal) => {
      this.exit = { code, signal };
    });
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.exit) throw new Error(`node exited (${this.exit.code}): ${this.output.slice(-2000)}`);
      try {
        await p.rpc("eth_chainId");
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`node did not answer: ${this.output.slice(-2000)}`);
  }

  alive(): boolean {
    return this.child !== null && this.exit === null;
  }

  /** Resident set size of the node process, bytes (from /proc). */
  rss(): number {
    const s = readFileSync(`/proc/${this.pid}/status`, "utf8");
    const m = /VmRSS:\s+(\d+) kB/.exec(s);
    return m ? Number(m[1]) * 1024 : 0;
  }

  /** V8 heap used by the node (prom-client's nodejs_heap_size_used_bytes), bytes; -1 if unreadable. */
  async heapUsed(): Promise<number> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.proc.port + 1}/metrics`);
      const m = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(await res.text());
      return m ? Number(m[1]) : -1;
    } catch {
      return -1;
    }
  }

  /**
   * A full garbage collection in the node, through the inspector (started with `inspect: true`):
   * heap figures taken after it measure what the node retains, not what V8 has yet to collect.
   */
  async collectGarbage(timeoutMs = 15_000): Promise<void> {
    const m = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(this.output);
    if (!m) throw new Error("the node was not started with the inspector");
    const ws = new WebSocket(m[1]!);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error("inspector: no answer to collectGarbage")),
          timeoutMs,
        );
        ws.once("error", reject);
        ws.once("open", () => ws.send(JSON.stringify({ id: 1, method: "HeapProfiler.collectGarbage" })));
        ws.on("message", (d) => {
          const msg = JSON.parse(String(d)) as { id?: number; error?: { message: string } };
          if (msg.id !== 1) return;
          clearTimeout(timer);
          if (msg.error) reject(new Error(`inspector: ${msg.error.message}`));
          else resolve();
        });
      });
    } finally {
      ws.close();
    }
  }

  rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    return this.proc.rpc<T>(method, params);
  }

  /** Log lines at error level or above, and anything that looks like a crash. */
  problems(): string[] {
    const out: string[] = [];
    for (const line of this.output.split("\n")) {
      if (line.trim() === "") continue;
      // The inspector's own lines (nodes started with `inspect: true`).
      if (
        /^(Debugger listening on|Debugger attached|Debugger ending on|For help, see: https:\/\/nodejs\.org|Waiting for the debugger)/.test(
          line,
        )
      )
        continue;
      if (/unhandled|uncaught|FATAL ERROR|out of memory|RangeError|TypeError/i.test(line)) {
        out.push(line.slice(0, 300));
        continue;
      }
      try {
        const j = JSON.parse(line) as { level?: number };
        if ((j.level ?? 0) >= 50) out.push(line.slice(0, 300));
      } catch {
        out.push(line.slice(0, 300));
      }
    }
    return out;
  }

  async stop(): Promise<number | null> {
    const code = await this.proc.stop();
    rmSync(this.proc.dataDir, { recursive: true, force: true });
    return code;
  }
}
