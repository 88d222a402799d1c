import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Logger } from "../util/log.ts";
import { ExplorerErrorCode, explorerError } from "./errors.ts";

/** Where the explorer listens. Loopback by default; port 0 picks a free port (tests). */
export interface ExplorerOptions {
  host: string;
  port: number;
}

export const DEFAULT_EXPLORER_HOST = "127.0.0.1";

/** What the server needs from the node. */
export interface ExplorerModules {
  log: Logger;
  /** The node's JSON-RPC address once it listens (null: RPC is off); read on every /config.json. */
  rpcAddress: () => { host: string; port: number } | null;
}

/** A started-or-not explorer HTTP server. */
export interface ExplorerServer {
  /** Listen; resolves with the bound address. Rejects EXPLORER_PORT_IN_USE / EXPLORER_LISTEN_FAILED. */
  start(): Promise<{ host: string; port: number }>;
  /** Close the listener and every open connection. Idempotent. */
  stop(): Promise<void>;
}

/** The page's files: URL path → file under ./static and its content type. Nothing else is served. */
export const STATIC_FILES: ReadonlyMap<string, { file: string; type: string }> = new Map([
  ["/", { file: "index.html", type: "text/html; charset=utf-8" }],
  ["/index.html", { file: "index.html", type: "text/html; charset=utf-8" }],
  ["/app.js", { file: "app.js", type: "text/javascript; charset=utf-8" }],
  ["/style.css", { file: "style.css", type: "text/css; charset=utf-8" }],
]);

const STATIC_DIR = new URL("./static/", import.meta.url);

/** `host:port` for a URL (IPv6 in brackets); a wildcard bind is replaced by the host the browser used. */
function urlHost(bound: string, port: number, requestHost: string | undefined): string {
  let host = bound;
  if (host === "0.0.0.0" || host === "::" || host === "") host = hostnameOf(requestHost) ?? "127.0.0.1";
  if (host.includes(":") && !host.startsWith("[")) host = `[${host}]`;
  return `${host}:${port}`;
}

/** The hostname part of a Host header (IPv6 keeps its brackets); null when absent or odd. */
function hostnameOf(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d+)?$/.exec(header);
  return m ? m[1]! : null;
}

/** The JSON-RPC endpoints the page talks to (HTTP for calls, WebSocket for newHeads). */
export function endpointUrls(
  rpc: { host: string; port: number } | null,
  requestHost?: string,
): { rpcUrl: string | null; wsUrl: string | null } {
  if (!rpc) return { rpcUrl: null, wsUrl: null };
  const hp = urlHost(rpc.host, rpc.port, requestHost);
  return { rpcUrl: `http://${hp}`, wsUrl: `ws://${hp}` };
}

/** The origins a browser reports for a page served at host:port (for the RPC's CORS list). */
export function explorerOrigins(addr: { host: string; port: number }): string[] {
  const h = addr.host;
  if (h === "0.0.0.0" || h === "::")
    return [`http://127.0.0.1:${addr.port}`, `http://localhost:${addr.port}`];
  const out = [`http://${urlHost(h, addr.port, undefined)}`];
  if (h === "127.0.0.1" || h === "::1") out.push(`http://localhost:${addr.port}`);
  return out;
}

function securityHeaders(connect: string[]): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${connect.join(" ")}`.trim(),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
  };
}

/**
 * The read-only explorer: one static page (index.html, app.js, style.css from ./static) and
 * /config.json with the node's JSON-RPC URLs. GET and HEAD only; any other path is 404, so no
 * path ever reaches the file system except the fixed list above.
 */
export function createExplorerServer(
  options: Partial<ExplorerOptions>,
  modules: ExplorerModules,
): ExplorerServer {
  const opts: ExplorerOptions = { host: DEFAULT_EXPLORER_HOST, port: 0, ...options };
  const { log } = modules;
  let server: Server | null = null;
  const sockets = new Set<Socket>();

  function reply(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    body: Buffer | string,
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    const buf = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    res.writeHead(status, { "Content-Type": type, "Content-Length": String(buf.length), ...headers });
    res.end(req.method === "HEAD" ? undefined : buf);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { rpcUrl, wsUrl } = endpointUrls(modules.rpcAddress(), req.headers.host);
    const headers = securityHeaders([rpcUrl, wsUrl].filter((u): u is string => u !== null));
    if (req.method !== "GET" && req.method !== "HEAD") {
      reply(req, res, 405, "text/plain; charset=utf-8", "method not allowed\n", {
        ...headers,
        Allow: "GET, HEAD",
      });
      return;
    }
    // Only the path; the query string is ignored. No decoding: "/%2e%2e/x" is simply unknown.
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === "/config.json") {
      reply(req, res, 200, "application/json; charset=utf-8", JSON.stringify({ rpcUrl, wsUrl }), headers);
      return;
    }
    const entry = STATIC_FILES.get(path);
    if (!entry) {
      reply(req, res, 404, "text/plain; charset=utf-8", "not found\n", headers);
      return;
    }
    const body = await readFile(new URL(entry.file, STATIC_DIR));
    reply(req, res, 200, entry.type, body, headers);
  }

  function listen(s: Server): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const where = `${opts.host}:${opts.port}`;
      const onError = (err: NodeJS.ErrnoException) => {
        reject(
          err.code === "EADDRINUSE"
            ? explorerError(
                ExplorerErrorCode.EXPLORER_PORT_IN_USE,
                `explorer port ${where} is already in use; stop the other process or choose another port`,
                { host: opts.host, port: opts.port },
              )
            : explorerError(
                ExplorerErrorCode.EXPLORER_LISTEN_FAILED,
                `cannot listen for the explorer on ${where}: ${err.message}`,
                { code: err.code },
              ),
        );
      };
      s.once("error", onError);
      s.listen(opts.port, opts.host, () => {
        s.off("error", onError);
        s.on("error", (err) => log.error({ err }, "explorer server error"));
        const addr = s.address() as AddressInfo;
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  return {
    async start() {
      if (server) throw explorerError(ExplorerErrorCode.EXPLORER_LISTEN_FAILED, "explorer already started");
      const s = createServer((req, res) => {
        onRequest(req, res).catch((err: unknown) => {
          log.warn({ err }, "explorer request failed");
          reply(req, res, 500, "text/plain; charset=utf-8", "internal error\n");
        });
      });
      s.maxConnections = 64;
      s.requestTimeout = 10_000;
      s.headersTimeout = 10_000;
      s.on("connection", (sock: Socket) => {
        sockets.add(sock);
        sock.once("close", () => sockets.delete(sock));
      });
      server = s;
      try {
        return await listen(s);
      } catch (err) {
        server = null;
        throw err;
      }
    },
    async stop() {
      const s = server;
      if (!s) return;
      server = null;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        for (const sock of sockets) sock.destroy();
        sockets.clear();
      });
    },
  };
}
