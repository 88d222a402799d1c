import { describe, expect, it } from "vitest";
import { LvoClient, LvoRpcError, TRANSPORT_ERROR, wsTransport } from "../../../src/sdk/index.ts";

type Listener = (ev: { data?: unknown }) => void;

/** A fake WebSocket: records what is sent; the test answers through `emit`. */
class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: Array<{ id: number; method: string; params: unknown[] }> = [];
  private listeners = new Map<string, Listener[]>();
  readonly url: string;
  constructor(url: string) {
    this.url = url;
    FakeSocket.last = this;
    setTimeout(() => {
      this.readyState = 1;
      this.emit("open", {});
    }, 0);
  }
  addEventListener(type: string, fn: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  emit(type: string, ev: { data?: unknown }): void {
    for (const fn of this.listeners.get(type) ?? []) fn(ev);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
    this.emit("close", {});
  }
  reply(msg: unknown): void {
    this.emit("message", { data: JSON.stringify(msg) });
  }
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("wsTransport (fake socket)", () => {
  it("answers calls by id, delivers notifications to their subscription, unsubscribes", async () => {
    const t = wsTransport("ws://x", { WebSocket: FakeSocket as never });
    const lvo = new LvoClient(t);
    const height = lvo.getBlockNumber();
    await tick();
    const s = FakeSocket.last!;
    s.reply({ jsonrpc: "2.0", id: s.sent[0]!.id, result: "0x2a" });
    expect(await height).toBe(42);

    const got: number[] = [];
    const sub = lvo.onFinalized((b) => got.push(b.height));
    await tick();
    expect(s.sent[1]).toMatchObject({ method: "lvo_subscribe", params: ["finalized"] });
    s.reply({ jsonrpc: "2.0", id: s.sent[1]!.id, result: "0xs1" });
    const stop = await sub;
    const note = (h: string) => ({
      jsonrpc: "2.0",
      method: "lvo_subscription",
      params: { subscription: "0xs1", result: { height: h, hash: "0x00", certificate: null } },
    });
    s.reply(note("0x7"));
    s.reply({ ...note("0x8"), params: { ...note("0x8").params, subscription: "other" } });
    expect(got).toEqual([7]);
    const done = stop();
    await tick();
    expect(s.sent[2]).toMatchObject({ method: "lvo_unsubscribe", params: ["0xs1"] });
    s.reply({ jsonrpc: "2.0", id: s.sent[2]!.id, result: true });
    await done;
    s.reply(note("0x9"));
    expect(got).toEqual([7]);

    const bad = lvo.getFinality();
    await tick();
    s.reply({ jsonrpc: "2.0", id: s.sent[3]!.id, error: { code: -32602, message: "nope" } });
    await expect(bad).rejects.toMatchObject({ code: -32602, message: "nope" });

    // a call pending when the socket closes fails as a transport error
    const hanging = lvo.getChainId();
    await tick();
    s.close();
    const e = await hanging.catch((x) => x);
    expect(e).toBeInstanceOf(LvoRpcError);
    expect(e.code).toBe(TRANSPORT_ERROR);
  });
});
