import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { type DevnetNode, devnetTopology } from "../../../src/cli/devnet-topology.ts";
import { devnetDelegateKey, devnetGenesis, genesisToJson } from "../../../src/genesis/index.ts";
import type { ChainParams } from "../../../src/genesis/types.ts";
import { dataDir } from "../../../src/node/datadir.ts";
import { loadOrCreatePeerKey } from "../../../src/p2p/peer-key.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { LVO_BIN, runLvo, waitFor } from "./node-process.ts";

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
  child: ChildProcess | null = null;

  constructor(spec: DevnetNode, dir: string, args: string[]) {
    this.spec = spec;
    this.dir = dir;
    this.args = args;
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.rpcPort}`;
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
    this.child = spawn(
      process.execPath,
      [LVO_BIN, "start", "--datadir", this.dir, "--log-format", "json", ...this.args],
      {
        stdio: ["ignore", log, log],
      },
    );
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
}

/**
 * A devnet of real `lvo start` processes on 127.0.0.1 (N delegates + 1 RPC node, the topology
 * of `lvo devnet`) with random base ports, for end-to-end tests.
 */
export class TestDevnet {
  readonly root: string;
  readonly members: DevnetMember[];

  private constructor(root: string, members: DevnetMember[]) {
    this.root = root;
    this.members = members;
  }

  /** Initialise data directories for `nodes` delegates (genesis time: now + 1 s). */
  static async create(nodes: number, params: Partial<ChainParams> = {}): Promise<TestDevnet> {
    const root = mkdtempSync(join(tmpdir(), "lvo-devnet-"));
    const base = 20000 + Math.floor(Math.random() * 15000);
    const topo = devnetTopology(nodes, base, base + 100);
    const genesis = devnetGenesis(nodes, Math.ceil(Date.now() / 1000) * 1000 + 1000, params);
    const gfile = join(root, "genesis.json");
    writeFileSync(gfile, JSON.stringify(genesisToJson(genesis), null, 2));
    const addrs = new Map<string, string>();
    for (const n of topo) {
      const dir = join(root, n.name);
      mkdirSync(dir, { recursive: true });
      const key = await loadOrCreatePeerKey(dataDir(dir).p2pKey);
      addrs.set(n.name, `/ip4/127.0.0.1/tcp/${n.p2pPort}/p2p/${peerIdFromPrivateKey(key).toString()}`);
    }
    const members = topo.map((n) => {
      const dir = join(root, n.name);
      const r = runLvo(["init", "--genesis", gfile, "--datadir", dir]);
      if (r.code !== 0) throw new Error(`init ${n.name}: ${r.stderr}`);
      const args = [
        "--log-level",
        "info",
        "--rpc-port",
        String(n.rpcPort),
        "--p2p-listen",
        `/ip4/127.0.0.1/tcp/${n.p2pPort}`,
        "--bootstrap",
        ...topo.filter((x) => x !== n).map((x) => addrs.get(x.name)!),
      ];
      if (n.role === "delegate") {
        const kf = dataDir(dir).delegateKey;
        writeFileSync(kf, toHex(devnetDelegateKey(n.index).secretKey), { mode: 0o600 });
        args.push("--delegate-key-file", kf);
      }
      return new DevnetMember(n, dir, args);
    });
    return new TestDevnet(root, members);
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
    await Promise.all(this.members.map((m) => m.stop()));
  }

  /** Wait until every running node's finalized height reaches `h`. */
  async waitFinalized(h: number, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => {
        for (const m of this.members.filter((x) => x.running))
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
    const running = this.members.filter((m) => m.running);
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
