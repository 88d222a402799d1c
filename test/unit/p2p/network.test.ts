// Real libp2p over TCP on 127.0.0.1: handshake, refusal, gossip relay and validation, block ranges.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { P2pErrorCode } from "../../../src/p2p/errors.ts";
import type { P2pNode } from "../../../src/p2p/node.ts";
import { MAX_GOSSIP_MESSAGE_BYTES } from "../../../src/p2p/options.ts";
import { GOSSIP_KINDS } from "../../../src/p2p/topics.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import {
  addrOf,
  blockHeight,
  captureLog,
  OTHER_GENESIS,
  StubChain,
  startNode,
  stubBlock,
  waitFor,
} from "./helpers.ts";

const MiB = 1024 * 1024;

// Line topology A – B – C (C reaches A only through B), plus D on another genesis dialling A.
const ca = new StubChain(150);
const cb = new StubChain(150);
const cc = new StubChain(150);
const cd = new StubChain(150, OTHER_GENESIS);
const logA = captureLog();
const logB = captureLog();
let a: P2pNode;
let b: P2pNode;
let c: P2pNode;
let d: P2pNode;

/** Marker byte for messages B's validator rejects. */
const POISON = 0xff;

beforeAll(async () => {
  a = await startNode(ca, {}, logA.log);
  b = await startNode(cb, { bootstrap: [addrOf(a)] }, logB.log);
  // C may publish bigger txs than the others accept: the oversize test sends from C.
  c = await startNode(cc, { bootstrap: [addrOf(b)], maxMessageBytes: { txs: 2 * MiB } });
  d = await startNode(cd, { bootstrap: [addrOf(a)] });
  cb.verdict = (_kind, data) => (data[0] === POISON ? "reject" : "accept");
  await waitFor(
    () =>
      GOSSIP_KINDS.every(
        (k) => b.meshPeers(k).length === 2 && a.meshPeers(k).length === 1 && c.meshPeers(k).length === 1,
      ),
    10_000,
    "gossip mesh A–B–C",
  );
});

afterAll(async () => {
  await Promise.all([a, b, c, d].map((n) => n?.stop()));
});

describe("handshake", () => {
  it("connects through bootstrap and exchanges statuses", async () => {
    await waitFor(() => a.peers().some((p) => p.id === b.peerId && p.status !== null), 5_000, "A knows B");
    const seenByB = b.peers().find((p) => p.id === a.peerId);
    expect(seenByB?.status?.head.height).toBe(150);
    expect(seenByB?.status?.chainId).toBe(ca.status().chainId);
    expect(seenByB?.addrs[0]).toContain("/ip4/127.0.0.1/tcp/");
    expect(b.peerCount()).toBe(2); // A and C
  });

  it("refuses a peer with another genesis hash, logging why, and keeps it out", async () => {
    await waitFor(
      () => logA.lines.some((l) => l.msg === "peer refused" && l.peer === d.peerId),
      5_000,
      "A refuses D",
    );
    const line = logA.lines.find((l) => l.msg === "peer refused" && l.peer === d.peerId)!;
    expect(line.reason).toMatch(/genesis/);
    await waitFor(() => !a.peers().some((p) => p.id === d.peerId), 5_000, "D disconnected");
    // D keeps redialling its bootstrap peer; A's gater turns every attempt away.
    await new Promise((r) => setTimeout(r, 600));
    expect(a.peers().some((p) => p.id === d.peerId)).toBe(false);
    expect(d.peerCount()).toBe(0);
  });
});

describe("gossip", () => {
  it("delivers every kind along A–B–C in both directions, relayed by B", async () => {
    const perKind = 100;
    const t0 = Date.now();
    for (let i = 0; i < perKind; i++) {
      for (const kind of GOSSIP_KINDS) await a.publish(kind, new TextEncoder().encode(`${kind}-${i}`));
    }
    await waitFor(() => cc.gossip.length >= perKind * GOSSIP_KINDS.length, 10_000, "C receives A's gossip");
    const ms = Date.now() - t0;
    console.log(`gossip: ${perKind * GOSSIP_KINDS.length} messages A→B→C in ${ms} ms`);
    for (const kind of GOSSIP_KINDS) {
      expect(cc.gossip.filter((g) => g.kind === kind)).toHaveLength(perKind);
      expect(cb.gossip.filter((g) => g.kind === kind)).toHaveLength(perKind);
      // C heard them from B: it has no connection to A.
      expect(cc.gossip.every((g) => g.from === b.peerId)).toBe(true);
    }
    for (const kind of GOSSIP_KINDS) await c.publish(kind, new TextEncoder().encode(`from-c-${kind}`));
    await waitFor(
      () => ca.gossip.filter((g) => new TextDecoder().decode(g.data).startsWith("from-c-")).length === 4,
      5_000,
      "A receives C's gossip",
    );
    // A never gets its own messages back, and D (other chain) got nothing.
    expect(ca.gossip.some((g) => new TextDecoder().decode(g.data).startsWith("txs-"))).toBe(false);
    expect(cd.gossip).toHaveLength(0);
  });

  it("does not relay a rejected message and lowers the sender's score", async () => {
    const before = b.gossipCounters().rejected;
    expect(b.peerScore(a.peerId)).toBeGreaterThanOrEqual(0);
    await a.publish("votes", Uint8Array.of(POISON, 1, 2, 3));
    await waitFor(() => b.gossipCounters().rejected === before + 1, 5_000, "B rejects");
    await waitFor(() => b.peerScore(a.peerId) < 0, 5_000, "A's score at B drops");
    // A marker message published after the poison reaches C; the poison never does.
    await a.publish("votes", Uint8Array.of(1, 2, 3));
    await waitFor(() => cc.gossip.some((g) => g.data.length === 3 && g.data[0] === 1), 5_000, "marker at C");
    expect(cc.gossip.some((g) => g.data[0] === POISON)).toBe(false);
    // One invalid message is a penalty, not a ban.
    expect(b.peers().some((p) => p.id === a.peerId)).toBe(true);
  });

  it("rejects an oversized message before the handler sees it", async () => {
    const handled = cb.gossip.length;
    const before = b.gossipCounters();
    await c.publish("txs", new Uint8Array(MiB + 1)); // C's cap is 2 MiB; B's is 1 MiB
    await waitFor(() => b.gossipCounters().oversized === before.oversized + 1, 5_000, "B rejects oversize");
    expect(b.gossipCounters().rejected).toBe(before.rejected + 1);
    expect(cb.gossip.length).toBe(handled);
    expect(ca.gossip.some((g) => g.data.length > MiB)).toBe(false);
    await waitFor(() => b.peerScore(c.peerId) < 0, 5_000, "C's score at B drops");
  });

  it("refuses to publish above the kind's cap (P2P_MESSAGE_TOO_LARGE)", async () => {
    const err = await a.publish("votes", new Uint8Array(64 * 1024 + 1)).catch((e) => e);
    expect(isLvoError(err, P2pErrorCode.P2P_MESSAGE_TOO_LARGE)).toBe(true);
  });

  it("carries a block at the cap (4 MiB less room for gossipsub's envelope)", async () => {
    const big = new Uint8Array(MAX_GOSSIP_MESSAGE_BYTES);
    big[0] = 0x42;
    big[big.length - 1] = 0x43;
    await a.publish("blocks", big);
    await waitFor(() => cc.gossip.some((g) => g.data.length === big.length), 10_000, "big block at C");
  });
});

describe("block ranges", () => {
  it("returns what getBlocks gives", async () => {
    const blocks = await b.requestBlocks(a.peerId, 10, 5);
    expect(blocks.map(blockHeight)).toEqual([10, 11, 12, 13, 14]);
    expect(blocks[0]).toEqual(stubBlock(10));
    expect(ca.getBlocksCalls.at(-1)).toEqual({ from: 10, count: 5 });
  });

  it("caps a request for 1000 blocks at 64", async () => {
    const blocks = await b.requestBlocks(a.peerId, 1, 1000);
    expect(blocks).toHaveLength(64);
    expect(blocks.map(blockHeight)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(ca.getBlocksCalls.at(-1)).toEqual({ from: 1, count: 64 });
  });

  it("returns fewer blocks past the head, none above it", async () => {
    expect((await b.requestBlocks(a.peerId, 148, 10)).map(blockHeight)).toEqual([148, 149, 150]);
    expect(await b.requestBlocks(a.peerId, 151, 10)).toEqual([]);
  });

  it("maps a failing getBlocks to P2P_SERVER_ERROR and a peer we are not connected to to P2P_REQUEST_FAILED", async () => {
    ca.getBlocksError = new Error("db closed");
    const err = await b.requestBlocks(a.peerId, 1, 1).catch((e) => e);
    ca.getBlocksError = null;
    expect(isLvoError(err, P2pErrorCode.P2P_SERVER_ERROR)).toBe(true);
    const err2 = await c.requestBlocks(a.peerId, 1, 1).catch((e) => e);
    expect(isLvoError(err2, P2pErrorCode.P2P_REQUEST_FAILED)).toBe(true);
  });
});
