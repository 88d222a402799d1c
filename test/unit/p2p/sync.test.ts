// Syncer over real libp2p: range catch-up, a peer serving invalid blocks, bootstrap redial.
import { statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { P2pErrorCode } from "../../../src/p2p/errors.ts";
import type { P2pNode } from "../../../src/p2p/node.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import { addrOf, blockHeight, captureLog, StubChain, startNode, stubBlock, waitFor } from "./helpers.ts";

let nodes: P2pNode[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function node(...args: Parameters<typeof startNode>): Promise<P2pNode> {
  const n = await startNode(...args);
  nodes.push(n);
  return n;
}

describe("Syncer", () => {
  it("catches a node at head 0 up to a peer at head 150 by ranges, in order", async () => {
    const ca = new StubChain(150);
    const cb = new StubChain(0);
    const logB = captureLog();
    const a = await node(ca);
    const b = await node(cb, { bootstrap: [addrOf(a)] }, logB.log);
    const t0 = Date.now();
    await waitFor(() => cb.head === 150, 10_000, "B at 150");
    console.log(`sync: 150 blocks in ${Date.now() - t0} ms (connect included)`);
    expect(cb.imports).toEqual([
      { from: 1, count: 64, peer: a.peerId },
      { from: 65, count: 64, peer: a.peerId },
      { from: 129, count: 22, peer: a.peerId },
    ]);
    expect(ca.getBlocksCalls).toEqual([
      { from: 1, count: 64 },
      { from: 65, count: 64 },
      { from: 129, count: 22 },
    ]);
    await waitFor(() => !b.syncState().syncing, 2_000, "sync finished");
    expect(b.syncState()).toEqual({
      syncing: false,
      startingBlock: 150,
      currentBlock: 150,
      highestBlock: 150,
    });
    expect(logB.lines.some((l) => l.msg === "sync started" && l.from === 0 && l.target === 150)).toBe(true);
    expect(logB.lines.some((l) => l.msg === "sync complete" && l.current === 150)).toBe(true);
  });

  it("reports syncing with starting, current and highest block while behind", async () => {
    const ca = new StubChain(300);
    const cb = new StubChain(0);
    // Slow imports so the state can be read mid-sync.
    const importBlocks = cb.importBlocks.bind(cb);
    cb.importBlocks = async (blocks, peer) => {
      await new Promise((r) => setTimeout(r, 100));
      return importBlocks(blocks, peer);
    };
    const a = await node(ca);
    const b = await node(cb, { bootstrap: [addrOf(a)] });
    await waitFor(() => cb.head > 0 && cb.head < 300, 10_000, "B mid-sync");
    const s = b.syncState();
    expect(s.syncing).toBe(true);
    expect(s.startingBlock).toBe(0);
    expect(s.highestBlock).toBe(300);
    expect(s.currentBlock).toBeGreaterThan(0);
    await waitFor(() => cb.head === 300, 10_000, "B at 300");
  });

  it("penalises a peer whose blocks fail import and syncs from another", async () => {
    const good = new StubChain(150);
    const bad = new StubChain(150);
    bad.serveBad = true;
    bad.claimedHead = 160; // claims the best head, so it is asked first once known
    const cb = new StubChain(0);
    const logB = captureLog();
    const a = await node(good);
    const c = await node(bad);
    const b = await node(cb, { bootstrap: [addrOf(c), addrOf(a)] }, logB.log);
    await waitFor(() => cb.failedImports.some((f) => f.peer === c.peerId), 10_000, "import from C fails");
    await waitFor(() => cb.head === 150, 10_000, "B at 150 from A");
    expect(cb.imports.filter((i) => i.peer === a.peerId).length).toBeGreaterThan(0);
    const ban = logB.lines.find((l) => l.msg === "peer banned" && l.peer === c.peerId);
    expect(ban?.reason).toMatch(/invalid blocks/);
    await waitFor(() => !b.peers().some((p) => p.id === c.peerId), 5_000, "C disconnected");
    // C stays out: the redialer's attempts are turned away by the gater while the ban lasts.
    await new Promise((r) => setTimeout(r, 500));
    expect(b.peers().some((p) => p.id === c.peerId)).toBe(false);
    // Our penalty reaches gossipsub's score (app-specific term; scores are cached for 1 s).
    await waitFor(() => b.peerScore(c.peerId) < -80, 3_000, "C's score below graylist");
    expect(b.syncState().highestBlock).toBe(150);
  });
});

/**
 * A stub chain with branches: block (height, branch, parent's branch) in bytes 0-7, 9 and 10.
 * It holds every block it imported; its canonical chain follows the highest block it holds.
 */
class BranchChain extends StubChain {
  /** Canonical branch per height (index 0: genesis). */
  canon: number[];
  private readonly finalizedHeight: number;
  private readonly parents = new Map<string, number>();

  constructor(canon: number[], finalized: number) {
    super(canon.length - 1);
    this.canon = canon;
    this.finalizedHeight = finalized;
    for (let h = 1; h < canon.length; h++) this.parents.set(`${h}:${canon[h]}`, canon[h - 1]!);
  }

  override status() {
    const s = super.status();
    return { ...s, finalized: { height: this.finalizedHeight, hash: s.finalized.hash } };
  }

  override async getBlocks(from: number, count: number): Promise<Uint8Array[]> {
    this.getBlocksCalls.push({ from, count });
    const out: Uint8Array[] = [];
    for (let h = from; h <= this.head && out.length < count; h++) {
      const b = stubBlock(h);
      b[9] = this.canon[h]!;
      b[10] = this.canon[h - 1]!;
      out.push(b);
    }
    return out;
  }

  override async importBlocks(blocks: Uint8Array[], peer: string): Promise<number> {
    this.imports.push({ from: blockHeight(blocks[0]!), count: blocks.length, peer });
    let n = 0;
    for (const b of blocks) {
      const [h, branch, parent] = [blockHeight(b), b[9]!, b[10]!];
      if (h <= this.finalizedHeight || this.parents.has(`${h}:${branch}`)) continue; // final or known
      if (h > 1 && !this.parents.has(`${h - 1}:${parent}`)) return n; // unknown parent
      this.parents.set(`${h}:${branch}`, parent);
      n++;
      if (h > this.head) {
        // fork choice: the higher block; re-trace the canonical chain through its parents
        this.head = h;
        let br = branch;
        for (let x = h; x >= 1; x--) {
          this.canon[x] = br;
          br = this.parents.get(`${x}:${br}`)!;
        }
        this.canon.length = h + 1;
      }
    }
    return n;
  }
}

describe("Syncer across a fork", () => {
  it("imports a peer's branch that does not attach to our head, from above our finalized block", async () => {
    // Shared blocks 1..10 (branch 0, final up to 8 on B); A then built 11..30 on branch 1,
    // B built its own 11..16 on branch 2. A range from B's head + 1 names parents B lacks.
    const ca = new BranchChain([0, ...Array(10).fill(0), ...Array(20).fill(1)], 28);
    const cb = new BranchChain([0, ...Array(10).fill(0), ...Array(6).fill(2)], 8);
    const logB = captureLog();
    const a = await node(ca);
    await node(cb, { bootstrap: [addrOf(a)] }, logB.log);
    await waitFor(() => cb.head === 30, 10_000, "B on A's branch at 30");
    expect(cb.canon.slice(11)).toEqual(Array(20).fill(1));
    expect(cb.canon.slice(1, 11)).toEqual(Array(10).fill(0));
    expect(
      logB.lines.some(
        (l) => l.msg === "peer's blocks do not attach to our head: walking its branch" && l.from === 9,
      ),
    ).toBe(true);
    // The walk started just above B's finalized block.
    expect(ca.getBlocksCalls.some((c) => c.from === 9)).toBe(true);
  });

  it("walks the branch of a peer that finalized past us even when its head is lower than ours", async () => {
    // Shared 1..10; A's branch 1 up to 20, final up to 18; B's own branch 2 up to 25, final
    // up to 8 (a node that built on blocks of a skewed clock). By height B would never ask A.
    const ca = new BranchChain([0, ...Array(10).fill(0), ...Array(10).fill(1)], 18);
    const cb = new BranchChain([0, ...Array(10).fill(0), ...Array(15).fill(2)], 8);
    const logB = captureLog();
    const a = await node(ca);
    await node(cb, { bootstrap: [addrOf(a)] }, logB.log);
    await waitFor(
      () => cb.imports.some((i) => i.peer === a.peerId && i.from + i.count - 1 >= 20),
      10_000,
      "B imported A's branch up to 20",
    );
    expect(ca.getBlocksCalls[0]?.from).toBe(9);
    expect(
      logB.lines.some(
        (l) => l.msg === "peer finalized past our finalized block: walking its branch" && l.from === 9,
      ),
    ).toBe(true);
  });
});

describe("request limits", () => {
  it("answers a peer over its request rate with P2P_RATE_LIMITED", async () => {
    const a = await node(new StubChain(10), { maxRequestsPerSecond: 2 });
    const b = await node(new StubChain(10), { bootstrap: [addrOf(a)] });
    await waitFor(() => b.peers().some((p) => p.status), 5_000, "B connected");
    // One after another: in parallel, the fifth would hit the 4-streams-per-protocol bound first.
    const results: string[] = [];
    for (const h of [1, 2, 3, 4, 5]) {
      results.push(
        await b.requestBlocks(a.peerId, h, 1).then(
          () => "ok",
          (e) => (isLvoError(e) ? e.code : String(e)),
        ),
      );
    }
    expect(results).toContain(P2pErrorCode.P2P_RATE_LIMITED);
    expect(results.filter((r) => r !== "ok" && r !== P2pErrorCode.P2P_RATE_LIMITED)).toEqual([]);
  });
});

describe("bootstrap redial", () => {
  it("reconnects to a bootstrap peer that restarts, with the same peer id", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lvo-p2p-"));
    dirs.push(dir);
    const keyFile = join(dir, "p2p.key");
    const ca = new StubChain(5);
    const a1 = await startNode(ca, { peerKeyFile: keyFile });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const addr = addrOf(a1);
    const port = addr.split("/")[4];
    const b = await node(new StubChain(0), { bootstrap: [addr] });
    await waitFor(() => b.peers().some((p) => p.id === a1.peerId && p.status), 5_000, "B connected to A");
    const id = a1.peerId;
    await a1.stop();
    await waitFor(() => b.peerCount() === 0, 5_000, "B sees A gone");
    await new Promise((r) => setTimeout(r, 500)); // a failed redial or two, with backoff
    const a2 = await node(ca, { peerKeyFile: keyFile, listen: [`/ip4/127.0.0.1/tcp/${port}`] });
    expect(a2.peerId).toBe(id);
    const t0 = Date.now();
    await waitFor(() => b.peers().some((p) => p.id === id && p.status), 5_000, "B reconnected to A");
    console.log(`redial: reconnected ${Date.now() - t0} ms after the restart`);
  });
});
