import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "../util/log.ts";
import { type AdminInfo, adminMethods } from "./admin.ts";
import type { RpcBackend } from "./backend.ts";
import { createDispatcher, errorResponse } from "./dispatch.ts";
import { JsonRpcCode, RpcErrorCode, rpcError } from "./errors.ts";
import type { ChainEvents } from "./events.ts";
import { createGuard } from "./guard.ts";
import { createMethodTable } from "./methods/index.ts";
import { DISCOVER, discoverMethod } from "./openrpc.ts";
import { defaultRpcOptions, type RpcOptions } from "./options.ts";
import { SubscriptionHub } from "./subscriptions.ts";
import { createWsTransport, type WsTransport } from "./ws.ts";

/** What the server needs from the node. `log` is used as given (the node passes its rpc child). */
export interface RpcModules {
  backend: RpcBackend;
  log: Logger;
  /** New heads and finality for WebSocket subscriptions; without it eth_subscribe fails. */
  events?: ChainEvents;
  /** p2p views for the admin_ methods (served only with `enableAdmin`). */
  admin?: AdminInfo;
  /** Called per JSON-RPC call, HTTP and WebSocket alike (see DispatcherModules.onCall). */
  onCall?: (method: string, ms: number, ok: boolean) => void;
}

/** A started-or-not JSON-RPC server: HTTP POST and WebSocket on the same port. */
export interface RpcServer {
  /** Listen; resolves with the bound address (port 0 → the port picked). Rejects RPC_PORT_IN_USE. */
  start(): Promise<{ host: string; port: number }>;
  /** Stop accepting, let in-flight requests finish within the grace period, close. Idempotent. */
  stop(): Promise<void>;
  /** Open WebSocket connections and their live subscriptions (zeros when stopped). */
  stats(): { wsConnections: number; subscriptions: number };
}

// geth accepts these media types for JSON-RPC bodies.
const JSON_TYPES = new Set(["application/json", "application/json-rpc", "application/jsonrequest"]);
// After refusing a body, keep discarding what the client still sends for this long so it reads
// the 413 instead of a connection reset, then cut the connection.
const LINGER_MS = 2_000;
const DROP_WARN_INTERVAL_MS = 10_000;

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
function isLoopback(ip: string): boolean {
  return ip === "::1" || ip.startsWith("127.") || ip.startsWith("::ffff:127.");
}

function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  return JSON_TYPES.has(header.split(";")[0]!.trim().toLowerCase());
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

/** Read the body up to `limit` bytes; null when it is bigger (reading stops there). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        settled = true;
        req.off("data", onData);
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => {
      if (!settled) {
        settled = true;
        resolve(Buffer.concat(chunks, size));
      }
    });
    req.once("error", (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    req.once("close", () => {
      if (!settled) {
        settled = true;
        reject(new Error("request closed before its body was read"));
      }
    });
  });
}

/**
 * Create the JSON-RPC 2.0 server over HTTP (POST, application/json) and WebSocket (an upgrade
 * on the same port, see ws.ts), behind the Host allow-list and CORS rules of guard.ts. Options
 * not given take `defaultRpcOptions`. Every request is answered or dropped without ever throwing out of the
 * handler, so no input can crash the node.
 */
export function createRpcServer(options: Partial<RpcOptions>, modules: RpcModules): RpcServer {
  const opts: RpcOptions = { ...defaultRpcOptions, ...options };
  const { log } = modules;
  const methods = new Map(createMethodTable());
  if (opts.enableAdmin) {
    for (const [k, v] of Object.entries(adminMethods(modules.admin))) methods.set(k, v);
    // rpc.discover describes what this server serves, admin_ methods included
    methods.set(DISCOVER, discoverMethod(methods));
  }
  const dispatcher = createDispatcher(opts, { ...modules, methods });
  const guard = createGuard(opts);
  let server: Server | null = null;
  let ws: WsTransport | null = null;
  let hub: SubscriptionHub | null = null;
  let lastDropWarn = 0;

  function refuseBody(req: IncomingMessage, res: ServerResponse): void {
    const err = {
      code: JsonRpcCode.LIMIT_EXCEEDED,
      message: `request body exceeds ${opts.maxBodyBytes} bytes`,
    };
    log.debug({ limit: opts.maxBodyBytes, remote: req.socket.remoteAddress }, "rpc body too large");
    send(res, 413, errorResponse(null, err), { Connection: "close" });
    const socket = req.socket;
    req.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!guard.hostAllowed(req.headers.host)) {
      log.debug({ host: req.headers.host, remote: req.socket.remoteAddress }, "rpc host refused");
      const err = { code: JsonRpcCode.INVALID_REQUEST, message: "invalid host specified" };
      send(res, 403, errorResponse(null, err));
      return;
    }
    const origin = req.headers.origin;
    const cors = guard.corsHeaders(origin);
    if (req.method === "OPTIONS" && origin !== undefined && req.headers["access-control-request-method"]) {
      // CORS preflight: allowed origins learn what they may send; others get no CORS headers.
      if (!cors["Access-Control-Allow-Origin"]) {
        res.writeHead(403, { "Content-Length": "0" }).end();
        return;
      }
      res
        .writeHead(204, {
          ...cors,
          "Access-Control-Allow-Methods": "POST, OPTIONS",
          "Access-Control-Allow-Headers": "Content-Type, Authorization",
          "Access-Control-Max-Age": "600",
          "Content-Length": "0",
        })
        .end();
      return;
    }
    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
    if (req.method !== "POST") {
      const err = {
        code: JsonRpcCode.INVALID_REQUEST,
        message: `HTTP method ${req.method} not allowed, use POST`,
      };
      send(res, 405, errorResponse(null, err), { Allow: "POST" });
      return;
    }
    if (!isJsonContentType(req.headers["content-type"])) {
      const err = {
        code: JsonRpcCode.INVALID_REQUEST,
        message: "invalid content type, only application/json is supported",
      };
      send(res, 415, errorResponse(null, err));
      return;
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > opts.maxBodyBytes) return refuseBody(req, res);
    const body = await readBody(req, opts.maxBodyBytes);
    if (body === null) return refuseBody(req, res);
    const out = await dispatcher.handle(body.toString("utf8"));
    if (out === null) {
      res.writeHead(204).end();
      return;
    }
    send(res, 200, out);
  }

  function listen(s: Server): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        const where = `${opts.host}:${opts.port}`;
        if (err.code === "EADDRINUSE") {
          reject(
            rpcError(
              RpcErrorCode.RPC_PORT_IN_USE,
              `JSON-RPC port ${where} is already in use; stop the other process or choose another port`,
              {
                host: opts.host,
                port: opts.port,
              },
            ),
          );
        } else {
          reject(
            rpcError(
              RpcErrorCode.RPC_LISTEN_FAILED,
              `cannot listen for JSON-RPC on ${where}: ${err.message}`,
              { code: err.code },
            ),
          );
        }
      };
      s.once("error", onError);
      s.listen(opts.port, opts.host, () => {
        s.off("error", onError);
        s.on("error", (err) => log.error({ err }, "rpc server error"));
        const addr = s.address() as AddressInfo;
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  return {
    async start() {
      if (server) throw rpcError(RpcErrorCode.RPC_LISTEN_FAILED, "JSON-RPC server already started");
      // Node enforces headersTimeout/requestTimeout when it checks connections: every second
      // here (default 30 s), so a half-sent request is cut within ~1 s of its deadline.
      const s = createServer(
        { noDelay: true, keepAlive: true, connectionsCheckingInterval: 1_000 },
        (req, res) => {
          onRequest(req, res).catch((err: unknown) => {
            // Only transport failures land here (client gone mid-body); the dispatcher never throws.
            log.debug({ err }, "rpc request aborted");
            if (!res.headersSent && !res.destroyed) {
              send(
                res,
                500,
                errorResponse(null, { code: JsonRpcCode.INTERNAL_ERROR, message: "internal error" }),
              );
            }
          });
        },
      );
      hub = new SubscriptionHub(modules.events, { maxPerConnection: opts.wsMaxSubscriptions }, log);
      const transport = createWsTransport(opts, { dispatcher, hub, guard, log });
      ws = transport;
      s.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        try {
          transport.upgrade(req, socket, head);
        } catch (err) {
          log.error({ err }, "websocket upgrade failed");
          socket.destroy();
        }
      });
      hub.start();
      s.maxConnections = opts.maxConnections;
      s.requestTimeout = opts.requestTimeoutMs;
      // headers come in one go from real clients; 20 s still lets a client dribbling one byte
      // every 15 ms send a 1 KiB head (the campaign's slow clients) and frees held slots 3x faster
      s.headersTimeout = Math.min(opts.requestTimeoutMs, 20_000);
      const perIp = new Map<string, number>();
      s.on("connection", (socket: Socket) => {
        const ip = socket.remoteAddress ?? "?";
        if (!opts.capLoopback && isLoopback(ip)) return;
        const n = (perIp.get(ip) ?? 0) + 1;
        if (n > opts.maxConnectionsPerIp) {
          const now = Date.now();
          if (now - lastDropWarn >= DROP_WARN_INTERVAL_MS) {
            lastDropWarn = now;
            log.warn(
              { limit: opts.maxConnectionsPerIp, remote: ip },
              "rpc per-address connection limit reached; dropping",
            );
          }
          socket.destroy();
          return;
        }
        perIp.set(ip, n);
        socket.once("close", () => {
          const left = (perIp.get(ip) ?? 1) - 1;
          if (left <= 0) perIp.delete(ip);
          else perIp.set(ip, left);
        });
      });
      s.keepAliveTimeout = opts.keepAliveTimeoutMs;
      s.on("drop", (data?: { remoteAddress?: string }) => {
        const now = Date.now();
        if (now - lastDropWarn < DROP_WARN_INTERVAL_MS) return;
        lastDropWarn = now;
        log.warn(
          { limit: opts.maxConnections, remote: data?.remoteAddress },
          "rpc connection limit reached; dropping",
        );
      });
      s.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
        log.debug({ code: err.code }, "rpc client error");
        if (err.code === "ECONNRESET" || !socket.writable) {
          socket.destroy();
          return;
        }
        const status =
          err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
        socket.end(
          `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
        );
      });
      server = s;
      try {
        const addr = await listen(s);
        log.info(addr, "json-rpc listening");
        return addr;
      } catch (err) {
        server = null;
        await ws?.close(0);
        ws = null;
        throw err;
      }
    },

    stats() {
      return { wsConnections: ws?.count() ?? 0, subscriptions: hub?.count() ?? 0 };
    },

    async stop() {
      const s = server;
      if (!s) return;
      server = null;
      const closingWs = ws?.close(opts.shutdownGraceMs);
      ws = null;
      const closed = new Promise<void>((resolve) => {
        const force = setTimeout(() => s.closeAllConnections(), opts.shutdownGraceMs);
        force.unref();
        s.close(() => {
          clearTimeout(force);
          resolve();
        });
        s.closeIdleConnections();
      });
      await Promise.all([closed, closingWs]);
      log.info("json-rpc stopped");
    },
  };
}
