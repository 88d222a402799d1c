// Pure parts of p2p: frames, status and range-request encodings, caps, bounded tables.

import type { Message } from "@libp2p/gossipsub";
import { TopicValidatorResult } from "@libp2p/gossipsub";
import type { PeerId, Stream } from "@libp2p/interface";
import { describe, expect, it } from "vitest";
import { decodeBlocksRequest, encodeBlocksRequest, serveBlocks } from "../../../src/p2p/blocks-protocol.ts";
import { P2pErrorCode } from "../../../src/p2p/errors.ts";
import { encodeFrame, encodeLength, FrameDecoder, readFrames } from "../../../src/p2p/frames.ts";
import { GossipValidation } from "../../../src/p2p/gossip.ts";
import { P2pNode } from "../../../src/p2p/node.ts";
import { DEFAULT_P2P_OPTIONS, MAX_GOSSIP_MESSAGE_BYTES, p2pOptions } from "../../../src/p2p/options.ts";
import { PeerTable } from "../../../src/p2p/peers.ts";
import { PeerPenalties } from "../../../src/p2p/penalties.ts";
import { RateLimiter } from "../../../src/p2p/rate-limit.ts";
import { decodeStatus, encodeStatus, statusMismatch } from "../../../src/p2p/status.ts";
import { topicName } from "../../../src/p2p/topics.ts";
import type { GossipVerdict, PeerStatus } from "../../../src/p2p/types.ts";
import { fromHex, toHex } from "../../../src/util/bytes.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { CHAIN_ID, GENESIS, OTHER_GENESIS, StubChain, stubBlock } from "./helpers.ts";

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isLvoError(err) ? err.code : `not an LvoError: ${String(err)}`;
  }
  return undefined;
}

const limits = (over: Partial<{ maxFrameBytes: number; maxFrames: number; maxTotalBytes: number }> = {}) => ({
  maxFrameBytes: 100,
  maxFrames: 10,
  maxTotalBytes: 1000,
  errorCode: P2pErrorCode.P2P_BAD_RESPONSE,
  ...over,
});

describe("frames", () => {
  it("encodes lengths as unsigned varints", () => {
    expect([...encodeLength(0)]).toEqual([0]);
    expect([...encodeLength(127)]).toEqual([127]);
    expect([...encodeLength(128)]).toEqual([0x80, 1]);
    expect([...encodeLength(300)]).toEqual([0xac, 2]);
    expect([...encodeLength(4 * 1024 * 1024)]).toEqual([0x80, 0x80, 0x80, 2]);
  });

  it("decodes frames split at every byte boundary", () => {
    const payloads = [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(90).fill(7)];
    const wire = Uint8Array.from(payloads.flatMap((p) => [...encodeFrame(p)]));
    const d = new FrameDecoder(limits());
    const out: Uint8Array[] = [];
    for (const byte of wire) out.push(...d.push(Uint8Array.of(byte)));
    expect(out).toEqual(payloads);
    expect(d.partial).toBe(false);
  });

  it("refuses an oversized frame from its length prefix, before the body arrives", () => {
    const d = new FrameDecoder(limits({ maxFrameBytes: 10 }));
    expect(code(() => d.push(encodeLength(11)))).toBe(P2pErrorCode.P2P_BAD_RESPONSE);
  });

  it("caps the frame count and the total bytes", () => {
    const two = Uint8Array.from([...encodeFrame(Uint8Array.of(1)), ...encodeFrame(Uint8Array.of(2))]);
    expect(code(() => new FrameDecoder(limits({ maxFrames: 1 })).push(two))).toBe(
      P2pErrorCode.P2P_BAD_RESPONSE,
    );
    const big = encodeFrame(new Uint8Array(60));
    const d = new FrameDecoder(limits({ maxTotalBytes: 100 }));
    d.push(big);
    expect(code(() => d.push(big))).toBe(P2pErrorCode.P2P_BAD_RESPONSE);
  });

  it("refuses a length prefix longer than 5 bytes", () => {
    const d = new FrameDecoder({ ...limits(), errorCode: P2pErrorCode.P2P_BAD_REQUEST });
    expect(code(() => d.push(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)))).toBe(
      P2pErrorCode.P2P_BAD_REQUEST,
    );
  });

  /** The parts of a libp2p 3 stream readFrames uses. */
  class FakeStream extends EventTarget {
    readableEnded = false;
    deliver(data: Uint8Array): void {
      this.dispatchEvent(Object.assign(new Event("message"), { data }));
    }
    end(): void {
      this.readableEnded = true;
      this.dispatchEvent(new Event("end"));
    }
  }

  it("reads frames until the stream ends", async () => {
    const s = new FakeStream();
    const p = readFrames(s as unknown as Stream, { ...limits(), signal: AbortSignal.timeout(1_000) });
    s.deliver(encodeFrame(Uint8Array.of(9)));
    s.end();
    expect(await p).toEqual([Uint8Array.of(9)]);
  });

  it("fails with P2P_TIMEOUT when nothing arrives before the deadline", async () => {
    const s = new FakeStream();
    const err = await readFrames(s as unknown as Stream, {
      ...limits(),
      signal: AbortSignal.timeout(20),
    }).catch((e) => e);
    expect(isLvoError(err, P2pErrorCode.P2P_TIMEOUT)).toBe(true);
  });

  it("fails when the stream ends inside a frame or is reset", async () => {
    const s = new FakeStream();
    const p = readFrames(s as unknown as Stream, { ...limits(), signal: AbortSignal.timeout(1_000) });
    s.deliver(encodeLength(5));
    s.end();
    expect(isLvoError(await p.catch((e) => e), P2pErrorCode.P2P_BAD_RESPONSE)).toBe(true);
    const r = new FakeStream();
    const q = readFrames(r as unknown as Stream, { ...limits(), signal: AbortSignal.timeout(1_000) });
    r.dispatchEvent(Object.assign(new Event("close"), { error: new Error("reset") }));
    expect(isLvoError(await q.catch((e) => e), P2pErrorCode.P2P_BAD_RESPONSE)).toBe(true);
  });
});

describe("status encoding", () => {
  const status: PeerStatus = new StubChain(150).status();

  it("round-trips and matches a golden vector", () => {
    const enc = encodeStatus(status);
    expect(decodeStatus(enc)).toEqual(status);
    const golden = encodeStatus({
      chainId: 1,
      genesisHash: new Uint8Array(32).fill(0xaa),
      head: { height: 256, hash: new Uint8Array(32).fill(0xbb) },
      finalized: { height: 0, hash: new Uint8Array(32) },
    });
    expect(toHex(golden)).toBe(
      `0xf86801a0${"aa".repeat(32)}820100a0${"bb".repeat(32)}80a0${"00".repeat(32)}`,
    );
  });

  it("refuses non-canonical or malformed input with P2P_BAD_RESPONSE", () => {
    const enc = encodeStatus(status);
    const bad = [
      Uint8Array.of(0xc0), // empty list
      fromHex(`0xf86a820001a0${"aa".repeat(32)}820100a0${"bb".repeat(32)}80a0${"00".repeat(32)}`), // chainId 0x0001
      Uint8Array.from([...enc, 0]), // trailing byte
      new Uint8Array(300),
    ];
    for (const b of bad) expect(code(() => decodeStatus(b))).toBe(P2pErrorCode.P2P_BAD_RESPONSE);
  });

  it("names why a peer is on another chain", () => {
    const ours = { chainId: CHAIN_ID, genesisHash: GENESIS };
    expect(statusMismatch(ours, status)).toBeNull();
    expect(statusMismatch(ours, { ...status, chainId: 1 })).toMatch(/chainId 1/);
    expect(statusMismatch(ours, { ...status, genesisHash: OTHER_GENESIS })).toMatch(/genesis/);
  });
});

describe("block range requests", () => {
  it("round-trips and refuses count 0 or junk with P2P_BAD_REQUEST", () => {
    expect(decodeBlocksRequest(encodeBlocksRequest({ fromHeight: 65, count: 64 }))).toEqual({
      fromHeight: 65,
      count: 64,
    });
    expect(code(() => decodeBlocksRequest(encodeBlocksRequest({ fromHeight: 1, count: 0 })))).toBe(
      P2pErrorCode.P2P_BAD_REQUEST,
    );
    expect(code(() => decodeBlocksRequest(Uint8Array.of(1, 2, 3)))).toBe(P2pErrorCode.P2P_BAD_REQUEST);
  });

  it("caps the count and the response bytes, keeping the answer contiguous", async () => {
    const chain = new StubChain(200);
    const get = (f: number, n: number) => chain.getBlocks(f, n);
    expect(
      await serveBlocks({ fromHeight: 1, count: 1000 }, get, { maxBlocks: 64, maxBytes: 1 << 20 }),
    ).toHaveLength(64);
    expect(chain.getBlocksCalls.at(-1)).toEqual({ from: 1, count: 64 });
    // 64-byte stub blocks, 200-byte budget: three fit.
    const out = await serveBlocks({ fromHeight: 1, count: 10 }, get, { maxBlocks: 64, maxBytes: 200 });
    expect(out).toEqual([stubBlock(1), stubBlock(2), stubBlock(3)]);
  });
});

describe("options and lifecycle", () => {
  it("has the documented defaults", () => {
    expect(DEFAULT_P2P_OPTIONS.listen).toEqual(["/ip4/127.0.0.1/tcp/0"]);
    expect(DEFAULT_P2P_OPTIONS.maxPeers).toBe(50);
    expect(DEFAULT_P2P_OPTIONS.maxBlocksPerRequest).toBe(64);
    expect(DEFAULT_P2P_OPTIONS.maxResponseBytes).toBe(8 * 1024 * 1024);
    expect(DEFAULT_P2P_OPTIONS.maxMessageBytes).toEqual({
      blocks: MAX_GOSSIP_MESSAGE_BYTES,
      txs: 1024 * 1024,
      votes: 64 * 1024,
      evidence: 64 * 1024,
    });
  });

  it("refuses out-of-range options with P2P_BAD_OPTIONS", () => {
    expect(code(() => p2pOptions({ maxMessageBytes: { blocks: 4 * 1024 * 1024 } }))).toBe(
      P2pErrorCode.P2P_BAD_OPTIONS,
    );
    expect(code(() => p2pOptions({ maxPeers: 0 }))).toBe(P2pErrorCode.P2P_BAD_OPTIONS);
    expect(code(() => p2pOptions({ redialMinMs: 5_000, redialMaxMs: 1_000 }))).toBe(
      P2pErrorCode.P2P_BAD_OPTIONS,
    );
    expect(p2pOptions({ maxMessageBytes: { txs: 10 } }).maxMessageBytes.votes).toBe(64 * 1024);
  });

  it("throws P2P_NOT_STARTED before start", async () => {
    const n = new P2pNode(
      {},
      { handlers: new StubChain(0), log: silentLogger(), chainId: 1, genesisHash: GENESIS },
    );
    expect(code(() => n.peerId)).toBe(P2pErrorCode.P2P_NOT_STARTED);
    const err = await n.publish("txs", Uint8Array.of(1)).catch((e) => e);
    expect(isLvoError(err, P2pErrorCode.P2P_NOT_STARTED)).toBe(true);
    expect(n.peers()).toEqual([]);
    expect(n.listenAddrs()).toEqual([]);
    expect(n.peerCount()).toBe(0);
  });

  it("names topics with the chainId and 8 hex chars of the genesis hash", () => {
    expect(topicName(42, fromHex(`0xdeadbeef${"00".repeat(28)}`), "votes")).toBe("/lvo/42/deadbeef/votes/1");
  });
});

describe("bounded tables", () => {
  it("rate limiter: burst, refill, and a bounded key count", () => {
    const r = new RateLimiter(2, 3);
    expect([r.take("a", 0), r.take("a", 0), r.take("a", 0)]).toEqual([true, true, false]);
    expect(r.take("a", 500)).toBe(true); // one token back after 0.5 s at 2/s
    for (const k of ["b", "c", "d", "e"]) r.take(k, 0);
    expect(r.size).toBe(3);
  });

  it("penalties decay with their half-life and stay bounded", () => {
    const p = new PeerPenalties(1_000, 2);
    expect(p.add("x", 100, 0)).toBe(100);
    expect(p.points("x", 1_000)).toBeCloseTo(50);
    p.add("y", 10, 0);
    p.add("z", 20, 0); // evicts y, the least penalised
    expect(p.points("y", 0)).toBe(0);
    expect(p.points("x", 0)).toBe(100);
  });

  it("deny list expires and evicts the entry closest to expiry at its bound", () => {
    const t = new PeerTable(2);
    t.deny("a", 100, "banned", 0);
    t.deny("b", 1_000, "refused", 0);
    expect(t.isDenied("a", 50)).toBe("banned");
    expect(t.isDenied("a", 100)).toBeNull();
    t.deny("a", 100, "banned", 0);
    t.deny("c", 1_000, "banned", 0);
    expect(t.isDenied("a", 0)).toBeNull();
    expect(t.isDenied("b", 0)).toBe("refused");
  });
});

describe("gossip validation", () => {
  const peer = { toString: () => "peer-1" } as PeerId;
  const msg = (data: Uint8Array): Message => ({ type: "unsigned", topic: "t", data });
  const make = (verdict: () => Promise<GossipVerdict>, over: Partial<typeof DEFAULT_P2P_OPTIONS> = {}) => {
    const chain = new StubChain(0);
    let calls = 0;
    chain.onGossip = async () => {
      calls++;
      return verdict();
    };
    const v = new GossipValidation(p2pOptions(over), { handlers: chain, log: silentLogger() });
    return { v, calls: () => calls };
  };

  it("maps verdicts, and rejects oversized data without calling the handler", async () => {
    const { v, calls } = make(async () => "accept");
    expect(await v.validate("votes", peer, msg(Uint8Array.of(1)))).toBe(TopicValidatorResult.Accept);
    expect(await v.validate("votes", peer, msg(new Uint8Array(64 * 1024 + 1)))).toBe(
      TopicValidatorResult.Reject,
    );
    expect(calls()).toBe(1);
    expect(v.counters).toMatchObject({ accepted: 1, rejected: 1, oversized: 1 });
  });

  it("treats a throwing or slow handler as ignore", async () => {
    const thrower = make(async () => {
      throw new Error("bug");
    });
    expect(await thrower.v.validate("txs", peer, msg(Uint8Array.of(1)))).toBe(TopicValidatorResult.Ignore);
    const slow = make(() => new Promise(() => {}), { validationTimeoutMs: 20 });
    expect(await slow.v.validate("txs", peer, msg(Uint8Array.of(1)))).toBe(TopicValidatorResult.Ignore);
  });

  it("bounds concurrent and waiting validations; past the bound new messages are ignored", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { v, calls } = make(
      async () => {
        await gate;
        return "accept";
      },
      { maxConcurrentValidations: 2, maxPendingValidations: 1 },
    );
    const results = [1, 2, 3, 4].map(() => v.validate("txs", peer, msg(Uint8Array.of(1))));
    expect(await results[3]).toBe(TopicValidatorResult.Ignore); // 2 running, 1 waiting, 4th dropped
    expect(v.counters.dropped).toBe(1);
    release();
    expect(await Promise.all(results.slice(0, 3))).toEqual([
      TopicValidatorResult.Accept,
      TopicValidatorResult.Accept,
      TopicValidatorResult.Accept,
    ]);
    expect(calls()).toBe(3);
  });
});
