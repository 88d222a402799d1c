import { readFileSync } from "node:fs";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createExplorerServer,
  type ExplorerServer,
  endpointUrls,
  explorerOrigins,
} from "../../../src/explorer/server.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import { silentLogger } from "../../../src/util/log.ts";

const STATIC = new URL("../../../src/explorer/static/", import.meta.url);

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path sent exactly as given (fetch would normalise "/../"). */
function raw(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("explorer static server", () => {
  let server: ExplorerServer;
  let port: number;
  let rpc: { host: string; port: number } | null = { host: "127.0.0.1", port: 18545 };

  beforeAll(async () => {
    server = createExplorerServer(
      { host: "127.0.0.1", port: 0 },
      { log: silentLogger(), rpcAddress: () => rpc },
    );
    port = (await server.start()).port;
  });
  afterAll(async () => {
    await server.stop();
  });

  it("serves the page, the script and the style with their content types, byte for byte", async () => {
    const cases: [string, string, string][] = [
      ["/", "index.html", "text/html; charset=utf-8"],
      ["/index.html", "index.html", "text/html; charset=utf-8"],
      ["/app.js", "app.js", "text/javascript; charset=utf-8"],
      ["/style.css", "style.css", "text/css; charset=utf-8"],
      ["/app.js?v=2", "app.js", "text/javascript; charset=utf-8"],
    ];
    for (const [path, file, type] of cases) {
      const r = await raw(port, "GET", path);
      expect(r.status, path).toBe(200);
      expect(r.headers["content-type"]).toBe(type);
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(r.body.equals(readFileSync(new URL(file, STATIC)))).toBe(true);
      expect(Number(r.headers["content-length"])).toBe(r.body.length);
    }
  });

  it("/config.json names the node's JSON-RPC HTTP and WebSocket URLs; the CSP allows exactly those", async () => {
    const r = await raw(port, "GET", "/config.json");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(r.body.toString())).toEqual({
      rpcUrl: "http://127.0.0.1:18545",
      wsUrl: "ws://127.0.0.1:18545",
    });
    const csp = String(r.headers["content-security-policy"]);
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:18545 ws://127.0.0.1:18545");
    expect(csp).toContain("script-src 'self'");
    rpc = null;
    const off = await raw(port, "GET", "/config.json");
    expect(JSON.parse(off.body.toString())).toEqual({ rpcUrl: null, wsUrl: null });
    rpc = { host: "127.0.0.1", port: 18545 };
  });

  it("HEAD: same headers, no body", async () => {
    const get = await raw(port, "GET", "/app.js");
    const head = await raw(port, "HEAD", "/app.js");
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers["content-length"]).toBe(get.headers["content-length"]);
    expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
    expect((await raw(port, "HEAD", "/nope")).status).toBe(404);
  });

  it("404 for anything else, traversal included; the server's own source is never served", async () => {
    for (const path of [
      "/nope",
      "/server.ts",
      "/static/app.js",
      "/../server.ts",
      "/..%2fserver.ts",
      "/%2e%2e/%2e%2e/package.json",
      "/../../../../etc/passwd",
      "//etc/passwd",
      "/app.js/",
      "/APP.JS",
      "/index.html%00.js",
    ]) {
      const r = await raw(port, "GET", path);
      expect(r.status, path).toBe(404);
      expect(r.body.toString()).toBe("not found\n");
    }
  });

  it("only GET and HEAD: 405 with Allow", async () => {
    for (const m of ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"]) {
      const r = await raw(port, m, "/");
      expect(r.status, m).toBe(405);
      expect(r.headers.allow).toBe("GET, HEAD");
    }
  });

  it("a taken port is EXPLORER_PORT_IN_USE; stop is idempotent", async () => {
    const other = createExplorerServer(
      { host: "127.0.0.1", port },
      { log: silentLogger(), rpcAddress: () => null },
    );
    const err = await other.start().catch((e: unknown) => e);
    expect(isLvoError(err, "EXPLORER_PORT_IN_USE")).toBe(true);
    await other.stop();
    await other.stop();
  });
});

describe("explorer URLs", () => {
  it("a wildcard RPC bind is reached through the host the browser used", () => {
    expect(endpointUrls({ host: "0.0.0.0", port: 8545 }, "example.test:8080")).toEqual({
      rpcUrl: "http://example.test:8545",
      wsUrl: "ws://example.test:8545",
    });
    expect(endpointUrls({ host: "::", port: 8545 }, "[::1]:8080").rpcUrl).toBe("http://[::1]:8545");
    expect(endpointUrls({ host: "::1", port: 8545 }).rpcUrl).toBe("http://[::1]:8545");
    expect(endpointUrls({ host: "0.0.0.0", port: 8545 }, "bad host<>").rpcUrl).toBe("http://127.0.0.1:8545");
  });

  it("the explorer's origins for the RPC's CORS list", () => {
    expect(explorerOrigins({ host: "127.0.0.1", port: 9000 })).toEqual([
      "http://127.0.0.1:9000",
      "http://localhost:9000",
    ]);
    expect(explorerOrigins({ host: "10.0.0.5", port: 9000 })).toEqual(["http://10.0.0.5:9000"]);
  });
});
