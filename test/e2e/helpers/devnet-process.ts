import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DevnetNode, devnetBootstrapAddrs, devnetTopology } from "../../../src/cli/devnet-topology.ts";
import type { Address } from "../../../src/crypto/address.ts";
import { devnetDelegateKey, devnetGenesis, genesisToJson } from "../../../src/genesis/index.ts";
import type { ChainParams } from "../../../src/genesis/types.ts";
import { dataDir } from "../../../src/node/datadir.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { LVO_BIN, runLvoAsync, waitFor } from "./node-process.ts";

/** JSON-RPC call against a URL; throws on error responses. */
export async function rpcAt<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result as T;
}

/** One node process of a test devnet. */
export class DevnetMember {
  readonly spec: DevnetNode;
  readonly dir: string;
  readonly args: string[];
  /** Address the node listens on (p2p, and RPC when not 127.0.0.1). */
  readonly host: string;
  /** Network namespace the process runs in (`ip netns exec`), if any. */
  readonly netns: string | null;
  /** Its libp2p address with peer id (known in advance for the topology's members). */
  p2pAddr: string | null = null;
  child: ChildProcess | null = null;
  /** Extra environment for the process (e.g. a test hook such as LVO_TEST_CLOCK_OFFSET_FILE). */
  readonly env: Record<string, string> = {};

  constructor(
    spec: DevnetNode,
    dir: string,
    args: string[],
    host = "127.0.0.1",
    netns: string | null = null,
  ) {
    this.spec = spec;
    this.dir = dir;
    this.args = args;
    this.host = host;
    this.netns = netns;
  }

  get url(): string {
    return `http://${this.host}:${this.spec.rpcPort}`;
  }

  /** The delegate address this node signs with (null for the RPC node). */
  get delegateAddress(): Address | null {
    return this.spec.index >= 0 ? devnetDelegateKey(this.spec.index).address : null;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    return rpcAt<T>(this.url, method, params);
  }

  /** Start the process (logs appended to <dir>/node.log) and wait for JSON-RPC. */
  async start(timeoutMs = 30_000): Promise<void> {
    const log = openSync(join(this.dir, "node.log"), "a");
    const argv = [LVO_BIN, "start", "--datadir", this.dir, "--log-format", "json", ...this.args];
    // `ip netns exec` execs the node in place: the child pid is the node's, signals reach it.
    const env = { ...process.env, ...this.env };
    this.child = this.netns
      ? spawn("ip", ["netns", "exec", this.netns, process.execPath, ...argv], {
          stdio: ["ignore", log, log],
          env,
        })
      : spawn(process.execPath, argv, { stdio: ["ignore", log, log], env });
    await waitFor(
      async () => (await this.rpc("eth_chainId")) !== undefined,
      timeoutMs,
      `${this.spec.name} RPC`,
    );
  }

  /** SIGTERM and wait. */
  stop(): Promise<void> {
    return this.signal("SIGTERM");
  }

  /** kill -9 and wait. */
  kill9(): Promise<void> {
    return this.signal("SIGKILL");
  }

  /** SIGSTOP / SIGCONT (pause and resume without dying). */
  pause(): void {
    this.child?.kill("SIGSTOP");
  }

  resume(): void {
    this.child?.kill("SIGCONT");
  }

  private signal(sig: NodeJS.Signals): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return Promise.resolve();
    return new Promise((res) => {
      const t = setTimeout(() => c.kill("SIGKILL"), 15_000);
      c.once("exit", () => {
        clearTimeout(t);
        res();
      });
      c.kill(sig);
    });
  }

  /** Head and finalized heights. */
  async heights(): Promise<{ head: number; finalized: number }> {
    const s = await this.rpc<{ head: { height: string }; finalized: { height: string } }>(
      "lvo_getChainStatus",
    );
    return { head: Number(s.head.height), finalized: Number(s.finalized.height) };
  }

  /** Canonical block hash at a height. */
  async hashAt(h: number): Promise<string | null> {
    const b = await this.rpc<{ hash: string } | null>("eth_getBlockByNumber", [`0x${h.toString(16)}`, false]);
    return b?.hash ?? null;
  }

  /** Producer (lowercase) of the canonical block at a height, or null. */
  async minerAt(h: number): Promise<string | null> {
    const b = await this.rpc<{ miner: string } | null>("eth_getBlockByNumber", [
      `0x${h.toString(16)}`,
      false,
    ]);
    return b?.miner.toLowerCase() ?? null;
  }

  /** Finalized height and hash. */
  async finalizedTip(): Promise<{ height: number; hash: string }> {
    const s = await this.rpc<{ finalized: { height: string; hash: string } }>("lvo_getChainStatus");
    return { height: Number(s.finalized.height), hash: s.finalized.hash };
  }

  /** Lines of this node's JSON log whose `msg` equals `msg` (parsed). */
  logEntries(msg: string): Array<Record<string, unknown>> {
    const f = join(this.dir, "node.log");
    if (!existsSync(f)) return [];
    const out: Array<Record<string, unknown>> = [];
    for (const line of readFileSync(f, "utf8").split("\n")) {
      if (!line.includes(msg)) continue;
      try {
        const o = JSON.parse(line) as Record<string, unknown>;
        if (o.msg === msg) out.push(o);
      } catch {
        // a line cut by kill -9
      }
    }
    return out;
  }
  /**
   * Log lines at error level (50) or above, and non-JSON lines that look like a crash (a line
   * cut by kill -9 is not one). Messages only, with their error field when present.
   */
  logProblems(): string[] {
    const f = join(this.dir, "node.log");
    if (!existsSync(f)) return [];
    const out: string[] = [];
    for (const line of readFileSync(f, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        const o = JSON.parse(line) as { level?: number; msg?: string; err?: unknown };
        if ((o.level ?? 0) >= 50)
          out.push(`${o.msg}${o.err ? `: ${JSON.stringify(o.err).slice(0, 200)}` : ""}`);
      } catch {
        if (/unhandled|uncaught|FATAL|^\s*at |Error:/i.test(line)) out.push(line.slice(0, 300));
      }
    }
    return out;
  }
}

/** Per-node listen address and network namespace (for partition tests). */
export interface DevnetPlacement {
  /** Listen address of the node (p2p and RPC); 127.0.0.1 when not given. */
  host?: (n: DevnetNode) => string;
  /** Network namespace to run the node in; none when not given. */
  netns?: (n: DevnetNode) => string | null;
}

/**
 * A devnet of real `lvo start` processes (N delegates + 1 RPC node, the topology of
 * `lvo devnet`) with random base ports, for end-to-end tests: on 127.0.0.1, or placed on other
 * addresses and in network namespaces (`DevnetPlacement`, for partitions).
 */
export class TestDevnet {
  readonly root: string;
  readonly members: DevnetMember[];

  /** Additional processes (e.g. a second process on a copy of a delegate's data directory). */
  readonly extras: DevnetMember[] = [];
  private readonly base: number;

  private constructor(root: string, members: DevnetMember[], base: number) {
    this.root = root;
    this.members = members;
    this.base = base;
  }

  /** Every process of the devnet: the topology's members, then the extras. */
  get all(): DevnetMember[] {
    return [...this.members, ...this.extras];
  }

  /**
   * Initialise data directories for `nodes` delegates (genesis time: now + 1 s). `placement`
   * puts nodes on other listen addresses or in network namespaces.
   */
  static async create(
    nodes: number,
    params: Partial<ChainParams> = {},
    placement: DevnetPlacement = {},
  ): Promise<TestDevnet> {
    const root = mkdtempSync(join(tmpdir(), "lvo-devnet-"));
    const base = 20000 + Math.floor(Math.random() * 15000);
    const topo = devnetTopology(nodes, base, base + 100);
    const hostOf = (n: DevnetNode) => placement.host?.(n) ?? "127.0.0.1";
    const genesis = devnetGenesis(nodes, Math.ceil(Date.now() / 1000) * 1000 + 1000, params);
    const gfile = join(root, "genesis.json");
    writeFileSync(gfile, JSON.stringify(genesisToJson(genesis), null, 2));
    const addrs = await devnetBootstrapAddrs(root, topo, hostOf);
    // Every data directory at once (one `lvo init` process each).
    await Promise.all(
      topo.map(async (n) => {
        const r = await runLvoAsync(["init", "--genesis", gfile, "--datadir", join(root, n.name)]);
        if (r.code !== 0) throw new Error(`init ${n.name}: ${r.stderr}`);
      }),
    );
    const members = topo.map((n) => {
      const dir = join(root, n.name);
      const args = [
        "--log-level",
        "info",
        "--rpc-port",
        String(n.rpcPort),
        "--rpc-host",
        hostOf(n),
        "--p2p-listen",
        `/ip4/${hostOf(n)}/tcp/${n.p2pPort}`,
        "--bootstrap",
        ...topo.filter((x) => x !== n).map((x) => addrs.get(x.name)!),
      ];
      if (n.role === "delegate") {
        const kf = dataDir(dir).delegateKey;
        writeFileSync(kf, toHex(devnetDelegateKey(n.index).secretKey), { mode: 0o600 });
        args.push("--delegate-key-file", kf);
      }
      const m = new DevnetMember(n, dir, args, hostOf(n), placement.netns?.(n) ?? null);
      m.p2pAddr = addrs.get(n.name)!;
      return m;
    });
    return new TestDevnet(root, members, base);
  }

  /**
   * A second process for `of`'s delegate: a copy of its data directory (call before either
   * starts, so the copy has the same chain and key but its own, empty signing record), its own
   * ports and libp2p identity (a fresh peer key: two hosts with one peer id could not both
   * connect), the same bootstrap peers and the same delegate key file, plus `extraArgs`.
   * Added to `extras`.
   */
  addDuplicate(of: DevnetMember, extraArgs: string[] = []): DevnetMember {
    if (of.running) throw new Error("copy the data directory before the node starts");
    const k = this.extras.length;
    const spec: DevnetNode = {
      ...of.spec,
      name: `${of.spec.name}-dup${k}`,
      rpcPort: this.base + 60 + k,
      p2pPort: this.base + 160 + k,
    };
    const dir = join(this.root, spec.name);
    cpSync(of.dir, dir, { recursive: true });
    rmSync(dataDir(dir).p2pKey, { force: true });
    rmSync(join(dir, "node.log"), { force: true });
    const args = [...of.args];
    const set = (flag: string, value: string) => {
      const i = args.indexOf(flag);
      if (i < 0) throw new Error(`no ${flag} among the node's arguments`);
      args[i + 1] = value;
    };
    set("--rpc-port", String(spec.rpcPort));
    set("--p2p-listen", `/ip4/${of.host}/tcp/${spec.p2pPort}`);
    args.push(...extraArgs);
    const m = new DevnetMember(spec, dir, args, of.host, of.netns);
    this.extras.push(m);
    return m;
  }

  get rpcNode(): DevnetMember {
    return this.members[0]!;
  }

  get delegates(): DevnetMember[] {
    return this.members.slice(1);
  }

  async startAll(): Promise<void> {
    await Promise.all(this.members.map((m) => m.start()));
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all.map((m) => m.stop()));
  }

  /** Remove every data directory (the processes must be stopped). */
  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Wait until every running node's finalized height reaches `h`. */
  async waitFinalized(h: number, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => {
        for (const m of this.all.filter((x) => x.running))
          if ((await m.heights()).finalized < h) return false;
        return true;
      },
      timeoutMs,
      `finalized >= ${h} on all nodes`,
    );
  }

  /**
   * The end-of-test checks: every running node holds the same blocks up to the lowest finalized
   * height, and the supply invariant holds at that height on each.
   */
  async checkAgreement(): Promise<{ finalized: number }> {
    const running = this.all.filter((m) => m.running);
    const fins = await Promise.all(running.map((m) => m.heights()));
    const low = Math.min(...fins.map((f) => f.finalized));
    for (let h = 0; h <= low; h++) {
      const hashes = new Set(await Promise.all(running.map((m) => m.hashAt(h))));
      if (hashes.size !== 1) throw new Error(`nodes disagree at finalized height ${h}`);
    }
    for (const m of running) {
      const s = await m
        .rpc<{ total: string }>("lvo_getSupply", [`0x${low.toString(16)}`])
        .catch(() => m.rpc<{ total: string }>("lvo_getSupply", ["latest"]));
      if (BigInt(s.total) !== 10n ** 27n) throw new Error(`${m.spec.name}: supply ${s.total} != 1e27`);
    }
    return { finalized: low };
  }
}

/**
 * Watches finality during a fault test: every `intervalMs` it samples each running node's
 * finalized (height, hash). A violation is a node whose finalized height went down, a node
 * whose finalized block at a height it reported before changed hash, or two nodes reporting
 * different finalized blocks at one height.
 */
export class FinalityMonitor {
  private readonly net: TestDevnet;
  private readonly intervalMs: number;
  /** Per node: newest finalized height seen, and every (height → hash) it reported. */
  private readonly perNode = new Map<string, { top: number; seen: Map<number, string> }>();
  /** Across nodes: the first hash reported final at each height, and by whom. */
  private readonly global = new Map<number, { hash: string; by: string }>();
  readonly violations: string[] = [];
  /** Finalized heights lost by nodes allowed to (see allowRollback), as "node: from -> to". */
  readonly rollbacks: string[] = [];
  private readonly mayRollBack = new Set<string>();
  samples = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;

  constructor(net: TestDevnet, intervalMs = 500) {
    this.net = net;
    this.intervalMs = intervalMs;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (!this.busy) this.busy = this.sample().finally(() => (this.busy = null));
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.busy;
  }

  /** One round of samples (also callable directly). */
  async sample(): Promise<void> {
    const running = this.net.all.filter((m) => m.running);
    const got = await Promise.all(running.map((m) => m.finalizedTip().catch(() => null)));
    running.forEach((m, i) => {
      const f = got[i];
      if (!f) return; // starting or stopping: nothing to compare
      this.samples++;
      const name = m.spec.name;
      let rec = this.perNode.get(name);
      if (!rec) {
        rec = { top: -1, seen: new Map() };
        this.perNode.set(name, rec);
      }
      if (f.height < rec.top) {
        if (this.mayRollBack.has(name)) {
          this.rollbacks.push(`${name}: ${rec.top} -> ${f.height}`);
          rec.top = f.height;
        } else this.violations.push(`${name}: finalized height went down from ${rec.top} to ${f.height}`);
      }
      const before = rec.seen.get(f.height);
      if (before !== undefined && before !== f.hash)
        this.violations.push(`${name}: finalized block at ${f.height} changed ${before} -> ${f.hash}`);
      rec.seen.set(f.height, f.hash);
      rec.top = Math.max(rec.top, f.height);
      const g = this.global.get(f.height);
      if (!g) this.global.set(f.height, { hash: f.hash, by: name });
      else if (g.hash !== f.hash)
        this.violations.push(
          `conflicting finalized blocks at ${f.height}: ${g.by} has ${g.hash}, ${name} has ${f.hash}`,
        );
    });
  }

  /**
   * A node whose files were damaged on purpose (torn writes) may come back with a lower
   * finalized height: while allowed, a drop goes to `rollbacks`, not `violations`. A block that
   * changed at a height is still a violation.
   */
  allowRollback(name: string, allowed = true): void {
    if (allowed) this.mayRollBack.add(name);
    else this.mayRollBack.delete(name);
  }

  /** Highest finalized height any node reported. */
  get highest(): number {
    let h = -1;
    for (const r of this.perNode.values()) h = Math.max(h, r.top);
    return h;
  }

  /**
   * Every block any node ever reported final must still be the canonical block at its height
   * on every running node (a final block that left a chain is caught even when no node was
   * sampled at that height again). Adds violations; call assertClean after.
   */
  async checkCanonical(): Promise<void> {
    const running = this.net.all.filter((m) => m.running);
    for (const [h, g] of [...this.global.entries()].sort(([a], [b]) => a - b)) {
      for (const m of running) {
        const hash = await m.hashAt(h);
        if (hash !== g.hash)
          this.violations.push(
            `${m.spec.name}: canonical block at ${h} is ${hash}, ${g.by} finalized ${g.hash}`,
          );
      }
    }
  }

  /** Throw when any violation was seen (or when nothing was ever sampled). */
  assertClean(): void {
    if (this.samples === 0) throw new Error("finality monitor took no samples");
    if (this.violations.length) throw new Error(`finality violations:\n${this.violations.join("\n")}`);
  }
}
