// Real libp2p on 127.0.0.1: a hostile peer (passes the handshake, then writes gossipsub frames of
// its own) against one node. Regression tests for what gossipsub 17 left unpunished (campaign
// gossip-hostile): undecodable frames, frames above the 4 MiB cap, messages on unknown topics,
// and RPCs of thousands of messages, which were all verified before the first verdict.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { P2pNode } from "../../../src/p2p/node.ts";
import { HostilePeer } from "../../e2e/helpers/hostile-peer.ts";
import { addrOf, CHAIN_ID, captureLog, GENESIS, StubChain, startNode, waitFor } from "./helpers.ts";

/** Marker byte for messages the node's validator rejects. */
const POISON = 0xff;

const chain = new StubChain(10);
const cap = captureLog();
let node: P2pNode;
const attackers: HostilePeer[] = [];

beforeAll(async () => {
  chain.verdict = (_kind, data) => (data[0] === POISON ? "reject" : "accept");
  node = await startNode(chain, {}, cap.log);
});

afterAll(async () => {
  await Promise.all(attackers.map((a) => a.stop()));
  await node?.stop();
});

/** A fresh hostile identity, handshaken with the node; resolves with it and the node's peer id. */
async function attacker(): Promise<{ h: HostilePeer; peer: string }> {
  const h = await HostilePeer.start(CHAIN_ID, GENESIS);
  attackers.push(h);
  return { h, peer: await h.connect(addrOf(node)) };
}

function banReason(id: string): string | undefined {
  return cap.lines.find((l) => l.msg === "peer banned" && l.peer === id)?.reason as string | undefined;
}

/** The node hung up on `h` and turns its new dials away. */
async function expectBannedAndKeptOut(h: HostilePeer, peer: string): Promise<void> {
  await waitFor(() => !h.isConnected(peer), 5_000, "node hangs up");
  expect(node.peers().some((p) => p.id === h.id)).toBe(false);
  expect(await h.tryReconnect(addrOf(node), 300)).toBe(false);
}

describe("hostile gossip peer", () => {
  it("is banned at its first undecodable frame (gossipsub only logged and skipped them)", async () => {
    const { h, peer } = await attacker();
    expect(await h.sendFrame(peer, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 7, 7, 7))).toBe(true);
    await waitFor(() => banReason(h.id) !== undefined, 5_000, "ban");
    expect(banReason(h.id)).toMatch(/undecodable gossip frame/);
    await expectBannedAndKeptOut(h, peer);
  });

  it("is banned at its first frame above 4 MiB (gossipsub dropped the stream, not the peer)", async () => {
    const { h, peer } = await attacker();
    await h.sendFrame(peer, new Uint8Array(4 * 1024 * 1024 + 1));
    await waitFor(() => banReason(h.id) !== undefined, 10_000, "ban");
    expect(banReason(h.id)).toMatch(/gossip frame over the cap/);
    await expectBannedAndKeptOut(h, peer);
  });

  it("is banned for messages on topics the node does not know (they were skipped unpunished)", async () => {
    const { h, peer } = await attacker();
    const before = chain.gossip.length;
    for (let i = 0; i < 20 && h.isConnected(peer); i++) {
      await h.sendRpc(peer, [
        await h.envelope("votes", Uint8Array.of(1, i), { topic: "/lvo/1/deadbeef/votes/1" }),
      ]);
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor(() => banReason(h.id) !== undefined, 5_000, "ban");
    expect(banReason(h.id)).toMatch(/unknown topics/);
    expect(chain.gossip.length).toBe(before);
    await expectBannedAndKeptOut(h, peer);
  });

  it("gets at most its budget of one RPC's 5000 messages validated, and is banned", async () => {
    const { h, peer } = await attacker();
    const msgs = [];
    for (let i = 0; i < 5000; i++)
      msgs.push(await h.envelope("votes", Uint8Array.of(POISON, i & 255, i >> 8)));
    const before = chain.gossip.length;
    await h.sendRpc(peer, msgs);
    await waitFor(() => banReason(h.id) !== undefined, 10_000, "ban");
    await expectBannedAndKeptOut(h, peer);
    // the default budget is 500 messages per second per peer; the rest never reached gossipsub's
    // signature checks (before the guard: 4000+ handler calls and the event loop held 2.6 s)
    const handled = chain.gossip.length - before;
    expect(handled).toBeGreaterThan(0);
    expect(handled).toBeLessThanOrEqual(500);
  });

  it("is banned when it only sends messages the validator rejects, and stays out", async () => {
    const { h, peer } = await attacker();
    const t0 = Date.now();
    let sent = 0;
    for (let i = 0; i < 200 && h.isConnected(peer); i++) {
      await h.sendRpc(peer, [await h.envelope("blocks", Uint8Array.of(POISON, i))]);
      sent++;
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(() => banReason(h.id) !== undefined, 5_000, "ban");
    expect(banReason(h.id)).toMatch(/gossip score/);
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(sent).toBeLessThan(150);
    await expectBannedAndKeptOut(h, peer);
  });

  it("is banned for an envelope whose signature does not verify", async () => {
    const { h, peer } = await attacker();
    for (let i = 0; i < 100 && h.isConnected(peer); i++) {
      await h.sendRpc(peer, [await h.envelope("votes", Uint8Array.of(1, i), { badSignature: true })]);
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(() => banReason(h.id) !== undefined, 5_000, "ban");
    await expectBannedAndKeptOut(h, peer);
  });
});
