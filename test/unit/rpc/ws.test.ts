// JSON-RPC over WebSocket: subscriptions fed by a fake event source, limits, Host/CORS/Origin
// rules, the admin_ namespace and the onCall hook. Real servers on 127.0.0.1, real ws clients.
import { EventEmitter } from "node:events";
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { keccak256 } from "../../../src/crypto/hash.ts";
import type { Receipt } from "../../../src/ledger/types.ts";
import type { AdminInfo } from "../../../src/rpc/admin.ts";
import type { ChainEvents, FinalizedEvent, HeadEvent } from "../../../src/rpc/events.ts";
import type { RpcOptions } from "../../../src/rpc/options.ts";
import { createRpcServer, type RpcServer } from "../../../src/rpc/server.ts";
import { toHex, utf8 } from "../../../src/util/bytes.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { createStub, RECIPIENT, type Stub } from "./stub.ts";

/** Chain events driven by the test. */
class FakeEvents implements ChainEvents {
  readonly em = new EventEmitter();
  onNewHead(cb: (e: HeadEvent) => void) {
    this.em.on("head", cb);
    return () => void this.em.off("head", cb);
  }
  onFinalized(cb: (e: FinalizedEvent) => void) {
    this.em.on("finalized", cb);
    return () => void this.em.off("finalized", cb);
  }
  head(e: HeadEvent) {
    this.em.emit("head", e);
  }
  finalized(e: FinalizedEvent) {
    this.em.emit("finalized", e);
  }
}

interface Setup {
  stub: Stub;
  events: FakeEvents;
  server: RpcServer;
  port: number;
  calls: Array<[string, boolean]>;
}

const open: Array<{ server: RpcServer; clients: WebSocket[] }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    for (const c of o.clients) c.terminate();
    await o.server.stop();
  }
});

async function setup(opts: Partial<RpcOptions> = {}, admin?: AdminInfo): Promise<Setup> {
  const stub = await createStub();
  const events = new FakeEvents();
  const calls: Array<[string, boolean]> = [];
  const server = createRpcServer(
    { host: "127.0.0.1", port: 0, shutdownGraceMs: 500, ...opts },
    {
      backend: stub,
      log: silentLogger(),
      events,
      ...(admin ? { admin } : {}),
      onCall: (m, ms, ok) => {
        expect(ms).toBeGreaterThanOrEqual(0);
        calls.push([m, ok]);
      },
    },
  );
  const { port } = await server.start();
  open.push({ server, clients: [] });
  return { stub, events, server, port, calls };
}

/** A ws client that collects every message; `call` sends one request and awaits its answer. */
class Client {
  readonly ws: WebSocket;
  readonly messages: any[] = [];
  private nextId = 1;
  private waiters: Array<() => void> = [];

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (d) => {
      this.messages.push(JSON.parse(String(d)));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(port: number, options: WebSocket.ClientOptions = {}): Promise<Client> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, options);
    open.at(-1)?.clients.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new Client(ws);
  }

  /** Wait for a message matching `pred` (already received or future), with a deadline. */
  async waitFor(pred: (m: any) => boolean, what: string, timeoutMs = 10_000): Promise<any> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.find(pred);
      if (m) return m;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  async call(method: string, params: unknown[] = []): Promise<any> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    return this.waitFor((m) => m.id === id, `answer to ${method}`);
  }

  notifications(sub: string): any[] {
    return this.messages.filter((m) => m.params?.subscription === sub);
  }
}

/** Upgrade attempt that must be refused: resolves with the HTTP status. */
function refusedStatus(port: number, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, options);
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on("open", () => {
      ws.terminate();
      reject(new Error("upgrade was accepted"));
    });
    ws.on("error", () => undefined);
  });
}

/** Raw HTTP request with exact headers (fetch does not let a caller set Host). */
function rawRequest(
  port: number,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: "127.0.0.1", port, method, path: "/", headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    r.on("error", reject);
    r.end(body);
  });
}

async function headEvent(stub: Stub, h: number): Promise<HeadEvent> {
  const block = stub.blocks[h]!;
  const receipts: Receipt[] = (await stub.getBlockReceipts(block.hash)) ?? [];
  return { block, receipts };
}

async function until(fn: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const TRANSFER = toHex(keccak256(utf8("Transfer")));
const rpc = (id: number, method: string, params: unknown[] = []) => ({ jsonrpc: "2.0", id, method, params });

describe("JSON-RPC over WebSocket", () => {
  it("answers calls and batches on the HTTP port; onCall sees each call", async () => {
    const s = await setup();
    const c = await Client.connect(s.port);
    expect((await c.call("eth_blockNumber")).result).toBe("0x3");
    c.ws.send(JSON.stringify([rpc(100, "eth_chainId"), rpc(101, "nope_nope")]));
    const batch = await c.waitFor((m) => Array.isArray(m), "batch answer");
    expect(batch[0]).toEqual({ jsonrpc: "2.0", id: 100, result: "0x1092" });
    expect(batch[1].error.code).toBe(-32601);
    await fetch(`http://127.0.0.1:${s.port}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(rpc(1, "eth_getBalance", ["0x12"])),
    });
    expect(s.calls).toEqual(
      expect.arrayContaining([
        ["eth_blockNumber", true],
        ["eth_chainId", true],
        ["(unknown)", false],
        ["eth_getBalance", false],
      ]),
    );
  });

  it("newHeads: header JSON per new head until unsubscribed", async () => {
    const s = await setup();
    const c = await Client.connect(s.port);
    const { result: id } = await c.call("eth_subscribe", ["newHeads"]);
    expect(id).toMatch(/^0x[0-9a-f]{32}$/);
    s.events.head(await headEvent(s.stub, 2));
    const n = await c.waitFor((m) => m.params?.subscription === id, "newHeads notification");
    expect(n.method).toBe("eth_subscription");
    expect(n.jsonrpc).toBe("2.0");
    expect(n.params.result.number).toBe("0x2");
    expect(n.params.result.hash).toBe(toHex(s.stub.blocks[2]!.hash));
    expect(n.params.result.parentHash).toBe(toHex(s.stub.blocks[1]!.hash));
    expect(n.params.result.baseFeePerGas).toBe("0x3b9aca00");
    expect(n.params.result).not.toHaveProperty("transactions");
    expect(s.server.stats()).toEqual({ wsConnections: 1, subscriptions: 1 });

    expect((await c.call("eth_unsubscribe", [id])).result).toBe(true);
    expect((await c.call("eth_unsubscribe", [id])).result).toBe(false);
    s.events.head(await headEvent(s.stub, 3));
    await c.call("eth_blockNumber"); // a round trip after the event: nothing arrived before it
    expect(c.notifications(id)).toHaveLength(1);
  });

  it("logs: address and topic filters pick the matching logs", async () => {
    const s = await setup();
    const c = await Client.connect(s.port);
    const all = (await c.call("eth_subscribe", ["logs"])).result;
    const match = (await c.call("eth_subscribe", ["logs", { address: RECIPIENT, topics: [TRANSFER] }]))
      .result;
    const otherAddr = (
      await c.call("eth_subscribe", ["logs", { address: "0x0000000000000000000000000000000000000100" }])
    ).result;
    const otherTopic = (await c.call("eth_subscribe", ["logs", { topics: [null, TRANSFER] }])).result;
    s.events.head(await headEvent(s.stub, 1)); // no logs
    s.events.head(await headEvent(s.stub, 2)); // one Transfer log
    const n = await c.waitFor((m) => m.params?.subscription === match, "matching log");
    expect(n.params.result).toEqual({
      address: RECIPIENT,
      topics: [TRANSFER],
      data: "0x0102",
      blockNumber: "0x2",
      blockHash: toHex(s.stub.blocks[2]!.hash),
      transactionHash: toHex(s.stub.included[1]!.hash),
      transactionIndex: "0x0",
      logIndex: "0x0",
      removed: false,
    });
    await c.waitFor((m) => m.params?.subscription === all, "unfiltered log");
    await c.call("eth_blockNumber");
    expect(c.notifications(all)).toHaveLength(1);
    expect(c.notifications(otherAddr)).toHaveLength(0);
    expect(c.notifications(otherTopic)).toHaveLength(0);
    // A bad filter is refused like eth_getLogs' would be.
    expect((await c.call("eth_subscribe", ["logs", { address: "0x12" }])).error.code).toBe(-32602);
  });

  it("lvo_subscribe finalized pushes {height, hash, certificate}", async () => {
    const s = await setup();
    const c = await Client.connect(s.port);
    const id = (await c.call("lvo_subscribe", ["finalized"])).result;
    const b = s.stub.blocks;
    s.events.finalized({
      height: 2,
      hash: b[2]!.hash,
      cert: {
        source: { height: 2, hash: b[2]!.hash },
        target: { height: 3, hash: b[3]!.hash },
        signatures: [new Uint8Array(65), new Uint8Array(65)],
      },
    });
    const n = await c.waitFor((m) => m.params?.subscription === id, "finalized notification");
    expect(n.method).toBe("lvo_subscription");
    expect(n.params.result).toEqual({
      height: "0x2",
      hash: toHex(b[2]!.hash),
      certificate: {
        source: { height: "0x2", hash: toHex(b[2]!.hash) },
        target: { height: "0x3", hash: toHex(b[3]!.hash) },
        signatures: "0x2",
      },
    });
    expect((await c.call("lvo_unsubscribe", [id])).result).toBe(true);
    // finalized is an lvo_ stream; eth_subscribe refuses it and unknown kinds.
    expect((await c.call("eth_subscribe", ["finalized"])).error.code).toBe(-32602);
    expect((await c.call("eth_subscribe", ["newPendingTransactions"])).error.code).toBe(-32602);
    expect((await c.call("eth_subscribe", ["newHeads", {}])).error.code).toBe(-32602);
  });

  it("subscriptions over HTTP are refused with -32601", async () => {
    const s = await setup();
    const res = await fetch(`http://127.0.0.1:${s.port}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        rpc(1, "eth_subscribe", ["newHeads"]),
        // Whatever the params: the transport is judged first (geth answers the same).
        rpc(2, "eth_subscribe", []),
        rpc(3, "lvo_subscribe", [null, 1]),
        rpc(4, "lvo_unsubscribe", [{}]),
        rpc(5, "eth_unsubscribe", ["0x1", "extra", "more"]),
      ]),
    });
    const json = (await res.json()) as any[];
    expect(json).toHaveLength(5);
    for (const r of json) {
      expect(r.error.code, JSON.stringify(r)).toBe(-32601);
      expect(r.error.message).toMatch(/notifications not supported/);
    }
  });

  it("closing the connection ends its subscriptions", async () => {
    const s = await setup();
    const c = await Client.connect(s.port);
    await c.call("eth_subscribe", ["newHeads"]);
    await c.call("eth_subscribe", ["logs"]);
    expect(s.server.stats()).toEqual({ wsConnections: 1, subscriptions: 2 });
    c.ws.close();
    await until(() => s.server.stats().wsConnections === 0, "connection closed on the server");
    expect(s.server.stats().subscriptions).toBe(0);
    s.events.head(await headEvent(s.stub, 2)); // nobody to deliver to: no error
  });
});

describe("WebSocket lifetime", () => {
  it("outlives the HTTP request and keep-alive timeouts", async () => {
    const s = await setup({ requestTimeoutMs: 500, keepAliveTimeoutMs: 300 });
    const c = await Client.connect(s.port);
    const id = (await c.call("eth_subscribe", ["newHeads"])).result;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    s.events.head(await headEvent(s.stub, 3));
    await c.waitFor((m) => m.params?.subscription === id, "a notification after the timeouts");
    expect((await c.call("eth_blockNumber")).result).toBe("0x3");
  });

  it("stop() closes open WebSocket connections with 1001", async () => {
    const s = await setup();
    const c = await Client.connect(s.port);
    const closed = new Promise<number>((r) => c.ws.once("close", (code) => r(code)));
    await open.pop()!.server.stop();
    expect(await closed).toBe(1001);
    expect(s.server.stats()).toEqual({ wsConnections: 0, subscriptions: 0 });
  });
});

describe("WebSocket limits", () => {
  it("subscriptions per connection", async () => {
    const s = await setup({ wsMaxSubscriptions: 2 });
    const c = await Client.connect(s.port);
    expect((await c.call("eth_subscribe", ["newHeads"])).result).toBeTypeOf("string");
    expect((await c.call("eth_subscribe", ["newHeads"])).result).toBeTypeOf("string");
    const third = await c.call("eth_subscribe", ["newHeads"]);
    expect(third.error.code).toBe(-32005);
    // Another connection has its own budget.
    const d = await Client.connect(s.port);
    expect((await d.call("eth_subscribe", ["newHeads"])).result).toBeTypeOf("string");
  });

  it("connections per client IP (429) and in total (503)", async () => {
    const s = await setup({ wsMaxConnectionsPerIp: 2 });
    await Client.connect(s.port);
    await Client.connect(s.port);
    expect(await refusedStatus(s.port)).toBe(429);
    const t = await setup({ wsMaxConnections: 1 });
    await Client.connect(t.port);
    expect(await refusedStatus(t.port)).toBe(503);
    // HTTP is not affected by the WebSocket limits.
    const res = await fetch(`http://127.0.0.1:${t.port}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(rpc(1, "eth_chainId")),
    });
    expect(res.status).toBe(200);
  });

  it("a message above maxBodyBytes closes the socket with 1009", async () => {
    const s = await setup({ maxBodyBytes: 4096 });
    const c = await Client.connect(s.port);
    expect((await c.call("eth_chainId")).result).toBe("0x1092");
    const closed = new Promise<number>((r) => c.ws.once("close", (code) => r(code)));
    c.ws.send(JSON.stringify(rpc(1, "eth_chainId", ["x".repeat(5000)])));
    expect(await closed).toBe(1009);
  });

  it("a client that stops reading is dropped once its send buffer passes the bound", async () => {
    const s = await setup({ wsMaxBufferedBytes: 64 * 1024 });
    const c = await Client.connect(s.port);
    await c.call("eth_subscribe", ["newHeads"]);
    // Stop reading from the socket: the kernel buffers fill, then the server's queue grows.
    (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const ev = await headEvent(s.stub, 2);
    const end = Date.now() + 30_000;
    while (s.server.stats().wsConnections > 0) {
      if (Date.now() > end) throw new Error("slow consumer was not dropped");
      for (let i = 0; i < 500; i++) s.events.head(ev);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(s.server.stats().subscriptions).toBe(0);
  });
});

describe("Host allow-list and CORS", () => {
  const body = JSON.stringify(rpc(1, "eth_chainId"));
  const json = { "content-type": "application/json" };

  it("HTTP: other Host names get 403; localhost, IP literals and allowedHosts pass", async () => {
    const s = await setup({ allowedHosts: ["node.example"] });
    const with_ = (host: string) => rawRequest(s.port, "POST", { ...json, host }, body);
    expect((await with_("evil.example")).status).toBe(403);
    expect(JSON.parse((await with_("evil.example:8545")).body).error.message).toBe("invalid host specified");
    expect((await with_(`localhost:${s.port}`)).status).toBe(200);
    expect((await with_(`127.0.0.1:${s.port}`)).status).toBe(200);
    expect((await with_(`[::1]:${s.port}`)).status).toBe(200);
    expect((await with_("10.1.2.3")).status).toBe(200);
    expect((await with_("NODE.example:80")).status).toBe(200);
    const any = await setup({ allowedHosts: ["*"] });
    expect((await rawRequest(any.port, "POST", { ...json, host: "evil.example" }, body)).status).toBe(200);
  });

  it("WebSocket: the upgrade obeys the Host allow-list", async () => {
    const s = await setup();
    expect(await refusedStatus(s.port, { headers: { host: "evil.example" } })).toBe(403);
    const ok = await Client.connect(s.port, { headers: { host: `localhost:${s.port}` } });
    expect((await ok.call("eth_chainId")).result).toBe("0x1092");
  });

  it("no corsOrigins: no CORS headers; WebSocket origins only from localhost", async () => {
    const s = await setup();
    const r = await rawRequest(s.port, "POST", { ...json, origin: "http://app.example" }, body);
    expect(r.status).toBe(200);
    expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    const pre = await rawRequest(s.port, "OPTIONS", {
      origin: "http://app.example",
      "access-control-request-method": "POST",
    });
    expect(pre.status).toBe(403);
    expect(await refusedStatus(s.port, { origin: "http://evil.example" })).toBe(403);
    await Client.connect(s.port, { origin: "http://localhost:3000" });
  });

  it("corsOrigins: preflight, response headers, WebSocket Origin check; * allows all", async () => {
    const s = await setup({ corsOrigins: ["http://app.example"] });
    const pre = await rawRequest(s.port, "OPTIONS", {
      origin: "http://app.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    });
    expect(pre.status).toBe(204);
    expect(pre.headers["access-control-allow-origin"]).toBe("http://app.example");
    expect(pre.headers["access-control-allow-methods"]).toContain("POST");
    expect(String(pre.headers["access-control-allow-headers"]).toLowerCase()).toContain("content-type");
    const bad = await rawRequest(s.port, "OPTIONS", {
      origin: "http://evil.example",
      "access-control-request-method": "POST",
    });
    expect(bad.status).toBe(403);
    const post = await rawRequest(s.port, "POST", { ...json, origin: "http://app.example" }, body);
    expect(post.headers["access-control-allow-origin"]).toBe("http://app.example");
    expect(post.headers.vary).toBe("Origin");
    // OPTIONS that is not a preflight keeps the old answer.
    expect((await rawRequest(s.port, "OPTIONS", {})).status).toBe(405);
    expect(await refusedStatus(s.port, { origin: "http://evil.example" })).toBe(403);
    expect(await refusedStatus(s.port, { origin: "http://localhost:3000" })).toBe(403);
    await Client.connect(s.port, { origin: "http://app.example" });

    const any = await setup({ corsOrigins: ["*"] });
    const r = await rawRequest(any.port, "POST", { ...json, origin: "http://whatever.example" }, body);
    expect(r.headers["access-control-allow-origin"]).toBe("*");
    await Client.connect(any.port, { origin: "http://whatever.example" });
  });
});

describe("pageOrigins (the explorer's origins)", () => {
  const page = "http://127.0.0.1:8080";
  const json = { "content-type": "application/json" };
  const body = JSON.stringify(rpc(1, "eth_chainId"));

  it("are allowed for CORS and WebSocket without narrowing what was allowed before", async () => {
    const s = await setup({ pageOrigins: [page, "http://localhost:8080"] });
    const post = await rawRequest(s.port, "POST", { ...json, origin: page }, body);
    expect(post.headers["access-control-allow-origin"]).toBe(page);
    const pre = await rawRequest(s.port, "OPTIONS", {
      origin: page,
      "access-control-request-method": "POST",
    });
    expect(pre.status).toBe(204);
    await Client.connect(s.port, { origin: page });
    // as with no explorer: other localhost pages still connect, other sites still do not, and
    // nobody else gets CORS headers
    await Client.connect(s.port, { origin: "http://localhost:3000" });
    await Client.connect(s.port, { origin: "http://127.0.0.1:5173" });
    expect(await refusedStatus(s.port, { origin: "http://evil.example" })).toBe(403);
    const other = await rawRequest(s.port, "POST", { ...json, origin: "http://localhost:3000" }, body);
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("with corsOrigins configured: the list and the pages, nothing else", async () => {
    const s = await setup({ corsOrigins: ["http://app.example"], pageOrigins: [page] });
    await Client.connect(s.port, { origin: "http://app.example" });
    await Client.connect(s.port, { origin: page });
    expect(await refusedStatus(s.port, { origin: "http://localhost:3000" })).toBe(403);
    const post = await rawRequest(s.port, "POST", { ...json, origin: page }, body);
    expect(post.headers["access-control-allow-origin"]).toBe(page);
  });
});

describe("admin_ methods", () => {
  const info: AdminInfo = {
    peers: () => [
      {
        id: "12D3KooWpeer",
        addrs: ["/ip4/127.0.0.1/tcp/30334"],
        status: {
          chainId: 4242,
          head: { height: 7, hash: new Uint8Array(32).fill(1) },
          finalized: { height: 5, hash: new Uint8Array(32).fill(2) },
        },
      },
      { id: "12D3KooWnew", addrs: [], status: null },
    ],
    p2p: () => ({ peerId: "12D3KooWself", listenAddrs: ["/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWself"] }),
  };

  it("off by default: -32601 over HTTP and WebSocket", async () => {
    const s = await setup({}, info);
    const c = await Client.connect(s.port);
    expect((await c.call("admin_peers")).error.code).toBe(-32601);
    expect((await c.call("admin_nodeInfo")).error.code).toBe(-32601);
  });

  it("enableAdmin: admin_peers and admin_nodeInfo", async () => {
    const s = await setup({ enableAdmin: true }, info);
    const c = await Client.connect(s.port);
    const peers = (await c.call("admin_peers")).result;
    expect(peers).toEqual([
      {
        id: "12D3KooWpeer",
        addrs: ["/ip4/127.0.0.1/tcp/30334"],
        status: {
          chainId: "0x1092",
          head: { height: "0x7", hash: `0x${"01".repeat(32)}` },
          finalized: { height: "0x5", hash: `0x${"02".repeat(32)}` },
        },
      },
      { id: "12D3KooWnew", addrs: [], status: null },
    ]);
    const node = (await c.call("admin_nodeInfo")).result;
    expect(node).toMatchObject({
      clientVersion: "lvo/0.1.0-test",
      chainId: "0x1092",
      peerId: "12D3KooWself",
      head: { height: "0x3" },
      finalized: { height: "0x1" },
      peers: 3,
    });
    expect(s.calls).toContainEqual(["admin_peers", true]);
  });
});
