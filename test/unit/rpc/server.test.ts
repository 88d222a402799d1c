// HTTP and JSON-RPC 2.0 envelope behaviour: batches, limits, malformed input, lifecycle.
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createRpcServer } from "../../../src/rpc/server.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { createStub, type Harness, startHarness } from "./stub.ts";

let h: Harness;
const MAX_BODY = 4096;
const MAX_BATCH = 5;
beforeAll(async () => {
  h = await startHarness({ maxBodyBytes: MAX_BODY, maxBatch: MAX_BATCH, requestTimeoutMs: 300 });
});
afterAll(() => h.close());
afterEach(() => vi.restoreAllMocks());

const req = (id: unknown, method: string, params: unknown[] = []) => ({ jsonrpc: "2.0", id, method, params });

/** Raw HTTP POST without fetch's conveniences (chunked bodies, exact headers). */
function rawPost(
  port: number,
  chunks: Buffer[],
  headers: Record<string, string>,
): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const r = request(
      { host: "127.0.0.1", port, method: "POST", path: "/", headers, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
      },
    );
    r.on("error", reject);
    for (const c of chunks) r.write(c);
    r.end();
  });
}

describe("single requests", () => {
  it("answers with jsonrpc, the same id and a result; string ids and null ids work", async () => {
    const { status, headers, json } = await h.post(JSON.stringify(req("abc", "eth_blockNumber")));
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("application/json");
    expect(json).toEqual({ jsonrpc: "2.0", id: "abc", result: "0x3" });
    expect((await h.post(JSON.stringify(req(null, "eth_blockNumber")))).json).toEqual({
      jsonrpc: "2.0",
      id: null,
      result: "0x3",
    });
  });
  it("invalid JSON → -32700 with id null", async () => {
    const { status, json } = await h.post('{"jsonrpc":"2.0","id":1,');
    expect(status).toBe(200);
    expect(json).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } });
  });
  it("unknown method → -32601 in geth's wording; prototype names are not methods", async () => {
    const { json } = await h.post(JSON.stringify(req(7, "eth_mine")));
    expect(json.id).toBe(7);
    expect(json.error.code).toBe(-32601);
    expect(json.error.message).toMatch(/the method eth_mine does not exist/);
    for (const m of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect((await h.call(m)).error.code).toBe(-32601);
    }
  });
  it("envelope errors → -32600", async () => {
    const bad = [
      { id: 1, method: "eth_blockNumber" }, // no jsonrpc
      { jsonrpc: "1.0", id: 1, method: "eth_blockNumber" },
      { jsonrpc: "2.0", id: 1 }, // no method
      { jsonrpc: "2.0", id: 1, method: 5 },
      { jsonrpc: "2.0", id: {}, method: "eth_blockNumber" },
      { jsonrpc: "2.0", id: [1], method: "eth_blockNumber" },
      { jsonrpc: "2.0", id: true, method: "eth_blockNumber" },
      { jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: "x" },
    ];
    for (const b of bad) {
      const { json } = await h.post(JSON.stringify(b));
      expect(json.error.code, JSON.stringify(b)).toBe(-32600);
    }
    // An id that is not a string/number/null is not echoed back.
    expect((await h.post(JSON.stringify(bad[4]))).json.id).toBeNull();
  });
  it("by-name (object) params → -32602", async () => {
    const { json } = await h.post(
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getBalance", params: {} }),
    );
    expect(json.error.code).toBe(-32602);
  });
  it("null params read as no params", async () => {
    const { json } = await h.post(
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: null }),
    );
    expect(json.result).toBe("0x1092");
  });
  it("a notification gets no response body (204)", async () => {
    const { status, json } = await h.post(JSON.stringify({ jsonrpc: "2.0", method: "eth_blockNumber" }));
    expect(status).toBe(204);
    expect(json).toBeUndefined();
  });
  it("a handler slower than the request timeout → -32002", async () => {
    vi.spyOn(h.stub, "getBlockByHeight").mockImplementation(() => new Promise(() => {}));
    const res = await h.call("eth_getBlockByNumber", ["latest", false]);
    expect(res.error).toEqual({ code: -32002, message: "request timed out" });
  });
  it("never crashes on odd bodies", async () => {
    const bodies = [
      "",
      "null",
      "1",
      '"x"',
      "true",
      "[1]",
      "[[]]",
      "[null]",
      "{}",
      `${"[".repeat(1000)}${"]".repeat(1000)}`,
      '{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":[{"__proto__":{"x":1}},"latest"]}',
      '{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x' +
        "f".repeat(40) +
        '",{"blockHash":{}}]}',
      '{"jsonrpc":"2.0","id":1e400,"method":"eth_chainId"}',
      "\u0000\uffff",
    ];
    for (const body of bodies) {
      const { status, json } = await h.post(body);
      expect(status, body.slice(0, 30)).toBe(200);
      expect(json.jsonrpc ?? json[0]?.jsonrpc, body.slice(0, 30)).toBe("2.0");
    }
    expect(await h.result("eth_blockNumber")).toBe("0x3");
  });
});

describe("batches", () => {
  it("valid and invalid items are answered per item, in order; notifications are skipped", async () => {
    const body = [
      req(1, "eth_chainId"),
      { jsonrpc: "2.0", method: "eth_blockNumber" }, // notification
      req(2, "eth_nope"),
      5,
      req(3, "eth_getBalance", ["0x1"]),
    ];
    const { status, json } = await h.post(JSON.stringify(body));
    expect(status).toBe(200);
    expect(json).toHaveLength(4);
    expect(json[0]).toEqual({ jsonrpc: "2.0", id: 1, result: "0x1092" });
    expect(json[1].id).toBe(2);
    expect(json[1].error.code).toBe(-32601);
    expect(json[2]).toMatchObject({ id: null, error: { code: -32600 } });
    expect(json[3]).toMatchObject({ id: 3, error: { code: -32602 } });
  });
  it("items run concurrently but answers keep request order", async () => {
    const real = h.stub.getBlockByHeight;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    vi.spyOn(h.stub, "getBlockByHeight").mockImplementation(async (height) => {
      if (height === 1) await gate; // the first item waits until the second has run
      return real(height);
    });
    vi.spyOn(h.stub, "getBlockByHash").mockImplementation(async (hash) => {
      release();
      return h.stub.blocks.find((b) => Buffer.from(b.hash).equals(Buffer.from(hash)));
    });
    const blockHash = `0x${Buffer.from(h.stub.blocks[2]!.hash).toString("hex")}`;
    const { json } = await h.post(
      JSON.stringify([
        req("a", "eth_getBlockByNumber", ["0x1", false]),
        req("b", "eth_getBlockByHash", [blockHash, false]),
      ]),
    );
    expect(json.map((r: { id: string }) => r.id)).toEqual(["a", "b"]);
    expect(json[0].result.number).toBe("0x1");
    expect(json[1].result.number).toBe("0x2");
  });
  it("an empty batch is one -32600 error", async () => {
    const { json } = await h.post("[]");
    expect(json).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "invalid request: empty batch" },
    });
  });
  it("a batch over maxBatch is one -32005 error", async () => {
    const batch = Array.from({ length: MAX_BATCH + 1 }, (_, i) => req(i, "eth_chainId"));
    const { json } = await h.post(JSON.stringify(batch));
    expect(Array.isArray(json)).toBe(false);
    expect(json.error.code).toBe(-32005);
    const ok = await h.post(JSON.stringify(batch.slice(0, MAX_BATCH)));
    expect(ok.json).toHaveLength(MAX_BATCH);
  });
  it("an all-notification batch → 204", async () => {
    const n = { jsonrpc: "2.0", method: "eth_chainId" };
    const { status, json } = await h.post(JSON.stringify([n, n]));
    expect(status).toBe(204);
    expect(json).toBeUndefined();
  });
});

describe("HTTP layer", () => {
  it("non-POST → 405 with a JSON error", async () => {
    for (const method of ["GET", "PUT", "OPTIONS"]) {
      const res = await fetch(h.url, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32600);
    }
  });
  it("non-JSON content type → 415; charset parameters are fine", async () => {
    const body = JSON.stringify(req(1, "eth_chainId"));
    expect((await h.post(body, { "content-type": "text/plain" })).status).toBe(415);
    expect((await h.post(body, { "content-type": "application/json; charset=utf-8" })).json.result).toBe(
      "0x1092",
    );
  });
  it("a declared oversized body → 413 with a JSON-RPC error, and the connection closes", async () => {
    const big = JSON.stringify(req(1, "eth_sendRawTransaction", [`0x${"ab".repeat(MAX_BODY)}`]));
    const res = await fetch(h.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32005);
  });
  it("a chunked body that grows past the limit → 413", async () => {
    const chunk = Buffer.alloc(1024, 0x20);
    const res = await rawPost(h.port, Array(8).fill(chunk), {
      "content-type": "application/json",
      "transfer-encoding": "chunked",
    });
    expect(res.status).toBe(413);
    expect(res.connection).toBe("close");
    expect(JSON.parse(res.body).error.code).toBe(-32005);
    expect(await h.result("eth_chainId")).toBe("0x1092");
  });
  it("a body right at the limit is read", async () => {
    const base = JSON.stringify(req(1, "eth_chainId"));
    const body = base + " ".repeat(MAX_BODY - base.length);
    expect((await h.post(body)).json.result).toBe("0x1092");
  });
  it("keeps connections alive between requests", async () => {
    const res = await rawPost(h.port, [Buffer.from(JSON.stringify(req(1, "eth_chainId")))], {
      "content-type": "application/json",
      connection: "keep-alive",
    });
    expect(res.connection).toBe("keep-alive");
  });
  it("malformed HTTP is refused with 400 without hurting the server", async () => {
    const reply = await new Promise<string>((resolve) => {
      const s = connect(h.port, "127.0.0.1", () => s.write("NONSENSE\r\n\r\n"));
      let data = "";
      s.on("data", (d) => (data += d));
      s.on("close", () => resolve(data));
      s.on("error", () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(await h.result("eth_chainId")).toBe("0x1092");
  });
});

describe("lifecycle", () => {
  it("start on a taken port rejects with RPC_PORT_IN_USE naming host:port", async () => {
    const other = createRpcServer(
      { host: "127.0.0.1", port: h.port },
      { backend: await createStub(), log: silentLogger() },
    );
    const err = await other.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isLvoError(err, "RPC_PORT_IN_USE")).toBe(true);
    expect((err as Error).message).toContain(`127.0.0.1:${h.port}`);
    await other.stop(); // not started: a no-op
  });
  it("stop is idempotent and frees the port for a new server", async () => {
    const backend = await createStub();
    const a = createRpcServer({ port: 0 }, { backend, log: silentLogger() });
    const { host, port } = await a.start();
    expect(host).toBe("127.0.0.1");
    await a.stop();
    await a.stop();
    const b = createRpcServer({ port }, { backend, log: silentLogger() });
    expect((await b.start()).port).toBe(port);
    await b.stop();
  });
  it("sets maxConnections on the listening server", async () => {
    const backend = await createStub();
    const s = createRpcServer({ port: 0, maxConnections: 1 }, { backend, log: silentLogger() });
    const { port } = await s.start();
    // Hold one connection open, then a second one is dropped on accept.
    const first = connect(port, "127.0.0.1");
    await new Promise((r) => first.once("connect", r));
    const dropped = await new Promise<boolean>((resolve) => {
      const second = connect(port, "127.0.0.1", () => second.write("POST / HTTP/1.1\r\nHost: x\r\n\r\n"));
      second.on("close", () => resolve(true));
      second.on("data", () => resolve(false));
      second.on("error", () => resolve(true));
    });
    expect(dropped).toBe(true);
    first.destroy();
    await s.stop();
  });

  it("caps connections per remote address and cuts half-sent requests near the headers deadline (campaign regression)", async () => {
    // Regression (rpc-fuzz campaign): one client could hold every slot with half-sent requests
    // for up to a minute (Node checked deadlines every 30 s).
    const backend = await createStub();
    const s = createRpcServer(
      { port: 0, maxConnectionsPerIp: 2, capLoopback: true, requestTimeoutMs: 1_500 },
      { backend, log: silentLogger() },
    );
    const { port } = await s.start();
    const open = async () => {
      const c = connect(port, "127.0.0.1");
      await new Promise((r) => c.once("connect", r));
      c.write("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // headers never finished
      return c;
    };
    const a = await open();
    const b = await open();
    b.resume(); // read, or its end (and close) never arrives
    const bClosed = new Promise((r) => b.once("close", r));
    const third = connect(port, "127.0.0.1");
    const dropped = await new Promise<boolean>((resolve) => {
      third.on("close", () => resolve(true));
      third.on("error", () => resolve(true));
      third.on("data", () => resolve(false));
    });
    expect(dropped).toBe(true);
    // the half-sent ones get 408 within ~1 s of the 1.5 s headers deadline, freeing the slots
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      let text = "";
      a.on("data", (d) => {
        text += String(d);
      });
      a.on("close", () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await bClosed;
    // slots free again (once the server has seen the closes): a normal request is served
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await fetch(`http://127.0.0.1:${port}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      }).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(200);
    await s.stop();
  });
});
